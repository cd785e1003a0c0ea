//! `habeas log`: each development of the catalogue, from its arguments to the
//! domain's action, in one table; then one path that records it.

use std::io::Write;

use habeas::tracker::{Issued, Subject, Tracker};
use habeas_domain::command::Action;
use habeas_domain::event::{
    Acquittal, Appeal, Charging, Demise, Detention, Disappearance, Dismissal, Exile, Hearing,
    Lifting, Recognition, Release, Restriction, Sentencing, Statement, Transfer,
};
use habeas_domain::facts::Facts;
use habeas_domain::id::CommandId;

use crate::args::{CaseArgs, ChargedArgs, LogCommand, SentencedArgs, StatementArgs};
use crate::convert;
use crate::exit::Failure;
use crate::output;

/// What `habeas log` records: a development in one person's case, or a
/// statement (its own stream, naming any number of people).
pub(crate) enum Entry {
    Case {
        person: String,
        command_id: Option<CommandId>,
        action: Action,
        json: bool,
    },
    Statement(StatementArgs),
}

impl<T: clap::Args> CaseArgs<T> {
    /// The entry of this development, its details made into an action.
    fn entry(
        self,
        action: impl FnOnce(Facts, T) -> Result<Action, Failure>,
    ) -> Result<Entry, Failure> {
        let facts = convert::facts(&self.facts).map_err(Failure::usage_from)?;
        Ok(Entry::Case {
            person: self.person,
            command_id: self.facts.command_id,
            action: action(facts, self.details)?,
            json: self.facts.output.json,
        })
    }
}

/// Builds `LogCommand → Entry` from a table: each row names the subcommand,
/// the domain's action and event, and the fields carried over (converted with
/// `From` where clap's type mirrors the domain's).
macro_rules! developments {
    ($command:expr; $($variant:ident => $action:ident($event:ident { $($field:ident),* }),)*) => {
        match $command {
            $(LogCommand::$variant(case) => case.entry(|facts, details| {
                Ok(Action::$action($event { facts, $($field: details.$field.into()),* }))
            }),)*
            LogCommand::Charged(case) => case.entry(charged),
            LogCommand::Sentenced(case) => case.entry(sentenced),
            LogCommand::Statement(args) => Ok(Entry::Statement(args)),
        }
    };
}

pub(crate) fn entry(command: LogCommand) -> Result<Entry, Failure> {
    developments! { command;
        Detained => RecordDetention(Detention { kind, place, authority, facility }),
        Released => RecordRelease(Release { kind, conditions, ordered_by }),
        Transferred => RecordTransfer(Transfer { to_facility, from_facility }),
        Restricted => ImposeRestriction(Restriction { kind, description, until }),
        Lifted => LiftRestriction(Lifting { kind }),
        Hearing => RecordHearing(Hearing { court, outcome }),
        Appealed => RecordAppeal(Appeal { court, outcome }),
        Acquitted => RecordAcquittal(Acquittal { court }),
        ChargesDropped => RecordChargesDropped(Dismissal { court }),
        Died => RecordDeath(Demise { kind, circumstances }),
        Disappeared => RecordDisappearance(Disappearance { circumstances }),
        Exile => RecordExile(Exile { country, circumstances }),
        Recognised => RecognisePoliticalPrisoner(Recognition { by }),
    }
}

/// Charges pair `--charge` and `--article` by position, which can fail.
fn charged(facts: Facts, details: ChargedArgs) -> Result<Action, Failure> {
    let charges =
        convert::charges(&details.charges, &details.articles).map_err(Failure::usage_from)?;
    Ok(Action::RecordCharges(Charging {
        facts,
        charges,
        court: details.court,
        case_number: details.case_number,
    }))
}

fn sentenced(facts: Facts, details: SentencedArgs) -> Result<Action, Failure> {
    let offences =
        convert::charges(&details.offences, &details.articles).map_err(Failure::usage_from)?;
    Ok(Action::RecordSentence(Sentencing {
        facts,
        term: details.term,
        court: details.court,
        in_absentia: details.in_absentia,
        suspended: details.suspended,
        ends: details.ends,
        offences,
    }))
}

/// Records one `habeas log` command.
pub(crate) async fn log(
    tracker: &Tracker,
    command: LogCommand,
    issued: &dyn Fn(Option<CommandId>) -> Issued,
) -> anyhow::Result<()> {
    let (person, command_id, action, json) = match entry(command)? {
        Entry::Case {
            person,
            command_id,
            action,
            json,
        } => (person, command_id, action, json),
        Entry::Statement(args) => return statement(tracker, args, issued).await,
    };
    let person = tracker.resolve(&person).await?;
    let noun = crate::output::event_noun(&action.clone().into_event());
    let recorded = tracker
        .execute(Subject::Person(person.id), action, &issued(command_id))
        .await?;
    let headline = tracker.status(person.id, crate::run::now()).await?.headline;
    output::development_recorded(
        json,
        &output::Development {
            noun,
            person: person.id,
            name: &person.identity.name,
            slug: &person.slug,
            recorded: &recorded,
            headline,
            command_id,
        },
    )?;
    Ok(())
}

async fn statement(
    tracker: &Tracker,
    args: StatementArgs,
    issued: &dyn Fn(Option<CommandId>) -> Issued,
) -> anyhow::Result<()> {
    let mut about = Vec::new();
    for reference in &args.about {
        about.push(tracker.resolve(reference).await?.id);
    }
    let command_id = args.facts.command_id;
    let json = args.facts.output.json;
    let statement = Statement {
        facts: convert::facts(&args.facts).map_err(Failure::usage_from)?,
        by: args.by,
        by_role: args.role,
        about: about.clone(),
        kind: args.kind.into(),
        summary: args.summary,
    };
    let (id, recorded) = tracker
        .issue_statement(statement, &issued(command_id))
        .await?;
    let mut out = std::io::stdout().lock();
    if json {
        let mut value = output::recorded_json("statement", &recorded, None);
        value["statement"] = serde_json::json!(id);
        value["about"] = serde_json::json!(about);
        writeln!(out, "{value}")?;
    } else {
        writeln!(
            out,
            "statement recorded as statement {id} (event {}, position {})",
            output::first_event(&recorded),
            recorded.last_position
        )?;
    }
    Ok(())
}
