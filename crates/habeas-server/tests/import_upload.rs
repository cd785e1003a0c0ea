//! Importing an uploaded file, in process: a CSV with its TOML column
//! mapping (uploaded, or saved and chosen by name) or a JSON-lines file,
//! over `POST /api/v1/import` (multipart, dry run first, the import naming
//! the dry run's digest) and over the import page (check, see the rows,
//! confirm). Refusals leave the case log unchanged; the confirmation
//! imports exactly what was checked.

mod common;

use axum::http::StatusCode;
use common::{Fixture, TABLE_CALLERS, Who};
use habeas_server::state::ServerConfig;

const BOUNDARY: &str = "habeasBoundary7MA4YWxkTrZu0gW";

/// A CSV with three rows, the second of which has no name (rejected).
const CSV: &str = "name,det_date,kind,sources\n\
    Amara Okafor,2021-03-04,arrest,https://news.example.org/1\n\
    ,2021-05,arrest,https://news.example.org/2\n\
    Bela Novak,2020-11,,https://news.example.org/3\n";

const MAPPING: &str = r#"version = 1

[sources]
urls = ["sources"]

[person]
name = "name"

[detained]
date = "det_date"
kind = { column = "kind", if_empty = "other", map = { arrest = "arrest" } }
"#;

/// A `multipart/form-data` body of `(name, file name, text)` parts.
fn multipart(parts: &[(&str, Option<&str>, &str)]) -> Vec<u8> {
    let mut body = String::new();
    for (name, file_name, text) in parts {
        body.push_str(&format!("--{BOUNDARY}\r\n"));
        match file_name {
            Some(file) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )),
            None => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            )),
        }
        body.push_str(text);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body.into_bytes()
}

fn content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

async fn post(fixture: &Fixture, who: Who, uri: &str, body: Vec<u8>) -> common::Answer {
    fixture
        .send_bytes(who, "POST", uri, Some(body), &content_type(), &[])
        .await
}

fn csv_upload(csv: &str) -> Vec<u8> {
    multipart(&[
        ("file", Some("list.csv"), csv),
        ("mapping", Some("list.toml"), MAPPING),
    ])
}

async fn names(fixture: &Fixture) -> Vec<String> {
    let mut names: Vec<String> = fixture
        .state
        .tracker()
        .people()
        .await
        .expect("people")
        .people()
        .iter()
        .map(|p| p.identity.name.clone())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_csv_dry_run_answers_each_role_and_writes_nothing() {
    let fixture = Fixture::new().await;
    let expected = [401, 403, 403, 200, 200, 401, 401];
    for (who, status) in TABLE_CALLERS.iter().zip(expected) {
        let before = fixture.case_log().await;
        let answer = post(&fixture, *who, "/api/v1/import", csv_upload(CSV)).await;
        assert_eq!(answer.status.as_u16(), status, "{who:?}: {}", answer.body);
        assert_eq!(fixture.case_log().await, before, "{who:?}: a dry run wrote");
        let confirm = post(
            &fixture,
            *who,
            "/api/v1/import?dry_run=false&digest=0",
            csv_upload(CSV),
        )
        .await;
        if status == 200 {
            assert_eq!(
                confirm.status,
                StatusCode::CONFLICT,
                "{who:?}: a wrong digest"
            );
        } else {
            assert_eq!(confirm.status.as_u16(), status, "{who:?}");
        }
        assert_eq!(
            fixture.case_log().await,
            before,
            "{who:?}: refused but wrote"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_imports_an_uploaded_csv_only_with_its_dry_runs_digest() {
    let fixture = Fixture::new().await;
    let before = fixture.case_log().await;
    let dry = post(&fixture, Who::Editor, "/api/v1/import", csv_upload(CSV)).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    let report = dry.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["format"], "csv");
    assert_eq!(report["n_rows"], 3, "{report}");
    assert_eq!(report["n_imported"], 2, "{report}");
    assert_eq!(report["rejections"][0]["at"]["row"]["row"], 3, "{report}");
    assert_eq!(
        report["rejections"][0]["reason"]["code"], "missing_cell",
        "{report}"
    );
    let digest = report["digest"].as_str().expect("a digest").to_owned();
    assert_eq!(digest.len(), 64, "{digest}");

    // Refused, store unchanged: no digest; the digest of another file; a
    // different mapping under the same digest; a digest that is not hex.
    let edited = CSV.replace("Bela Novak", "Bela Novakova");
    let other_mapping = multipart(&[
        ("file", Some("list.csv"), CSV),
        (
            "mapping",
            Some("list.toml"),
            &MAPPING.replace("version = 1", "version = 1\nconfidence = \"confirmed\""),
        ),
    ]);
    for (uri, body, status) in [
        (
            "/api/v1/import?dry_run=false".to_owned(),
            csv_upload(CSV),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/v1/import?dry_run=false&digest={digest}"),
            csv_upload(&edited),
            StatusCode::CONFLICT,
        ),
        (
            format!("/api/v1/import?dry_run=false&digest={digest}"),
            other_mapping,
            StatusCode::CONFLICT,
        ),
        (
            "/api/v1/import?dry_run=false&digest=xyz".to_owned(),
            csv_upload(CSV),
            StatusCode::CONFLICT,
        ),
    ] {
        let answer = post(&fixture, Who::Editor, &uri, body).await;
        assert_eq!(answer.status, status, "{uri}: {}", answer.body);
        assert_eq!(fixture.case_log().await, before, "{uri}: refused but wrote");
    }

    let done = post(
        &fixture,
        Who::Editor,
        &format!("/api/v1/import?dry_run=false&digest={digest}"),
        csv_upload(CSV),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["n_imported"], 2, "{}", done.body);
    assert_eq!(
        names(&fixture).await,
        ["Amara Okafor", "Bela Novak", "Rong Chhun"]
    );
}

/// Uploads that cannot be imported at all: 400 naming the part, store unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_upload_is_refused_naming_the_part() {
    let fixture = Fixture::new().await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "no file",
            multipart(&[("mapping", Some("m.toml"), MAPPING)]),
            "\"file\"",
        ),
        (
            "a CSV without a mapping",
            multipart(&[("file", Some("l.csv"), CSV)]),
            "\"mapping\"",
        ),
        (
            "a mapping that does not read",
            multipart(&[
                ("file", Some("l.csv"), CSV),
                (
                    "mapping",
                    Some("m.toml"),
                    "version = 1\n[person]\nnom = \"name\"\n",
                ),
            ]),
            "\"mapping\"",
        ),
        (
            "a mapping naming a missing column",
            multipart(&[
                (
                    "file",
                    Some("l.csv"),
                    "nom,det_date,kind,sources\nA,2020,,https://e.org\n",
                ),
                ("mapping", Some("m.toml"), MAPPING),
            ]),
            "\"file\"",
        ),
        (
            "an unknown saved mapping",
            multipart(&[
                ("file", Some("l.csv"), CSV),
                ("mapping_name", None, "nosuch"),
            ]),
            "\"mapping_name\"",
        ),
        (
            "a file of unknown format",
            multipart(&[("file", Some("l.dat"), "a;b\n")]),
            "\"format\"",
        ),
        (
            "an unknown part",
            multipart(&[
                ("file", Some("l.csv"), CSV),
                ("mapping", Some("m.toml"), MAPPING),
                ("colour", None, "red"),
            ]),
            "\"colour\"",
        ),
        (
            "JSON lines with a mapping",
            multipart(&[
                ("file", Some("l.jsonl"), "{}\n"),
                ("mapping", Some("m.toml"), MAPPING),
            ]),
            "\"mapping\"",
        ),
        (
            "a bad name to save the mapping as",
            multipart(&[
                ("file", Some("l.csv"), CSV),
                ("mapping", Some("m.toml"), MAPPING),
                ("save_as", None, "a/b"),
            ]),
            "\"mapping_name\"",
        ),
    ];
    let before = fixture.case_log().await;
    for (what, body, field) in cases {
        let answer = post(&fixture, Who::Editor, "/api/v1/import", body).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            answer.body
        );
        assert!(
            answer.body.contains(&format!("\"field\":{field}")),
            "{what}: {}",
            answer.body
        );
        assert_eq!(fixture.case_log().await, before, "{what}: wrote");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_mapping_is_chosen_by_name() {
    let fixture = Fixture::new().await;
    let saved = post(
        &fixture,
        Who::Editor,
        "/api/v1/import",
        multipart(&[
            ("file", Some("l.csv"), CSV),
            ("mapping", Some("m.toml"), MAPPING),
            ("save_as", None, "news list"),
        ]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let by_name = post(
        &fixture,
        Who::Editor,
        "/api/v1/import",
        multipart(&[
            ("file", Some("l.csv"), CSV),
            ("mapping_name", None, "news list"),
        ]),
    )
    .await;
    assert_eq!(by_name.status, StatusCode::OK, "{}", by_name.body);
    assert_eq!(
        by_name.json()["digest"],
        saved.json()["digest"],
        "the same mapping"
    );
    let page = fixture.send(Who::Editor, "GET", "/import", None).await;
    assert!(
        page.body.contains("<option value=\"news list\">"),
        "{}",
        page.body
    );
    let listed = fixture
        .send(Who::Editor, "GET", "/api/v1/mappings", None)
        .await;
    assert_eq!(listed.json()[0]["name"], "news list", "{}", listed.body);
    assert_eq!(listed.json()[0]["toml"], MAPPING, "{}", listed.body);
}

async fn confirm(fixture: &Fixture, digest: &str) -> common::Answer {
    fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/import/confirm",
            Some(format!("digest={digest}").into_bytes()),
            "application/x-www-form-urlencoded",
            &[],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_page_shows_the_rows_then_imports_what_was_checked() {
    let fixture = Fixture::new().await;
    let before = fixture.case_log().await;
    for who in [Who::Viewer, Who::Documenter] {
        let refused = post(&fixture, who, "/import", csv_upload(CSV)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who:?}");
        let confirm = fixture
            .send_bytes(
                who,
                "POST",
                "/import/confirm",
                Some(b"digest=0".to_vec()),
                "application/x-www-form-urlencoded",
                &[],
            )
            .await;
        assert_eq!(confirm.status, StatusCode::FORBIDDEN, "{who:?}");
    }
    let page = fixture.send(Who::Editor, "GET", "/import", None).await;
    assert!(page.body.contains("enctype=\"multipart/form-data\""));

    let dry = post(&fixture, Who::Editor, "/import", csv_upload(CSV)).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(fixture.case_log().await, before, "a dry run writes nothing");
    let body = &dry.body;
    assert!(body.contains("3 lines · 2 would be imported"), "{body}");
    let rows = body.split("id=\"import-rows\"").nth(1).expect("the rows");
    assert!(
        rows.contains("<tr class=\"accepted\"><th scope=\"row\">row 2</th>"),
        "{rows}"
    );
    assert!(
        rows.contains("<tr class=\"rejected\"><th scope=\"row\">row 3</th>"),
        "{rows}"
    );
    assert!(
        rows.contains("Amara Okafor · 2021-03-04 · arrest"),
        "{rows}"
    );
    assert!(
        rows.contains("name is empty"),
        "the reason beside the row: {rows}"
    );
    let digest = body
        .split("name=\"digest\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the digest in the confirmation form")
        .to_owned();

    let wrong = confirm(&fixture, &"0".repeat(64)).await;
    assert_eq!(wrong.status, StatusCode::CONFLICT, "{}", wrong.body);
    assert!(
        wrong.body.contains("not the file checked last"),
        "{}",
        wrong.body
    );
    assert_eq!(fixture.case_log().await, before);

    let done = confirm(&fixture, &digest).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("2 imported"), "{}", done.body);
    assert_eq!(
        names(&fixture).await,
        ["Amara Okafor", "Bela Novak", "Rong Chhun"]
    );

    let again = confirm(&fixture, &digest).await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "confirmed once only: {}",
        again.body
    );
}

/// When the store changes between the check and the confirmation so that
/// the import would do something else, the new dry run is shown instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_after_the_store_changed_shows_the_new_dry_run() {
    let fixture = Fixture::new().await;
    let dry = post(&fixture, Who::Editor, "/import", csv_upload(CSV)).await;
    let digest = dry
        .body
        .split("name=\"digest\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the digest")
        .to_owned();
    // Another editor imports the same rows meanwhile, through the API.
    let api = post(&fixture, Who::Admin, "/api/v1/import", csv_upload(CSV)).await;
    let api_digest = api.json()["digest"].as_str().expect("digest").to_owned();
    assert_eq!(api_digest, digest, "the page and the API digest alike");
    let imported = post(
        &fixture,
        Who::Admin,
        &format!("/api/v1/import?dry_run=false&digest={api_digest}"),
        csv_upload(CSV),
    )
    .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let before = fixture.case_log().await;
    let changed = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/import/confirm",
            Some(format!("digest={digest}").into_bytes()),
            "application/x-www-form-urlencoded",
            &[],
        )
        .await;
    assert_eq!(changed.status, StatusCode::CONFLICT, "{}", changed.body);
    assert!(
        changed.body.contains("id=\"import-notice\""),
        "{}",
        changed.body
    );
    assert!(
        changed
            .body
            .contains("0 would be imported · 2 imported before"),
        "{}",
        changed.body
    );
    assert_eq!(fixture.case_log().await, before, "nothing imported unseen");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_page_takes_pasted_json_lines_too() {
    let fixture = Fixture::new().await;
    let lines = r#"{"action": "register_person", "fields": {"name": "Pham Doan Trang"}}"#;
    let dry = post(
        &fixture,
        Who::Editor,
        "/import",
        multipart(&[("lines", None, lines)]),
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert!(
        dry.body.contains("1 lines · 1 would be imported"),
        "{}",
        dry.body
    );
    assert!(dry.body.contains("Pham Doan Trang"), "the lines are kept");
    let bad = post(
        &fixture,
        Who::Editor,
        "/import",
        multipart(&[("lines", None, "  ")]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("id=\"import-error\""), "{}", bad.body);
}

/// An upload over the import limit is refused (413) by the API and by the
/// page, and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_limit_is_refused() {
    let fixture = Fixture::with_config(ServerConfig {
        import_limit: 2048,
        ..ServerConfig::default()
    })
    .await;
    let big = format!("{CSV}{}", "Someone,2020-01,https://e.org/x\n".repeat(200));
    let before = fixture.case_log().await;
    for uri in ["/api/v1/import", "/import"] {
        let answer = post(&fixture, Who::Editor, uri, csv_upload(&big)).await;
        assert_eq!(
            answer.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{uri}: {}",
            answer.body
        );
        assert_eq!(fixture.case_log().await, before, "{uri}");
    }
    let small = post(&fixture, Who::Editor, "/api/v1/import", csv_upload(CSV)).await;
    assert_eq!(small.status, StatusCode::OK, "{}", small.body);
}

/// JSON lines sent as the body carry a digest too, checked when given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_are_imported_with_or_without_the_digest() {
    let fixture = Fixture::new().await;
    let lines = r#"{"action": "register_person", "fields": {"name": "Pham Doan Trang"}}"#;
    let send = |uri: String| {
        let fixture = &fixture;
        async move {
            fixture
                .send_bytes(
                    Who::Editor,
                    "POST",
                    &uri,
                    Some(lines.as_bytes().to_vec()),
                    "application/x-ndjson",
                    &[],
                )
                .await
        }
    };
    let dry = send("/api/v1/import".to_owned()).await;
    assert_eq!(dry.json()["format"], "jsonl");
    let digest = dry.json()["digest"].as_str().expect("digest").to_owned();
    let before = fixture.case_log().await;
    let wrong = send(format!(
        "/api/v1/import?dry_run=false&digest={}",
        "1".repeat(64)
    ))
    .await;
    assert_eq!(wrong.status, StatusCode::CONFLICT, "{}", wrong.body);
    assert_eq!(fixture.case_log().await, before);
    let done = send(format!("/api/v1/import?dry_run=false&digest={digest}")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["n_imported"], 1);
}
