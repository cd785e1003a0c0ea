//! Amendments: the fields a correction may change on a recorded fact, and
//! the corrected event they make.
//!
//! A correction (`EventCorrected`) carries the whole corrected event, so the
//! rules in `decide` can judge it like any other fact. Front ends do not
//! build that event themselves: they say what changes (a date, a facility, a
//! term, a source found later) and [`Amendment::apply`] makes the corrected
//! event from the one in force, refusing a field the event does not have.
//! Every front end (the command line, the HTTP server) corrects through it.

use crate::date::PartialDate;
use crate::event::Event;
use crate::facts::Source;
use crate::id::EventId;
use crate::term::Term;

/// What a correction changes; fields left empty stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Amendment {
    /// When it really happened.
    pub occurred: Option<PartialDate>,
    /// Sources found since, added to the ones cited.
    pub added_sources: Vec<Source>,
    /// The facility (of a detention, or where a transfer went).
    pub facility: Option<String>,
    /// The term of a sentence.
    pub term: Option<Term>,
}

/// Why an amendment cannot make a corrected event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendmentError {
    /// Nothing would change.
    #[error("nothing to correct: give a new date, facility, term or source")]
    Nothing,
    /// The event has no such field.
    #[error("{field} can be corrected on {applies_to} only; event {target} is a {event_type}")]
    Inapplicable {
        /// The field that was given.
        field: &'static str,
        /// The event types that have it.
        applies_to: &'static str,
        /// The event being corrected.
        target: EventId,
        /// Its type.
        event_type: &'static str,
    },
}

impl Amendment {
    /// The corrected event: `current` (the target as it stands, after any
    /// earlier corrections) with the amendment's fields changed.
    pub fn apply(&self, target: EventId, current: &Event) -> Result<Event, AmendmentError> {
        if self == &Amendment::default() {
            return Err(AmendmentError::Nothing);
        }
        let mut corrected = current.clone();
        let inapplicable = |field, applies_to| AmendmentError::Inapplicable {
            field,
            applies_to,
            target,
            event_type: current.event_type(),
        };
        if self.occurred.is_some() || !self.added_sources.is_empty() {
            let facts = corrected
                .facts_mut()
                .ok_or_else(|| inapplicable("a date or source", "dated facts"))?;
            if let Some(occurred) = self.occurred {
                facts.occurred = occurred;
            }
            facts.sources.extend(self.added_sources.iter().cloned());
        }
        if let Some(facility) = &self.facility {
            match &mut corrected {
                Event::Detained(detention) => detention.facility = Some(facility.clone()),
                Event::Transferred(transfer) => transfer.to_facility = facility.clone(),
                _ => return Err(inapplicable("a facility", "detentions and transfers")),
            }
        }
        if let Some(term) = self.term {
            match &mut corrected {
                Event::Sentenced(sentencing) => sentencing.term = Some(term),
                _ => return Err(inapplicable("a term", "sentences")),
            }
        }
        Ok(corrected)
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::event::{Detention, DetentionKind, Sentencing, Transfer};
    use crate::facts::Facts;

    fn date(text: &str) -> PartialDate {
        text.parse().expect("test dates parse")
    }

    fn facts() -> Facts {
        Facts::new(date("2020-07"), vec![Source::url("https://example.org/a")])
    }

    fn detained() -> Event {
        Event::Detained(Detention {
            facts: facts(),
            kind: DetentionKind::Arrest,
            place: None,
            authority: None,
            facility: None,
        })
    }

    fn transferred() -> Event {
        Event::Transferred(Transfer {
            facts: facts(),
            from_facility: None,
            to_facility: "Prey Sar".into(),
        })
    }

    fn sentenced() -> Event {
        Event::Sentenced(Sentencing {
            facts: facts(),
            term: None,
            court: None,
            in_absentia: false,
            suspended: false,
            ends: None,
            offences: Vec::new(),
        })
    }

    #[test]
    fn amendments_change_only_the_fields_an_event_has() {
        let target = EventId::from_uuid(Uuid::from_u128(7));
        let on = |text: &str| Amendment {
            occurred: Some(date(text)),
            ..Amendment::default()
        };
        let facility = Amendment {
            facility: Some("CC2".into()),
            ..Amendment::default()
        };
        let term = Amendment {
            term: Some("2y".parse().expect("term")),
            ..Amendment::default()
        };
        let source = Amendment {
            added_sources: vec![Source::document("court file 12")],
            ..Amendment::default()
        };
        // (event, amendment, the corrected event or the error's start)
        let mut detained_on = detained();
        detained_on.facts_mut().expect("facts").occurred = date("2020-07-31");
        let mut detained_in = detained();
        if let Event::Detained(detention) = &mut detained_in {
            detention.facility = Some("CC2".into());
        }
        let mut transferred_to = transferred();
        if let Event::Transferred(transfer) = &mut transferred_to {
            transfer.to_facility = "CC2".into();
        }
        let mut sentenced_to = sentenced();
        if let Event::Sentenced(sentencing) = &mut sentenced_to {
            sentencing.term = Some("2y".parse().expect("term"));
        }
        let mut sourced = sentenced();
        sourced
            .facts_mut()
            .expect("facts")
            .sources
            .push(Source::document("court file 12"));
        let cases: Vec<(Event, Amendment, Result<Event, &str>)> = vec![
            (detained(), on("2020-07-31"), Ok(detained_on)),
            (detained(), facility.clone(), Ok(detained_in)),
            (transferred(), facility.clone(), Ok(transferred_to)),
            (sentenced(), term.clone(), Ok(sentenced_to)),
            (sentenced(), source, Ok(sourced)),
            (
                sentenced(),
                facility,
                Err("a facility can be corrected on detentions and transfers only"),
            ),
            (
                detained(),
                term,
                Err("a term can be corrected on sentences only"),
            ),
            (detained(), Amendment::default(), Err("nothing to correct")),
        ];
        for (event, amendment, expected) in cases {
            let got = amendment.apply(target, &event);
            match (got, expected) {
                (Ok(got), Ok(expected)) => assert_eq!(got, expected, "{amendment:?}"),
                (Err(error), Err(start)) => {
                    assert!(error.to_string().starts_with(start), "{error}")
                }
                (got, expected) => {
                    panic!("{amendment:?} on {event:?}: got {got:?}, expected {expected:?}")
                }
            }
        }
    }
}
