//! `habeas log`: each development of the catalogue, from its arguments to the
//! domain's action, in one table; then one path that records it.

use habeas::tracker::{Issued, Subject, Tracker};
use habeas_domain::command::Action;
use habeas_domain::event::{
    Acquittal, Appeal, Charging, Death, Detention, Disappearance, Dismissal, Exile, Hearing,
    Lifting, Recognition, Release, Restriction, Sentencing, Statement, Transfer,
};
use habeas_domain::facts::Facts;
use habeas_domain::id::CommandId;

use crate::args::{CaseArgs, ChargedArgs, LogCommand, StatementArgs};
use crate::convert;
use crate::exit::Failure;

/// What `habeas log` records: a development in one person's case, or a
/// statement (its own stream, naming any number of people).
enum Entry {
    Case {
        person: String,
        command_id: Option<CommandId>,
        action: Action,
    },
    Statement(StatementArgs),
}

impl<T: clap::Args> CaseArgs<T> {
    /// The entry of this development, its details made into an action.
    fn entry(
        self,
        action: impl FnOnce(Facts, T) -> Result<Action, Failure>,
    ) -> Result<Entry, Failure> {
        let facts = convert::facts(&self.facts);
        Ok(Entry::Case {
            person: self.person,
            command_id: self.facts.command_id,
            action: action(facts, self.details)?,
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
            LogCommand::Statement(args) => Ok(Entry::Statement(args)),
        }
    };
}

fn entry(command: LogCommand) -> Result<Entry, Failure> {
    developments! { command;
        Detained => RecordDetention(Detention { kind, place, authority, facility }),
        Sentenced => RecordSentence(Sentencing { term, court, in_absentia, suspended }),
        Released => RecordRelease(Release { kind, conditions }),
        Transferred => RecordTransfer(Transfer { to_facility, from_facility }),
        Restricted => ImposeRestriction(Restriction { kind, description, until }),
        Lifted => LiftRestriction(Lifting { kind }),
        Hearing => RecordHearing(Hearing { court, outcome }),
        Appealed => RecordAppeal(Appeal { court, outcome }),
        Acquitted => RecordAcquittal(Acquittal { court }),
        ChargesDropped => RecordChargesDropped(Dismissal { court }),
        Died => RecordDeathInCustody(Death { circumstances }),
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

/// Records one `habeas log` command.
pub(crate) async fn log(
    tracker: &Tracker,
    command: LogCommand,
    issued: &dyn Fn(Option<CommandId>) -> Issued,
) -> anyhow::Result<()> {
    let (person, command_id, action) = match entry(command)? {
        Entry::Case {
            person,
            command_id,
            action,
        } => (person, command_id, action),
        Entry::Statement(args) => return statement(tracker, args, issued).await,
    };
    let person = tracker.resolve(&person).await?;
    let event_type = action.clone().into_event().event_type();
    let recorded = tracker
        .execute(Subject::Person(person.id), action, &issued(command_id))
        .await?;
    let name = &person.identity.name;
    if recorded.already_applied {
        println!(
            "already recorded: {event_type} for {name} (command {}); nothing new written",
            command_id.map(|c| c.to_string()).unwrap_or_default()
        );
    } else {
        println!(
            "recorded {event_type} for {name} (event {}, position {})",
            first_event(&recorded),
            recorded.last_position
        );
    }
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
    let statement = Statement {
        facts: convert::facts(&args.facts),
        by: args.by,
        by_role: args.role,
        about,
        kind: args.kind.into(),
        summary: args.summary,
    };
    let (id, recorded) = tracker
        .issue_statement(statement, &issued(command_id))
        .await?;
    println!(
        "recorded StatementIssued as statement {id} (event {}, position {})",
        first_event(&recorded),
        recorded.last_position
    );
    Ok(())
}

fn first_event(recorded: &habeas::tracker::Recorded) -> String {
    recorded
        .event_ids
        .first()
        .map(ToString::to_string)
        .unwrap_or_default()
}
