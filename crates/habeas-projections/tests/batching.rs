//! The read models are a function of the log, however it was cut: applied
//! page by page into the tree in service (one atomic batch each), caught up
//! a few events at a time as they were written, or rebuilt in chunks of any
//! size written key by key, the projection database ends up holding the
//! same keys with the same bytes.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use habeas_domain::event::DetentionKind;
use habeas_projections::{ProjectionConfig, Projections};
use support::*;

/// Every key and value of the generation in service, read directly.
fn contents(path: &Path) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let (db, tree, directory) = open_current_generation(path);
    let contents = tree
        .iter()
        .map(|entry| entry.expect("read"))
        .map(|(key, value)| (key.to_vec(), value.to_vec()))
        .collect();
    close_raw_sled(db, tree, &directory);
    contents
}

/// The keys whose values differ, for a failure message.
fn differences(
    actual: &BTreeMap<Vec<u8>, Vec<u8>>,
    expected: &BTreeMap<Vec<u8>, Vec<u8>>,
) -> Vec<String> {
    let text = |bytes: Option<&Vec<u8>>| bytes.map(|b| String::from_utf8_lossy(b).into_owned());
    actual
        .keys()
        .chain(expected.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|key| actual.get(*key) != expected.get(*key))
        .map(|key| {
            format!(
                "{}: {:?} instead of {:?}",
                String::from_utf8_lossy(key),
                text(actual.get(key)),
                text(expected.get(key))
            )
        })
        .collect()
}

/// Fails, naming each differing key, unless the database in `path` holds
/// exactly `expected`.
fn assert_same(
    path: &Path,
    expected: &BTreeMap<Vec<u8>, Vec<u8>>,
    how: &str,
    page_size: usize,
    chunk: usize,
) {
    let differ = differences(&contents(path), expected);
    assert!(
        differ.is_empty(),
        "{how} with pages of {page_size}, chunks of {chunk}:\n{}",
        differ.join("\n")
    );
}

fn config(page_size: usize, rebuild_chunk_events: usize) -> ProjectionConfig {
    ProjectionConfig {
        page_size,
        rebuild_chunk_events,
        ..ProjectionConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_way_of_cutting_the_log_writes_the_same_read_model() {
    let world = World::new();
    // Caught up as the log grows, a page of one event at a time.
    let live_path = world.directory.path().join("live");
    let live = Projections::open(&live_path, config(1, 1)).expect("open");
    let catch_up = || async {
        live.catch_up(world.store.as_ref()).await.expect("catch up");
    };

    // Namesakes (their slugs depend on who registered first), people whose
    // events interleave, statements naming several people, a correction of
    // a statement that drops someone, a retraction and a rename.
    let rong = world.register("Rong Chhun", &["Rorng Chhun"]).await;
    let namesake = world.register("Rong Chhun", &[]).await;
    catch_up().await;
    let kanika = world.register("Sar Kanika", &[]).await;
    world
        .person(
            rong,
            vec![detained_as("2020-07-31", DetentionKind::HouseArrest)],
        )
        .await;
    world.person(kanika, vec![detained("2020-08")]).await;
    catch_up().await;
    let (statement_id, statement) = world
        .statement(statement_about("2020-08-05", &[rong, kanika, namesake]))
        .await;
    world.person(rong, vec![charged("2020-08-01")]).await;
    let mistaken = world.person(namesake, vec![detained("2021")]).await;
    catch_up().await;
    world
        .record(
            &habeas_domain::id::StatementId::from_uuid(uuid::Uuid::now_v7()).stream_name(),
            vec![statement_about("2021-01", &[kanika])],
        )
        .await;
    world.person(namesake, vec![retract(mistaken[0])]).await;
    world
        .person(
            rong,
            vec![
                sentenced("2021-08-11", "2y"),
                rename("Rong Chhun (Cambodia)"),
            ],
        )
        .await;
    world.person(kanika, vec![released("2021-11")]).await;
    world
        .record(
            &statement_id.stream_name(),
            vec![correct(
                statement,
                statement_about("2020-08-05", &[rong, kanika]),
            )],
        )
        .await;
    catch_up().await;
    let head = live.checkpoint().expect("checkpoint");
    assert!(head >= 14, "the log holds {head} events");
    drop(live);
    let expected = contents(&live_path);
    assert!(expected.len() >= 15, "{} keys", expected.len());

    // The same log, read afresh with other page and chunk sizes: a first
    // catch-up (built as a rebuild), then an explicit rebuild.
    for (page_size, chunk) in [(1, 1), (3, 5), (4096, 1 << 20), (2, 7)] {
        let path = world
            .directory
            .path()
            .join(format!("fresh-{page_size}-{chunk}"));
        let projections = Projections::open(&path, config(page_size, chunk)).expect("open");
        let mut reports = Vec::new();
        let reached = projections
            .catch_up_with_progress(world.store.as_ref(), &mut |done, total| {
                reports.push((done, total))
            })
            .await
            .expect("first catch-up");
        assert_eq!(reached, head);
        assert_eq!(reports.last(), Some(&(head, head)), "{reports:?}");
        assert!(reports.windows(2).all(|w| w[0].0 <= w[1].0), "{reports:?}");
        drop(projections);
        assert_same(&path, &expected, "first catch-up", page_size, chunk);

        let projections = Projections::open(&path, config(page_size, chunk)).expect("reopen");
        projections
            .rebuild(world.store.as_ref(), &mut |_, _| {})
            .await
            .expect("rebuild");
        drop(projections);
        assert_same(&path, &expected, "rebuild", page_size, chunk);
    }
}
