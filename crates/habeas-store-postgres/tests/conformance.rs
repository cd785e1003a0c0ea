//! The conformance suite every backend passes, on a real PostgreSQL server (a fresh
//! database per check; see `habeas_store_postgres::testing`).

use std::sync::Arc;

use habeas_store::Upcaster;
use habeas_store::conformance::Harness;
use habeas_store_postgres::testing::{available, fresh_database};
use habeas_store_postgres::{PostgresConfig, PostgresStore};

async fn open(upcaster: Option<Arc<dyn Upcaster>>) -> Harness {
    let database = fresh_database().expect("checked by available()");
    let config = PostgresConfig {
        upcaster,
        ..PostgresConfig::default()
    };
    let store = PostgresStore::open_async(database.url(), config)
        .await
        .expect("open")
        .expect("created");
    Harness {
        store: Arc::new(store),
        keep_alive: Box::new(database),
    }
}

habeas_store::conformance_tests!(open, skip_unless = available());
