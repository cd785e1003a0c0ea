//! The CHRD-shaped fixture through `examples/mappings/chrd.toml`: what each
//! row plans to record, or why it cannot be understood. (Rules that need the
//! timeline, such as a release before the detention or a missing source, are
//! decided at import: see `tests/import.rs`.)

use std::path::PathBuf;

use habeas_domain::command::Action;
use habeas_domain::event::{DetentionKind, ReleaseKind};
use habeas_import::csv_plan::{RowPlan, RowPlanner};
use habeas_import::mapping::Mapping;
use habeas_import::reason::Reason;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chrd_mapping() -> Mapping {
    let path = manifest_dir().join("../../examples/mappings/chrd.toml");
    Mapping::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Plans every row of the fixture, keyed by the name in `name.eng`.
fn plans() -> Vec<(String, Result<RowPlan, Reason>)> {
    let mapping = chrd_mapping();
    let path = manifest_dir().join("tests/fixtures/chrd-sample.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let planner = RowPlanner::new(&mapping, &header_refs).unwrap();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let cells: Vec<&str> = record.iter().collect();
            (cells[2].to_owned(), planner.plan(&cells))
        })
        .collect()
}

/// A plan in short: one word per action, with the date and kind or term.
fn summary(plan: &RowPlan) -> Vec<String> {
    plan.actions
        .iter()
        .map(|action| match action {
            Action::RegisterPerson(r) => format!(
                "register {} aka {} in {}",
                r.name,
                r.aliases.join("/"),
                r.country.as_deref().unwrap_or("?")
            ),
            Action::RecordDetention(d) => format!(
                "detained {} {:?} sources {}",
                d.facts.occurred,
                d.kind,
                d.facts.sources.len()
            ),
            Action::RecordCharges(c) => {
                format!("charged {} {}", c.facts.occurred, c.charges[0].offence)
            }
            Action::RecordSentence(s) => format!(
                "sentenced {} {}",
                s.facts.occurred,
                s.term.map(|t| t.to_string()).unwrap_or_default()
            ),
            Action::RecordRelease(r) => format!("released {} {:?}", r.facts.occurred, r.kind),
            other => format!("{other:?}"),
        })
        .collect()
}

/// The summary of the actions a row plans, or its reason code and message.
type Expected = Result<&'static [&'static str], (&'static str, &'static str)>;

#[test]
fn each_row_plans_its_case_or_says_why_not() {
    let expected: &[(&str, Expected)] = &[
        (
            "Test Person A",
            Ok(&[
                "register Test Person A aka 测试甲/测试甲甲 in China",
                "detained 2014-12-17 AdministrativeDetention sources 2",
                "charged 2014-12-17~ 扰乱公共秩序 罪 / Disrupting public order",
                "sentenced 2014-12-17~ 10 days",
                "released 2014-12-27 Other",
            ]),
        ),
        (
            "Test Person B",
            Ok(&[
                "register Test Person B aka 测试乙 in China",
                "detained 2014-07-31 Arrest sources 1",
                "charged 2014-07-31~ 寻衅滋事罪/ Creating a disturbance",
                "released 2014-08-29 Bail",
            ]),
        ),
        (
            "Test Person C",
            Err((
                "bad_date",
                "det.date: \"2014.13.45\" (read as \"%Y.%m.%d\") is not a real date: the month must be between 01 and 12",
            )),
        ),
        (
            "Test Person D",
            Err((
                "bad_term",
                "pun.length: \"十天ten days\" is not a sentence term: \"ten\" is not a number",
            )),
        ),
        (
            "Test Person E",
            Ok(&[
                "register Test Person E aka 测试戊 in China",
                "detained 2014-11-02 AdministrativeDetention sources 0",
                "charged 2014-11-02~ 非法上访/ Illegal Petitioning",
                "sentenced 2014-11-02~ 10 days",
                "released 2014-11-11 Other",
            ]),
        ),
        (
            "Test Person F",
            Ok(&[
                "register Test Person F aka 测试己 in China",
                "detained 2014-06-10 AdministrativeDetention sources 1",
                "sentenced 2014-06-10~ 7 days",
                "released 2014-06-01 Other",
            ]),
        ),
        (
            "Test Person G",
            Ok(&[
                "register Test Person G aka 测试庚 in China",
                "detained 2014-03 Arrest sources 1",
                "charged 2014-03~ 寻衅滋事罪/ Creating a disturbance",
                "sentenced 2014-03~ 1 year 6 months",
            ]),
        ),
        (
            "Test Person H",
            Err((
                "release_undated",
                "status \"释放 / Released\" says the person was released, but rel.date is empty",
            )),
        ),
        (
            "Test Person I",
            Ok(&[
                "register Test Person I aka 测试壬 in China",
                "detained 2014-07-07 AdministrativeDetention sources 1",
                "sentenced 2014-07-07~ 10 days",
                "released 2014-07-19 Other",
            ]),
        ),
        (
            "Test Person J",
            Err((
                "unmapped_value",
                "det.type \"拘押/ Custody\" is not in [detained.kind.map] of the mapping",
            )),
        ),
        (
            "Test Person K",
            Ok(&[
                "register Test Person K aka 测试子 in China",
                "detained 2014-08 HouseArrest sources 1",
                "released 2014-09-16 Other",
            ]),
        ),
    ];
    let plans = plans();
    assert_eq!(plans.len(), expected.len());
    for ((name, plan), (expected_name, expected)) in plans.iter().zip(expected) {
        assert_eq!(name, expected_name);
        match (plan, expected) {
            (Ok(plan), Ok(actions)) => assert_eq!(summary(plan), *actions, "{name}"),
            (Err(reason), Err((code, message))) => {
                assert_eq!(reason.code(), *code, "{name}: {reason}");
                assert!(reason.to_string().contains(message), "{name}: {reason}");
            }
            (plan, _) => panic!("{name}: unexpected {plan:?}"),
        }
    }
}

#[test]
fn cells_are_cleaned_and_kept_at_their_precision() {
    let plans = plans();
    let plan_of = |name: &str| {
        plans
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, plan)| plan.as_ref().ok())
            .unwrap()
            .clone()
    };
    // A URL with a space is imported without it, with a warning.
    let a = plan_of("Test Person A");
    assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
    assert!(a.warnings[0].contains("http://reports.example.org/blogspot/2014/12/a.html"));
    let Action::RecordDetention(detention) = &a.actions[1] else {
        panic!()
    };
    assert_eq!(
        detention.facts.sources[0].url.as_deref(),
        Some("http://reports.example.org/blogspot/2014/12/a.html")
    );
    assert_eq!(
        detention.facility.as_deref(),
        Some("拘留所-看守所 / Detention House/Center")
    );
    assert_eq!(detention.place.as_deref(), Some("Beijing"));
    assert_eq!(
        detention.facts.note.as_deref(),
        Some("CHRD detention type: 行政拘留/ Administrative detention")
    );
    // A URL broken over two lines, with a stray colon in front.
    let i = plan_of("Test Person I");
    let Action::RecordRelease(release) = &i.actions[3] else {
        panic!()
    };
    assert_eq!(
        release.facts.sources[0].url.as_deref(),
        Some("http://reports.example.org/2014/07/i.html")
    );
    assert_eq!(release.kind, ReleaseKind::Other);
    // The CECC record number is a citable document reference.
    let g = plan_of("Test Person G");
    let Action::RecordDetention(detention) = &g.actions[1] else {
        panic!()
    };
    assert_eq!(
        detention.facts.sources[0].document.as_deref(),
        Some("CECC Political Prisoner Database, record 2014-00999")
    );
    // "NA" is no value; a month stays a month.
    let k = plan_of("Test Person K");
    let Action::RecordDetention(detention) = &k.actions[1] else {
        panic!()
    };
    assert_eq!(detention.place, None);
    assert_eq!(detention.kind, DetentionKind::HouseArrest);
    assert_eq!(detention.facts.occurred.to_string(), "2014-08");
}

#[test]
fn a_mapping_naming_a_missing_column_stops_before_any_row() {
    let mapping = Mapping::from_toml(
        r#"
        version = 1
        [person]
        name = "name.eng"
        [detained]
        date = "det.dat"
        kind = "arrest"
        "#,
    )
    .unwrap();
    let err = RowPlanner::new(&mapping, &["name.eng", "det.date"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "[detained] date names the column \"det.dat\", which is not in the file's header (\"name.eng\", \"det.date\"): correct the mapping or the header"
    );
}

#[test]
fn release_dates_and_statuses_must_agree() {
    let mapping = |kind: &str| {
        Mapping::from_toml(&format!(
            r#"
            version = 1
            [person]
            name = "name"
            [detained]
            date = "det"
            kind = "arrest"
            [released]
            date = "rel"
            kind = {kind}
            "#
        ))
        .unwrap()
    };
    let from_status = mapping(
        r#"{ column = "status", if_empty = "other", map = { "Released" = "other", "On bail" = "bail", "Detained" = "not_released" } }"#,
    );
    let header = ["name", "det", "rel", "status"];
    let planner = RowPlanner::new(&from_status, &header).unwrap();
    let cases: &[(&str, &str, Result<&str, &str>)] = &[
        ("2014.06.10", "On bail", Ok("released 2014-06-10 Bail")),
        ("2014.06.10", "", Ok("released 2014-06-10 Other")),
        ("", "Detained", Ok("")),
        ("", "", Ok("")),
        (
            "2014.06.10",
            "Detained",
            Err(
                "rel \"2014.06.10\" says the person was released, but status \"Detained\" says they were not: correct one of them",
            ),
        ),
        (
            "",
            " released ",
            Err("status \"released\" says the person was released, but rel is empty"),
        ),
        (
            "2014.06.10",
            "Escaped",
            Err("status \"Escaped\" is not in [released.kind.map]"),
        ),
    ];
    for (date, status, expected) in cases {
        let plan = planner.plan(&["Test Person", "2014.06.01", date, status]);
        match (plan, expected) {
            (Ok(plan), Ok(release)) => {
                let summary = summary(&plan);
                assert_eq!(
                    summary.get(2).map_or("", String::as_str),
                    *release,
                    "{date} {status}"
                );
            }
            (Err(reason), Err(message)) => {
                assert!(
                    reason.to_string().contains(message),
                    "{date} {status}: {reason}"
                )
            }
            (plan, _) => panic!("{date} {status}: unexpected {plan:?}"),
        }
    }
    let constant = mapping(r#""not_released""#);
    let planner = RowPlanner::new(&constant, &header).unwrap();
    let reason = planner
        .plan(&["Test Person", "2014.06.01", "2014.06.10", ""])
        .unwrap_err();
    assert_eq!(reason.code(), "release_contradicted");
}
