//! Workspace invariants that no compiler checks: the layout of ARCHITECTURE.md
//! (crates named after their folders, dependencies declared once), the
//! domain's independence from I/O, and the README's test command being the one
//! CI runs.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn manifest(path: &Path) -> toml::Table {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn crates() -> Vec<(String, toml::Table)> {
    let mut found: Vec<(String, toml::Table)> = fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("Cargo.toml").exists())
        .map(|path| {
            let folder = path.file_name().unwrap().to_string_lossy().into_owned();
            (folder, manifest(&path.join("Cargo.toml")))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

#[test]
fn every_crate_is_internal_named_after_its_folder_and_uses_workspace_lints() {
    let crates = crates();
    assert!(crates.len() >= 2, "crates/ holds the workspace's crates");
    for (folder, manifest) in crates {
        let package = manifest["package"].as_table().unwrap();
        assert_eq!(
            package["name"].as_str(),
            Some(folder.as_str()),
            "{folder}: name"
        );
        assert_eq!(
            package["version"].as_str(),
            Some("0.0.0"),
            "{folder}: version"
        );
        assert_eq!(
            package["publish"].as_bool(),
            Some(false),
            "{folder}: publish"
        );
        assert_eq!(
            manifest["lints"]["workspace"].as_bool(),
            Some(true),
            "{folder}: [lints] workspace = true"
        );
        for section in ["dependencies", "dev-dependencies"] {
            let Some(deps) = manifest.get(section).and_then(|d| d.as_table()) else {
                continue;
            };
            for (name, spec) in deps {
                let inherited = spec
                    .as_table()
                    .and_then(|t| t.get("workspace"))
                    .and_then(|w| w.as_bool())
                    == Some(true);
                assert!(
                    inherited,
                    "{folder}: {name} must be declared in [workspace.dependencies]"
                );
            }
        }
    }
}

#[test]
fn the_domain_knows_nothing_of_storage_async_or_the_clock() {
    let domain = manifest(&root().join("crates/habeas-domain/Cargo.toml"));
    let deps = domain["dependencies"].as_table().unwrap();
    for forbidden in [
        "sled",
        "tokio",
        "async-trait",
        "habeas-store",
        "rand",
        "getrandom",
    ] {
        assert!(
            !deps.contains_key(forbidden),
            "habeas-domain depends on {forbidden}"
        );
    }
    let chrono_features = deps["chrono"].get("features").and_then(|f| f.as_array());
    assert!(
        chrono_features.is_none_or(|f| !f.iter().any(|v| v.as_str() == Some("clock"))),
        "habeas-domain must not read the clock"
    );
    let workspace = manifest(&root().join("Cargo.toml"));
    let chrono = &workspace["workspace"]["dependencies"]["chrono"];
    assert!(
        !chrono["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str() == Some("clock")),
        "the clock feature is enabled per crate, never workspace-wide"
    );
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let ci = fs::read_to_string(root().join(".ci/run")).unwrap();
    let command = readme
        .lines()
        .find(|line| line.trim_start().starts_with("cargo test"))
        .expect("README.md shows the test command on a line of its own")
        .trim();
    assert!(
        ci.contains(command),
        ".ci/run must run the README's test command {command:?}"
    );
}
