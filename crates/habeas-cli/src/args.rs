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
  5  verify found a problem in the log; verify-export: the file or its signature does not check out
  6  --server: the server refused the token, or the account's role does not allow the command";

/// Habeas: an event-sourced case tracker for political prisoners and
/// persecuted activists. Every development is recorded as an event with its
/// sources; status is always derived from the events.
#[derive(Debug, Parser)]
#[command(name = "habeas", version, after_help = EXIT_CODES, after_long_help = EXIT_CODES)]
pub(crate) struct Cli {
    // The environment variables are read by the methods below, not by clap:
    // clap shows an option set from the environment in every usage line, as
    // if it were required.
    /// The store: a directory, or a postgres:// URL [default: $HABEAS_DB, else the per-user data directory, e.g. ~/.local/share/habeas/store]
    #[arg(long, global = true, value_name = "PATH|URL")]
    db: Option<String>,

    /// Who is recording, kept with every event [default: $HABEAS_USER, else $USER]
    #[arg(long = "as", global = true, value_name = "NAME")]
    recorded_by: Option<String>,

    /// How long to wait for another habeas that has the store open (one
    /// process at a time can) before giving up [default: $HABEAS_LOCK_WAIT, else 30]
    #[arg(long, global = true, value_name = "SECONDS")]
    lock_wait: Option<u64>,

    /// Talk to a running `habeas serve` at this URL instead of opening a store
    /// (status, history, person list, report, log) [default: $HABEAS_SERVER]
    #[arg(long, global = true, value_name = "URL")]
    server: Option<String>,

    /// The bearer token for --server, from `habeas token create` [default:
    /// $HABEAS_TOKEN, better: a command line is visible to other users]
    #[arg(long, global = true, value_name = "TOKEN")]
    token: Option<crate::client::Token>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// A variable of the environment, unless unset or blank.
fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

impl Cli {
    /// `--db`, else `$HABEAS_DB`.
    pub(crate) fn db(&self) -> Option<String> {
        self.db.clone().or_else(|| env("HABEAS_DB"))
    }

    /// `--as`, else `$HABEAS_USER`, else `$USER`, unless blank.
    pub(crate) fn recorded_by(&self) -> Option<String> {
        self.recorded_by
            .clone()
            .filter(|name| !name.trim().is_empty())
            .or_else(|| env("HABEAS_USER"))
            .or_else(|| env("USER"))
    }

    /// `--server`, else `$HABEAS_SERVER`.
    pub(crate) fn server(&self) -> Option<String> {
        self.server.clone().or_else(|| env("HABEAS_SERVER"))
    }

    /// `--token`, else `$HABEAS_TOKEN`.
    pub(crate) fn token(&self) -> Result<Option<crate::client::Token>, String> {
        match (&self.token, env("HABEAS_TOKEN")) {
            (Some(token), _) => Ok(Some(token.clone())),
            (None, Some(text)) => text
                .parse()
                .map(Some)
                .map_err(|err| format!("HABEAS_TOKEN: {err}")),
            (None, None) => Ok(None),
        }
    }

    /// `--lock-wait`, else `$HABEAS_LOCK_WAIT`, else 30 seconds.
    pub(crate) fn lock_wait(&self) -> Result<std::time::Duration, String> {
        let seconds = match (self.lock_wait, env("HABEAS_LOCK_WAIT")) {
            (Some(seconds), _) => seconds,
            (None, Some(text)) => text.trim().parse().map_err(|_| {
                format!("HABEAS_LOCK_WAIT={text:?} is not a number of seconds, e.g. 30")
            })?,
            (None, None) => 30,
        };
        Ok(std::time::Duration::from_secs(seconds))
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create an empty store (`import` and `demo` make one too; nothing else does).
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
        after_help = "Examples:\n  habeas status \"Rong Chhun\"\n  habeas status rorng-chhun --as-of 2021-01-15\n  habeas status rong-chhun --known-at 2021-11-01 --json"
    )]
    Status(StatusArgs),
    /// A person's audit trail: every event, when and by whom it was recorded.
    History(HistoryArgs),
    /// Every statement, or those naming one person: with their ids, for corrections and retractions.
    #[command(
        after_help = "Statements that name no one (a ministry's \"17 activists released\") appear here and in no person's report.\n\nExamples:\n  habeas statements\n  habeas statements --about rong-chhun --json"
    )]
    Statements(StatementsArgs),
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
    /// Write the whole log, one envelope per line (a backup); signed or encrypted on request.
    #[command(
        after_help = "Examples:\n  habeas export -o export.jsonl --sign            # and export.jsonl.sig beside it\n  habeas export -o backup.sealed --encrypt-to habeas-backup-recipient:…\n  habeas --db ./restored import backup.sealed --identity backup.identity"
    )]
    Export(ExportArgs),
    /// Check a signed export or report: unaltered, and signed by the key given.
    #[command(visible_alias = "verify-signature")]
    VerifyExport(crate::signing::VerifyExportArgs),
    /// The organisation's signing key, and identities for encrypted backups.
    #[command(subcommand)]
    Key(crate::keys::KeyCommand),
    /// Check the hash chain of the whole log, then audit the read models
    /// against a replay of it; exit 5 on any problem.
    #[command(
        after_help = "A damaged log: restore from an export taken before the damage.\nRead models that differ from the log: run `habeas rebuild` (they are derived data)."
    )]
    Verify(OutputArgs),
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
    /// The audit: sign-ins, refusals, exports, reads of restricted facts and account changes.
    #[command(
        after_help = "Kinds: login, login_failed, login_throttled, logout, credential_refused, denied, csrf_refused, export, restricted_read, account_changed, and the account events (account_created, account_role_changed, account_clearance_changed, account_disabled, account_enabled, password_set, token_created, token_revoked, second_factor_enrolled, second_factor_removed, second_factor_policy_set).\n\nExamples:\n  habeas audit --since 2026-03-01 --kind login_failed,denied\n  habeas audit --user ana --json"
    )]
    Audit(crate::audit::AuditArgs),
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
    Add(Box<PersonAddArgs>),
    /// List everyone with their status headline.
    List(PersonListArgs),
    /// One person registered twice: copy the duplicate's facts to the right record and close it.
    #[command(
        after_help = "The duplicate's facts in force are recorded again on PERSON (the rules judge them \
there: a contradiction is refused, naming the facts, and nothing is written), its names become aliases \
of PERSON, and the duplicate is closed: its history stays, and its names and slug find PERSON from then \
on. A registration made by mistake with nothing on it can instead be retracted: \
`habeas retract EVENT --reason …` with the registration's event id (see `habeas history`).\n\n\
Example:\n  habeas person merge rong-chun --into rong-chhun --reason \"registered twice from two lists\""
    )]
    Merge(PersonMergeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PersonMergeArgs {
    /// The duplicate record (name, slug or id).
    pub(crate) duplicate: String,
    /// The record that documents the person from now on.
    #[arg(long = "into", value_name = "PERSON")]
    pub(crate) into: String,
    /// Why they are one person.
    #[arg(long)]
    pub(crate) reason: String,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
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
    /// Sex or gender, as the person or the source describes it.
    #[arg(long)]
    pub(crate) sex: Option<String>,
    /// Place of birth.
    #[arg(long = "born-in", value_name = "PLACE")]
    pub(crate) born_in: Option<String>,
    /// Place of residence (left out of public reports).
    #[arg(long, value_name = "PLACE")]
    pub(crate) residence: Option<String>,
    /// Ethnicity or group, where the sources record it.
    #[arg(long)]
    pub(crate) group: Option<String>,
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
    /// A URL that reports the fact, e.g. https://example.org/report (repeatable).
    #[arg(long = "source", value_name = "URL", value_parser = source_url)]
    pub(crate) urls: Vec<String>,
    /// A document reference without a URL, e.g. "court file 123/2020" (repeatable).
    #[arg(long = "document", value_name = "REF")]
    pub(crate) documents: Vec<String>,
    /// The title of each source, in the order given (every --source, then every --document).
    #[arg(long = "source-title", value_name = "TITLE")]
    pub(crate) titles: Vec<String>,
    /// Who published each source, in the same order.
    #[arg(long = "source-publisher", value_name = "PUBLISHER")]
    pub(crate) publishers: Vec<String>,
    /// When each source was published (YYYY, YYYY-MM or YYYY-MM-DD), in the same order.
    #[arg(long = "source-date", value_name = "DATE")]
    pub(crate) dates: Vec<PartialDate>,
}

/// What every recorded fact carries.
#[derive(Debug, Args, Clone)]
pub(crate) struct FactArgs {
    /// When it happened: YYYY, YYYY-MM or YYYY-MM-DD; a trailing ~ marks it approximate;
    /// ..DATE for an unknown day on or before DATE (a list's "in custody on 2021-03-04":
    /// `log detained … --on ..2021-03-04`). A date the source does not give: ..DATE with
    /// the day the source was published, or an approximate year (2019~); never a guessed day.
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
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LogCommand {
    /// The person was detained.
    #[command(
        after_help = "Examples:\n  habeas log detained \"Rong Chhun\" --on 2020-07 --place \"Phnom Penh\" --facility \"Prey Sar prison\" --source https://example.org/report\n  habeas log detained \"Rong Chhun\" --on ..2021-03-04 --source https://example.org/list   # held on that day, since a day not known"
    )]
    Detained(CaseArgs<DetainedArgs>),
    /// The person was charged.
    #[command(
        after_help = "Example:\n  habeas log charged rong-chhun --on 2020-08 --charge incitement --article \"Criminal Code art. 495\" --source https://example.org/report"
    )]
    Charged(CaseArgs<ChargedArgs>),
    /// The person was sentenced.
    Sentenced(CaseArgs<SentencedArgs>),
    /// The person was released.
    Released(CaseArgs<ReleasedArgs>),
    /// The person was moved to another facility.
    Transferred(CaseArgs<TransferredArgs>),
    /// A restriction was imposed (ban on political activity, travel ban …).
    Restricted(CaseArgs<RestrictedArgs>),
    /// A restriction was lifted.
    Lifted(CaseArgs<LiftedArgs>),
    /// A hearing took place.
    Hearing(CaseArgs<CourtOutcomeArgs>),
    /// A decision was appealed.
    Appealed(CaseArgs<CourtOutcomeArgs>),
    /// The person was acquitted.
    Acquitted(CaseArgs<CourtArgs>),
    /// The charges were dropped.
    ChargesDropped(CaseArgs<CourtArgs>),
    /// The person died: in custody, at liberty, executed, or in unknown circumstances.
    Died(CaseArgs<DiedArgs>),
    /// The person disappeared.
    Disappeared(CaseArgs<CircumstancesArgs>),
    /// The person went into exile.
    Exile(CaseArgs<ExileArgs>),
    /// An organisation recognised the person as a political prisoner.
    Recognised(CaseArgs<RecognisedArgs>),
    /// A statement was issued, about some people or none by name.
    #[command(
        after_help = "Example:\n  habeas log statement --by \"United Nations\" --on 2021-11-02 --about rong-chhun --kind other --summary \"Urged Cambodia to protect civic space.\" --source https://example.org/un"
    )]
    Statement(StatementArgs),
}

/// A development in one person's case: whose, the facts every development
/// carries, and what is particular to this kind.
#[derive(Debug, Args)]
pub(crate) struct CaseArgs<T: Args> {
    /// Id, slug, name or alias.
    pub(crate) person: String,
    #[command(flatten)]
    pub(crate) facts: FactArgs,
    #[command(flatten)]
    pub(crate) details: T,
}

#[derive(Debug, Args)]
pub(crate) struct DetainedArgs {
    /// How.
    #[arg(long, value_enum, default_value_t = DetentionKindArg::Arrest)]
    pub(crate) kind: DetentionKindArg,
    /// Where (city, province).
    #[arg(long)]
    pub(crate) place: Option<String>,
    /// Who detained them.
    #[arg(long)]
    pub(crate) authority: Option<String>,
    /// The prison or detention centre.
    #[arg(long)]
    pub(crate) facility: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ChargedArgs {
    /// An offence as charged (repeatable).
    #[arg(long = "charge", value_name = "OFFENCE", required = true)]
    pub(crate) charges: Vec<String>,
    /// The legal article of the charge in the same place (repeatable).
    #[arg(long = "article", value_name = "ARTICLE")]
    pub(crate) articles: Vec<String>,
    /// The court.
    #[arg(long)]
    pub(crate) court: Option<String>,
    /// The court's case number.
    #[arg(long)]
    pub(crate) case_number: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SentencedArgs {
    /// The term: 2y, 1y6m, 10d, life or death; leave out when unknown.
    #[arg(long, value_name = "TERM")]
    pub(crate) term: Option<Term>,
    /// The court.
    #[arg(long)]
    pub(crate) court: Option<String>,
    /// Sentenced without being present.
    #[arg(long)]
    pub(crate) in_absentia: bool,
    /// The sentence is suspended.
    #[arg(long)]
    pub(crate) suspended: bool,
    /// The day of release a source states (YYYY, YYYY-MM or YYYY-MM-DD),
    /// when the term or the start of custody is not known.
    #[arg(long = "expected-release", value_name = "DATE")]
    pub(crate) ends: Option<PartialDate>,
    /// What the person was convicted of by this sentence (repeatable), when the sources say;
    /// otherwise reports show the charges recorded before it.
    #[arg(long = "offence", value_name = "OFFENCE")]
    pub(crate) offences: Vec<String>,
    /// The legal article of each --offence, in the same order.
    #[arg(long = "article", value_name = "ARTICLE")]
    pub(crate) articles: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ReleasedArgs {
    /// Why.
    #[arg(long, value_enum, default_value_t = ReleaseKindArg::Other)]
    pub(crate) kind: ReleaseKindArg,
    /// Conditions attached.
    #[arg(long)]
    pub(crate) conditions: Option<String>,
    /// Who ordered it: a court, an amnesty decree ("Presidential decree 12/2021").
    #[arg(long, value_name = "WHO")]
    pub(crate) ordered_by: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct TransferredArgs {
    /// The facility they were taken to.
    #[arg(long = "to", value_name = "FACILITY")]
    pub(crate) to_facility: String,
    /// The facility they left.
    #[arg(long = "from", value_name = "FACILITY")]
    pub(crate) from_facility: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RestrictedArgs {
    /// What kind.
    #[arg(long, value_enum)]
    pub(crate) kind: RestrictionKindArg,
    /// Its wording.
    #[arg(long)]
    pub(crate) description: Option<String>,
    /// When it ends by itself.
    #[arg(long, value_name = "DATE")]
    pub(crate) until: Option<PartialDate>,
}

#[derive(Debug, Args)]
pub(crate) struct LiftedArgs {
    /// Which kind of restriction.
    #[arg(long, value_enum)]
    pub(crate) kind: RestrictionKindArg,
}

#[derive(Debug, Args)]
pub(crate) struct CourtOutcomeArgs {
    /// The court.
    #[arg(long)]
    pub(crate) court: Option<String>,
    /// What came of it, once known.
    #[arg(long)]
    pub(crate) outcome: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CourtArgs {
    /// The court (or the prosecutor who dropped the charges).
    #[arg(long)]
    pub(crate) court: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DiedArgs {
    /// Where or how: in custody (the rules then require custody), at liberty, executed, or unknown.
    #[arg(long, value_enum, default_value_t = DeathKindArg::InCustody)]
    pub(crate) kind: DeathKindArg,
    /// What is known of how.
    #[arg(long)]
    pub(crate) circumstances: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CircumstancesArgs {
    /// What is known of how.
    #[arg(long)]
    pub(crate) circumstances: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ExileArgs {
    /// The country of exile, when it is safe to say.
    #[arg(long)]
    pub(crate) country: Option<String>,
    /// What is known of how.
    #[arg(long)]
    pub(crate) circumstances: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RecognisedArgs {
    /// Who recognised them, e.g. an NGO's list.
    #[arg(long)]
    pub(crate) by: String,
}

#[derive(Debug, Args)]
pub(crate) struct StatementArgs {
    /// Who issued it.
    #[arg(long)]
    pub(crate) by: String,
    /// Their role.
    #[arg(long)]
    pub(crate) role: Option<String>,
    /// A person it concerns (repeatable).
    #[arg(long = "about", value_name = "PERSON")]
    pub(crate) about: Vec<String>,
    /// What it does.
    #[arg(long, value_enum, default_value_t = StatementKindArg::Other)]
    pub(crate) kind: StatementKindArg,
    /// What it says.
    #[arg(long)]
    pub(crate) summary: String,
    #[command(flatten)]
    pub(crate) facts: FactArgs,
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
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RetractArgs {
    /// The event to retract (see `habeas history`).
    pub(crate) event: EventId,
    /// Why it is retracted.
    #[arg(long)]
    pub(crate) reason: String,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Id, slug, name or alias.
    pub(crate) person: String,
    /// The day the status describes [default: today].
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<PartialDate>,
    /// Count only events recorded by this time [default: now]. A date
    /// (YYYY-MM-DD, or YYYY-MM, YYYY) means the end of that day (month, year)
    /// in UTC: what was known on it; or an RFC 3339 time, e.g. 2021-11-01T09:30:00Z.
    #[arg(long, value_name = "DATE|TIME", value_parser = known_at)]
    pub(crate) known_at: Option<DateTime<Utc>>,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct StatementsArgs {
    /// Only the statements naming this person (id, slug, name or alias).
    #[arg(long, value_name = "PERSON")]
    pub(crate) about: Option<String>,
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
    /// Count only events recorded by this time [default: now]: a date
    /// (YYYY-MM-DD: the end of that day, UTC) or an RFC 3339 time.
    #[arg(long, value_name = "DATE|TIME", value_parser = known_at)]
    pub(crate) known_at: Option<DateTime<Utc>>,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) signing: SignArgs,
}

/// Signing a written file with the organisation's key.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// Sign the file (needs -o FILE): FILE.sig beside it covers its SHA-256 and the log's
    /// head; check it with `habeas verify-export FILE --key PUBKEY`.
    #[arg(long)]
    pub(crate) sign: bool,
    /// The private signing key [default: keys/signing.key beside the store].
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub(crate) key: Option<PathBuf>,
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
    #[command(flatten)]
    pub(crate) signing: SignArgs,
    /// Encrypt the export for a backup to this recipient (`habeas key identity` prints one);
    /// `habeas import FILE --identity IDENTITY` restores it. With --sign, the signature
    /// covers the encrypted file.
    #[arg(long, value_name = "RECIPIENT", value_parser = recipient)]
    pub(crate) encrypt_to: Option<habeas_seal::backup::Recipient>,
}

fn recipient(text: &str) -> Result<habeas_seal::backup::Recipient, String> {
    habeas_seal::backup::Recipient::parse(text).map_err(|err| err.to_string())
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
pub(crate) enum DeathKindArg {
    InCustody,
    AtLiberty,
    Executed,
    Unknown,
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

/// `--known-at`: an RFC 3339 time, or a date meaning the end of that day (or
/// month, or year) in UTC. "As known at 2021-11-01" is read as what was known
/// on that day, so everything recorded during it counts, as `--as-of` takes a
/// partial date as "by the end of that month or year".
pub(crate) fn known_at(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(time.with_timezone(&Utc));
    }
    let date: PartialDate = text.trim().parse().map_err(|_| {
        format!(
            "{text:?} is neither a date nor a time: give YYYY-MM-DD (the end of that day, UTC) \
             or an RFC 3339 time such as 2021-11-01T09:30:00Z"
        )
    })?;
    let next_day = date
        .latest()
        .succ_opt()
        .ok_or_else(|| format!("{text:?} is too far in the future"))?;
    Ok(next_day.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::nanoseconds(1))
}

/// `--source`: an address a reader can follow (`scheme://host…`); anything
/// else is most likely a document reference, which has its own flag.
pub(crate) fn source_url(text: &str) -> Result<String, String> {
    let url = text.trim();
    let looks_like_url = url.split_once("://").is_some_and(|(scheme, rest)| {
        scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
            && !rest.is_empty()
            && !rest.starts_with('/')
    }) && !url.contains(char::is_whitespace);
    if looks_like_url {
        Ok(url.to_owned())
    } else {
        Err(format!(
            "{text:?} is not a URL (e.g. https://example.org/report): for a document without one, \
             use --document {text:?}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_at_takes_a_date_as_the_end_of_that_day_or_a_time() {
        // (given, the time it means, or the start of the error)
        let cases = [
            ("2021-11-01", Ok("2021-11-01T23:59:59.999999999Z")),
            ("2021-11", Ok("2021-11-30T23:59:59.999999999Z")),
            ("2021", Ok("2021-12-31T23:59:59.999999999Z")),
            ("2021-11-01T09:30:00Z", Ok("2021-11-01T09:30:00Z")),
            ("2021-11-01T09:30:00+07:00", Ok("2021-11-01T02:30:00Z")),
            (
                "yesterday",
                Err("\"yesterday\" is neither a date nor a time: give YYYY-MM-DD"),
            ),
            ("2021-11-31", Err("\"2021-11-31\" is neither")),
        ];
        for (given, expected) in cases {
            let got = known_at(given);
            match (expected, got) {
                (Ok(time), Ok(got)) => assert_eq!(
                    got,
                    DateTime::parse_from_rfc3339(time)
                        .unwrap()
                        .with_timezone(&Utc),
                    "{given}"
                ),
                (Err(start), Err(message)) => assert!(message.starts_with(start), "{message}"),
                (expected, got) => panic!("{given}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn a_source_is_a_url_or_the_message_points_to_document() {
        // (given, accepted)
        let cases = [
            ("https://example.org/report", true),
            (" http://example.org ", true),
            ("ftp://archive.example.org/a.pdf", true),
            ("not-a-url", false),
            ("court file 123/2020", false),
            ("example.org/report", false),
            ("https://", false),
            ("https:///path", false),
            ("https://example.org/a b", false),
        ];
        for (given, accepted) in cases {
            let got = source_url(given);
            assert_eq!(got.is_ok(), accepted, "{given}: {got:?}");
            if let Err(message) = got {
                assert!(message.contains("use --document"), "{message}");
            }
        }
    }
}
