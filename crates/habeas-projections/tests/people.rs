//! The person index: anyone by id, slug, name or alias, ignoring case and
//! accents; slugs stable once assigned.

mod support;

use habeas_projections::{Found, MatchedBy};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_by_id_slug_name_and_alias() {
    let world = World::new();
    let rong = world.register("Rong Chhun", &["Rorng Chhun"]).await;
    let dai = world.register("Nguyễn Văn Đài", &[]).await;
    let namesake = world.register("Rong  CHHUN", &[]).await;
    world.catch_up().await;

    let hex = namesake.as_uuid().simple().to_string();
    let namesake_slug = format!("rong-chhun-{}", &hex[..8]);
    let find = |reference: &str| world.projections.find(reference).expect("find");
    let cases: Vec<(String, Option<Found>)> = vec![
        (
            rong.to_string(),
            Some(Found {
                matched_by: MatchedBy::Id,
                people: vec![rong],
            }),
        ),
        (
            "rong-chhun".into(),
            Some(Found {
                matched_by: MatchedBy::Slug,
                people: vec![rong],
            }),
        ),
        (
            namesake_slug.clone(),
            Some(Found {
                matched_by: MatchedBy::Slug,
                people: vec![namesake],
            }),
        ),
        (
            "rorng chhun".into(),
            Some(Found {
                matched_by: MatchedBy::Name,
                people: vec![rong],
            }),
        ),
        (
            "RORNG-Chhun!".into(),
            Some(Found {
                matched_by: MatchedBy::Name,
                people: vec![rong],
            }),
        ),
        (
            "nguyen van đai".into(),
            Some(Found {
                matched_by: MatchedBy::Name,
                people: vec![dai],
            }),
        ),
        (
            "nguyen-van-đai".into(),
            Some(Found {
                matched_by: MatchedBy::Slug,
                people: vec![dai],
            }),
        ),
        ("  ".into(), None),
        ("Kem Sokha".into(), None),
    ];
    for (reference, expected) in cases {
        let mut found = find(&reference);
        if let Some(found) = found.as_mut() {
            found.people.sort();
        }
        let mut expected = expected;
        if let Some(expected) = expected.as_mut() {
            expected.people.sort();
        }
        assert_eq!(found, expected, "{reference:?}");
    }
    let mut both = find("Rong Chhun").expect("namesakes").people;
    both.sort();
    let mut wanted = vec![rong, namesake];
    wanted.sort();
    assert_eq!(both, wanted, "a name finds every namesake");

    // A new name and a new alias are found; the slug stays.
    world
        .person(rong, vec![rename("Chhun Rong"), add_alias("រ៉ុង ឈុន")])
        .await;
    world.catch_up().await;
    assert_eq!(find("chhun rong").map(|f| f.people), Some(vec![rong]));
    assert_eq!(find("រ៉ុង ឈុន").map(|f| f.people), Some(vec![rong]));
    assert_eq!(find("rorng chhun").map(|f| f.people), Some(vec![rong]));
    assert_eq!(
        find("rong chhun").map(|f| f.people),
        Some(vec![namesake]),
        "the old name no longer finds him"
    );
    assert_eq!(
        find("rong-chhun").map(|f| f.people),
        Some(vec![rong]),
        "the slug stays"
    );

    // A rebuild gives everyone the same slug again.
    world
        .projections
        .rebuild(world.store.as_ref(), &mut |_, _| {})
        .await
        .expect("rebuild");
    assert_eq!(find("rong-chhun").map(|f| f.people), Some(vec![rong]));
    assert_eq!(find(&namesake_slug).map(|f| f.people), Some(vec![namesake]));
}
