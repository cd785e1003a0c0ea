//! Builders shared by the domain's tests: short names for facts, and a stream
//! that records through `decide` the way the application will.

#![allow(dead_code, unreachable_pub)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use habeas_domain::command::{Action, Command};
use habeas_domain::date::PartialDate;
use habeas_domain::decide::decide;
use habeas_domain::error::DomainError;
use habeas_domain::event::{
    Charge, Charging, Correction, Detention, DetentionKind, Event, Registration, Release,
    ReleaseKind, Restriction, RestrictionKind, Retraction, Sentencing, Transfer,
};
use habeas_domain::facts::{Facts, Source};
use habeas_domain::history::RecordedEvent;
use habeas_domain::id::{CommandId, EventId};
use habeas_domain::status::{Status, View, status};

pub fn d(text: &str) -> PartialDate {
    text.parse().expect("test dates are valid")
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test timestamps are RFC 3339")
        .with_timezone(&Utc)
}

pub fn day(text: &str) -> chrono::NaiveDate {
    text.parse().expect("test days are YYYY-MM-DD")
}

pub fn facts(date: &str) -> Facts {
    Facts::new(
        d(date),
        vec![Source::document(
            "2021 news report (worked example of DOMAIN.md)",
        )],
    )
}

pub fn register(name: &str, aliases: &[&str]) -> Action {
    Action::RegisterPerson(Registration {
        name: name.to_owned(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        country: Some("Cambodia".to_owned()),
        affiliation: None,
        born: None,
        sources: vec![],
        details: habeas_domain::event::PersonDetails::default(),
    })
}

pub fn detained(date: &str) -> Action {
    Action::RecordDetention(Detention {
        facts: facts(date),
        kind: DetentionKind::Arrest,
        place: Some("Phnom Penh".to_owned()),
        authority: None,
        facility: Some("Prey Sar prison".to_owned()),
    })
}

pub fn charged(date: &str, offence: &str) -> Action {
    Action::RecordCharges(Charging {
        facts: facts(date),
        charges: vec![Charge {
            offence: offence.to_owned(),
            article: None,
        }],
        court: Some("Phnom Penh Municipal Court".to_owned()),
        case_number: None,
    })
}

pub fn sentenced(date: &str, term: &str) -> Action {
    Action::RecordSentence(Sentencing {
        facts: facts(date),
        term: Some(term.parse().expect("test terms are valid")),
        court: Some("Phnom Penh Municipal Court".to_owned()),
        in_absentia: false,
        suspended: false,
        ends: None,
        offences: Vec::new(),
    })
}

pub fn sentenced_in_absentia(date: &str, term: &str) -> Action {
    match sentenced(date, term) {
        Action::RecordSentence(s) => Action::RecordSentence(Sentencing {
            in_absentia: true,
            ..s
        }),
        _ => unreachable!(),
    }
}

pub fn released(date: &str) -> Action {
    Action::RecordRelease(Release {
        facts: facts(date),
        kind: ReleaseKind::EarlyReleaseWithoutReason,
        conditions: None,
        ordered_by: None,
    })
}

pub fn transferred(date: &str, to: &str) -> Action {
    Action::RecordTransfer(Transfer {
        facts: facts(date),
        from_facility: None,
        to_facility: to.to_owned(),
    })
}

pub fn restricted(date: &str, kind: RestrictionKind) -> Action {
    Action::ImposeRestriction(Restriction {
        facts: facts(date),
        kind,
        description: None,
        until: None,
    })
}

pub fn correct(target: EventId, corrected: Action, reason: &str) -> Action {
    Action::CorrectEvent(Correction {
        target,
        corrected: Box::new(corrected.into_event()),
        reason: reason.to_owned(),
    })
}

pub fn retract(target: EventId, reason: &str) -> Action {
    Action::RetractEvent(Retraction {
        target,
        reason: reason.to_owned(),
    })
}

/// A stream recorded through `decide`, with a clock that ticks one minute per
/// command unless told otherwise.
pub struct Stream {
    pub history: Vec<RecordedEvent>,
    pub clock: DateTime<Utc>,
    next_id: u128,
}

impl Stream {
    pub fn new() -> Self {
        Self::at("2021-11-20T09:00:00Z")
    }

    pub fn at(clock: &str) -> Self {
        Self {
            history: Vec::new(),
            clock: at(clock),
            next_id: 1,
        }
    }

    pub fn command(&self, action: Action) -> Command {
        Command {
            id: None,
            issued_at: self.clock,
            action,
        }
    }

    /// Decides and, when accepted, appends; returns the new event's id.
    pub fn try_record(&mut self, action: Action) -> Result<Option<EventId>, DomainError> {
        let command = self.command(action);
        self.try_command(&command)
    }

    pub fn try_command(&mut self, command: &Command) -> Result<Option<EventId>, DomainError> {
        let events = decide(&self.history, command)?.into_events();
        let mut last = None;
        for event in events {
            let id = EventId::from_uuid(Uuid::from_u128(self.next_id));
            self.next_id += 1;
            self.history.push(RecordedEvent {
                id,
                recorded_at: command.issued_at,
                command_id: command.id,
                event,
            });
            last = Some(id);
        }
        self.clock += Duration::minutes(1);
        Ok(last)
    }

    pub fn record(&mut self, action: Action) -> EventId {
        match self.try_record(action.clone()) {
            Ok(Some(id)) => id,
            other => panic!("expected {action:?} to be recorded, got {other:?}"),
        }
    }

    pub fn reject(&mut self, action: Action) -> DomainError {
        let before = self.history.clone();
        let err = match self.try_record(action.clone()) {
            Err(err) => err,
            Ok(id) => panic!("expected {action:?} to be rejected, it recorded {id:?}"),
        };
        assert_eq!(self.history, before, "a rejected command changes nothing");
        err
    }

    pub fn status(&self, as_of: &str) -> Status {
        self.status_known_at(as_of, self.clock)
    }

    pub fn status_known_at(&self, as_of: &str, known_at: DateTime<Utc>) -> Status {
        status(
            &self.history,
            View {
                as_of: day(as_of),
                known_at,
            },
        )
    }
}

pub fn command_id(n: u128) -> CommandId {
    CommandId::from_uuid(Uuid::from_u128(0xC0DE_0000 + n))
}

pub fn event_types(history: &[RecordedEvent]) -> Vec<&'static str> {
    history.iter().map(|r| r.event.event_type()).collect()
}

pub fn utc(y: i32, m: u32, dd: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, dd, 12, 0, 0).unwrap()
}

pub fn first_event(history: &[RecordedEvent]) -> &Event {
    &history[0].event
}
