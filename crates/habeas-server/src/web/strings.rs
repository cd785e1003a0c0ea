//! Every word the pages show, in one place, so that a translation is one
//! more constant of [`Ui`] (and its `lang` and `dir`), not a hunt through
//! templates. Messages of the rules come from the domain in English.

/// The strings of one language.
#[derive(Debug)]
pub struct Ui {
    /// The `lang` attribute of every page.
    pub lang: &'static str,
    /// The `dir` attribute (`ltr` or `rtl`).
    pub dir: &'static str,
    /// The product's name.
    pub app: &'static str,
    /// Link to the people list.
    pub people: &'static str,
    /// Link to the registration form.
    pub register: &'static str,
    /// The sign-in page's title and button.
    pub sign_in: &'static str,
    /// The sign-out button.
    pub sign_out: &'static str,
    /// Label of the account name.
    pub name: &'static str,
    /// Label of the password.
    pub password: &'static str,
    /// Label of the second-factor code.
    pub totp: &'static str,
    /// Link to the public roster, for anonymous visitors.
    pub public_roster: &'static str,
    /// Signed in as (followed by name and role).
    pub signed_in_as: &'static str,
    /// Label of the search box.
    pub search: &'static str,
    /// Button of the search form.
    pub find: &'static str,
    /// Label of the headline filter.
    pub headline: &'static str,
    /// The headline filter's "any" choice.
    pub any: &'static str,
    /// Column: aliases.
    pub aliases: &'static str,
    /// Column: country.
    pub country: &'static str,
    /// Filter: facility.
    pub facility: &'static str,
    /// A restriction in force (followed by its kind).
    pub restriction: &'static str,
    /// Since (a date follows).
    pub since: &'static str,
    /// Until (a date follows).
    pub until: &'static str,
    /// Nobody matches the search.
    pub nobody: &'static str,
    /// Heading of the counts by headline.
    pub counts: &'static str,
    /// Heading of the people held now.
    pub held_now: &'static str,
    /// Heading of the sentences past their expected end.
    pub overdue: &'static str,
    /// Heading of the recent developments.
    pub recent: &'static str,
    /// Heading of the charges.
    pub charges: &'static str,
    /// No charge recorded.
    pub no_charge: &'static str,
    /// Column: when charged.
    pub charged_on: &'static str,
    /// Heading of the sentences.
    pub sentences: &'static str,
    /// No sentence recorded.
    pub no_sentence: &'static str,
    /// A sentence whose term is not known.
    pub term_unknown: &'static str,
    /// A sentence passed in absentia.
    pub in_absentia: &'static str,
    /// A suspended sentence.
    pub suspended: &'static str,
    /// Heading of the restrictions in force.
    pub restrictions_in_force: &'static str,
    /// An empty list.
    pub none_recorded: &'static str,
    /// Heading of the facts.
    pub facts: &'static str,
    /// Under the facts' heading.
    pub facts_hint: &'static str,
    /// No fact recorded.
    pub no_fact: &'static str,
    /// Link from a fact to its history line.
    pub in_history: &'static str,
    /// Heading of the statements (the name follows).
    pub statements_about: &'static str,
    /// No statement recorded.
    pub no_statement: &'static str,
    /// Before a statement's id.
    pub statement_id: &'static str,
    /// Label of the valid-time picker.
    pub as_of: &'static str,
    /// Label of the transaction-time picker.
    pub known_at: &'static str,
    /// Button of the pickers.
    pub show: &'static str,
    /// Heading of the figures.
    pub figures: &'static str,
    /// Days in custody now.
    pub days_now: &'static str,
    /// Days in custody in all.
    pub days_total: &'static str,
    /// The sentence.
    pub term: &'static str,
    /// Expected release.
    pub expected_release: &'static str,
    /// Days in custody in all when no custody is recorded.
    pub unknown_no_custody: &'static str,
    /// The overdue release's label.
    pub release_overdue: &'static str,
    /// What an overdue release means.
    pub release_overdue_text: &'static str,
    /// Share of the sentence served.
    pub served: &'static str,
    /// The "possibly" line's lead.
    pub possibly: &'static str,
    /// Heading of the timeline.
    pub timeline: &'static str,
    /// Nothing dated to draw.
    pub no_timeline: &'static str,
    /// Heading of the sources.
    pub sources: &'static str,
    /// Heading of the history.
    pub history: &'static str,
    /// Column: when recorded.
    pub recorded_at: &'static str,
    /// Column: recorded by.
    pub recorded_by: &'static str,
    /// Column: what.
    pub what: &'static str,
    /// Column: headline after.
    pub headline_after: &'static str,
    /// Heading of the downloads.
    pub downloads: &'static str,
    /// Heading of the roster's downloads.
    pub roster_downloads: &'static str,
    /// The public variant of a report.
    pub public_variant: &'static str,
    /// Heading of the recording form.
    pub record: &'static str,
    /// Label of the development chooser.
    pub development: &'static str,
    /// Button that opens a recording form.
    pub open_form: &'static str,
    /// Year of a date.
    pub year: &'static str,
    /// Month of a date.
    pub month: &'static str,
    /// Day of a date.
    pub day: &'static str,
    /// Approximate date.
    pub approximate: &'static str,
    /// A date known only as "on or before" (`..DATE`).
    pub on_or_before: &'static str,
    /// Label of the sources box.
    pub sources_input: &'static str,
    /// Hint under the sources box.
    pub sources_hint: &'static str,
    /// Label of the confidence chooser.
    pub confidence: &'static str,
    /// Label of the restricted flag.
    pub restricted: &'static str,
    /// Label of the note.
    pub note: &'static str,
    /// Submit button of a recording form.
    pub save: &'static str,
    /// Lead of a rejection.
    pub rejected: &'static str,
    /// Lead of a success message.
    pub recorded: &'static str,
    /// Correct a date.
    pub correct: &'static str,
    /// Retract a fact.
    pub retract: &'static str,
    /// Label of a reason.
    pub reason: &'static str,
    /// Corrects (followed by the fact).
    pub corrects: &'static str,
    /// Retracts (followed by the fact).
    pub retracts: &'static str,
    /// A fact marked restricted.
    pub restricted_mark: &'static str,
    /// Title of an error page.
    pub error: &'static str,
    /// Skip link.
    pub skip: &'static str,
    /// Legend of a date's inputs.
    pub date: &'static str,
    /// Before links to the events a rejection names.
    pub see: &'static str,
    /// The import page.
    pub import: &'static str,
    /// Label of the pasted lines.
    pub import_lines: &'static str,
    /// Hint under them.
    pub import_hint: &'static str,
    /// The dry-run button.
    pub check: &'static str,
    /// The confirm button.
    pub confirm_import: &'static str,
    /// Heading of a dry run's result.
    pub dry_run_result: &'static str,
    /// Heading of an import's result.
    pub import_result: &'static str,
    /// Count: rows read.
    pub rows: &'static str,
    /// Count: would be imported.
    pub would_import: &'static str,
    /// Count: imported.
    pub imported: &'static str,
    /// Count: imported before.
    pub already_imported: &'static str,
    /// Count: rejected.
    pub rejected_rows: &'static str,
    /// Label of the file input.
    pub import_file: &'static str,
    /// Label of the format choice.
    pub import_format: &'static str,
    /// The format choice: detect.
    pub format_auto: &'static str,
    /// Label of the saved mappings' choice.
    pub saved_mapping: &'static str,
    /// The saved mappings' empty choice.
    pub no_saved_mapping: &'static str,
    /// Label of the mapping file input.
    pub mapping_file: &'static str,
    /// Hint under the mapping inputs.
    pub mapping_hint: &'static str,
    /// Label of the name to save an uploaded mapping under.
    pub save_mapping_as: &'static str,
    /// Label of the pasted lines when no file is chosen.
    pub or_paste: &'static str,
    /// Heading of the rows of a dry run.
    pub preview_rows: &'static str,
    /// Column: where in the file.
    pub where_col: &'static str,
    /// Column: what the row holds.
    pub content_col: &'static str,
    /// A row that would be imported.
    pub accepted: &'static str,
    /// A rejected row.
    pub row_rejected: &'static str,
    /// Heading of the warnings.
    pub warnings: &'static str,
    /// After the rows shown, when there are more.
    pub more_rows: &'static str,
    /// When the store changed between the check and the confirmation.
    pub store_changed: &'static str,
    /// Label of the upload's digest.
    pub digest: &'static str,
    /// Link to the people after an import.
    pub see_people: &'static str,
    /// The admin's page.
    pub admin: &'static str,
    /// Heading of the accounts.
    pub accounts: &'static str,
    /// How accounts are managed.
    pub accounts_hint: &'static str,
    /// Column: role.
    pub role: &'static str,
    /// Column: clearance for restricted facts.
    pub clearance: &'static str,
    /// Column: second factor.
    pub second_factor: &'static str,
    /// Column: disabled.
    pub disabled: &'static str,
    /// Heading of the API tokens.
    pub tokens: &'static str,
    /// Label: the account a token acts as.
    pub token_for: &'static str,
    /// Label: what a token is for.
    pub token_label: &'static str,
    /// Label: days until a token expires.
    pub token_days: &'static str,
    /// Button: issue a token.
    pub create_token: &'static str,
    /// Column: when a token expires.
    pub expires: &'static str,
    /// Column: a token's state.
    pub token_state: &'static str,
    /// A token in use.
    pub active: &'static str,
    /// An expired token.
    pub expired: &'static str,
    /// A revoked token.
    pub revoked: &'static str,
    /// Button: revoke a token.
    pub revoke: &'static str,
    /// Above a new token's text.
    pub new_token_once: &'static str,
    /// Button: give an account a new second factor.
    pub reset_second_factor: &'static str,
    /// Button: remove an account's second factor.
    pub remove_second_factor: &'static str,
    /// Above a new second factor's secret.
    pub new_second_factor_once: &'static str,
    /// Heading of the security events.
    pub security_events: &'static str,
    /// Column: address.
    pub address: &'static str,
    /// Button: add an account.
    pub add_account: &'static str,
    /// Button and column: change an account.
    pub change: &'static str,
    /// Column: outcome.
    pub outcome: &'static str,
    /// Label of a person's name.
    pub person_name: &'static str,
    /// Label of a person's other names.
    pub other_names: &'static str,
    /// Labels of the developments and of their fields, by key.
    pub labels: &'static [(&'static str, &'static str)],
}

impl Ui {
    /// The label of a development or a field (the key itself if none).
    pub fn label<'a>(&self, key: &'a str) -> &'a str {
        self.labels
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, label)| label)
    }
}

/// English.
pub const EN: Ui = Ui {
    lang: "en",
    dir: "ltr",
    app: "Habeas",
    people: "People",
    register: "Register a person",
    sign_in: "Sign in",
    sign_out: "Sign out",
    name: "Account name",
    password: "Password",
    totp: "Code of the authenticator app (if your account has one)",
    public_roster: "Public roster",
    signed_in_as: "Signed in as",
    search: "Name or alias",
    find: "Find people",
    headline: "Status",
    any: "any",
    aliases: "Also known as",
    country: "Country",
    facility: "Held in (facility)",
    restriction: "Restriction:",
    since: "since",
    until: "until",
    nobody: "Nobody matches.",
    counts: "People by status",
    held_now: "Held now (days in custody)",
    recent: "Recorded in the last 7 days",
    overdue: "Still held after the expected end of their sentence",
    charges: "Charges",
    no_charge: "No charge recorded.",
    charged_on: "Charged",
    sentences: "Sentences",
    no_sentence: "No sentence recorded.",
    term_unknown: "term not known",
    in_absentia: "in absentia",
    suspended: "suspended",
    restrictions_in_force: "Restrictions in force",
    none_recorded: "None recorded.",
    facts: "Facts",
    facts_hint: "Every fact recorded, in the order it happened, with its sources.",
    no_fact: "No fact recorded.",
    in_history: "in the history",
    statements_about: "Statements about",
    no_statement: "No statement recorded.",
    statement_id: "Statement id",
    as_of: "As of (YYYY, YYYY-MM or YYYY-MM-DD)",
    known_at: "As known at (e.g. 2024-03-01T00:00:00Z)",
    show: "Show",
    figures: "Figures",
    days_now: "Days in custody now",
    days_total: "Days in custody in all",
    term: "Sentence",
    expected_release: "Expected release",
    unknown_no_custody: "unknown: no custody recorded",
    release_overdue: "Release overdue",
    release_overdue_text: "still held after the release was due, and no release is recorded: this person's fate must be checked",
    served: "Share of the sentence served",
    possibly: "Possibly by then, not certain:",
    timeline: "Custody timeline",
    no_timeline: "No dated fact to draw.",
    sources: "Sources",
    history: "History",
    recorded_at: "Recorded",
    recorded_by: "By",
    what: "What",
    headline_after: "Status after",
    downloads: "Reports",
    roster_downloads: "The roster as a report",
    public_variant: "public",
    record: "Record a development",
    development: "Development",
    open_form: "Open the form",
    year: "Year",
    month: "Month",
    day: "Day",
    approximate: "Approximate",
    on_or_before: "On or before this date (the day itself is not known)",
    sources_input: "Sources",
    sources_hint: "One per line: a URL, or a document reference (court file, interview record).",
    confidence: "Confidence",
    restricted: "Restricted (never in public reports; only cleared accounts see it)",
    note: "Note",
    save: "Record",
    rejected: "Nothing was recorded:",
    recorded: "Recorded. Status now:",
    correct: "Correct the date",
    retract: "Retract",
    reason: "Reason",
    corrects: "corrects",
    retracts: "retracts",
    restricted_mark: "restricted",
    error: "Something went wrong",
    skip: "Skip to the content",
    date: "Date",
    see: "See",
    import: "Import",
    import_lines: "JSON lines of commands",
    import_hint: "One command per line, as in crates/habeas-import/FORMAT.md. Check first: nothing is written until you confirm.",
    check: "Check (dry run)",
    confirm_import: "Import",
    dry_run_result: "Dry run: nothing was written",
    import_result: "Imported",
    rows: "lines",
    would_import: "would be imported",
    imported: "imported",
    already_imported: "imported before",
    rejected_rows: "rejected",
    import_file: "File (CSV or JSON lines)",
    import_format: "Format",
    format_auto: "from the file's name",
    saved_mapping: "Saved mapping (for a CSV)",
    no_saved_mapping: "none",
    mapping_file: "Or a mapping file (TOML)",
    mapping_hint: "A CSV is read through a column mapping, as in crates/habeas-import/FORMAT.md. Check first: nothing is written until you confirm.",
    save_mapping_as: "Save the uploaded mapping as",
    or_paste: "Or paste JSON lines of commands",
    preview_rows: "Row by row",
    where_col: "Where",
    content_col: "Content",
    accepted: "accepted",
    row_rejected: "rejected",
    warnings: "Warnings",
    more_rows: "more rows not shown (every rejected row is listed above)",
    store_changed: "The store changed since the check, and the import would no longer do what was shown: here is the new dry run. Confirm again if it is right.",
    digest: "Digest of the checked file",
    see_people: "See the people",
    admin: "Accounts and security",
    accounts: "Accounts",
    accounts_hint: "Passwords: habeas user password (or the API). A second factor is given by an admin, here or with habeas user totp.",
    role: "Role",
    clearance: "Reads restricted facts",
    second_factor: "Second factor",
    disabled: "Disabled",
    tokens: "API tokens",
    token_for: "Account",
    token_label: "What it is for",
    token_days: "Days until it expires (1 to 366)",
    create_token: "Issue the token",
    expires: "Expires",
    token_state: "State",
    active: "active",
    expired: "expired",
    revoked: "revoked",
    revoke: "Revoke",
    new_token_once: "The new token, shown only now: copy it into the script's configuration. The server keeps only its digest.",
    reset_second_factor: "New second factor",
    remove_second_factor: "Remove second factor",
    new_second_factor_once: "The new second factor, shown only now: give it to its owner to add to an authenticator app (the secret, or the otpauth URI). The old codes no longer work.",
    security_events: "Latest security events",
    address: "Address",
    add_account: "Add the account",
    change: "Change",
    outcome: "Outcome",
    person_name: "Name",
    other_names: "Other names (comma-separated)",
    labels: &[
        ("detained", "Detained"),
        ("charged", "Charged"),
        ("hearing", "Hearing held"),
        ("appeal", "Appeal"),
        ("acquitted", "Acquitted"),
        ("charges_dropped", "Charges dropped"),
        ("restriction_lifted", "Restriction lifted"),
        ("disappeared", "Disappeared"),
        ("recognised", "Recognised as a political prisoner"),
        ("sentenced", "Sentenced"),
        ("released", "Released"),
        ("transferred", "Transferred"),
        ("restricted", "Restriction imposed"),
        ("statement", "Statement"),
        ("death", "Died in custody"),
        ("exile", "Went into exile"),
        ("kind", "Kind"),
        ("place", "Place"),
        ("facility", "Facility"),
        ("authority", "Authority"),
        ("offence", "Offence"),
        ("article", "Article"),
        ("court", "Court"),
        ("case_number", "Case number"),
        ("outcome", "Outcome"),
        ("term_kind", "Sentence"),
        ("years", "Years"),
        ("months", "Months"),
        ("days", "Days"),
        ("conditions", "Conditions"),
        ("ordered_by", "Ordered by (a court, an amnesty decree)"),
        ("convicted_of", "Convicted of"),
        ("expected_release", "Day of release stated"),
        ("from_facility", "From facility"),
        ("to_facility", "To facility"),
        ("description", "Description"),
        ("by", "By"),
        ("by_role", "Their role"),
        ("summary", "Summary"),
        ("circumstances", "Circumstances"),
        ("country", "Country"),
        ("in_absentia", "Passed in absentia"),
        ("suspended", "Suspended"),
    ],
};

/// The language of the pages.
pub const UI: &Ui = &EN;
