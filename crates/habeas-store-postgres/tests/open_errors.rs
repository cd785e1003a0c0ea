//! Opening: a database without a store, a store of a newer schema, a `habeas` schema
//! holding something else, a server that is not there, and many processes creating
//! one store at once.

use habeas_store::{EventStore, StoreError};
use habeas_store_postgres::testing::{execute, fresh_database};
use habeas_store_postgres::{POSTGRES_SCHEMA_VERSION, PostgresConfig, PostgresStore};

fn without_create() -> PostgresConfig {
    PostgresConfig {
        create: false,
        ..PostgresConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_without_a_store_is_left_untouched_unless_asked_to_create() {
    let Some(database) = fresh_database() else {
        return;
    };
    let missing = PostgresStore::open_async(database.url(), without_create())
        .await
        .expect("open");
    assert!(missing.is_none());
    let created = PostgresStore::open_async(database.url(), PostgresConfig::default())
        .await
        .expect("create")
        .expect("created");
    let reopened = PostgresStore::open_async(database.url(), without_create())
        .await
        .expect("reopen")
        .expect("found");
    assert_eq!(
        created.store_id(),
        reopened.store_id(),
        "the identity is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_schema_is_refused() {
    let Some(database) = fresh_database() else {
        return;
    };
    drop(
        PostgresStore::open_async(database.url(), PostgresConfig::default())
            .await
            .expect("create"),
    );
    let newer = POSTGRES_SCHEMA_VERSION + 1;
    execute(
        database.url(),
        &format!("UPDATE habeas.store SET format = {newer}"),
    )
    .expect("pretend a newer build wrote it");
    let refused = PostgresStore::open_async(database.url(), PostgresConfig::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(&refused, StoreError::NewerFormat { found, .. } if *found == newer),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("upgrade habeas"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_habeas_schema_that_holds_something_else_is_refused() {
    let Some(database) = fresh_database() else {
        return;
    };
    execute(
        database.url(),
        "CREATE SCHEMA habeas; CREATE TABLE habeas.notes (text text)",
    )
    .expect("someone else's schema");
    let refused = PostgresStore::open_async(database.url(), PostgresConfig::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(refused, StoreError::NotAHabeasStore { .. }),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_not_there_is_unavailable_and_the_password_is_not_shown() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let url = format!("postgres://habeas:s3cret@127.0.0.1:{port}/cases");
    let refused = PostgresStore::open_async(&url, PostgresConfig::default())
        .await
        .expect_err("nothing listens there");
    assert!(
        matches!(refused, StoreError::Unavailable { .. }),
        "{refused:?}"
    );
    let text = refused.to_string();
    assert!(text.contains("habeas:***@127.0.0.1"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_opened_at_once_on_a_new_database_are_one_store() {
    let Some(database) = fresh_database() else {
        return;
    };
    let url = database.url().to_owned();
    let opens = (0..6).map(|_| {
        let url = url.clone();
        async move { PostgresStore::open_async(&url, PostgresConfig::default()).await }
    });
    let mut ids = Vec::new();
    for opened in futures_join(opens.collect()).await {
        let store = opened.expect("open").expect("created");
        assert_eq!(store.head().await.expect("head"), 0);
        ids.push(store.store_id());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every open found the one store: {ids:?}");
}

/// Awaits every future, concurrently.
async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.expect("task"));
    }
    outputs
}
