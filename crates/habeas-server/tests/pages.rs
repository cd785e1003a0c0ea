//! The web pages in process: a page × role table (status, and whether the
//! case log changed), the restricted-fact filter on the person page, and
//! the session cookie's same-site check on form posts.

mod common;

use axum::http::StatusCode;
use common::{Fixture, PASSWORD, RESTRICTED_MARKERS, TABLE_CALLERS, Who};

const FORM: &str = "application/x-www-form-urlencoded";
const HEARING: &str = "action=hearing&year=2020&month=8&sources=https%3A%2F%2Fexample.org%2Fh&court=City+Court&confidence=reported";

/// One row: method, path, form body, and per caller of [`TABLE_CALLERS`]
/// (anonymous, viewer, documenter, editor, admin, expired token, revoked
/// token) the status and whether the case log changes. `{detention}` is the
/// editor's detention.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    [(u16, bool); 7],
);

const SEE: [(u16, bool); 7] = [
    (303, false),
    (200, false),
    (200, false),
    (200, false),
    (200, false),
    (303, false),
    (303, false),
];
const RECORDERS_SEE: [(u16, bool); 7] = [
    (303, false),
    (403, false),
    (200, false),
    (200, false),
    (200, false),
    (303, false),
    (303, false),
];
const EVERYONE: [(u16, bool); 7] = [(200, false); 7];
const ADMIN_WRITES: [(u16, bool); 7] = [
    (303, false),
    (403, false),
    (403, false),
    (403, false),
    (201, true),
    (303, false),
    (303, false),
];

const TABLE: &[Row] = &[
    ("GET", "/", None, SEE),
    ("GET", "/?q=RORNG&headline=released", None, SEE),
    ("GET", "/?country=cambodia&facility=prey", None, SEE),
    ("GET", "/people/rong-chhun", None, SEE),
    ("GET", "/people/rong-chhun?as_of=2020-08", None, SEE),
    ("GET", "/people/new", None, RECORDERS_SEE),
    (
        "GET",
        "/people/rong-chhun/record?action=released",
        None,
        RECORDERS_SEE,
    ),
    ("GET", "/signin", None, EVERYONE),
    (
        "GET",
        "/import",
        None,
        [
            (303, false),
            (403, false),
            (403, false),
            (200, false),
            (200, false),
            (303, false),
            (303, false),
        ],
    ),
    // Nothing was checked: the confirmation of an editor finds nothing held.
    (
        "POST",
        "/import/confirm",
        Some("digest=0"),
        [
            (303, false),
            (403, false),
            (403, false),
            (409, false),
            (409, false),
            (303, false),
            (303, false),
        ],
    ),
    (
        "GET",
        "/admin",
        None,
        [
            (303, false),
            (403, false),
            (403, false),
            (403, false),
            (200, false),
            (303, false),
            (303, false),
        ],
    ),
    ("GET", "/static/habeas.css", None, EVERYONE),
    // Tokens and second factors: admins only (an account event each).
    (
        "POST",
        "/admin/tokens",
        Some("user=documenter&label=a+script&days=30"),
        ADMIN_WRITES,
    ),
    (
        "POST",
        "/admin/users/{documenter}/second-factor",
        Some("action=reset"),
        [
            (303, false),
            (403, false),
            (403, false),
            (403, false),
            (200, true),
            (303, false),
            (303, false),
        ],
    ),
    (
        "POST",
        "/admin/users/{documenter}/second-factor",
        Some("action=remove"),
        [
            (303, false),
            (403, false),
            (403, false),
            (403, false),
            (303, true),
            (303, false),
            (303, false),
        ],
    ),
    (
        "POST",
        "/admin/tokens/{revoked}/revoke",
        None,
        [
            (303, false),
            (403, false),
            (403, false),
            (403, false),
            (303, false),
            (303, false),
            (303, false),
        ],
    ),
    (
        "POST",
        "/people/rong-chhun/record",
        Some(HEARING),
        [
            (303, false),
            (403, false),
            (303, true),
            (303, true),
            (303, true),
            (303, false),
            (303, false),
        ],
    ),
    (
        "POST",
        "/events/{detention}/correct",
        Some("year=2020&month=6&reason=the+file+says+June"),
        [
            (303, false),
            (403, false),
            (403, false),
            (303, true),
            (303, true),
            (303, false),
            (303, false),
        ],
    ),
    // The editor retracts the public statement; the admin then finds it
    // retracted already.
    (
        "POST",
        "/events/{statement}/retract",
        Some("reason=a+duplicate"),
        [
            (303, false),
            (403, false),
            (403, false),
            (303, true),
            (409, false),
            (303, false),
            (303, false),
        ],
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_answers_each_role_as_the_table_says() {
    let fixture = Fixture::new().await;
    let mut failures = Vec::new();
    for (method, path, body, expected) in TABLE {
        let documenter = fixture
            .state
            .accounts()
            .book()
            .by_name("documenter")
            .expect("the documenter")
            .id
            .to_string();
        let path = path
            .replace("{detention}", &fixture.detention_id)
            .replace("{statement}", &fixture.statement_id)
            .replace("{documenter}", &documenter)
            .replace("{revoked}", &fixture.revoked_token_id);
        for (who, (status, writes)) in TABLE_CALLERS.iter().zip(expected) {
            let before = fixture.case_log().await;
            let answer = fixture
                .send_bytes(
                    *who,
                    method,
                    &path,
                    body.map(|b| b.as_bytes().to_vec()),
                    FORM,
                    &[],
                )
                .await;
            let wrote = fixture.case_log().await != before;
            if answer.status.as_u16() != *status || wrote != *writes {
                failures.push(format!(
                    "{method} {path} as {who:?}: {} (wrote {wrote}), expected {status} (wrote {writes}): {}",
                    answer.status,
                    &answer.body[..answer.body.len().min(300)]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_person_page_shows_restricted_facts_only_to_the_cleared_and_forms_only_to_recorders() {
    let fixture = Fixture::new().await;
    for who in [
        Who::Viewer,
        Who::Documenter,
        Who::ClearedDocumenter,
        Who::Editor,
    ] {
        let page = fixture
            .send(who, "GET", "/people/rong-chhun", None)
            .await
            .body;
        let leaked: Vec<_> = RESTRICTED_MARKERS
            .iter()
            .filter(|marker| page.contains(*marker))
            .collect();
        let cleared = matches!(who, Who::ClearedDocumenter | Who::Editor);
        if cleared {
            assert!(
                !leaked.is_empty(),
                "{who:?} must read the restricted transfer"
            );
        } else {
            assert!(leaked.is_empty(), "{who:?} was shown {leaked:?}");
        }
        // The restricted release would make the headline "released".
        assert_eq!(page.contains(">released<"), cleared, "{who:?}: headlines");
        let main = page.split("<main").nth(1).expect("main");
        assert_eq!(
            main.contains("method=\"post\"") || main.contains("id=\"action\""),
            who != Who::Viewer,
            "{who:?}: forms"
        );
    }
}

fn session_cookie(answer: &common::Answer) -> String {
    answer
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_post_with_the_session_cookie_must_come_from_this_site() {
    let fixture = Fixture::new().await;
    let login = format!("name=documenter&password={}", PASSWORD.replace(' ', "+"));
    let refused = fixture
        .send_bytes(
            Who::Anonymous,
            "POST",
            "/signin",
            Some(login.clone().into_bytes()),
            FORM,
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let wrong = fixture
        .send_bytes(
            Who::Anonymous,
            "POST",
            "/signin",
            Some(b"name=documenter&password=wrong".to_vec()),
            FORM,
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.body.contains("value=\"documenter\""),
        "the name is kept"
    );
    let signed_in = fixture
        .send_bytes(
            Who::Anonymous,
            "POST",
            "/signin",
            Some(login.into_bytes()),
            FORM,
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    let cookie = session_cookie(&signed_in);
    for (headers, status, writes) in [
        (vec![], StatusCode::FORBIDDEN, false),
        (
            vec![("sec-fetch-site", "cross-site")],
            StatusCode::FORBIDDEN,
            false,
        ),
        (
            vec![("origin", "http://evil.example")],
            StatusCode::FORBIDDEN,
            false,
        ),
        (
            vec![("sec-fetch-site", "same-origin")],
            StatusCode::SEE_OTHER,
            true,
        ),
    ] {
        let mut all = vec![("cookie", cookie.as_str())];
        all.extend(headers.iter().copied());
        let before = fixture.case_log().await;
        let answer = fixture
            .send_bytes(
                Who::Anonymous,
                "POST",
                "/people/rong-chhun/record",
                Some(HEARING.as_bytes().to_vec()),
                FORM,
                &all,
            )
            .await;
        assert_eq!(answer.status, status, "{headers:?}: {}", answer.body);
        assert_eq!(fixture.case_log().await != before, writes, "{headers:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_form_keeps_what_was_typed_and_names_the_rule() {
    let fixture = Fixture::new().await;
    let answer = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(
                b"action=released&year=2019&month=2&sources=https%3A%2F%2Fexample.org%2Fr&note=typed+%3Cb%3Ethis%3C%2Fb%3E&kind=bail"
                    .to_vec(),
            ),
            FORM,
            &[],
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    assert!(answer.body.contains("id=\"form-error\""));
    assert!(answer.body.contains("in custody"), "{}", answer.body);
    assert!(answer.body.contains("value=\"2019\""));
    assert!(
        answer.body.contains("typed &lt;b&gt;this&lt;/b&gt;"),
        "typed text is kept, escaped"
    );
    // A rejection naming a recorded event links to it in the history.
    let twice = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(b"action=detained&year=2020&month=8&sources=https%3A%2F%2Fexample.org%2Ft&kind=arrest".to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    // Named by its description, linked to its line of the history, both
    // above the form and beside the date it concerns.
    let link = format!(
        "<a class=\"event-link\" href=\"/people/rong-chhun#event-{}\">the detention on 2020-07</a>",
        fixture.detention_id
    );
    let beside = twice
        .body
        .split("<p class=\"field-error\" id=\"error-date\">")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no message beside the date: {}", twice.body));
    assert!(beside.contains("already in custody"), "{beside}");
    assert!(beside.contains(&link), "{beside}");
    let top = twice.body.split("id=\"form-error\"").nth(1).expect("top");
    assert!(top.contains(&link), "{top}");
    assert!(
        twice
            .body
            .contains("aria-invalid=\"true\" aria-describedby=\"error-date\""),
        "the date's inputs are marked invalid and described by the message"
    );
    // Bad input beside its own field: a month that is not a number.
    let month = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(b"action=hearing&year=2020&month=June&sources=x&note=kept".to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(month.status, StatusCode::BAD_REQUEST);
    assert!(
        month.body.contains(
            "<p class=\"field-error\" id=\"error-date\">month: &quot;June&quot; is not a number"
        ),
        "{}",
        month.body
    );
    assert!(month.body.contains(">kept</textarea>"), "{}", month.body);
    let bad_date = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(b"action=hearing&year=2020&month=13&sources=x".to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    assert!(bad_date.body.contains("2020-13"), "{}", bad_date.body);
}

/// The pickers replay the page: as of a day inside the detention's month
/// the headline is not yet "detained" but the `possibly` line says it may
/// be; as known before anything was recorded, nothing is known.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pickers_replay_the_person_page_as_of_a_day_and_as_known_at_a_moment() {
    let fixture = Fixture::new().await;
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("as_of=2020-07-15", "unknown", Some("detained")),
        ("as_of=2020-06-30", "unknown", None),
        ("as_of=2020-08-01", "detained", None),
        (
            "as_of=2020-08-01&known_at=2000-01-01T00:00:00Z",
            "unknown",
            None,
        ),
    ];
    for (query, headline, possibly) in cases {
        let page = fixture
            .send(
                Who::Editor,
                "GET",
                &format!("/people/rong-chhun?{query}"),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
        assert!(
            page.body.contains(&format!("id=\"headline\">{headline}<")),
            "{query}: headline {headline}"
        );
        let line = page
            .body
            .split("id=\"possibly\"")
            .nth(1)
            .map(|rest| rest.split("</p>").next().unwrap_or_default().to_owned());
        match possibly {
            Some(word) => assert!(
                line.as_deref()
                    .is_some_and(|l| l.contains(word) && l.contains("detention (2020-07)")),
                "{query}: {line:?}"
            ),
            None => assert!(line.is_none(), "{query}: {line:?}"),
        }
    }
    let bad = fixture
        .send(Who::Editor, "GET", "/people/rong-chhun?as_of=2020-13", None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("2020-13"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_people_list_filters_by_name_headline_country_and_facility() {
    let fixture = Fixture::new().await;
    // As the viewer sees it, Rong Chhun is held in Prey Sar (the transfer
    // and release are restricted).
    let cases = [
        ("/?q=rorng+CHHUN", true),
        ("/?q=nobody", false),
        ("/?headline=detained", true),
        ("/?headline=released", false),
        ("/?country=CAMBODIA", true),
        ("/?country=Laos", false),
        ("/?facility=prey+sar", true),
        ("/?facility=BLACKSITE", false),
    ];
    for (uri, listed) in cases {
        let page = fixture.send(Who::Viewer, "GET", uri, None).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        let table = page.body.split("id=\"people\"").nth(1).unwrap_or_default();
        assert_eq!(table.contains("Rong Chhun"), listed, "{uri}");
    }
    let bad = fixture
        .send(Who::Viewer, "GET", "/?headline=gone", None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_page_lists_the_accounts_and_the_security_events() {
    let fixture = Fixture::new().await;
    let refused = fixture.send(Who::Viewer, "GET", "/admin", None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let page = fixture.send(Who::Admin, "GET", "/admin", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let accounts = page
        .body
        .split("id=\"accounts-table\"")
        .nth(1)
        .expect("accounts");
    for role in ["viewer", "documenter", "editor", "admin"] {
        assert!(accounts.contains(&format!("<td>{role}</td>")), "{role}");
    }
    let events = page
        .body
        .split("id=\"security-table\"")
        .nth(1)
        .expect("events");
    assert!(
        events.contains("denied: GET /admin"),
        "the viewer's refusal is listed"
    );
    assert!(!events.contains(common::PASSWORD));
}

/// Every development's form renders, and, filled in, spells a command the
/// API reads (recorded, or refused by a rule: never bad input).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_development_form_spells_a_command_the_api_reads() {
    let fixture = Fixture::new().await;
    let filled = "year=2021&month=6&sources=https%3A%2F%2Fexample.org%2Fd&confidence=reported\
        &court=City+Court&outcome=adjourned&offence=incitement&article=495&to_facility=Prey+Sar\
        &from_facility=CC1&by=UN&by_role=rapporteur&summary=Free+him&circumstances=unknown\
        &country=France&description=no+travel&conditions=none&term_kind=fixed&years=2&place=Phnom+Penh\
        &in_absentia=yes";
    for key in habeas_server::web::forms::DEVELOPMENTS {
        let form = fixture
            .send(
                Who::Editor,
                "GET",
                &format!("/people/rong-chhun/record?action={key}"),
                None,
            )
            .await;
        assert_eq!(form.status, StatusCode::OK, "{key}");
        let answer = fixture
            .send_bytes(
                Who::Editor,
                "POST",
                "/people/rong-chhun/record",
                Some(format!("action={key}&{filled}").into_bytes()),
                FORM,
                &[],
            )
            .await;
        assert!(
            matches!(answer.status.as_u16(), 303 | 409),
            "{key}: {} {}",
            answer.status,
            answer
                .body
                .split("id=\"form-error\"")
                .nth(1)
                .unwrap_or_default()
                .chars()
                .take(400)
                .collect::<String>()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_changes_and_disables_accounts_from_the_page() {
    let fixture = Fixture::new().await;
    let add = "name=newcomer&role=documenter&password=a+long+enough+pass+phrase";
    let refused = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/admin/users",
            Some(add.as_bytes().to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        fixture
            .state
            .accounts()
            .book()
            .by_name("newcomer")
            .is_none()
    );
    let weak = fixture
        .send_bytes(
            Who::Admin,
            "POST",
            "/admin/users",
            Some(b"name=weak&role=viewer&password=x".to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.body.contains("id=\"admin-error\""));
    let added = fixture
        .send_bytes(
            Who::Admin,
            "POST",
            "/admin/users",
            Some(add.as_bytes().to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let account = fixture
        .state
        .accounts()
        .book()
        .by_name("newcomer")
        .cloned()
        .expect("added");
    assert_eq!(account.role.as_str(), "documenter");
    let changed = fixture
        .send_bytes(
            Who::Admin,
            "POST",
            &format!("/admin/users/{}", account.id),
            Some(b"role=editor&disabled=yes".to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let account = fixture
        .state
        .accounts()
        .book()
        .by_name("newcomer")
        .cloned()
        .expect("kept");
    assert_eq!(account.role.as_str(), "editor");
    assert!(account.disabled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_lists_people_held_past_their_sentence() {
    let fixture = Fixture::new().await;
    let sentence = "action=sentenced&year=2020&month=8&sources=https%3A%2F%2Fexample.org%2Fs&term_kind=fixed&years=1";
    let answer = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(sentence.as_bytes().to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    // The viewer sees him held (the release is restricted), a year's
    // sentence from 2020 long over.
    let page = fixture.send(Who::Viewer, "GET", "/", None).await;
    let overdue = page
        .body
        .split("id=\"overdue-list\"")
        .nth(1)
        .expect("the list");
    assert!(overdue.contains("Rong Chhun"), "{overdue}");
    let editor = fixture.send(Who::Editor, "GET", "/", None).await;
    assert!(
        !editor.body.contains("overdue-list"),
        "the editor sees the release"
    );
}

/// Anonymous visitors get the sign-in page; with `--public-reports` it
/// links to the public roster, and nothing else opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_visitors_get_the_sign_in_page_and_public_reports_only_when_published() {
    for public_reports in [false, true] {
        let fixture = Fixture::with_config(habeas_server::state::ServerConfig {
            public_reports,
            ..Default::default()
        })
        .await;
        let signin = fixture.send(Who::Anonymous, "GET", "/signin", None).await;
        assert_eq!(
            signin.body.contains("/api/v1/roster/report?format=html"),
            public_reports
        );
        let people = fixture.send(Who::Anonymous, "GET", "/", None).await;
        assert_eq!(people.status, StatusCode::SEE_OTHER);
        assert_eq!(people.headers["location"], "/signin");
        let roster = fixture
            .send(
                Who::Anonymous,
                "GET",
                "/api/v1/roster/report?format=html",
                None,
            )
            .await;
        assert_eq!(roster.status.is_success(), public_reports);
        if public_reports {
            assert!(!roster.body.contains("BLACKSITE-7"));
        }
    }
}

async fn whoami(fixture: &Fixture, bearer: String) -> StatusCode {
    fixture
        .send_bytes(
            Who::Anonymous,
            "GET",
            "/api/v1/session",
            None,
            "",
            &[("authorization", bearer.as_str())],
        )
        .await
        .status
}

/// An admin issues a token on the page (shown once, and it works), revokes
/// it (it stops working), and gives an account a new second factor (shown
/// once; the account then needs a code to sign in).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_issues_and_revokes_tokens_and_resets_a_second_factor() {
    let fixture = Fixture::new().await;
    let issued = fixture
        .send_bytes(
            Who::Admin,
            "POST",
            "/admin/tokens",
            Some(b"user=viewer&label=nightly+export&days=7".to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let token = issued
        .body
        .split("id=\"new-token-text\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the token, shown once")
        .to_owned();
    assert!(token.starts_with("hbs_"), "{token}");
    let bearer = format!("Bearer {token}");
    assert_eq!(whoami(&fixture, bearer.clone()).await, StatusCode::OK);
    let page = fixture.send(Who::Admin, "GET", "/admin", None).await;
    assert!(!page.body.contains(&token), "a token is shown once only");
    assert!(page.body.contains("nightly export"), "listed by its label");
    let id = fixture
        .state
        .accounts()
        .book()
        .tokens()
        .find(|t| t.name == "nightly export")
        .expect("the token")
        .id;
    let revoked = fixture
        .send_bytes(
            Who::Admin,
            "POST",
            &format!("/admin/tokens/{id}/revoke"),
            None,
            FORM,
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(whoami(&fixture, bearer).await, StatusCode::UNAUTHORIZED);

    let bad_days = fixture
        .send_bytes(
            Who::Admin,
            "POST",
            "/admin/tokens",
            Some(b"user=viewer&label=x&days=1000".to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(bad_days.status, StatusCode::BAD_REQUEST);
    assert!(bad_days.body.contains("1 to 366"), "{}", bad_days.body);

    let viewer = fixture
        .state
        .accounts()
        .book()
        .by_name("viewer")
        .expect("viewer")
        .id;
    let reset = fixture
        .send_bytes(
            Who::Admin,
            "POST",
            &format!("/admin/users/{viewer}/second-factor"),
            Some(b"action=reset".to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(reset.body.contains("otpauth://totp/"), "{}", reset.body);
    let secret = reset
        .body
        .split("id=\"new-secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the secret")
        .to_owned();
    let page = fixture.send(Who::Admin, "GET", "/admin", None).await;
    assert!(!page.body.contains(&secret), "a secret is shown once only");
    let login = format!(r#"{{"name": "viewer", "password": "{PASSWORD}"}}"#);
    let without_code = fixture
        .send(Who::Anonymous, "POST", "/api/v1/session", Some(&login))
        .await;
    assert_eq!(
        without_code.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        without_code.body
    );
    assert!(
        without_code.body.contains("second factor"),
        "{}",
        without_code.body
    );
    let kinds = fixture.audit_kinds().await;
    assert!(
        kinds.iter().filter(|k| *k == "account_changed").count() >= 3,
        "{kinds:?}"
    );
}

/// The person page gives the case as the report does: charges, sentences,
/// restrictions, every fact in the order it happened (each linked to its
/// history line, with its numbered sources), and the statements about the
/// person with their ids; restricted ones only to the cleared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_person_page_lists_the_facts_and_the_statements_with_their_ids() {
    let fixture = Fixture::new().await;
    let viewer = fixture
        .send(Who::Viewer, "GET", "/people/rong-chhun", None)
        .await
        .body;
    let section = |page: &str, id: &str| -> String {
        page.split(&format!("<h2 id=\"{id}\">"))
            .nth(1)
            .and_then(|rest| rest.split("</section>").next())
            .unwrap_or_else(|| panic!("no section {id}: {page}"))
            .to_owned()
    };
    for heading in ["charges", "sentences", "restrictions-heading"] {
        section(&viewer, heading);
    }
    let facts = section(&viewer, "facts");
    assert!(facts.contains("2020-07: detention"), "{facts}");
    assert!(
        facts.contains(&format!("href=\"#event-{}\"", fixture.detention_id)),
        "{facts}"
    );
    assert!(facts.contains("Prey Sar"), "{facts}");
    assert!(facts.contains("href=\"#source-1\""), "{facts}");
    let statements = section(&viewer, "statements");
    assert!(statements.contains("Release him."), "{statements}");
    assert!(
        statements.contains(&fixture.statement_id),
        "the statement's id: {statements}"
    );
    assert!(
        !statements.contains("CONFIDENTIAL-STATEMENT"),
        "{statements}"
    );
    let editor = fixture
        .send(Who::Editor, "GET", "/people/rong-chhun", None)
        .await
        .body;
    assert!(section(&editor, "statements").contains("CONFIDENTIAL-STATEMENT"));
    assert!(section(&editor, "facts").contains("BLACKSITE-7"));
}

/// The person page's downloads replay its view; the start page offers the
/// roster in every format, and the links answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_downloads_replay_the_view_and_the_roster_is_offered() {
    let fixture = Fixture::new().await;
    let page = fixture
        .send(
            Who::Viewer,
            "GET",
            "/people/rong-chhun?as_of=2020-08-01&known_at=2030-01-01T00:00:00%2B02:00",
            None,
        )
        .await;
    let link = "/api/v1/people/rong-chhun/report?format=md&amp;as_of=2020-08-01&amp;known_at=2030-01-01T00:00:00%2B02:00";
    assert!(page.body.contains(link), "{}", page.body);
    let report = fixture
        .send(Who::Viewer, "GET", &link.replace("&amp;", "&"), None)
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert!(report.body.contains("2020-08-01"), "{}", report.body);
    let start = fixture.send(Who::Viewer, "GET", "/", None).await;
    for format in ["html", "md", "json", "csv"] {
        let href = format!("/api/v1/roster/report?format={format}");
        assert!(start.body.contains(&format!("href=\"{href}\"")), "{format}");
        let answer = fixture.send(Who::Viewer, "GET", &href, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{format}: {}", answer.body);
    }
}

/// A sentence passed while the person is at liberty is refused unless the
/// form says it was passed in absentia (or suspended); the checkbox is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sentence_at_liberty_needs_the_in_absentia_box() {
    let fixture = Fixture::new().await;
    let sentence = "action=sentenced&year=2022&month=3&sources=https%3A%2F%2Fexample.org%2Fs\
        &term_kind=fixed&years=3&court=City+Court";
    let refused = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(sentence.as_bytes().to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("in absentia"), "{}", refused.body);
    let form = fixture
        .send(
            Who::Editor,
            "GET",
            "/people/rong-chhun/record?action=sentenced",
            None,
        )
        .await;
    assert!(
        form.body.contains("id=\"x-in_absentia\" type=\"checkbox\""),
        "{}",
        form.body
    );
    let recorded = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(format!("{sentence}&in_absentia=yes").into_bytes()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let page = fixture
        .send(Who::Editor, "GET", "/people/rong-chhun", None)
        .await;
    let sentences = page
        .body
        .split("id=\"sentences-list\"")
        .nth(1)
        .expect("a sentence listed");
    assert!(sentences.contains("in absentia"), "{sentences}");
}

/// The forms carry what lists and news reports give: a date known only as
/// "on or before" (a detention whose day nobody gave), who ordered a
/// release, what a sentence convicted the person of.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forms_take_a_date_on_or_before_the_release_authority_and_the_offence() {
    let fixture = Fixture::new().await;
    let form = fixture
        .send(
            Who::Editor,
            "GET",
            "/people/rong-chhun/record?action=detained",
            None,
        )
        .await;
    assert!(form.body.contains("name=\"on_or_before\""), "{}", form.body);
    // Held again after his release: on 2022-03-01 by a list, since a day not given.
    let detained = "action=detained&year=2022&month=3&day=1&on_or_before=yes\
        &sources=https%3A%2F%2Fexample.org%2Flist&kind=arrest";
    let recorded = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(detained.as_bytes().to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let sentence = "action=sentenced&year=2022&month=6&sources=https%3A%2F%2Fexample.org%2Fs\
        &term_kind=fixed&years=27&convicted_of=treason";
    let recorded = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(sentence.as_bytes().to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let release = "action=released&year=2023&month=1&day=10&kind=bail\
        &ordered_by=Supreme+Court&sources=https%3A%2F%2Fexample.org%2Fr";
    let recorded = fixture
        .send_bytes(
            Who::Editor,
            "POST",
            "/people/rong-chhun/record",
            Some(release.as_bytes().to_vec()),
            FORM,
            &[],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let page = fixture
        .send(Who::Editor, "GET", "/people/rong-chhun", None)
        .await;
    for text in ["on or before 2022-03-01", "treason", "Supreme Court"] {
        assert!(page.body.contains(text), "{text} missing from the page");
    }
}
