//! The secrets table beside the log: set, replaced, removed, shared by every
//! process, created on a new store and added to a version-1 store on open.

use habeas_store::EventStore;
use habeas_store_postgres::testing::{execute, fresh_database};
use habeas_store_postgres::{PostgresConfig, PostgresStore, SecretChange, SecretRow};

fn row(kind: &str, key: &str, value: &str) -> SecretRow {
    SecretRow {
        kind: kind.into(),
        key: key.into(),
        value: value.into(),
    }
}

async fn open(url: &str) -> PostgresStore {
    PostgresStore::open_async(url, PostgresConfig::default())
        .await
        .expect("open")
        .expect("a store")
}

fn sorted(mut rows: Vec<SecretRow>) -> Vec<(String, String, String)> {
    rows.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
    rows.into_iter().map(|r| (r.kind, r.key, r.value)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_shared_replaced_and_removed_and_never_in_the_log() {
    let Some(database) = fresh_database() else {
        return;
    };
    let one = open(database.url()).await;
    let two = open(database.url()).await;
    assert!(one.read_secrets().await.expect("read").is_empty());
    one.change_secrets(SecretChange {
        put: vec![row("password", "a", "h1"), row("token", "t", "d1")],
        remove: vec![],
    })
    .await
    .expect("put");
    two.change_secrets(SecretChange {
        put: vec![row("password", "a", "h2")],
        remove: vec![("token".into(), "t".into())],
    })
    .await
    .expect("replace and remove");
    assert_eq!(
        sorted(one.read_secrets().await.expect("read")),
        vec![("password".into(), "a".into(), "h2".into())]
    );
    // The first value of a key wins; later ones get it.
    let first = one
        .secret_or_insert(row("session", "key", "k1"))
        .await
        .expect("insert");
    let second = two
        .secret_or_insert(row("session", "key", "k2"))
        .await
        .expect("insert");
    assert_eq!((first.as_str(), second.as_str()), ("k1", "k1"));
    // Not events: the log is empty.
    assert_eq!(one.head().await.expect("head"), 0);
    assert!(!format!("{:?}", row("password", "a", "h2")).contains("h2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_store_gets_the_secrets_table_on_open() {
    let Some(database) = fresh_database() else {
        return;
    };
    drop(open(database.url()).await);
    execute(
        database.url(),
        "DROP TABLE habeas.secrets; UPDATE habeas.store SET format = 1",
    )
    .expect("pretend an older build made it");
    let store = open(database.url()).await;
    store
        .change_secrets(SecretChange {
            put: vec![row("password", "a", "h")],
            remove: vec![],
        })
        .await
        .expect("the table is there again");
    assert_eq!(store.read_secrets().await.expect("read").len(), 1);
}
