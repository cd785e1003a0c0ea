//! One function per command: parse → facade call → print. No rules live here.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use habeas::RosterFilter;
use habeas::demo;
use habeas::error::TrackerError;
use habeas::open::{Location, OpenOptions};
use habeas::people::PersonEntry;
use habeas::tracker::{Issued, Recorded, Subject, Tracker};
use habeas_domain::amendment::Amendment;
use habeas_domain::event::Registration;
use habeas_domain::id::EventId;
use habeas_domain::status::View;
use habeas_store::{MemoryStore, StoreError};

use crate::args::{
    Cli, Command, CorrectArgs, ExportArgs, HistoryArgs, OutputArgs, PersonAddArgs, PersonCommand,
    PersonListArgs, ReportArgs, ReportFormat, RetractArgs, StatusArgs,
};
use crate::convert;
use crate::exit::Failure;
use crate::output;

/// Runs the parsed command line; `label` names the command for another
/// process that finds the store held by this one (e.g. "habeas status").
pub(crate) fn run(cli: Cli, label: String) -> anyhow::Result<()> {
    // Timers: waiting for a store another process holds, and a command that
    // meets another process's write to the same case waits before deciding
    // again.
    // Client mode: the server answers; no store is opened here.
    if let Some(url) = cli.server()
        && !matches!(cli.command, Command::Completions { .. })
    {
        return crate::remote::run(cli, &url);
    }
    if let Some(done) = crate::serve::run_server_command(&cli) {
        return done;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(dispatch(cli, label))
}

/// How often a command waiting for the store tries again.
const LOCK_RETRY: Duration = Duration::from_millis(50);

pub(crate) fn default_db() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("org", "Habeas", "habeas").context(
        "cannot find a per-user data directory (no home directory?): pass --db PATH or set HABEAS_DB",
    )?;
    Ok(dirs.data_dir().join("store"))
}

/// Whether the command records events, and so needs to say who recorded them.
fn records(command: &Command) -> bool {
    matches!(
        command,
        Command::Person(PersonCommand::Add(_) | PersonCommand::Merge(_))
            | Command::Log(_)
            | Command::Correct(_)
            | Command::Retract(_)
            | Command::Import(_)
    )
}

/// Who records: `--as`/`HABEAS_USER`, else `$USER`. Without either, the events
/// say "unknown", and a command that records says so on standard error, with
/// how to name oneself, rather than leaving a nameless audit trail unnoticed.
pub(crate) fn recorded_by(cli: &Cli) -> String {
    if let Some(name) = cli.recorded_by() {
        return name;
    }
    if records(&cli.command) {
        eprintln!(
            "habeas: warning: recording as \"unknown\": neither --as, HABEAS_USER nor USER is set; \
             pass --as NAME or set HABEAS_USER=NAME so that the audit trail says who recorded it"
        );
    }
    "unknown".to_owned()
}

/// Where to open the store, and for how long to wait for another habeas.
struct Opening<'a> {
    db: &'a Location,
    command: &'a Command,
    label: &'a str,
    wait: Duration,
}

/// Opens the store at `db`. Only `init`, `demo` and `import` (which may
/// restore a backup into a new store) create one: any other command with a
/// mistyped `--db` says there is no store there instead of leaving an empty
/// one behind. One process at a time can have a store open: while another
/// habeas has it, this one says whom it waits for and tries again, for at
/// most `wait`.
///
/// A dry-run import writes nothing at all, not even a new store: where there
/// is no store yet it decides against an empty one in memory.
fn open(opening: &Opening<'_>) -> anyhow::Result<Tracker> {
    let dry_run = matches!(opening.command, Command::Import(args) if args.dry_run);
    if dry_run
        && let Location::Directory(path) = opening.db
        && !path.exists()
    {
        let empty = MemoryStore::with_upcaster(Some(habeas::codec::upcaster()));
        return Ok(Tracker::with_temporary_projections(Arc::new(empty))?);
    }
    let create = !dry_run
        && matches!(
            opening.command,
            Command::Init | Command::Demo | Command::Import(_)
        );
    let options = OpenOptions {
        create,
        stored_form: matches!(opening.command, Command::Export(_)),
        command: Some(opening.label.to_owned()),
    };
    let deadline = Instant::now() + opening.wait;
    let mut told = false;
    loop {
        let err = match habeas::open::open(opening.db, options.clone()) {
            Err(err @ TrackerError::Store(StoreError::Locked { .. })) => err,
            other => return Ok(other?),
        };
        let found = habeas::holder::holder(opening.db);
        // A server does not finish: waiting for it is pointless, and the
        // data is reachable through it.
        if let Some(url) = found.as_ref().and_then(habeas::holder::Holder::server_url) {
            return Err(Failure::store(held_by_server(opening.db, url)).into());
        }
        let holder = found
            .map(|holder| format!(" ({holder})"))
            .unwrap_or_default();
        if Instant::now() >= deadline {
            return Err(Failure::store(format!(
                "{err}; held by another habeas{holder}, waited {} s (more with --lock-wait SECONDS)",
                opening.wait.as_secs()
            ))
            .into());
        }
        if !told {
            eprintln!("habeas: waiting for another habeas{holder} to finish…");
            told = true;
        }
        std::thread::sleep(LOCK_RETRY);
    }
}

/// `err`, or where the server holding the store is when a running `habeas
/// serve` holds it: for the commands that do not wait for the store.
pub(crate) fn unless_held_by_server(db: &Location, err: TrackerError) -> anyhow::Error {
    if matches!(err, TrackerError::Store(StoreError::Locked { .. }))
        && let Some(holder) = habeas::holder::holder(db)
        && let Some(url) = holder.server_url()
    {
        return Failure::store(held_by_server(db, url)).into();
    }
    err.into()
}

/// What to do when a running `habeas serve` holds the store at `db`.
fn held_by_server(db: &Location, url: &str) -> String {
    format!(
        "the store at {db} is held by `habeas serve` at {url}: use the web pages or the API there, \
         or `habeas --server {url} --token TOKEN …`, or stop the server"
    )
}

async fn dispatch(cli: Cli, label: String) -> anyhow::Result<()> {
    let by = recorded_by(&cli);
    let wait = cli.lock_wait().map_err(Failure::usage)?;
    match &cli.command {
        Command::Demo => return run_demo(cli.db().as_deref().map(Location::parse), wait).await,
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // clap_complete panics when its writer fails (a closed pipe):
            // generate into memory, then write as every command does.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "habeas", &mut script);
            std::io::stdout().lock().write_all(&script)?;
            return Ok(());
        }
        // Keys and signatures need no store: a recipient checks a file with
        // habeas and no store of their own.
        Command::VerifyExport(_) | Command::Key(_) => {
            let db = cli.db();
            return match cli.command {
                Command::VerifyExport(args) => crate::signing::verify_export(args),
                Command::Key(command) => crate::keys::run(command, db.as_deref()),
                _ => unreachable!("matched above"),
            };
        }
        // An encrypted backup is authenticated whole before a store is
        // opened (or made): a wrong identity or an altered byte leaves none.
        Command::Import(args) => {
            crate::import::check_backup(args)?;
        }
        _ => {}
    }
    // The signing key is unlocked (its passphrase asked) before the store is
    // opened and anything written.
    let signing_key = match &cli.command {
        Command::Export(ExportArgs {
            signing, output, ..
        })
        | Command::Report(ReportArgs {
            signing, output, ..
        }) if signing.sign => {
            crate::signing::needs_output(output.as_deref())?;
            let path = crate::keys::key_path(signing.key.as_deref(), cli.db().as_deref())?;
            Some(crate::keys::signing_key(&path)?)
        }
        _ => None,
    };
    let db = match cli.db() {
        Some(db) => Location::parse(&db),
        None => Location::Directory(default_db()?),
    };
    let tracker = open(&Opening {
        db: &db,
        command: &cli.command,
        label: &label,
        wait,
    })?;
    if let Command::Export(args) = cli.command {
        return export(&tracker, args, signing_key.as_ref()).await;
    }
    // A dry-run import decides against a copy of the log and its own read
    // models: it leaves the store's read models as they are.
    let dry_run = matches!(&cli.command, Command::Import(args) if args.dry_run);
    if !dry_run
        && !matches!(
            cli.command,
            Command::Init | Command::Verify(_) | Command::Rebuild
        )
    {
        // The first command after an upgrade (or after the read models were
        // deleted) builds them from the whole log: show how far it is.
        let mut progress = crate::progress::Progress::new("updating read models", "events");
        tracker
            .refresh(&mut |done, total| progress.update(done, total))
            .await?;
        progress.finish();
    }
    let issued = |command_id| Issued {
        recorded_by: by.clone(),
        command_id,
        at: Utc::now(),
    };
    match cli.command {
        Command::Init => {
            writeln!(std::io::stdout(), "store ready at {db}")?;
            Ok(())
        }
        Command::Demo
        | Command::Completions { .. }
        | Command::VerifyExport(_)
        | Command::Key(_) => unreachable!("handled above"),
        Command::Serve(_) | Command::User(_) | Command::Token(_) | Command::Audit(_) => {
            unreachable!("handled in run")
        }
        Command::Person(PersonCommand::Add(args)) => {
            person_add(&tracker, *args, issued(None)).await
        }
        Command::Person(PersonCommand::List(args)) => person_list(&tracker, args).await,
        Command::Person(PersonCommand::Merge(args)) => {
            person_merge(&tracker, args, issued(None)).await
        }
        Command::Log(command) => crate::log::log(&tracker, command, &issued).await,
        Command::Correct(args) => correct(&tracker, args, issued(None)).await,
        Command::Retract(args) => retract(&tracker, args, issued(None)).await,
        Command::Status(args) => status(&tracker, args).await,
        Command::History(args) => history(&tracker, args).await,
        Command::Statements(args) => statements(&tracker, args).await,
        Command::Report(args) => report(&tracker, args, signing_key.as_ref()).await,
        Command::Import(args) => crate::import::import(&tracker, args, &by).await,
        Command::Export(_) => unreachable!("handled above"),
        Command::Verify(output) => verify(&tracker, output).await,
        Command::Rebuild => rebuild(&tracker).await,
    }
}

async fn resolve(tracker: &Tracker, reference: &str) -> anyhow::Result<PersonEntry> {
    Ok(tracker.resolve(reference).await?)
}

async fn run_demo(db: Option<Location>, wait: Duration) -> anyhow::Result<()> {
    let db = match db {
        Some(Location::Directory(db)) => db,
        Some(Location::Postgres(_)) => {
            return Err(Failure::usage(
                "the demo writes its reports beside the store: pass --db with a directory",
            )
            .into());
        }
        None => {
            let dir = std::env::temp_dir().join(format!(
                "habeas-demo-{}",
                Utc::now().format("%Y%m%d-%H%M%S-%f")
            ));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            dir
        }
    };
    let tracker = open(&Opening {
        db: &Location::Directory(db.clone()),
        command: &Command::Demo,
        label: "habeas demo",
        wait,
    })?;
    if tracker.store().head().await.map_err(TrackerError::from)? != 0 {
        return Err(Failure::usage(format!(
            "the demo builds a new example store, but {} already holds events: pass --db with a new directory",
            db.display()
        ))
        .into());
    }
    let people = demo::load(&tracker).await?;
    let view = View {
        as_of: Utc::now().date_naive(),
        known_at: Utc::now(),
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "EXAMPLE DATA: the worked example of Habeas' docs/domain.md (a 2021 news report)."
    )?;
    writeln!(out, "Example store written to {}\n", db.display())?;
    let index = tracker.people().await?;
    for person in index.people() {
        let status = tracker.status(person.id, view).await?;
        output::status_text(&mut out, person, &status)?;
        writeln!(out)?;
    }
    let statements = tracker.statements_about(people.rong_chhun).await?;
    writeln!(out, "Statements about Rong Chhun:")?;
    for record in statements {
        output::statement_line(&mut out, &record.statement)?;
    }
    let options = habeas::reports::ReportOptions {
        view,
        public: false,
    };
    let roster = tracker.roster(options).await?;
    writeln!(
        out,
        "\n{}",
        habeas_report::markdown::roster_markdown(&roster)
    )?;
    let reports = db.join("reports");
    std::fs::create_dir_all(&reports)
        .with_context(|| format!("cannot create {}", reports.display()))?;
    // Every person's report as SLUG.html, where the roster's links lead.
    for person in index.people() {
        let report = tracker.person_report(person.id, options).await?;
        let name = format!("{}.html", person.slug);
        std::fs::write(
            reports.join(&name),
            habeas_report::html::person_html(&report),
        )
        .with_context(|| format!("cannot write {name}"))?;
    }
    let report = tracker.person_report(people.rong_chhun, options).await?;
    let public_options = habeas::reports::ReportOptions {
        public: true,
        ..options
    };
    let public = tracker
        .person_report(people.rong_chhun, public_options)
        .await?;
    for (name, text) in [
        (
            "rong-chhun.md",
            habeas_report::markdown::person_markdown(&report),
        ),
        (
            "rong-chhun.public.html",
            habeas_report::html::person_html(&public),
        ),
        ("roster.html", habeas_report::html::roster_html(&roster)),
    ] {
        std::fs::write(reports.join(name), text).with_context(|| format!("cannot write {name}"))?;
    }
    writeln!(
        out,
        "Reports written to {}: roster.html (open it in a browser; each name links to that person's report, rong-chhun.html and the others), rong-chhun.md, rong-chhun.public.html",
        reports.display()
    )?;
    writeln!(
        out,
        "\nExplore it:\n  habeas --db {db} status \"Rorng Chhun\" --as-of 2021-01-15\n  habeas --db {db} history rong-chhun\n  habeas --db {db} verify",
        db = shell_quote(&db)
    )?;
    Ok(())
}

fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

async fn person_add(tracker: &Tracker, args: PersonAddArgs, issued: Issued) -> anyhow::Result<()> {
    let registration = Registration {
        name: args.name.trim().to_owned(),
        aliases: args.aliases.iter().map(|a| a.trim().to_owned()).collect(),
        country: args.country,
        affiliation: args.affiliation,
        born: args.born,
        sources: convert::sources(&args.sources).map_err(Failure::usage_from)?,
        details: habeas_domain::event::PersonDetails {
            sex: args.sex,
            born_in: args.born_in,
            residence: args.residence,
            group: args.group,
        },
    };
    let (id, recorded) = tracker.register_person(registration, &issued).await?;
    let person = tracker
        .person(id)
        .await?
        .context("the new person is missing from the read model")?;
    let mut out = std::io::stdout().lock();
    if args.output.json {
        let headline = tracker.status(id, now()).await?.headline;
        let mut json = output::recorded_json("registration", &recorded, Some(headline));
        json["id"] = serde_json::json!(id);
        json["slug"] = serde_json::json!(person.slug);
        json["name"] = serde_json::json!(person.identity.name);
        writeln!(out, "{json}")?;
    } else {
        match person.slug_if_distinct() {
            Some(slug) => writeln!(out, "registered {} as {slug} ({id})", person.identity.name)?,
            None => writeln!(out, "registered {} ({id})", person.identity.name)?,
        }
    }
    Ok(())
}

async fn person_list(tracker: &Tracker, args: PersonListArgs) -> anyhow::Result<()> {
    let filter = RosterFilter {
        as_of: Utc::now().date_naive(),
        headlines: args.status.into_iter().collect(),
    };
    let mut rows = tracker.roster_rows(&filter).await?;
    // A list of people reads by name; the roster report groups by status.
    rows.sort_by_cached_key(|row| (habeas::people::fold(&row.display_name()), row.person));
    output::list(
        args.output.json,
        &rows,
        output::person_row_json,
        output::person_table,
    )
}

async fn correct(tracker: &Tracker, args: CorrectArgs, issued: Issued) -> anyhow::Result<()> {
    let amendment = Amendment {
        occurred: args.occurred,
        added_sources: convert::sources(&args.sources).map_err(Failure::usage_from)?,
        facility: args.facility,
        term: args.term,
    };
    let recorded = tracker
        .correct(args.event, &amendment, args.reason, &issued)
        .await?;
    amended(
        tracker,
        "correction",
        args.event,
        &recorded,
        args.output.json,
    )
    .await
}

/// Reports a correction or a retraction of `target`: what was recorded, and
/// the headline of the person it concerns now.
async fn amended(
    tracker: &Tracker,
    noun: &str,
    target: EventId,
    recorded: &Recorded,
    json: bool,
) -> anyhow::Result<()> {
    let person = match tracker.subject_of(target).await? {
        Some(Subject::Person(person)) => Some(person),
        _ => None,
    };
    let headline = match person {
        Some(person) => Some(tracker.status(person, now()).await?.headline),
        None => None,
    };
    let mut out = std::io::stdout().lock();
    if json {
        let mut value = output::recorded_json(noun, recorded, headline);
        value["target"] = serde_json::json!(target);
        value["person"] = serde_json::json!(person);
        writeln!(out, "{value}")?;
    } else {
        let now = headline
            .map(|headline| format!("; now {headline}"))
            .unwrap_or_default();
        writeln!(
            out,
            "{noun} recorded for event {target} (event {}, position {}){now}",
            output::first_event(recorded),
            recorded.last_position
        )?;
    }
    Ok(())
}

/// Today, as known now: the view of a status right after recording.
pub(crate) fn now() -> View {
    View {
        as_of: Utc::now().date_naive(),
        known_at: Utc::now(),
    }
}

async fn retract(tracker: &Tracker, args: RetractArgs, issued: Issued) -> anyhow::Result<()> {
    let recorded = tracker.retract(args.event, args.reason, &issued).await?;
    amended(
        tracker,
        "retraction",
        args.event,
        &recorded,
        args.output.json,
    )
    .await
}

async fn status(tracker: &Tracker, args: StatusArgs) -> anyhow::Result<()> {
    let person = resolve(tracker, &args.person).await?;
    let id = person.id;
    let view = View {
        // A partial --as-of means "by the end of that month or year".
        as_of: args
            .as_of
            .map_or_else(|| Utc::now().date_naive(), |date| date.latest()),
        known_at: args.known_at.unwrap_or_else(Utc::now),
    };
    let status = tracker.status(id, view).await?;
    let mut out = std::io::stdout().lock();
    if args.output.json {
        let json = serde_json::json!({ "id": id, "slug": person.slug, "status": status });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        output::status_text(&mut out, &person, &status)?;
    }
    Ok(())
}

/// `habeas statements`: every statement (or those naming one person), with
/// who it names, so that one naming no one is found too.
async fn statements(tracker: &Tracker, args: crate::args::StatementsArgs) -> anyhow::Result<()> {
    let records = match &args.about {
        Some(person) => {
            let id = resolve(tracker, person).await?.id;
            tracker.statements_about(id).await?
        }
        None => tracker.statements().await?,
    };
    let people = tracker.people().await?;
    let name_of = |id: &habeas_domain::id::PersonId| {
        people
            .people()
            .iter()
            .find(|entry| entry.id == *id)
            .map_or_else(|| id.to_string(), |entry| entry.label())
    };
    let mut out = std::io::stdout().lock();
    if args.output.json {
        let rows: Vec<serde_json::Value> = records
            .iter()
            .map(|record| {
                serde_json::json!({
                    "statement": record.id.to_string(),
                    "event": record.event_id.to_string(),
                    "occurred": record.statement.facts.occurred.to_string(),
                    "by": record.statement.by,
                    "kind": record.statement.kind,
                    "summary": record.statement.summary,
                    "about": record.statement.about.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "sources": record.statement.facts.sources,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::Value::Array(rows))?;
        return Ok(());
    }
    if records.is_empty() {
        writeln!(out, "no statements recorded")?;
        return Ok(());
    }
    for record in &records {
        let about = if record.statement.about.is_empty() {
            "names no one".to_owned()
        } else {
            let names: Vec<String> = record.statement.about.iter().map(name_of).collect();
            format!("about {}", names.join(", "))
        };
        writeln!(
            out,
            "{}  {} by {} ({about}): {}\n    statement {} (event {})",
            record.statement.facts.occurred,
            habeas_report::describe::statement_kind(record.statement.kind),
            record.statement.by,
            record.statement.summary,
            record.id,
            record.event_id
        )?;
    }
    Ok(())
}

async fn history(tracker: &Tracker, args: HistoryArgs) -> anyhow::Result<()> {
    let id = resolve(tracker, &args.person).await?.id;
    let entries = tracker.history(id).await?;
    output::list(
        args.output.json,
        &entries,
        output::history_entry_json,
        output::history_text,
    )?;
    if !args.output.json {
        // A duplicate merged into this record keeps its own history.
        for merged in tracker.merged_into(id).await? {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "\nmerged into this record: {} ({}); its own history:",
                merged.label(),
                merged.id
            )?;
            output::history_text(&mut out, &tracker.history(merged.id).await?)?;
        }
    }
    Ok(())
}

/// Writes every envelope, one JSON per line; returns how many and the head.
async fn write_envelopes(
    tracker: &Tracker,
    sink: &mut dyn Write,
) -> anyhow::Result<(u64, habeas_seal::signature::Head)> {
    let mut from = 1;
    let mut n_events = 0u64;
    let mut head = habeas_seal::signature::Head {
        position: 0,
        hash: habeas_store::GENESIS_HASH.to_owned(),
    };
    loop {
        let page = tracker
            .store()
            .read_all(from, 4096)
            .await
            .map_err(TrackerError::from)?;
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        for envelope in &page {
            serde_json::to_writer(&mut *sink, envelope)?;
            sink.write_all(b"\n")?;
            n_events += 1;
        }
        head = habeas_seal::signature::Head {
            position: last.position,
            hash: last.hash.clone(),
        };
    }
    Ok((n_events, head))
}

/// `habeas export`: the log as JSON lines, to a file or standard output;
/// encrypted to a recipient and signed on request (the signature covers the
/// bytes written, so an encrypted backup is checked without opening it).
async fn export(
    tracker: &Tracker,
    args: ExportArgs,
    signing_key: Option<&habeas_seal::key_file::OrganisationKey>,
) -> anyhow::Result<()> {
    let sink: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut digesting = habeas_seal::digest::DigestWriter::new(sink);
    let (n_events, head) = match &args.encrypt_to {
        Some(recipient) => {
            let mut sealing = habeas_seal::backup::SealWriter::new(&mut digesting, recipient)?;
            let written = write_envelopes(tracker, &mut sealing).await?;
            sealing.finish()?;
            written
        }
        None => write_envelopes(tracker, &mut digesting).await?,
    };
    let (digest, mut sink) = digesting.finish();
    sink.flush()?;
    drop(sink);
    let mut signed = String::new();
    if let (Some(key), Some(path)) = (signing_key, &args.output) {
        let sig = crate::signing::write_signature(path, key, digest, head)?;
        signed = format!(", signed in {}", sig.display());
    }
    if let Some(path) = &args.output {
        let encrypted = match &args.encrypt_to {
            Some(recipient) => format!(", encrypted to {recipient}"),
            None => String::new(),
        };
        eprintln!(
            "exported {n_events} events to {}{encrypted}{signed}",
            path.display()
        );
    }
    Ok(())
}

async fn verify(tracker: &Tracker, output: OutputArgs) -> anyhow::Result<()> {
    let mut progress = crate::progress::Progress::new("verifying the log", "events");
    let report = tracker
        .store()
        .verify_with_progress(&mut |done, total| progress.update(done, total))
        .await
        .map_err(TrackerError::from)?;
    progress.finish();
    let mut out = std::io::stdout().lock();
    if let Some(problem) = report.first_problem {
        let kind = output::type_words(&format!("{:?}", problem.kind));
        if output.json {
            let json = serde_json::json!({
                "events": report.n_events,
                "chain_intact": false,
                "problem": {"position": problem.position, "kind": kind, "detail": problem.detail},
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        }
        return Err(Failure::verify(format!(
            "the log is damaged at position {} ({kind}): {}; restore from an export (habeas export) taken before it",
            problem.position, problem.detail
        ))
        .into());
    }
    if !output.json {
        writeln!(out, "ok: {} events, hash chain intact", report.n_events)?;
    }

    let today = Utc::now().date_naive();
    let mut progress = crate::progress::Progress::new("auditing the read models", "events");
    let audit = tracker
        .audit(today, &mut |unit, done, total| {
            progress.set_unit(unit);
            progress.update(done, total);
        })
        .await?;
    progress.finish();
    if output.json {
        let differences: Vec<_> = audit
            .differences
            .iter()
            .map(|difference| {
                serde_json::json!({
                    "person": difference.person,
                    "field": difference.field,
                    "stored": difference.stored,
                    "replayed": difference.replayed,
                })
            })
            .collect();
        let json = serde_json::json!({
            "events": report.n_events,
            "chain_intact": true,
            "read_models": {
                "people": audit.n_people,
                "checkpoint": audit.checkpoint,
                "as_of": audit.as_of,
                "agree": audit.is_clean(),
                "differences": differences,
            },
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    }
    if audit.is_clean() {
        if !output.json {
            writeln!(
                out,
                "ok: read models of {} people agree with a replay of the log (up to position {}, as of {})",
                audit.n_people, audit.checkpoint, audit.as_of
            )?;
        }
        return Ok(());
    }
    const SHOWN: usize = 20;
    let mut message = format!(
        "the read models differ from a replay of the log in {} places (as of {}):",
        audit.differences.len(),
        audit.as_of
    );
    for difference in audit.differences.iter().take(SHOWN) {
        message.push_str(&format!(
            "\n  person {} {}: stored {} but the log gives {}",
            difference.person, difference.field, difference.stored, difference.replayed
        ));
    }
    if audit.differences.len() > SHOWN {
        message.push_str(&format!(
            "\n  … and {} more",
            audit.differences.len() - SHOWN
        ));
    }
    message.push_str(
        "\nThe log is intact, so nothing is lost: run `habeas rebuild` to rebuild the read models from it.",
    );
    Err(Failure::verify(message).into())
}

async fn rebuild(tracker: &Tracker) -> anyhow::Result<()> {
    let mut progress = crate::progress::Progress::new("rebuilding the read models", "events");
    let began = std::time::Instant::now();
    let checkpoint = tracker
        .rebuild(&mut |done, total| progress.update(done, total))
        .await?;
    progress.finish();
    writeln!(
        std::io::stdout(),
        "rebuilt the read models from {checkpoint} events in {:.1} s",
        began.elapsed().as_secs_f64()
    )?;
    Ok(())
}

async fn report(
    tracker: &Tracker,
    args: ReportArgs,
    signing_key: Option<&habeas_seal::key_file::OrganisationKey>,
) -> anyhow::Result<()> {
    let options = habeas::reports::ReportOptions {
        view: View {
            as_of: args
                .as_of
                .map_or_else(|| Utc::now().date_naive(), |date| date.latest()),
            known_at: args.known_at.unwrap_or_else(Utc::now),
        },
        public: args.public,
    };
    let text = match &args.person {
        None => {
            let roster = tracker.roster(options).await?;
            match args.format {
                ReportFormat::Md => habeas_report::markdown::roster_markdown(&roster),
                ReportFormat::Html => habeas_report::html::roster_html(&roster),
                ReportFormat::Json => habeas_report::json::roster_json(&roster),
                ReportFormat::Csv => habeas_report::csv::roster_csv(&roster),
            }
        }
        Some(reference) => {
            if args.format == ReportFormat::Csv {
                return Err(Failure::usage(
                    "csv is for rosters (--roster); use md, html or json for one person",
                )
                .into());
            }
            let id = resolve(tracker, reference).await?.id;
            let report = tracker.person_report(id, options).await?;
            match args.format {
                ReportFormat::Html => habeas_report::html::person_html(&report),
                ReportFormat::Json => habeas_report::json::person_json(&report),
                _ => habeas_report::markdown::person_markdown(&report),
            }
        }
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
            if let Some(key) = signing_key {
                let digest = habeas_seal::digest::Digest::of_reader(text.as_bytes())?;
                let head = crate::signing::head(tracker).await?;
                let sig = crate::signing::write_signature(path, key, digest, head)?;
                eprintln!("signed it in {}", sig.display());
            }
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// `habeas person merge`: the duplicate's facts copied to the right record,
/// the duplicate closed (`Tracker::merge` holds the rules).
async fn person_merge(
    tracker: &Tracker,
    args: crate::args::PersonMergeArgs,
    issued: Issued,
) -> anyhow::Result<()> {
    let duplicate = tracker.resolve(&args.duplicate).await?;
    let into = tracker.resolve(&args.into).await?;
    if duplicate.id == into.id {
        // Also what a record merged before resolves to: name what was typed.
        return Err(TrackerError::MergeIntoItself {
            reference: args.duplicate,
            name: into.label(),
        }
        .into());
    }
    let (copied, closed) = tracker
        .merge(&duplicate, &into, args.reason, &issued)
        .await?;
    let recorded_on_into: Vec<String> = copied
        .iter()
        .flat_map(|recorded| recorded.event_ids.iter().map(ToString::to_string))
        .collect();
    let n_copied = recorded_on_into.len();
    let mut out = std::io::stdout().lock();
    if args.output.json {
        let value = serde_json::json!({
            "merged": duplicate.id.to_string(),
            "into": into.id.to_string(),
            "events_recorded_on_into": recorded_on_into,
            "closing_event": closed.event_ids.first().map(ToString::to_string),
            "last_position": closed.last_position,
        });
        writeln!(out, "{value}")?;
    } else {
        writeln!(
            out,
            "merged {} into {}: {n_copied} event{} recorded on {} (facts and names); {} now finds {}",
            duplicate.label(),
            into.label(),
            if n_copied == 1 { "" } else { "s" },
            into.slug,
            duplicate.slug,
            into.slug
        )?;
    }
    Ok(())
}
