//! One function per command: parse → facade call → print. No rules live here.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;
use habeas::RosterFilter;
use habeas::demo;
use habeas::error::TrackerError;
use habeas::open::{Location, OpenOptions};
use habeas::people::PersonEntry;
use habeas::tracker::{Issued, Subject, Tracker};
use habeas_domain::command::Action;
use habeas_domain::event::{
    Acquittal, Appeal, Charging, Correction, Death, Detention, Disappearance, Dismissal, Event,
    Exile, Hearing, Lifting, Recognition, Registration, Release, Restriction, Retraction,
    Sentencing, Statement, Transfer,
};
use habeas_domain::status::View;

use crate::args::{
    Cli, Command, CorrectArgs, ExportArgs, FactArgs, HistoryArgs, LogCommand, PersonAddArgs,
    PersonCommand, PersonListArgs, ReportArgs, ReportFormat, RetractArgs, StatusArgs,
};
use crate::convert;
use crate::exit::Failure;
use crate::output;

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(done) = crate::serve::run_server_command(&cli) {
        return done;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(dispatch(cli))
}

pub(crate) fn default_db() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("org", "Habeas", "habeas").context(
        "cannot find a per-user data directory (no home directory?): pass --db PATH or set HABEAS_DB",
    )?;
    Ok(dirs.data_dir().join("store"))
}

pub(crate) fn recorded_by(cli: &Cli) -> String {
    cli.recorded_by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Opens the store at `db`. Only commands that record may create one: a read
/// with a mistyped `--db` says there is no store there instead of leaving an
/// empty one behind.
fn open(db: &Location, command: &Command) -> anyhow::Result<Tracker> {
    let create = matches!(
        command,
        Command::Init
            | Command::Demo
            | Command::Person(PersonCommand::Add(_))
            | Command::Log(_)
            | Command::Import(_)
    );
    let stored_form = matches!(command, Command::Export(_));
    Ok(habeas::open::open(
        db,
        OpenOptions {
            create,
            stored_form,
        },
    )?)
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let by = recorded_by(&cli);
    match &cli.command {
        Command::Demo => return run_demo(cli.db.as_deref().map(Location::parse)).await,
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut command = Cli::command();
            clap_complete::generate(*shell, &mut command, "habeas", &mut std::io::stdout());
            return Ok(());
        }
        _ => {}
    }
    let db = match &cli.db {
        Some(db) => Location::parse(db),
        None => Location::Directory(default_db()?),
    };
    let tracker = open(&db, &cli.command)?;
    if let Command::Export(args) = cli.command {
        return export(&tracker, args).await;
    }
    if !matches!(
        cli.command,
        Command::Init | Command::Verify | Command::Rebuild
    ) {
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
            println!("store ready at {db}");
            Ok(())
        }
        Command::Demo | Command::Completions { .. } => unreachable!("handled above"),
        Command::Serve(_) | Command::User(_) | Command::Token(_) => unreachable!("handled in run"),
        Command::Person(PersonCommand::Add(args)) => person_add(&tracker, args, issued(None)).await,
        Command::Person(PersonCommand::List(args)) => person_list(&tracker, args).await,
        Command::Log(command) => log(&tracker, command, &issued).await,
        Command::Correct(args) => correct(&tracker, args, issued(None)).await,
        Command::Retract(args) => retract(&tracker, args, issued(None)).await,
        Command::Status(args) => status(&tracker, args).await,
        Command::History(args) => history(&tracker, args).await,
        Command::Report(args) => report(&tracker, args).await,
        Command::Import(args) => crate::import::import(&tracker, args, &by).await,
        Command::Export(_) => unreachable!("handled above"),
        Command::Verify => verify(&tracker).await,
        Command::Rebuild => rebuild(&tracker).await,
    }
}

async fn resolve(tracker: &Tracker, reference: &str) -> anyhow::Result<PersonEntry> {
    Ok(tracker.resolve(reference).await?)
}

async fn run_demo(db: Option<Location>) -> anyhow::Result<()> {
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
    let tracker = open(&Location::Directory(db.clone()), &Command::Demo)?;
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
        "EXAMPLE DATA: the worked example of Habeas' DOMAIN.md (a 2021 news report)."
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
    let report = tracker.person_report(people.rong_chhun, options).await?;
    let public_options = habeas::reports::ReportOptions {
        public: true,
        ..options
    };
    let public = tracker
        .person_report(people.rong_chhun, public_options)
        .await?;
    for (name, text) in [
        ("rong-chhun.html", habeas_report::html::person_html(&report)),
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
        "Reports written to {}: rong-chhun.html (open it in a browser), rong-chhun.md, rong-chhun.public.html, roster.html",
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
        sources: convert::sources(&args.sources),
    };
    let (id, _) = tracker.register_person(registration, &issued).await?;
    let person = tracker
        .person(id)
        .await?
        .context("the new person is missing from the read model")?;
    if args.output.json {
        println!(
            "{}",
            serde_json::json!({ "id": id, "slug": person.slug, "name": person.identity.name })
        );
    } else {
        println!(
            "registered {} as {} ({id})",
            person.identity.name, person.slug
        );
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
    let mut out = std::io::stdout().lock();
    if args.output.json {
        let json: Vec<_> = rows
            .iter()
            .map(|row| {
                serde_json::json!({
                    "id": row.person,
                    "slug": row.slug,
                    "name": row.identity.as_ref().map(|identity| &identity.name),
                    "aliases": row.identity.as_ref().map(|identity| &identity.aliases),
                    "headline": row.headline,
                    "days_in_custody_now": row.figures.days_in_custody_now,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        output::person_table(&mut out, &rows)?;
    }
    Ok(())
}

async fn log(
    tracker: &Tracker,
    command: LogCommand,
    issued: &dyn Fn(Option<habeas_domain::id::CommandId>) -> Issued,
) -> anyhow::Result<()> {
    let (person, facts_args, action): (Option<String>, FactArgs, Action) = match command {
        LogCommand::Detained {
            person,
            facts,
            kind,
            place,
            authority,
            facility,
        } => {
            let action = Action::RecordDetention(Detention {
                facts: convert::facts(&facts),
                kind: convert::detention_kind(kind),
                place,
                authority,
                facility,
            });
            (Some(person), facts, action)
        }
        LogCommand::Charged {
            person,
            facts,
            charges,
            articles,
            court,
            case_number,
        } => {
            let charges = convert::charges(&charges, &articles).map_err(Failure::usage_from)?;
            let action = Action::RecordCharges(Charging {
                facts: convert::facts(&facts),
                charges,
                court,
                case_number,
            });
            (Some(person), facts, action)
        }
        LogCommand::Sentenced {
            person,
            facts,
            term,
            court,
            in_absentia,
            suspended,
        } => {
            let action = Action::RecordSentence(Sentencing {
                facts: convert::facts(&facts),
                term,
                court,
                in_absentia,
                suspended,
            });
            (Some(person), facts, action)
        }
        LogCommand::Released {
            person,
            facts,
            kind,
            conditions,
        } => {
            let action = Action::RecordRelease(Release {
                facts: convert::facts(&facts),
                kind: convert::release_kind(kind),
                conditions,
            });
            (Some(person), facts, action)
        }
        LogCommand::Transferred {
            person,
            facts,
            to_facility,
            from_facility,
        } => {
            let action = Action::RecordTransfer(Transfer {
                facts: convert::facts(&facts),
                from_facility,
                to_facility,
            });
            (Some(person), facts, action)
        }
        LogCommand::Restricted {
            person,
            facts,
            kind,
            description,
            until,
        } => {
            let action = Action::ImposeRestriction(Restriction {
                facts: convert::facts(&facts),
                kind: convert::restriction_kind(kind),
                description,
                until,
            });
            (Some(person), facts, action)
        }
        LogCommand::Lifted {
            person,
            facts,
            kind,
        } => {
            let action = Action::LiftRestriction(Lifting {
                facts: convert::facts(&facts),
                kind: convert::restriction_kind(kind),
            });
            (Some(person), facts, action)
        }
        LogCommand::Hearing {
            person,
            facts,
            court,
            outcome,
        } => {
            let action = Action::RecordHearing(Hearing {
                facts: convert::facts(&facts),
                court,
                outcome,
            });
            (Some(person), facts, action)
        }
        LogCommand::Appealed {
            person,
            facts,
            court,
            outcome,
        } => {
            let action = Action::RecordAppeal(Appeal {
                facts: convert::facts(&facts),
                court,
                outcome,
            });
            (Some(person), facts, action)
        }
        LogCommand::Acquitted {
            person,
            facts,
            court,
        } => {
            let action = Action::RecordAcquittal(Acquittal {
                facts: convert::facts(&facts),
                court,
            });
            (Some(person), facts, action)
        }
        LogCommand::ChargesDropped {
            person,
            facts,
            court,
        } => {
            let action = Action::RecordChargesDropped(Dismissal {
                facts: convert::facts(&facts),
                court,
            });
            (Some(person), facts, action)
        }
        LogCommand::Died {
            person,
            facts,
            circumstances,
        } => {
            let action = Action::RecordDeathInCustody(Death {
                facts: convert::facts(&facts),
                circumstances,
            });
            (Some(person), facts, action)
        }
        LogCommand::Disappeared {
            person,
            facts,
            circumstances,
        } => {
            let action = Action::RecordDisappearance(Disappearance {
                facts: convert::facts(&facts),
                circumstances,
            });
            (Some(person), facts, action)
        }
        LogCommand::Exile {
            person,
            facts,
            country,
            circumstances,
        } => {
            let action = Action::RecordExile(Exile {
                facts: convert::facts(&facts),
                country,
                circumstances,
            });
            (Some(person), facts, action)
        }
        LogCommand::Recognised { person, facts, by } => {
            let action = Action::RecognisePoliticalPrisoner(Recognition {
                facts: convert::facts(&facts),
                by,
            });
            (Some(person), facts, action)
        }
        LogCommand::Statement {
            by,
            role,
            about,
            kind,
            summary,
            facts,
        } => {
            let mut about_ids = Vec::new();
            for reference in &about {
                about_ids.push(resolve(tracker, reference).await?.id);
            }
            let statement = Statement {
                facts: convert::facts(&facts),
                by,
                by_role: role,
                about: about_ids,
                kind: convert::statement_kind(kind),
                summary,
            };
            let (id, recorded) = tracker
                .issue_statement(statement, &issued(facts.command_id))
                .await?;
            println!(
                "recorded StatementIssued as statement {id} (event {}, position {})",
                recorded
                    .event_ids
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                recorded.last_position
            );
            return Ok(());
        }
    };
    let reference = person.expect("every case event names a person");
    let person = resolve(tracker, &reference).await?;
    let event_type = action.clone().into_event().event_type();
    let recorded = tracker
        .execute(
            Subject::Person(person.id),
            action,
            &issued(facts_args.command_id),
        )
        .await?;
    let name = &person.identity.name;
    if recorded.already_applied {
        println!(
            "already recorded: {event_type} for {name} (command {}); nothing new written",
            facts_args
                .command_id
                .map(|c| c.to_string())
                .unwrap_or_default()
        );
    } else {
        println!(
            "recorded {event_type} for {name} (event {}, position {})",
            recorded
                .event_ids
                .first()
                .map(ToString::to_string)
                .unwrap_or_default(),
            recorded.last_position
        );
    }
    Ok(())
}

async fn target_of(
    tracker: &Tracker,
    event: habeas_domain::id::EventId,
) -> anyhow::Result<(Subject, Event)> {
    let subject = tracker.subject_of(event).await?.ok_or_else(|| {
        Failure::not_found(format!(
            "no event {event} in this store: see `habeas history PERSON` for event ids"
        ))
    })?;
    let history = tracker.history_of(subject).await?;
    let file = habeas_domain::history::CaseFile::from_history(&history);
    let entry = file.entry(event).ok_or_else(|| {
        Failure::rejected(format!(
            "event {event} is not a dated fact (a registration, a details change, a correction or a retraction cannot be corrected or retracted)"
        ))
    })?;
    Ok((subject, entry.effective.clone()))
}

async fn correct(tracker: &Tracker, args: CorrectArgs, issued: Issued) -> anyhow::Result<()> {
    let (subject, mut corrected) = target_of(tracker, args.event).await?;
    let mut changed = false;
    if let Some(facts) = corrected.facts_mut() {
        if let Some(occurred) = args.occurred {
            facts.occurred = occurred;
            changed = true;
        }
        let added = convert::sources(&args.sources);
        changed |= !added.is_empty();
        facts.sources.extend(added);
    }
    match (&mut corrected, args.facility, args.term) {
        (Event::Detained(detention), Some(facility), _) => {
            detention.facility = Some(facility);
            changed = true;
        }
        (Event::Transferred(transfer), Some(facility), _) => {
            transfer.to_facility = facility;
            changed = true;
        }
        (Event::Sentenced(sentencing), _, Some(term)) => {
            sentencing.term = Some(term);
            changed = true;
        }
        (_, None, None) => {}
        (other, _, _) => {
            return Err(Failure::usage(format!(
                "--facility applies to detentions and transfers, --term to sentences; event {} is a {}",
                args.event,
                other.event_type()
            ))
            .into());
        }
    }
    if !changed {
        return Err(Failure::usage(
            "nothing to correct: give --on, --facility, --term or a new --source".to_owned(),
        )
        .into());
    }
    let action = Action::CorrectEvent(Correction {
        target: args.event,
        corrected: Box::new(corrected),
        reason: args.reason,
    });
    let recorded = tracker.execute(subject, action, &issued).await?;
    println!(
        "recorded EventCorrected for event {} (position {})",
        args.event, recorded.last_position
    );
    Ok(())
}

async fn retract(tracker: &Tracker, args: RetractArgs, issued: Issued) -> anyhow::Result<()> {
    let (subject, _) = target_of(tracker, args.event).await?;
    let action = Action::RetractEvent(Retraction {
        target: args.event,
        reason: args.reason,
    });
    let recorded = tracker.execute(subject, action, &issued).await?;
    println!(
        "recorded EventRetracted for event {} (position {})",
        args.event, recorded.last_position
    );
    Ok(())
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

async fn history(tracker: &Tracker, args: HistoryArgs) -> anyhow::Result<()> {
    let id = resolve(tracker, &args.person).await?.id;
    let entries = tracker.history(id).await?;
    let mut out = std::io::stdout().lock();
    if args.output.json {
        let json: Vec<_> = entries
            .iter()
            .map(|entry| {
                serde_json::json!({
                    "envelope": entry.envelope,
                    "headline_after": entry.headline_after,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        output::history_text(&mut out, &entries)?;
    }
    Ok(())
}

async fn export(tracker: &Tracker, args: ExportArgs) -> anyhow::Result<()> {
    let mut sink: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut from = 1;
    let mut n_events = 0u64;
    loop {
        let page = tracker
            .store()
            .read_all(from, 4096)
            .await
            .map_err(TrackerError::from)?;
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        for envelope in &page {
            serde_json::to_writer(&mut sink, envelope)?;
            sink.write_all(b"\n")?;
            n_events += 1;
        }
    }
    sink.flush()?;
    if let Some(path) = &args.output {
        eprintln!("exported {n_events} events to {}", path.display());
    }
    Ok(())
}

async fn verify(tracker: &Tracker) -> anyhow::Result<()> {
    let mut progress = crate::progress::Progress::new("verifying the log", "events");
    let report = tracker
        .store()
        .verify_with_progress(&mut |done, total| progress.update(done, total))
        .await
        .map_err(TrackerError::from)?;
    progress.finish();
    if let Some(problem) = report.first_problem {
        return Err(Failure::verify(format!(
            "the log is damaged at position {}: {:?}: {}; restore from an export (habeas export) taken before it",
            problem.position, problem.kind, problem.detail
        ))
        .into());
    }
    println!("ok: {} events, hash chain intact", report.n_events);

    let today = Utc::now().date_naive();
    let mut progress = crate::progress::Progress::new("auditing the read models", "events");
    let audit = tracker
        .audit(today, &mut |unit, done, total| {
            progress.set_unit(unit);
            progress.update(done, total);
        })
        .await?;
    progress.finish();
    if audit.is_clean() {
        println!(
            "ok: read models of {} people agree with a replay of the log (up to position {}, as of {})",
            audit.n_people, audit.checkpoint, audit.as_of
        );
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
    println!(
        "rebuilt the read models from {checkpoint} events in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn report(tracker: &Tracker, args: ReportArgs) -> anyhow::Result<()> {
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
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}
