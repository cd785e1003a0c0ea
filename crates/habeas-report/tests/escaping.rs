//! User-supplied strings stay text in every format: a name that is HTML, an
//! alias that is Markdown, a facility with a line break and a pipe, a source
//! whose URL is `javascript:`.

mod support;

use habeas_domain::command::Action;
use habeas_domain::event::{Detention, DetentionKind, Registration};
use habeas_domain::facts::{Facts, Source};
use habeas_report::{csv, html, json, markdown};

use support::{Filtering, OFFICER, World, campaign_view, d, meta, person, person_report, roster};

const NAME: &str = "<script>alert(1)</script>";
const ALIAS: &str = "**bold** | pipe";
const FACILITY: &str = "<img src=x onerror=alert(2)>\n| Evil cell | row";
const SAFE_URL: &str = "https://example.org/a?b=1&c=\"2\"";

fn hostile_world() -> World {
    let mut world = World::default();
    let stream = person(9).stream_name();
    world.record(
        &stream,
        "2021-01-05T10:00:00Z",
        OFFICER,
        Action::RegisterPerson(Registration {
            name: NAME.to_owned(),
            aliases: vec![ALIAS.to_owned()],
            country: Some("# Heading".to_owned()),
            affiliation: Some("[click](javascript:alert(5))".to_owned()),
            born: None,
            sources: vec![
                Source::url("javascript:alert(3)").titled("[click me](javascript:alert(4))"),
            ],
            details: habeas_domain::event::PersonDetails::default(),
        }),
    );
    world.record(
        &stream,
        "2021-01-05T10:05:00Z",
        OFFICER,
        Action::RecordDetention(Detention {
            facts: Facts {
                note: Some("`code` & <b>bold</b>".to_owned()),
                ..Facts::new(d("2020-12"), vec![Source::url(SAFE_URL)])
            },
            kind: DetentionKind::Arrest,
            place: Some("a|b".to_owned()),
            authority: None,
            facility: Some(FACILITY.to_owned()),
        }),
    );
    world
}

fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for ch in line.chars() {
        if ch == '|' && !escaped {
            count += 1;
        }
        escaped = ch == '\\' && !escaped;
    }
    count
}

/// Every table row has as many cell separators as its header.
fn assert_tables_intact(markdown: &str) {
    let mut header_pipes = None;
    for line in markdown.lines() {
        if line.starts_with('|') {
            let pipes = unescaped_pipes(line);
            match header_pipes {
                None => header_pipes = Some(pipes),
                Some(expected) => assert_eq!(pipes, expected, "broken table row: {line}"),
            }
        } else {
            header_pipes = None;
        }
    }
}

/// Every `<` in Markdown opens an autolink to an allowed address.
fn assert_no_raw_markup(markdown: &str) {
    for (idx, _) in markdown.match_indices('<') {
        let rest = &markdown[idx + 1..];
        assert!(
            rest.starts_with("https://")
                || rest.starts_with("http://")
                || rest.starts_with("mailto:"),
            "raw markup at: {}",
            &markdown[idx..(idx + 40).min(markdown.len())]
        );
    }
    assert!(
        !markdown.replace("\\]", "").contains("](javascript"),
        "no link to javascript:"
    );
}

#[test]
fn person_html_shows_hostile_strings_as_text() {
    let world = hostile_world();
    let report = person_report(
        &world,
        person(9),
        campaign_view(),
        meta(false),
        Filtering::Facade,
    );
    let page = html::person_html(&report);
    assert!(!page.contains("<script"), "no script element");
    assert!(!page.contains("<img"), "no image element");
    assert!(!page.contains("<b>"), "no markup from notes");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the name shows as text"
    );
    assert!(
        page.contains("**bold** | pipe"),
        "Markdown is plain text in HTML"
    );
    assert!(
        !page.contains("href=\"javascript"),
        "javascript: is never linked"
    );
    assert!(page.contains("Address (not linked): javascript:alert(3)"));
    assert!(page.contains("href=\"https://example.org/a?b=1&amp;c=&quot;2&quot;\""));
    let svg_start = page.find("<svg").expect("the timeline is drawn");
    assert!(!page[svg_start..].contains("<script"));
}

#[test]
fn person_markdown_shows_hostile_strings_as_text() {
    let world = hostile_world();
    let report = person_report(
        &world,
        person(9),
        campaign_view(),
        meta(false),
        Filtering::Facade,
    );
    let text = markdown::person_markdown(&report);
    assert_no_raw_markup(&text);
    assert_tables_intact(&text);
    assert!(text.contains(r"# &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(text.contains(r"\*\*bold\*\* \| pipe"));
    assert!(text.contains(r"**Country:** \# Heading"));
    assert!(text.contains("Address (not linked): javascript:alert(3)"));
    assert!(
        !text.lines().any(|line| line.starts_with("| Evil")),
        "a line break cannot start a row"
    );
}

#[test]
fn roster_markdown_table_is_not_broken() {
    let world = hostile_world();
    let roster = roster(&world, campaign_view(), meta(false));
    let text = markdown::roster_markdown(&roster);
    assert_no_raw_markup(&text);
    assert_tables_intact(&text);
    let row = text
        .lines()
        .find(|line| line.starts_with('|') && line.contains("alert(1)"))
        .expect("the person's row");
    assert_eq!(unescaped_pipes(row), 9, "eight cells: {row}");
}

#[test]
fn roster_html_escapes_and_json_round_trips() {
    let world = hostile_world();
    let roster = roster(&world, campaign_view(), meta(false));
    let page = html::roster_html(&roster);
    assert!(!page.contains("<script") && !page.contains("<img"));
    let value: serde_json::Value =
        serde_json::from_str(&json::roster_json(&roster)).expect("valid JSON");
    assert_eq!(value["rows"][0]["name"], NAME);
    assert_eq!(value["rows"][0]["facility"], FACILITY);
}

/// A minimal RFC 4180 reader: quoted fields with doubled quotes, CRLF records.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, other) => field.push(other),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, other) => field.push(other),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the file ends with CRLF"
    );
    records
}

#[test]
fn roster_csv_quotes_every_field_it_must() {
    let world = hostile_world();
    let roster = roster(&world, campaign_view(), meta(false));
    let records = read_csv(&csv::roster_csv(&roster));
    assert_eq!(records.len(), 2, "header and one row");
    assert_eq!(records[0], csv::ROSTER_COLUMNS);
    let row = &records[1];
    assert_eq!(row.len(), csv::ROSTER_COLUMNS.len());
    let column = |name: &str| {
        let idx = csv::ROSTER_COLUMNS.iter().position(|c| *c == name).unwrap();
        row[idx].as_str()
    };
    assert_eq!(column("name"), NAME);
    assert_eq!(column("aliases"), ALIAS);
    assert_eq!(column("facility"), FACILITY);
    assert_eq!(column("country"), "# Heading");
    assert_eq!(column("example_data"), "EXAMPLE DATA");
    assert_eq!(column("custody_since"), "2020-12");
}
