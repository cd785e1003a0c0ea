//! The audit proves the read model against a replay of the log: a row
//! corrupted by hand is reported field by field, and a rebuild repairs it.

mod support;

use habeas_projections::{ProjectionConfig, Projections};
use support::*;

/// Runs `change` on the current generation's sled tree, opened directly the
/// way a disk fault or a stray tool would reach it.
fn with_current_tree(path: &std::path::Path, change: impl FnOnce(&sled::Tree)) {
    let (db, tree, directory) = open_current_generation(path);
    change(&tree);
    close_raw_sled(db, tree, &directory);
}

fn row_key(person: habeas_domain::id::PersonId) -> Vec<u8> {
    let mut key = b"p/".to_vec();
    key.extend_from_slice(person.as_uuid().as_bytes());
    key
}

/// Writes `bytes` as the stored row of `person` directly into the current
/// generation's sled tree.
fn write_raw_row(path: &std::path::Path, person: habeas_domain::id::PersonId, bytes: &[u8]) {
    with_current_tree(path, |tree| {
        let key = row_key(person);
        assert!(tree.contains_key(&key).expect("read"), "the row is there");
        tree.insert(key, bytes).expect("write");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_finds_a_corrupted_row_and_rebuild_repairs_it() {
    let world = World::new();
    let rong = world.register("Rong Chhun", &["Rorng Chhun"]).await;
    world
        .person(rong, vec![detained("2020-07"), charged("2020-08")])
        .await;
    let kem = world.register("Kem Sokha", &[]).await;
    world.person(kem, vec![restricted("2017-11", None)]).await;
    world.catch_up().await;
    let on = day("2021-06-01");
    let audit = world
        .projections
        .audit(world.store.as_ref(), on)
        .await
        .expect("audit");
    assert!(audit.is_clean(), "{audit:#?}");
    assert_eq!(audit.n_people, 2);

    // Rong Chhun's stored row now says he died in custody.
    let path = world.projections.path().to_owned();
    let World {
        store,
        projections,
        directory,
    } = world;
    drop(projections);
    let mut json: serde_json::Value = serde_json::Value::Null;
    with_current_tree(&path, |tree| {
        let bytes = tree.get(row_key(rong)).expect("read").expect("the row");
        json = serde_json::from_slice(&bytes).expect("a JSON row");
    });
    json["standing"]["walk"]["custody"] = serde_json::json!({"state": "deceased", "on": "2020-09"});
    write_raw_row(&path, rong, &serde_json::to_vec(&json).expect("bytes"));
    let projections = Projections::open(&path, ProjectionConfig::default()).expect("reopen");

    let audit = projections.audit(store.as_ref(), on).await.expect("audit");
    let fields: Vec<(String, String, String)> = audit
        .differences
        .iter()
        .filter(|difference| difference.person == rong)
        .map(|d| (d.field.clone(), d.stored.clone(), d.replayed.clone()))
        .collect();
    let expected_headline = (
        "headline on 2021-06-01".to_owned(),
        "\"deceased\"".to_owned(),
        "\"charged\"".to_owned(),
    );
    assert!(fields.contains(&expected_headline), "{fields:#?}");
    assert!(
        fields.iter().any(|(field, _, _)| field == "standing"),
        "the stored row itself is named: {fields:#?}"
    );
    assert!(
        audit.differences.iter().all(|d| d.person == rong),
        "only Rong Chhun's entry differs: {audit:#?}"
    );

    let generation = projections.generation();
    let mut reports = Vec::new();
    let checkpoint = projections
        .rebuild(store.as_ref(), &mut |done, total| {
            reports.push((done, total))
        })
        .await
        .expect("rebuild");
    assert_eq!(projections.generation(), generation + 1);
    // The replaced generation's database is gone, its space given back.
    assert_eq!(
        folder_entries(projections.path()),
        [
            "CURRENT".to_owned(),
            format!("generation-{}", generation + 1)
        ]
    );
    assert_eq!(
        reports.last(),
        Some(&(checkpoint, checkpoint)),
        "{reports:?}"
    );
    let audit = projections.audit(store.as_ref(), on).await.expect("audit");
    assert!(audit.is_clean(), "{audit:#?}");
    let row = projections
        .status(store.as_ref(), rong, on)
        .await
        .expect("status")
        .expect("row");
    assert_eq!(row.headline.as_str(), "charged");
    drop(directory);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_finds_an_undecodable_row_and_a_missing_one() {
    let world = World::new();
    let rong = world.register("Rong Chhun", &[]).await;
    let kanika = world.register("Sar Kanika", &[]).await;
    world.catch_up().await;
    let path = world.projections.path().to_owned();
    let World {
        store,
        projections,
        directory,
    } = world;
    drop(projections);
    write_raw_row(&path, rong, b"{not json");
    with_current_tree(&path, |tree| {
        tree.remove(row_key(kanika)).expect("remove");
    });
    let projections = Projections::open(&path, ProjectionConfig::default()).expect("reopen");
    let audit = projections
        .audit(store.as_ref(), day("2022-01-01"))
        .await
        .expect("audit");
    let summary: Vec<(bool, &str, &str)> = audit
        .differences
        .iter()
        .map(|d| (d.person == rong, d.field.as_str(), d.replayed.as_str()))
        .collect();
    assert!(
        summary.contains(&(false, "row", "present")),
        "Sar Kanika's row is missing: {summary:#?}"
    );
    assert!(
        audit
            .differences
            .iter()
            .any(|d| d.person == rong && d.field == "row" && d.stored.starts_with("undecodable")),
        "{audit:#?}"
    );
    projections
        .rebuild(store.as_ref(), &mut |_, _| {})
        .await
        .expect("rebuild");
    let audit = projections
        .audit(store.as_ref(), day("2022-01-01"))
        .await
        .expect("audit");
    assert!(audit.is_clean(), "{audit:#?}");
    drop(directory);
}
