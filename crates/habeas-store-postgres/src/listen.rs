//! Waking subscribers: `LISTEN habeas_log` on a connection of its own, plus a poll of
//! the head on a timer.
//!
//! Every append transaction calls `pg_notify('habeas_log', <new head>)`, which the
//! server delivers to every listening connection when (and only if) it commits. A
//! notification only raises the head this process's subscribers wait for; what they
//! then read is read by position from `habeas.events`, so a notification that is lost
//! (the listening connection dropped, an engine without `NOTIFY`) delays delivery by
//! at most one poll and can never skip or repeat an event.

use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls, Socket};

use crate::sql;
use crate::store::Shared;
use crate::tls::Tls;
use crate::writer::raise;

/// Starts the listener of this store, once.
pub(crate) fn start(shared: &Arc<Shared>, runtime: &Handle) {
    shared.listener.get_or_init(|| {
        runtime.spawn(listen(Arc::clone(shared)));
    });
}

async fn listen(shared: Arc<Shared>) {
    let mut poll = tokio::time::interval(shared.poll_interval);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // Without a listening connection, polling alone still delivers; listening is
        // tried again after a while.
        let mut notifications = subscribe(&shared).await.ok();
        // What was committed before LISTEN took effect.
        let _ = shared.head().await;
        let mut polls_without_listener = 0u32;
        loop {
            tokio::select! {
                message = async {
                    match notifications.as_mut() {
                        Some(listening) => listening.heads.recv().await,
                        None => std::future::pending().await,
                    }
                } => match message {
                    Some(head) => {
                        shared.head.send_if_modified(|current| raise(current, head));
                    }
                    // The listening connection is gone: poll until it is back.
                    None => notifications = None,
                },
                _ = poll.tick() => {
                    let _ = shared.head().await;
                    if notifications.is_none() {
                        polls_without_listener += 1;
                        if polls_without_listener >= 10 {
                            break;
                        }
                    }
                }
            }
        }
    }
}

/// A connection listening on the channel; the receiver yields each notified head
/// and ends when the connection does.
async fn subscribe(shared: &Shared) -> Result<Listening, tokio_postgres::Error> {
    match &shared.tls {
        Tls::Off => listen_on(&shared.config, NoTls).await,
        Tls::Rustls(make) => listen_on(&shared.config, make.clone()).await,
    }
}

async fn listen_on<T>(config: &Config, tls: T) -> Result<Listening, tokio_postgres::Error>
where
    T: MakeTlsConnect<Socket>,
    T::Stream: Send + 'static,
{
    let (client, mut connection) = config.connect(tls).await?;
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(notification))) => {
                    if let Ok(head) = notification.payload().parse::<u64>()
                        && sender.send(head).is_err()
                    {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {}", sql::CHANNEL))
        .await?;
    Ok(Listening {
        _client: client,
        heads: receiver,
    })
}

/// A listening connection: the client keeps it open, `heads` yields what it hears.
struct Listening {
    _client: Client,
    heads: mpsc::UnboundedReceiver<u64>,
}
