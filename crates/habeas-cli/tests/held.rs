//! A store held by a running `habeas serve`: every command that would open
//! it says so at once, with the server's address and how to reach the data
//! there, and exits with the class of a store that cannot be used (1).

mod server;

use server::{habeas, ok, start};

#[test]
fn a_command_on_a_store_held_by_a_server_names_the_server_and_how_to_reach_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    ok(habeas(&db).arg("init").output().expect("init"));
    let (mut server, address) = start(&db);
    let url = format!("http://{address}");
    // (the command's arguments): none waits for the server, which does not
    // finish (the default --lock-wait is 30 s; each answers at once).
    let cases: [&[&str]; 4] = [
        &["status", "X"],
        &["person", "list"],
        &["audit"],
        &["token", "list"],
    ];
    for args in cases {
        let began = std::time::Instant::now();
        let refused = habeas(&db).args(args).output().expect("run");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(1), "{args:?}: {said}");
        assert!(
            said.contains(&format!("held by `habeas serve` at {url}")),
            "{args:?}: {said}"
        );
        assert!(
            said.contains(&format!("habeas --server {url} --token TOKEN")),
            "{args:?}: {said}"
        );
        assert!(said.contains("or stop the server"), "{args:?}: {said}");
        assert!(
            began.elapsed() < std::time::Duration::from_secs(10),
            "{args:?} waited for the server"
        );
    }
    server.kill().expect("kill");
    server.wait().expect("wait");
    // Once the server is gone, its note names no one.
    let listed = ok(habeas(&db).args(["person", "list"]).output().expect("list"));
    assert!(listed.contains("no people"), "{listed}");
}
