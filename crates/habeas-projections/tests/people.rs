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

/// Two people of one name, in several scripts: the first holds the plain
/// slug, which for a name in a script without case (or a single lower-case
/// word) is the name itself. The name finds both, whatever slug it equals;
/// each slug and each id finds the one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_name_is_ambiguous_whatever_slug_it_equals() {
    // (name as registered, other ways of typing it)
    let names: [(&str, &[&str]); 6] = [
        ("Rong Chhun", &["rong chhun", "RONG CHHUN"]),
        ("ali", &["Ali", "ALI"]),
        ("刘晓波", &[" 刘晓波 "]),
        ("محمد", &["مُحَمَّد"]),
        ("محمد علي", &["محمد  علي"]),
        ("Алексей", &["алексей", "АЛЕКСЕЙ"]),
    ];
    let world = World::new();
    let mut pairs = Vec::new();
    for (name, typed) in names {
        let first = world.register(name, &[]).await;
        let second = world.register(name, &[]).await;
        pairs.push((name, typed, first, second));
    }
    world.catch_up().await;
    let find = |reference: &str| world.projections.find(reference).expect("find");
    for (name, typed, first, second) in pairs {
        let mut both = vec![first, second];
        both.sort();
        for reference in std::iter::once(&name).chain(typed) {
            let found = find(reference).expect("namesakes are found");
            let mut people = found.people.clone();
            people.sort();
            assert_eq!(
                (found.matched_by, people),
                (MatchedBy::Name, both.clone()),
                "{reference:?} names both"
            );
        }
        for person in [first, second] {
            let slug = world
                .projections
                .person(person)
                .expect("row")
                .and_then(|row| row.slug)
                .expect("a slug");
            let by_id = find(&person.to_string()).expect("by id");
            assert_eq!(by_id.people, vec![person], "{name}: the id");
            let by_slug = find(&slug).expect("by slug");
            if slug == habeas_domain::names::fold(&slug) {
                // The slug reads as the shared name: the name wins.
                assert_eq!(by_slug.matched_by, MatchedBy::Name, "{slug:?}");
            } else {
                assert_eq!(
                    (by_slug.matched_by, by_slug.people),
                    (MatchedBy::Slug, vec![person]),
                    "{name}: the slug {slug:?}"
                );
            }
        }
    }
}
