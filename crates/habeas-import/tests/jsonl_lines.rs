//! JSON lines → actions: a table of good lines with the action they make and
//! bad lines with the reason they are rejected.

use habeas_domain::command::Action;
use habeas_domain::id::PersonId;
use habeas_import::jsonl::{Target, parse_line};
use habeas_import::reason::Reason;

fn id(n: u128) -> PersonId {
    PersonId::from_uuid(uuid::Uuid::from_u128(n))
}

/// The people the table's lines may name.
fn lookup(reference: &str) -> Result<PersonId, Reason> {
    match reference {
        "Rong Chhun" | "rong-chhun" | "@rc" => Ok(id(1)),
        "Kem Sokha" => Ok(id(2)),
        other => Err(Reason::UnknownPerson {
            detail: format!("no person matches {other:?}"),
        }),
    }
}

fn read(line: &str) -> Result<(Target, Action), Reason> {
    let parsed = parse_line(line)?;
    let command = parsed.resolve(&mut lookup)?;
    Ok((command.target, command.action))
}

const SOURCES: &str = r#""sources": [{"url": "https://example.org/report"}]"#;

#[test]
fn good_lines_make_actions() {
    let detention = format!(
        r#"{{"person": "Rong Chhun", "action": "record_detention", "fields": {{"occurred": "2020-07", "kind": "arrest", "facility": "Prey Sar", {SOURCES}}}}}"#
    );
    let (target, action) = read(&detention).unwrap();
    assert_eq!(target, Target::Person(id(1)));
    let Action::RecordDetention(detention) = action else {
        panic!("a detention: {action:?}")
    };
    assert_eq!(detention.facts.occurred.to_string(), "2020-07");
    assert_eq!(detention.facility.as_deref(), Some("Prey Sar"));

    let registration = r#"{"person_key": "@rc", "action": "register_person", "fields": {"name": "Rong Chhun", "aliases": ["Rorng Chhun"]}, "command_id": "0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d"}"#;
    let parsed = parse_line(registration).unwrap();
    assert_eq!(parsed.person_key(), Some("rc"));
    assert!(parsed.command_id.is_some());
    assert_eq!(parsed.names().count(), 0);
    let command = parsed.resolve(&mut lookup).unwrap();
    assert_eq!(
        command.target,
        Target::NewPerson {
            key: Some("rc".to_owned())
        }
    );

    let statement = format!(
        r#"{{"action": "issue_statement", "fields": {{"occurred": "2021-11-02", "by": "United Nations", "about": ["@rc", "Kem Sokha"], "kind": "other", "summary": "Urged Cambodia to protect civic space.", {SOURCES}}}}}"#
    );
    let parsed = parse_line(&statement).unwrap();
    assert_eq!(
        parsed.names().collect::<Vec<_>>(),
        ["Kem Sokha"],
        "Kem Sokha is named, @rc is keyed"
    );
    let (target, action) = read(&statement).unwrap();
    assert_eq!(target, Target::NewStatement);
    let Action::IssueStatement(statement) = action else {
        panic!("a statement: {action:?}")
    };
    assert_eq!(statement.about, [id(1), id(2)]);

    let retraction = r#"{"action": "retract_event", "fields": {"target": "0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d", "reason": "duplicate"}}"#;
    let (target, _) = read(retraction).unwrap();
    assert!(matches!(target, Target::OwnerOf(_)), "{target:?}");
}

#[test]
fn bad_lines_are_rejected_with_a_reason_that_names_the_value() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"person": "Rong Chhun", "action": "record_detention""#,
            "not_json",
            "not valid JSON (EOF while parsing",
        ),
        (
            r#"["record_detention"]"#,
            "not_an_object",
            "a JSON array is not a command",
        ),
        (
            r#"{"person": "Rong Chhun", "actoin": "record_detention", "fields": {}}"#,
            "unknown_key",
            "unknown key \"actoin\"",
        ),
        (
            r#"{"person": "Rong Chhun", "action": "record_detenton", "fields": {}}"#,
            "unknown_action",
            "unknown action \"record_detenton\" (did you mean \"record_detention\"?)",
        ),
        (
            r#"{"person": "Rong Chhun", "fields": {}}"#,
            "bad_key",
            "\"action\" is missing",
        ),
        (
            r#"{"person": "Rong Chhun", "action": "record_detention"}"#,
            "bad_key",
            "\"fields\" is missing",
        ),
        (
            r#"{"action": "record_detention", "fields": {"occurred": "2020-07", "kind": "arrest"}}"#,
            "bad_key",
            "\"person\" is missing: record_detention needs the person",
        ),
        (
            r#"{"person": "Rong Chhun", "action": "register_person", "fields": {"name": "X"}}"#,
            "bad_key",
            "use \"person_key\"",
        ),
        (
            r#"{"person": "Rong Chhun", "person_key": "rc", "action": "record_exile", "fields": {}}"#,
            "bad_key",
            "write \"person\": \"@key\"",
        ),
        (
            r#"{"person": "Rong Chhun", "action": "record_detention", "fields": {}, "command_id": "42"}"#,
            "bad_key",
            "\"42\" is not a valid command id",
        ),
        (
            &format!(
                r#"{{"person": "Rong Chhun", "action": "record_detention", "fields": {{"occurred": "2020-13-01", "kind": "arrest", {SOURCES}}}}}"#
            ),
            "bad_fields",
            "\"2020-13-01\" is not a valid date: the month must be between 01 and 12",
        ),
        (
            &format!(
                r#"{{"person": "Rong Chhun", "action": "record_detention", "fields": {{"occurred": "2020-07", "kind": "arrested", {SOURCES}}}}}"#
            ),
            "bad_fields",
            "unknown variant `arrested`",
        ),
        (
            &format!(
                r#"{{"person": "Rong Chhun", "action": "record_detention", "fields": {{"occurred": "2020-07", "kind": "arrest", "facilty": "Prey Sar", {SOURCES}}}}}"#
            ),
            "unknown_fields",
            "unknown field \"facilty\" for record_detention",
        ),
        (
            r#"{"person": "Rong Chhun", "action": "record_release", "fields": {"occurred": "2021-11-12", "kind": "other", "sources": [{"link": "https://example.org"}]}}"#,
            "unknown_fields",
            "unknown field \"sources[0].link\"",
        ),
        (
            &format!(
                r#"{{"person": "Ron Chun", "action": "record_detention", "fields": {{"occurred": "2020-07", "kind": "arrest", {SOURCES}}}}}"#
            ),
            "unknown_person",
            "no person matches \"Ron Chun\"",
        ),
        (
            &format!(
                r#"{{"action": "issue_statement", "fields": {{"occurred": "2021-11-02", "by": "UN", "about": ["Nobody"], "kind": "other", "summary": "s", {SOURCES}}}}}"#
            ),
            "unknown_person",
            "no person matches \"Nobody\"",
        ),
        (
            r#"{"action": "issue_statement", "fields": {"about": "Rong Chhun"}}"#,
            "bad_fields",
            "about must be a list of people",
        ),
    ];
    for (line, code, expected) in cases {
        let reason = read(line).expect_err(line);
        let message = reason.to_string();
        assert_eq!(reason.code(), *code, "{line}: {message}");
        assert!(
            message.contains(expected),
            "{line}:\n  {message}\n  wanted {expected}"
        );
    }
}
