//! The command line, as clap parses it. Dates, terms and ids are parsed here by
//! the domain's own parsers, so a bad value is refused before anything opens
//! the store, with a message that names it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use habeas_domain::date::PartialDate;
use habeas_domain::id::{CommandId, EventId};
use habeas_domain::term::Term;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the store could not be used (missing, locked by another habeas, damaged, disk error)
  2  usage: an unknown flag, a missing argument, a value that does not parse
  3  rejected: the rules refuse the command (e.g. a release without custody); nothing was recorded
  4  no such person, or a name that matches several people
  5  verify found a problem in the log";

/// Habeas: an event-sourced case tracker for political prisoners and
/// persecuted activists. Every development is recorded as an event with its
/// sources; status is always derived from the events.
#[derive(Debug, Parser)]
#[command(name = "habeas", version, after_help = EXIT_CODES, after_long_help = EXIT_CODES)]
pub(crate) struct Cli {
    /// The store: a directory, or a postgres:// URL [default: $HABEAS_DB, else the per-user data directory, e.g. ~/.local/share/habeas/store]
    #[arg(long, global = true, env = "HABEAS_DB", value_name = "PATH|URL")]
    pub(crate) db: Option<String>,

    /// Who is recording, kept with every event [default: $HABEAS_USER, else $USER]
    #[arg(long = "as", global = true, env = "HABEAS_USER", value_name = "NAME")]
    pub(crate) recorded_by: Option<String>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create an empty store (commands that record create it too; reads never do).
    Init,
    /// Build an example store from the worked example (Rong Chhun, 2021) and print a report.
    ///
    /// The store is new and labelled EXAMPLE DATA; without --db it is made in a
    /// fresh temporary directory, so your own store is never touched.
    #[command(after_help = "Example:\n  habeas demo\n  habeas demo --db ./example-store")]
    Demo,
    /// Register people and list them.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Record a development in a case.
    #[command(subcommand)]
    Log(LogCommand),
    /// Correct an earlier event: give the corrected fields; the rest stay as they were.
    Correct(CorrectArgs),
    /// Retract an earlier event; nothing is deleted.
    Retract(RetractArgs),
    /// A person's status, derived from their events.
    #[command(
        after_help = "Examples:\n  habeas status \"Rong Chhun\"\n  habeas status rorng-chhun --as-of 2021-01-15\n  habeas status rong-chhun --known-at 2021-11-01T00:00:00Z --json"
    )]
    Status(StatusArgs),
    /// A person's audit trail: every event, when and by whom it was recorded.
    History(HistoryArgs),
    /// A status report for a person, or the roster of everyone, to publish or file.
    #[command(
        after_help = "Examples:\n  habeas report \"Rong Chhun\" --format html -o rong-chhun.html\n  habeas report rong-chhun --public --format md\n  habeas report --roster --format csv -o roster.csv"
    )]
    Report(ReportArgs),
    /// Import many developments at once: JSON lines of commands, or a CSV file through a column mapping.
    #[command(
        after_help = "Examples:\n  habeas import cases.jsonl\n  habeas import CHRD_fullinfo.csv --mapping examples/mappings/chrd.toml --dry-run"
    )]
    Import(crate::import::ImportArgs),
    /// Write the whole log, one envelope per line (a backup).
    Export(ExportArgs),
    /// Check the hash chain of the whole log, then audit the read models
    /// against a replay of it; exit 5 on any problem.
    #[command(
        after_help = "A damaged log: restore from an export taken before the damage.\nRead models that differ from the log: run `habeas rebuild` (they are derived data)."
    )]
    Verify,
    /// Rebuild the read models (people, statuses, rosters) from the log.
    ///
    /// Safe at any time: they are derived data, built into a fresh copy and
    /// switched in at the end; `habeas verify` tells when one is needed.
    Rebuild,
    /// Serve the HTTP API to a team (accounts: `habeas user add`).
    #[command(
        after_help = "Example:\n  habeas user add ana --role admin\n  habeas serve --listen 127.0.0.1:8080 --public-reports"
    )]
    Serve(crate::serve::ServeArgs),
    /// Manage the accounts of `habeas serve`.
    #[command(subcommand)]
    User(crate::users::UserCommand),
    /// Manage the bearer tokens of `habeas serve`, for scripts.
    #[command(subcommand)]
    Token(crate::users::TokenCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  habeas completions bash > ~/.local/share/bash-completion/completions/habeas"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PersonCommand {
    /// Register a person.
    #[command(
        after_help = "Example:\n  habeas person add \"Rong Chhun\" --alias \"Rorng Chhun\" --country Cambodia --affiliation \"union leader\""
    )]
    Add(PersonAddArgs),
    /// List everyone with their status headline.
    List(PersonListArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PersonAddArgs {
    /// The name most sources use.
    pub(crate) name: String,
    /// Another spelling or the name in native script (repeatable).
    #[arg(long = "alias", value_name = "ALIAS")]
    pub(crate) aliases: Vec<String>,
    /// Country of the case.
    #[arg(long)]
    pub(crate) country: Option<String>,
    /// Affiliation or role, e.g. "union leader".
    #[arg(long)]
    pub(crate) affiliation: Option<String>,
    /// Birth date: YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub(crate) born: Option<PartialDate>,
    #[command(flatten)]
    pub(crate) sources: SourceArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct PersonListArgs {
    /// Only people with this headline (detained, charged, serving-sentence, released …).
    #[arg(long, value_name = "HEADLINE")]
    pub(crate) status: Option<habeas_domain::status::Headline>,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct OutputArgs {
    /// Print JSON for machines instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Where a fact comes from; at least one --source or --document is required.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct SourceArgs {
    /// A URL that reports the fact (repeatable).
    #[arg(long = "source", value_name = "URL")]
    pub(crate) urls: Vec<String>,
    /// A document reference without a URL, e.g. "court file 123/2020" (repeatable).
    #[arg(long = "document", value_name = "REF")]
    pub(crate) documents: Vec<String>,
}

/// What every recorded fact carries.
#[derive(Debug, Args, Clone)]
pub(crate) struct FactArgs {
    /// When it happened: YYYY, YYYY-MM or YYYY-MM-DD; a trailing ~ marks it approximate.
    #[arg(long = "on", value_name = "DATE")]
    pub(crate) occurred: PartialDate,
    #[command(flatten)]
    pub(crate) sources: SourceArgs,
    /// How well it is established.
    #[arg(long, value_enum, default_value_t = ConfidenceArg::Reported)]
    pub(crate) confidence: ConfidenceArg,
    /// A note for the documentation team (left out of public reports).
    #[arg(long)]
    pub(crate) note: Option<String>,
    /// Keep this fact out of public reports.
    #[arg(long)]
    pub(crate) restricted: bool,
    /// An id for this command, so that running it again records nothing new.
    #[arg(long, value_name = "UUID")]
    pub(crate) command_id: Option<CommandId>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LogCommand {
    /// The person was detained.
    #[command(
        after_help = "Example:\n  habeas log detained \"Rong Chhun\" --on 2020-07 --place \"Phnom Penh\" --facility \"Prey Sar prison\" --source https://example.org/report"
    )]
    Detained {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// How.
        #[arg(long, value_enum, default_value_t = DetentionKindArg::Arrest)]
        kind: DetentionKindArg,
        /// Where (city, province).
        #[arg(long)]
        place: Option<String>,
        /// Who detained them.
        #[arg(long)]
        authority: Option<String>,
        /// The prison or detention centre.
        #[arg(long)]
        facility: Option<String>,
    },
    /// The person was charged.
    #[command(
        after_help = "Example:\n  habeas log charged rong-chhun --on 2020-08 --charge incitement --article \"Criminal Code art. 495\" --source https://example.org/report"
    )]
    Charged {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// An offence as charged (repeatable).
        #[arg(long = "charge", value_name = "OFFENCE", required = true)]
        charges: Vec<String>,
        /// The legal article of the charge in the same place (repeatable).
        #[arg(long = "article", value_name = "ARTICLE")]
        articles: Vec<String>,
        /// The court.
        #[arg(long)]
        court: Option<String>,
        /// The court's case number.
        #[arg(long)]
        case_number: Option<String>,
    },
    /// The person was sentenced.
    Sentenced {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// The term: 2y, 1y6m, 10d, life or death; leave out when unknown.
        #[arg(long, value_name = "TERM")]
        term: Option<Term>,
        /// The court.
        #[arg(long)]
        court: Option<String>,
        /// Sentenced without being present.
        #[arg(long)]
        in_absentia: bool,
        /// The sentence is suspended.
        #[arg(long)]
        suspended: bool,
    },
    /// The person was released.
    Released {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// Why.
        #[arg(long, value_enum, default_value_t = ReleaseKindArg::Other)]
        kind: ReleaseKindArg,
        /// Conditions attached.
        #[arg(long)]
        conditions: Option<String>,
    },
    /// The person was moved to another facility.
    Transferred {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// The facility they were taken to.
        #[arg(long = "to", value_name = "FACILITY")]
        to_facility: String,
        /// The facility they left.
        #[arg(long = "from", value_name = "FACILITY")]
        from_facility: Option<String>,
    },
    /// A restriction was imposed (ban on political activity, travel ban …).
    Restricted {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// What kind.
        #[arg(long, value_enum)]
        kind: RestrictionKindArg,
        /// Its wording.
        #[arg(long)]
        description: Option<String>,
        /// When it ends by itself.
        #[arg(long, value_name = "DATE")]
        until: Option<PartialDate>,
    },
    /// A restriction was lifted.
    Lifted {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// Which kind of restriction.
        #[arg(long, value_enum)]
        kind: RestrictionKindArg,
    },
    /// A hearing took place.
    Hearing {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// The court.
        #[arg(long)]
        court: Option<String>,
        /// What came of it.
        #[arg(long)]
        outcome: Option<String>,
    },
    /// A decision was appealed.
    Appealed {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// The court of appeal.
        #[arg(long)]
        court: Option<String>,
        /// What came of it, once known.
        #[arg(long)]
        outcome: Option<String>,
    },
    /// The person was acquitted.
    Acquitted {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// The court.
        #[arg(long)]
        court: Option<String>,
    },
    /// The charges were dropped.
    ChargesDropped {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// The court or prosecutor.
        #[arg(long)]
        court: Option<String>,
    },
    /// The person died in custody.
    Died {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// What is known of how.
        #[arg(long)]
        circumstances: Option<String>,
    },
    /// The person disappeared.
    Disappeared {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// What is known of how.
        #[arg(long)]
        circumstances: Option<String>,
    },
    /// The person went into exile.
    Exile {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// The country of exile, when it is safe to say.
        #[arg(long)]
        country: Option<String>,
        /// What is known of how.
        #[arg(long)]
        circumstances: Option<String>,
    },
    /// An organisation recognised the person as a political prisoner.
    Recognised {
        /// Id, slug, name or alias.
        person: String,
        #[command(flatten)]
        facts: FactArgs,
        /// Who recognised them, e.g. an NGO's list.
        #[arg(long)]
        by: String,
    },
    /// A statement was issued, about some people or none by name.
    #[command(
        after_help = "Example:\n  habeas log statement --by \"United Nations\" --on 2021-11-02 --about rong-chhun --kind other --summary \"Urged Cambodia to protect civic space.\" --source https://example.org/un"
    )]
    Statement {
        /// Who issued it.
        #[arg(long)]
        by: String,
        /// Their role.
        #[arg(long)]
        role: Option<String>,
        /// A person it concerns (repeatable).
        #[arg(long = "about", value_name = "PERSON")]
        about: Vec<String>,
        /// What it does.
        #[arg(long, value_enum, default_value_t = StatementKindArg::Other)]
        kind: StatementKindArg,
        /// What it says.
        #[arg(long)]
        summary: String,
        #[command(flatten)]
        facts: FactArgs,
    },
}

#[derive(Debug, Args)]
pub(crate) struct CorrectArgs {
    /// The event to correct (see `habeas history`).
    pub(crate) event: EventId,
    /// Why it is corrected.
    #[arg(long)]
    pub(crate) reason: String,
    /// The corrected date.
    #[arg(long = "on", value_name = "DATE")]
    pub(crate) occurred: Option<PartialDate>,
    /// The corrected facility (detentions, transfers).
    #[arg(long)]
    pub(crate) facility: Option<String>,
    /// The corrected term (sentences).
    #[arg(long)]
    pub(crate) term: Option<Term>,
    /// A source to add.
    #[command(flatten)]
    pub(crate) sources: SourceArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RetractArgs {
    /// The event to retract (see `habeas history`).
    pub(crate) event: EventId,
    /// Why it is retracted.
    #[arg(long)]
    pub(crate) reason: String,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Id, slug, name or alias.
    pub(crate) person: String,
    /// The day the status describes [default: today].
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<PartialDate>,
    /// Count only events recorded at or before this time (RFC 3339, e.g. 2021-11-01T00:00:00Z) [default: now].
    #[arg(long, value_name = "TIME")]
    pub(crate) known_at: Option<DateTime<Utc>>,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// Id, slug, name or alias.
    pub(crate) person: String,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Id, slug, name or alias (or --roster for everyone).
    #[arg(required_unless_present = "roster", conflicts_with = "roster")]
    pub(crate) person: Option<String>,
    /// The roster of everyone instead of one person.
    #[arg(long)]
    pub(crate) roster: bool,
    /// Output format; csv is for rosters only.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub(crate) format: ReportFormat,
    /// The public version: leaves out restricted facts, notes and staff names.
    #[arg(long)]
    pub(crate) public: bool,
    /// The day the report describes [default: today].
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<PartialDate>,
    /// Count only events recorded at or before this time (RFC 3339) [default: now].
    #[arg(long, value_name = "TIME")]
    pub(crate) known_at: Option<DateTime<Utc>>,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Markdown.
    Md,
    /// One self-contained HTML file.
    Html,
    /// JSON (schema habeas.person-report / habeas.roster, version 1).
    Json,
    /// CSV, one row per person (rosters only).
    Csv,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ConfidenceArg {
    Confirmed,
    Reported,
    Alleged,
    Disputed,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum DetentionKindArg {
    Arrest,
    AdministrativeDetention,
    HouseArrest,
    EnforcedDisappearance,
    Other,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ReleaseKindArg {
    SentenceServed,
    Bail,
    Parole,
    Pardon,
    Amnesty,
    Acquittal,
    Medical,
    EarlyReleaseWithoutReason,
    Escape,
    Other,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum RestrictionKindArg {
    PoliticalActivityBan,
    TravelBan,
    HouseArrest,
    Surveillance,
    Other,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum StatementKindArg {
    Condemnation,
    CallForRelease,
    Denial,
    OfficialPosition,
    Other,
}
