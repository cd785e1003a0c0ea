//! Rebuilds asked for at once: the later waits for the running one and
//! serves from the generation it built, instead of building another.

mod support;

use support::*;

#[tokio::test]
async fn rebuilds_asked_for_together_build_one_generation() {
    let world = World::new();
    let rong = world.register("Rong Chhun", &[]).await;
    world.person(rong, vec![detained("2020-07-31")]).await;
    let head = world.catch_up().await;
    let generation = world.projections.generation();

    // Polled in turn on this task: the first takes the builders' turn
    // before the second asks for it.
    let store = world.store.as_ref();
    let (mut quiet, mut silent) = (|_, _| {}, |_, _| {});
    let (first, second) = tokio::join!(
        world.projections.rebuild(store, &mut quiet),
        world.projections.rebuild(store, &mut silent),
    );
    assert_eq!(first.expect("first rebuild"), head);
    assert_eq!(second.expect("second rebuild"), head);
    assert_eq!(world.projections.generation(), generation + 1);
    assert_eq!(
        folder_entries(world.projections.path()),
        [
            "CURRENT".to_owned(),
            format!("generation-{}", generation + 1)
        ]
    );

    // Asked for after the first ended, a rebuild builds again.
    world
        .projections
        .rebuild(store, &mut |_, _| {})
        .await
        .expect("third rebuild");
    assert_eq!(world.projections.generation(), generation + 2);
}
