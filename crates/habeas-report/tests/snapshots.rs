//! Every format of the worked example of `docs/domain.md`, compared exactly with the
//! files under `tests/snapshots/`. After an intended change, review the diff
//! and run `HABEAS_BLESS=1 cargo test -p habeas-report --test snapshots`.

mod support;

use std::path::PathBuf;

use habeas_report::{csv, html, json, markdown};

use support::{Filtering, campaign_view, final_view, meta, person_report, roster, worked_example};

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("HABEAS_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with HABEAS_BLESS=1 to create it",
            path.display()
        )
    });
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
        panic!(
            "{name} differs from its snapshot at line {}:\n  actual:   {:?}\n  expected: {:?}\nreview, then run with HABEAS_BLESS=1",
            line + 1,
            actual.lines().nth(line),
            expected.lines().nth(line)
        );
    }
}

fn rong_chhun(public: bool) -> habeas_report::model::PersonReport {
    person_report(
        &worked_example(),
        support::rong_chhun(),
        final_view(),
        meta(public),
        Filtering::Facade,
    )
}

#[test]
fn person_markdown() {
    check(
        "rong-chhun.md",
        &markdown::person_markdown(&rong_chhun(false)),
    );
}

#[test]
fn person_markdown_public() {
    check(
        "rong-chhun.public.md",
        &markdown::person_markdown(&rong_chhun(true)),
    );
}

#[test]
fn person_html() {
    check("rong-chhun.html", &html::person_html(&rong_chhun(false)));
}

#[test]
fn person_json() {
    check("rong-chhun.json", &json::person_json(&rong_chhun(false)));
}

#[test]
fn restricted_person_markdown() {
    let report = person_report(
        &worked_example(),
        support::kem_sokha(),
        final_view(),
        meta(false),
        Filtering::Facade,
    );
    check("kem-sokha.md", &markdown::person_markdown(&report));
}

#[test]
fn roster_while_held_every_format() {
    let roster = roster(&worked_example(), campaign_view(), meta(false));
    check("roster-2021-10-01.md", &markdown::roster_markdown(&roster));
    check("roster-2021-10-01.html", &html::roster_html(&roster));
    check("roster-2021-10-01.csv", &csv::roster_csv(&roster));
    check("roster-2021-10-01.json", &json::roster_json(&roster));
}

#[test]
fn roster_after_the_release() {
    let roster = roster(&worked_example(), final_view(), meta(true));
    check(
        "roster-2021-11-20.public.md",
        &markdown::roster_markdown(&roster),
    );
}
