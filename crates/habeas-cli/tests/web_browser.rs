//! The web pages in a real headless Chromium, driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`; the protocol is plain JSON
//! over HTTP, spoken here with the standard library). The real `habeas
//! serve` binary runs on loopback over a temporary store whose accounts are
//! made with `habeas user add --password-stdin`.
//!
//! A documenter signs in, registers a person, records a detention known to
//! the month, is refused a release that breaks the timeline (and sees the
//! rule's message beside the form, with what they typed), records a valid
//! one and sees the headline change, corrects the detention's date, reads
//! the history and downloads the HTML report; a detention while held
//! names the detention it conflicts with, beside the date, linked to its
//! history line; a form post without the same-site headers is refused; an
//! editor uploads a CSV with one bad row and its mapping, sees the row's
//! reason in the dry run, confirms and finds the people; an admin gives
//! the viewer a second factor, with whose code the viewer then signs in,
//! and issues and revokes a token; a viewer sees no form and no restricted
//! fact; an anonymous visitor gets the sign-in page. The form with an
//! error is also laid out right to left (`dir="rtl"`), and checked to
//! mirror. Screenshots go to `docs/` with `HABEAS_SCREENSHOTS=1`, else to a
//! scratch folder.
//!
//! Under CI (`CI` set) a missing Chromium fails the test; elsewhere it
//! prints a skip line.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod server;

use server::habeas;

use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key under which WebDriver names an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn add_user(db: &Path, name: &str, role: &str, password: &str) {
    let mut add = habeas(db)
        .args(["user", "add", name, "--role", role, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("user add");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("password");
    let output = add.wait_with_output().expect("user add");
    assert!(
        output.status.success(),
        "user add: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(db: &Path) -> (Killed, String) {
    let (child, address) = server::start(db);
    (Killed(child), address)
}

/// One HTTP/1.1 request; returns the status, the headers and the body.
fn http(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("write");
    let response = read_response(&mut stream);
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (status, head.to_owned(), body.to_owned())
}

/// Reads one response: up to its `Content-Length` when it has one (a
/// WebDriver server may keep the connection open), else to the end.
fn read_response(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buffer).expect("read");
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buffer[..n]);
        let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&bytes[..end]).to_lowercase();
        let length = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|value| value.trim().parse::<usize>().ok());
        if let Some(length) = length
            && bytes.len() >= end + 4 + length
        {
            bytes.truncate(end + 4 + length);
            break;
        }
    }
    String::from_utf8(bytes).expect("utf-8")
}

/// A WebDriver session.
struct Browser {
    driver: String,
    session: String,
    _process: Killed,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

impl Browser {
    fn start(profile: &Path) -> Browser {
        let port = free_port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(&driver).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut browser = Browser {
            driver,
            session: String::new(),
            _process: Killed(process),
        };
        let answer = browser.call(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                        format!("--user-data-dir={}", profile.display()),
                        "--window-size=1280,1600",
                    ]
                }
            }}}),
        );
        browser.session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_owned();
        browser
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let path = if path.starts_with("/session/") || self.session.is_empty() {
            path.to_owned()
        } else {
            format!("/session/{}{path}", self.session)
        };
        let body = if method == "GET" || method == "DELETE" {
            String::new()
        } else {
            body.to_string()
        };
        let (status, _, text) = http(
            &self.driver,
            method,
            &path,
            &[("Content-Type", "application/json")],
            &body,
        );
        // chromedriver answers with a chunked body when it streams; the JSON
        // is the part between the first `{` and the last `}`.
        let json_text = match (text.find('{'), text.rfind('}')) {
            (Some(start), Some(end)) => &text[start..=end],
            _ => "{}",
        };
        let value: Value = serde_json::from_str(json_text)
            .unwrap_or_else(|err| panic!("webdriver answered {status} {text:?}: {err}"));
        assert!(status == 200, "webdriver {method} {path}: {status} {value}");
        value["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", json!({"url": url}));
    }

    fn url(&self) -> String {
        self.call("GET", "/url", Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn source(&self) -> String {
        self.call("GET", "/source", Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn find(&self, css: &str) -> String {
        // A click that submits a form returns before the next page has
        // loaded: wait for the element a while.
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.count(css) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        if self.count(css) == 0 {
            let source = self.source();
            let main = source.split("<main").nth(1).unwrap_or(&source);
            panic!(
                "no element {css} at {}: {}",
                self.url(),
                &main[..main.len().min(3000)]
            );
        }
        let answer = self.call(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        answer[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {answer}"))
            .to_owned()
    }

    fn find_xpath(&self, xpath: &str) -> String {
        let answer = self.call(
            "POST",
            "/element",
            json!({"using": "xpath", "value": xpath}),
        );
        answer[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {xpath}: {answer}"))
            .to_owned()
    }

    fn count(&self, css: &str) -> usize {
        self.call(
            "POST",
            "/elements",
            json!({"using": "css selector", "value": css}),
        )
        .as_array()
        .map_or(0, Vec::len)
    }

    fn text(&self, css: &str) -> String {
        let element = self.find(css);
        self.call("GET", &format!("/element/{element}/text"), Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The text of `css` once it contains `needle` (after a submit, the old
    /// page may still be showing for a moment).
    fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.text(css);
            if text.contains(needle) || Instant::now() > deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.call("POST", &format!("/element/{element}/clear"), json!({}));
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            json!({"text": text}),
        );
    }

    /// Presses Tab, as a keyboard user moves to the next control.
    fn press_tab(&self) {
        self.call(
            "POST",
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": "\u{E004}"},
                {"type": "keyUp", "value": "\u{E004}"}
            ]}]}),
        );
    }

    /// Chooses a local file in a file input (the driver reads the path).
    fn choose_file(&self, css: &str, path: &Path) {
        let element = self.find(css);
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            json!({"text": path.to_str().expect("a UTF-8 path")}),
        );
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.click_element(&element);
    }

    fn click_element(&self, element: &str) {
        self.call("POST", &format!("/element/{element}/click"), json!({}));
    }

    fn value_of(&self, css: &str) -> String {
        let element = self.find(css);
        self.call(
            "GET",
            &format!("/element/{element}/property/value"),
            Value::Null,
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    fn cookie(&self, name: &str) -> String {
        self.call("GET", &format!("/cookie/{name}"), Value::Null)["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn forget_cookies(&self) {
        self.call("DELETE", "/cookie", Value::Null);
    }

    fn screenshot(&self, path: &Path) {
        self.call(
            "POST",
            "/execute/sync",
            json!({"script": "window.scrollTo(0, 0)", "args": []}),
        );
        let data = self.call("GET", "/screenshot", Value::Null);
        let png = base64(data.as_str().expect("base64"));
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, png).expect("write the screenshot");
    }

    fn sign_in(&self, base: &str, name: &str, password: &str) {
        self.go(&format!("{base}/signin"));
        self.type_into("#name", name);
        self.type_into("#password", password);
        self.click("form.card button[type=submit]");
        self.find("header.top .who");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                &self.driver,
                "DELETE",
                &format!("/session/{}", self.session),
                &[],
                "",
            );
        }
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let sextets: Vec<u8> = text.bytes().filter_map(value).collect();
    sextets
        .chunks(4)
        .flat_map(|chunk| {
            let n = chunk.iter().fold(0u32, |acc, s| (acc << 6) | u32::from(*s))
                << (6 * (4 - chunk.len()));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(chunk.len().saturating_sub(1))
        })
        .collect()
}

/// axe-core, installed by `npm ci --prefix crates/habeas-cli/tests/browser`
/// (`.ci/run` does).
fn axe_source() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but {} is missing: run npm ci --prefix crates/habeas-cli/tests/browser",
                path.display()
            );
            eprintln!(
                "skipped the accessibility checks: {} is missing (npm ci --prefix crates/habeas-cli/tests/browser)",
                path.display()
            );
            None
        }
    }
}

/// The serious and critical violations axe-core finds on the current page.
fn accessibility(browser: &Browser, axe: Option<&str>) -> Vec<String> {
    let Some(axe) = axe else {
        return Vec::new();
    };
    browser.call(
        "POST",
        "/execute/sync",
        json!({"script": format!("{axe}\nreturn true;"), "args": []}),
    );
    let found = browser.call(
        "POST",
        "/execute/async",
        json!({"script": "const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']})
              .then(r => done(r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe failed: ' + e]));", "args": []}),
    );
    let url = browser.url();
    found
        .as_array()
        .unwrap_or_else(|| panic!("axe-core did not run on {url}: {found}"))
        .iter()
        .map(|v| format!("{url}: {}", v.as_str().unwrap_or_default()))
        .collect()
}

/// Where the screenshots go: `docs/` when `HABEAS_SCREENSHOTS=1` (to
/// refresh the ones README shows), else a scratch folder, so that an
/// ordinary test run leaves the work tree as it was.
fn docs() -> PathBuf {
    if std::env::var_os("HABEAS_SCREENSHOTS").is_some() {
        return Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    }
    let scratch = std::env::temp_dir().join("habeas-web-screenshots");
    std::fs::create_dir_all(&scratch).expect("a scratch folder for screenshots");
    scratch
}

fn chromium_present() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but {CHROMIUM} or {CHROMEDRIVER} is missing: install them (apt-get install chromium chromium-driver; .ci/run does)"
        );
        eprintln!(
            "skipped: the browser tests need {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        );
    }
    present
}

#[test]
fn a_documenter_and_a_viewer_use_the_pages_in_a_real_browser() {
    if !chromium_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("store");
    let init = habeas(&db).arg("init").output().expect("init");
    assert!(init.status.success());
    add_user(&db, "dana", "documenter", "documenter password 1");
    add_user(&db, "vic", "viewer", "viewer password 1");
    add_user(&db, "eve", "editor", "editor password 1");
    add_user(&db, "ada", "admin", "admin password 1");
    let (_server, address) = start_server(&db);
    let base = format!("http://{address}");
    let browser = Browser::start(&dir.path().join("profile"));
    let axe = axe_source();
    // axe-core finds what it should: a control without a label.
    browser
        .go("data:text/html,<html lang=en><title>t</title><main><input type=text></main></html>");
    if axe.is_some() {
        let found = accessibility(&browser, axe.as_deref());
        assert!(found.iter().any(|v| v.contains("label")), "{found:?}");
    }
    let mut violations = Vec::new();

    // Anonymous: the sign-in page.
    browser.go(&format!("{base}/"));
    assert!(browser.url().ends_with("/signin"), "{}", browser.url());
    assert!(browser.source().contains("lang=\"en\""));
    violations.extend(accessibility(&browser, axe.as_deref()));

    // A documenter signs in and registers a person.
    browser.sign_in(&base, "dana", "documenter password 1");
    assert_eq!(browser.url(), format!("{base}/"));
    // From the keyboard: the first Tab reaches the skip link, shown with a
    // visible focus ring; the next one the navigation.
    let mut focused = Vec::new();
    for _ in 0..2 {
        browser.press_tab();
        let now = browser.call(
            "POST",
            "/execute/sync",
            json!({"script": "const e = document.activeElement; const s = getComputedStyle(e);
                return [e.id || e.className, s.outlineStyle, s.outlineWidth];", "args": []}),
        );
        focused.push(now);
    }
    assert_eq!(focused[0][0], "skip", "{focused:?}");
    assert_eq!(focused[0][1], "solid", "a visible focus ring: {focused:?}");
    assert_eq!(focused[0][2], "3px", "{focused:?}");
    assert_eq!(focused[1][0], "brand", "then the navigation: {focused:?}");
    browser.click("a[href='/people/new']");
    browser.type_into("#name", "Nguyễn Văn Đài");
    browser.type_into("#aliases", "Nguyen Van Dai, Đài");
    browser.type_into("#country", "Vietnam");
    browser.type_into("#sources", "https://example.org/profile");
    browser.click("form.card button[type=submit]");
    assert_eq!(browser.text("#headline"), "unknown");
    let person_url = browser.url();
    let person_path = person_url
        .trim_start_matches(&base)
        .split('?')
        .next()
        .expect("path")
        .to_owned();

    // A detention known to the month.
    browser.go(&format!("{base}{person_path}/record?action=detained"));
    browser.type_into("#f-year", "2020");
    browser.type_into("#f-month", "7");
    browser.type_into("#sources", "https://example.org/arrest\nCourt file 12/2020");
    browser.type_into("#x-facility", "B14 Prison");
    browser.click("form.card button[type=submit]");
    assert_eq!(browser.text("#headline"), "detained");

    // A restricted transfer, which a viewer must never see.
    browser.go(&format!("{base}{person_path}/record?action=transferred"));
    browser.type_into("#f-year", "2020");
    browser.type_into("#f-month", "9");
    browser.type_into("#sources", "Interview record 7 (family)");
    browser.type_into("#x-to_facility", "Secret Annex Nine");
    browser.click("#restricted");
    browser.click("form.card button[type=submit]");
    browser.find("#done");
    // Recorded, but a documenter without clearance does not read it back.
    assert!(!browser.source().contains("Secret Annex Nine"));

    // A release before the detention breaks the timeline: the rule's
    // message beside the form, and what was typed kept.
    browser.go(&format!("{base}{person_path}/record?action=released"));
    browser.type_into("#f-year", "2019");
    browser.type_into("#f-month", "3");
    browser.type_into("#sources", "https://example.org/early");
    browser.type_into("#note", "from a news report");
    browser.click("form.card button[type=submit]");
    let error = browser.text("#form-error");
    assert!(error.contains("Nothing was recorded"), "{error}");
    assert!(error.contains("the release on 2019-03"), "{error}");
    assert!(error.contains("in custody"), "{error}");
    assert_eq!(browser.value_of("#f-year"), "2019");
    assert_eq!(browser.value_of("#note"), "from a news report");
    // The message is beside the date too, which is marked invalid.
    assert!(browser.text("#error-date").contains("in custody"));
    assert_eq!(browser.count("#f-year[aria-invalid=true]"), 1);
    violations.extend(accessibility(&browser, axe.as_deref()));

    // A valid release changes the headline.
    browser.type_into("#f-year", "2022");
    browser.type_into("#f-month", "5");
    browser.type_into("#f-day", "14");
    browser.click("form.card button[type=submit]");
    assert_eq!(browser.text("#headline"), "released");
    assert!(browser.text("#done").contains("released"));

    // Correct the detention's date from the history.
    let row = browser.find_xpath("//tr[contains(., 'detention (2020-07)')]");
    let summary = browser.call(
        "POST",
        &format!("/element/{row}/element"),
        json!({"using": "css selector", "value": "summary"}),
    )[ELEMENT]
        .as_str()
        .expect("summary")
        .to_owned();
    browser.click_element(&summary);
    let within = |css: &str| {
        browser.call(
            "POST",
            &format!("/element/{row}/element"),
            json!({"using": "css selector", "value": css}),
        )[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no {css} in the row"))
            .to_owned()
    };
    for (css, text) in [
        ("form[action$='/correct'] input[name=year]", "2020"),
        ("form[action$='/correct'] input[name=month]", "6"),
        (
            "form[action$='/correct'] input[name=reason]",
            "the court file says June",
        ),
    ] {
        let element = within(css);
        browser.call(
            "POST",
            &format!("/element/{element}/value"),
            json!({"text": text}),
        );
    }
    let submit = within("form[action$='/correct'] button");
    browser.click_element(&submit);
    let history = browser.wait_for_text("#history-table", "corrects");
    assert!(
        history.contains("corrects detention (2020-07) → detention (2020-06)"),
        "{history}"
    );
    assert!(history.contains("dana"), "{history}");
    assert!(browser.count("#sources + ol li, ol.sources li") >= 3);
    // The whole page, history and sources included: a window as tall as it.
    let height = browser.call(
        "POST",
        "/execute/sync",
        json!({"script": "return document.documentElement.scrollHeight;", "args": []}),
    );
    browser.call(
        "POST",
        "/window/rect",
        json!({"width": 1280, "height": height.as_u64().unwrap_or(1600).clamp(1600, 6000) + 150}),
    );
    browser.screenshot(&docs().join("web-person.png"));
    browser.call(
        "POST",
        "/window/rect",
        json!({"width": 1280, "height": 1600}),
    );
    violations.extend(accessibility(&browser, axe.as_deref()));
    // On a phone's width.
    browser.call(
        "POST",
        "/window/rect",
        json!({"width": 390, "height": 1400}),
    );
    browser.go(&format!("{base}{person_path}"));
    browser.find("#headline");
    browser.screenshot(&docs().join("web-person-phone.png"));
    violations.extend(accessibility(&browser, axe.as_deref()));
    browser.call(
        "POST",
        "/window/rect",
        json!({"width": 1280, "height": 1600}),
    );

    // A second detention while held names the detention it conflicts with,
    // beside the date, linked to its line of the history.
    browser.go(&format!("{base}{person_path}/record?action=detained"));
    browser.type_into("#f-year", "2021");
    browser.type_into("#f-month", "1");
    browser.type_into("#sources", "https://example.org/again");
    browser.type_into("#x-facility", "Hoa Lo");
    browser.click("form.card button[type=submit]");
    let beside = browser.text("#error-date");
    assert!(beside.contains("already in custody"), "{beside}");
    assert!(beside.contains("the detention on 2020-06"), "{beside}");
    assert_eq!(
        browser.text("#error-date a.event-link"),
        "the detention on 2020-06"
    );
    assert!(
        !beside.contains("(event "),
        "the id gives way to the link: {beside}"
    );
    assert_eq!(browser.value_of("#x-facility"), "Hoa Lo");
    browser.screenshot(&docs().join("web-form-error.png"));
    violations.extend(accessibility(&browser, axe.as_deref()));

    // Right to left: the same page with `dir="rtl"` (as a translation into
    // Arabic or Persian would set it) mirrors its layout through the
    // stylesheet's logical properties: the navigation runs from the right,
    // the error's bar is on its right edge, labels and cells start on the
    // right.
    let layout = browser.call(
        "POST",
        "/execute/sync",
        json!({"script": "document.documentElement.dir = 'rtl';
            const box = s => document.querySelector(s).getBoundingClientRect();
            const style = s => getComputedStyle(document.querySelector(s));
            return {
              brand_right: box('header.top .brand').right,
              who_right: box('header.top .who').right,
              error_right_bar: style('#form-error').borderRightWidth,
              error_left_bar: style('#form-error').borderLeftWidth,
              field_error_right_bar: style('#error-date').borderRightWidth,
              label_align: style('label[for=sources]').textAlign,
              label_right: box('label[for=sources]').right,
              sources_right: box('#sources').right,
            };", "args": []}),
    );
    assert!(
        layout["brand_right"].as_f64() > layout["who_right"].as_f64(),
        "the navigation starts on the right: {layout}"
    );
    assert_eq!(layout["error_right_bar"], "5px", "{layout}");
    assert_eq!(layout["error_left_bar"], "0px", "{layout}");
    assert_eq!(layout["field_error_right_bar"], "4px", "{layout}");
    let (label, input) = (
        layout["label_right"].as_f64().expect("label"),
        layout["sources_right"].as_f64().expect("input"),
    );
    assert!(
        (label - input).abs() < 1.0,
        "a label starts where its input does, on the right: {layout}"
    );
    browser.screenshot(&docs().join("web-rtl.png"));
    violations.extend(accessibility(&browser, axe.as_deref()));
    browser.call(
        "POST",
        "/execute/sync",
        json!({"script": "document.documentElement.dir = 'ltr'; return true;", "args": []}),
    );
    browser.click("#error-date a.event-link");
    let target = browser.url();
    let anchor = target.split('#').nth(1).expect("an anchor").to_owned();
    assert!(anchor.starts_with("event-"), "{target}");
    // The detention's own line (as first recorded, in July; the
    // correction's line follows it).
    let line = browser.text(&format!("tr[id='{anchor}']"));
    assert!(line.contains("detention (2020-07), B14 Prison"), "{line}");

    // A form post without the same-site headers is refused, even with the
    // session cookie.
    let cookie = format!("habeas_session={}", browser.cookie("habeas_session"));
    let (status, _, _) = http(
        &address,
        "POST",
        &format!("{person_path}/record"),
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "action=detained&year=2023&sources=https%3A%2F%2Fexample.org%2Fx",
    );
    assert_eq!(status, 403);

    // The HTML report.
    browser.go(&format!("{base}/api/v1{person_path}/report?format=html"));
    let report = browser.source();
    assert!(report.contains("Nguyễn Văn Đài"), "the report");
    assert!(report.contains("<svg"), "the report's timeline");

    // A second person, still held, for the dashboard.
    browser.go(&format!("{base}/people/new"));
    browser.type_into("#name", "Rong Chhun");
    browser.type_into("#country", "Cambodia");
    browser.click("form.card button[type=submit]");
    browser.find("#headline");
    let second = browser.url();
    let second = second
        .trim_start_matches(&base)
        .split('?')
        .next()
        .expect("path")
        .to_owned();
    browser.go(&format!("{base}{second}/record?action=detained"));
    browser.type_into("#f-year", "2021");
    browser.type_into("#f-month", "3");
    browser.type_into("#f-day", "2");
    browser.type_into("#sources", "https://example.org/rong-chhun");
    browser.type_into("#x-facility", "Prey Sar");
    browser.click("form.card button[type=submit]");
    assert_eq!(browser.text("#headline"), "detained");

    // The people list: search folds accents and case.
    browser.go(&format!("{base}/?q=NGUYEN+van"));
    assert!(browser.text("#people").contains("Nguyễn Văn Đài"));
    browser.go(&format!("{base}/?q=nobody-like-this"));
    assert_eq!(browser.count("#people"), 0);
    browser.go(&format!("{base}/"));
    assert!(browser.text("#held-list").contains("Rong Chhun"));
    browser.screenshot(&docs().join("web-people.png"));
    violations.extend(accessibility(&browser, axe.as_deref()));
    browser.go(&format!("{base}/people/new"));
    violations.extend(accessibility(&browser, axe.as_deref()));
    browser.click("header.top form button");
    browser.find("#password");
    assert!(browser.url().ends_with("/signin"));

    // A viewer: no forms, no restricted fact; the server refuses the forms.
    browser.sign_in(&base, "vic", "viewer password 1");
    browser.go(&format!("{base}{person_path}"));
    let page = browser.source();
    assert!(page.contains("Nguyễn Văn Đài"));
    assert!(
        !page.contains("Secret Annex Nine"),
        "a restricted fact shown to a viewer"
    );
    assert_eq!(browser.count("main form[method=post]"), 0);
    assert_eq!(browser.count("#action"), 0);
    browser.go(&format!("{base}{person_path}/record?action=detained"));
    assert!(browser.source().contains("documenter role"));

    // An editor reads the restricted fact.
    browser.go(&format!("{base}/"));
    browser.click("header.top form button");
    browser.sign_in(&base, "eve", "editor password 1");
    browser.find("#people");
    browser.go(&format!("{base}{person_path}"));
    assert!(browser.text("#history-table").contains("restricted"));
    assert!(browser.source().contains("Secret Annex Nine"));
    // The editor imports a small list: a CSV with one bad row, through
    // an uploaded mapping; the dry run shows the row and its reason, the
    // confirmation imports the others.
    browser.go(&format!("{base}/import"));
    violations.extend(accessibility(&browser, axe.as_deref()));
    let csv = dir.path().join("list.csv");
    std::fs::write(
        &csv,
        "name,det_date,kind,sources\n\
         Amara Okafor,2021-03-04,arrest,https://news.example.org/1\n\
         Bela Novak,sometime,arrest,https://news.example.org/2\n\
         Chen Wei,2019-11,,https://news.example.org/3\n",
    )
    .expect("the CSV");
    let mapping = dir.path().join("list.toml");
    std::fs::write(
        &mapping,
        "version = 1\n[sources]\nurls = [\"sources\"]\n[person]\nname = \"name\"\n\
         [detained]\ndate = \"det_date\"\nkind = { column = \"kind\", if_empty = \"other\", map = { arrest = \"arrest\" } }\n",
    )
    .expect("the mapping");
    browser.choose_file("#file", &csv);
    browser.choose_file("#mapping", &mapping);
    browser.type_into("#save_as", "news list");
    browser.click("#check");
    let rows = browser.text("#import-rows");
    assert!(rows.contains("row 3"), "{rows}");
    assert!(rows.contains("sometime"), "{rows}");
    assert!(browser.text("#import-rejections").contains("row 3"));
    assert!(
        browser
            .text("#import-counts")
            .contains("2 would be imported")
    );
    browser.screenshot(&docs().join("web-import-preview.png"));
    violations.extend(accessibility(&browser, axe.as_deref()));
    browser.click("#confirm");
    assert!(browser.text("#import-counts").contains("2 imported"));
    browser.click("#see-people");
    let people = browser.text("#people");
    assert!(
        people.contains("Amara Okafor") && people.contains("Chen Wei"),
        "{people}"
    );
    assert!(
        !people.contains("Bela Novak"),
        "the rejected row is not imported"
    );
    // The mapping was saved under its name, to be chosen next time.
    browser.go(&format!("{base}/import"));
    assert!(browser.text("#mapping_name").contains("news list"));
    browser.go(&format!("{base}{person_path}/record?action=sentenced"));
    violations.extend(accessibility(&browser, axe.as_deref()));

    // An admin gives the viewer a second factor (shown once), and the
    // viewer then signs in with its code; the admin issues a token (shown
    // once), which works until it is revoked from the page.
    browser.go(&format!("{base}/"));
    browser.click("header.top form button");
    browser.sign_in(&base, "ada", "admin password 1");
    browser.go(&format!("{base}/admin"));
    violations.extend(accessibility(&browser, axe.as_deref()));
    let vic_row = browser.find_xpath("//tr[td[1] = 'vic']");
    let reset = browser.call(
        "POST",
        &format!("/element/{vic_row}/element"),
        json!({"using": "css selector", "value": "button[value=reset]"}),
    )[ELEMENT]
        .as_str()
        .expect("the reset button")
        .to_owned();
    browser.click_element(&reset);
    let secret = browser.text("#new-secret");
    assert!(browser.text("#new-uri").starts_with("otpauth://totp/"));
    browser.type_into("#token-label", "nightly export");
    browser.click("form[action='/admin/tokens'] button");
    let token = browser.text("#new-token-text");
    assert!(token.starts_with("hbs_"), "{token}");
    assert!(
        !browser.source().contains(&secret),
        "a secret is shown once"
    );
    let bearer = format!("Bearer {token}");
    let (status, _, _) = http(
        &address,
        "GET",
        "/api/v1/session",
        &[("Authorization", &bearer)],
        "",
    );
    assert_eq!(status, 200, "the new token works");
    browser.click("#tokens-table form button.danger");
    let tokens = browser.wait_for_text("#tokens-table", "revoked");
    assert!(
        tokens.contains("nightly export") && tokens.contains("revoked"),
        "{tokens}"
    );
    assert!(!browser.source().contains(&token));
    let (status, _, _) = http(
        &address,
        "GET",
        "/api/v1/session",
        &[("Authorization", &bearer)],
        "",
    );
    assert_eq!(status, 401, "a revoked token is refused");
    browser.click("header.top form button");
    browser.go(&format!("{base}/signin"));
    browser.type_into("#name", "vic");
    browser.type_into("#password", "viewer password 1");
    let key = habeas_server::accounts::totp::from_base32(&secret).expect("a base32 secret");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let code = habeas_server::accounts::totp::code(&key, now / habeas_server::accounts::totp::STEP);
    browser.type_into("#totp", &format!("{code:06}"));
    browser.click("form.card button[type=submit]");
    assert!(
        browser.text("header.top .who").contains("vic"),
        "signed in with the code"
    );
    browser.click("header.top form button");

    // Anonymous again: the sign-in page.
    browser.forget_cookies();
    browser.go(&format!("{base}{person_path}"));
    assert!(browser.url().ends_with("/signin"));

    assert!(
        violations.is_empty(),
        "axe-core found serious violations:\n{}",
        violations.join("\n")
    );
}
