//! Status derivation: replay a person's facts in the order they happened, as
//! known at a moment, up to a day.
//!
//! `status(history, View { as_of, known_at })` keeps the events recorded at or
//! before `known_at` (transaction time), places the facts that may have
//! happened by `as_of` (valid time) on the timeline, and walks them. Status is
//! never stored by hand; every answer says which `as_of` and `known_at` it used.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::date::PartialDate;
use crate::event::{Charge, DetentionKind, Event, RestrictionKind};
use crate::figures::{DateRange, DayRange, FractionRange, expected_end, served_fraction};
use crate::history::{CaseFile, Entry, Identity, RecordedEvent};
use crate::id::{EventId, PersonId};
use crate::term::Term;
use crate::timeline::{EventRef, Item, arrange};

/// The two times a status answer depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// Valid time: the day the status describes.
    pub as_of: NaiveDate,
    /// Transaction time: only events recorded at or before this count.
    pub known_at: DateTime<Utc>,
}

/// One word for lists and rosters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Headline {
    /// In custody, not charged (or charges unknown).
    Detained,
    /// Charged and awaiting trial, in custody or not.
    Charged,
    /// In custody after a sentence.
    ServingSentence,
    /// Sentenced but not in custody (in absentia, suspended, not yet taken in).
    SentencedAtLiberty,
    /// Released from custody.
    Released,
    /// At liberty under a restriction (ban on political activity, travel ban …).
    Restricted,
    /// Died in custody.
    Deceased,
    /// Disappeared, or held in an enforced disappearance.
    Disappeared,
    /// At liberty, never known to have been held.
    AtLiberty,
    /// Nothing is recorded about custody yet (`docs/domain.md`, "Status and
    /// headlines"): calling such a person "at liberty" would state a fact
    /// nobody recorded.
    Unknown,
}

impl Headline {
    /// Every headline, in roster order.
    pub const ALL: [Headline; 10] = [
        Headline::Detained,
        Headline::Charged,
        Headline::ServingSentence,
        Headline::SentencedAtLiberty,
        Headline::Disappeared,
        Headline::Deceased,
        Headline::Restricted,
        Headline::Released,
        Headline::AtLiberty,
        Headline::Unknown,
    ];

    /// The word as printed.
    pub fn as_str(&self) -> &'static str {
        match self {
            Headline::Detained => "detained",
            Headline::Charged => "charged",
            Headline::ServingSentence => "serving-sentence",
            Headline::SentencedAtLiberty => "sentenced-at-liberty",
            Headline::Released => "released",
            Headline::Restricted => "restricted",
            Headline::Deceased => "deceased",
            Headline::Disappeared => "disappeared",
            Headline::AtLiberty => "at-liberty",
            Headline::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Headline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a headline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a status headline: use one of detained, charged, serving-sentence, sentenced-at-liberty, released, restricted, deceased, disappeared, at-liberty, unknown"
)]
pub struct HeadlineParseError(String);

impl FromStr for Headline {
    type Err = HeadlineParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Headline::ALL
            .into_iter()
            .find(|headline| headline.as_str() == text.trim())
            .ok_or_else(|| HeadlineParseError(text.to_owned()))
    }
}

/// Where the person is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Custody {
    /// Nothing recorded.
    Unknown,
    /// At liberty.
    AtLiberty {
        /// Since when, if known.
        since: Option<PartialDate>,
    },
    /// Held.
    InCustody {
        /// Since when (start of the current episode).
        since: PartialDate,
        /// How.
        kind: DetentionKind,
        /// The current facility, if known.
        facility: Option<String>,
        /// Where they were detained.
        place: Option<String>,
    },
    /// Disappeared.
    Disappeared {
        /// Since when.
        since: PartialDate,
    },
    /// Died in custody.
    Deceased {
        /// When.
        on: PartialDate,
    },
}

/// Where the proceedings stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Legal {
    /// No charge recorded.
    NotCharged,
    /// Charged, not (yet) judged.
    Charged {
        /// When first charged.
        since: PartialDate,
        /// Every charge recorded.
        charges: Vec<Charge>,
        /// The court, if known.
        court: Option<String>,
    },
    /// Convicted and sentenced.
    Convicted {
        /// When sentenced.
        on: PartialDate,
        /// The sentence, if the sources give it.
        term: Option<Term>,
        /// The court.
        court: Option<String>,
        /// Sentenced in absentia.
        in_absentia: bool,
        /// The sentence is suspended.
        suspended: bool,
        /// The charges, if recorded.
        charges: Vec<Charge>,
    },
    /// Acquitted.
    Acquitted {
        /// When.
        on: PartialDate,
    },
    /// Charges dropped.
    ChargesDropped {
        /// When.
        on: PartialDate,
    },
}

/// One period in custody, for figures and timeline pictures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    /// When it started.
    pub start: PartialDate,
    /// When it ended; `None` while it goes on.
    pub end: Option<PartialDate>,
    /// How the person was held.
    pub kind: DetentionKind,
    /// The last facility known.
    pub facility: Option<String>,
    /// The detention that started it.
    pub started_by: EventId,
    /// The release or death that ended it.
    pub ended_by: Option<EventId>,
    /// Its length up to its end, or up to `as_of` while it goes on.
    pub days: DayRange,
}

/// A restriction in force on the `as_of` day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveRestriction {
    /// What kind.
    pub kind: RestrictionKind,
    /// Since when.
    pub since: PartialDate,
    /// Until when, if it has an end.
    pub until: Option<PartialDate>,
    /// Its wording.
    pub description: Option<String>,
    /// The event that imposed it.
    pub imposed_by: EventId,
}

/// Numbers a campaign quotes, as ranges where dates are partial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Days in the current custody episode, if held.
    pub days_in_custody_now: Option<DayRange>,
    /// Days in custody over all recorded episodes; `None` when no custody is
    /// recorded at all: unknown, which is not zero days.
    pub days_in_custody_total: Option<DayRange>,
    /// The sentence term, if sentenced.
    pub term: Option<Term>,
    /// The day of release: start of custody plus the term when both are
    /// known, else the day a source states. It is the day after the last
    /// day served (a 3-year term from 2019-01-01 is served until 2021-12-31
    /// and ends with release on 2022-01-01), as sentencing courts count it.
    pub expected_release: Option<DateRange>,
    /// Still recorded as held after the latest day the expected release
    /// could be: no release is recorded, and the person's fate must be
    /// checked (`docs/domain.md`, "Figures").
    pub release_overdue: bool,
    /// Share of the term served in the episode the sentence applies to.
    pub served: Option<FractionRange>,
}

/// A person's status as derived from their events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The valid and transaction times used.
    pub view: View,
    /// Who the person is, as known at `known_at`.
    pub identity: Option<Identity>,
    /// One word for lists.
    pub headline: Headline,
    /// Where the person is.
    pub custody: Custody,
    /// Where the proceedings stand.
    pub legal: Legal,
    /// Restrictions in force.
    pub restrictions: Vec<ActiveRestriction>,
    /// When the person went into exile, if they did.
    pub exile: Option<PartialDate>,
    /// Who recognised the person as a political prisoner, and when.
    pub recognised_by: Vec<(String, PartialDate)>,
    /// Custody periods, oldest first.
    pub episodes: Vec<Episode>,
    /// Days in custody, sentence arithmetic.
    pub figures: Figures,
    /// The last fact applied, in the order things happened.
    pub last_change: Option<EventId>,
    /// Facts that may or may not have happened by `as_of` (their date is a
    /// month or a year that `as_of` falls inside), and what the headline
    /// would be if they had; `None` when every fact counted is certain.
    /// Everything above counts only facts certainly on or before `as_of`:
    /// a fact known to the month is not taken to have happened on its first
    /// day.
    pub possibly: Option<Possibly>,
    /// The record that documents this person instead, when this one was
    /// merged into it (a duplicate): lists and rosters leave this record
    /// out, and its names resolve to that one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<PersonId>,
}

/// What may have changed by `as_of` without the sources saying so for certain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Possibly {
    /// The headline if every uncertain fact had happened by `as_of`.
    pub headline: Headline,
    /// The uncertain facts, in the order they may have happened.
    pub facts: Vec<UncertainFact>,
}

/// A fact whose date may fall on either side of `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UncertainFact {
    /// The event.
    pub event: EventId,
    /// Its type, e.g. `Sentenced`.
    pub event_type: String,
    /// Its date: a month or a year that contains `as_of`.
    pub occurred: PartialDate,
}

impl Status {
    /// Whether the person is held (including an enforced disappearance).
    pub fn in_custody(&self) -> bool {
        matches!(self.custody, Custody::InCustody { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SentenceDraft {
    term: Option<Term>,
    suspended: bool,
    /// The day of release a source states, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ends: Option<PartialDate>,
    /// The episode the term counts from: the one open when sentenced, or the
    /// next one to start.
    episode: Option<usize>,
}

/// An episode while walking, before its length is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct EpisodeDraft {
    start: PartialDate,
    end: Option<PartialDate>,
    kind: DetentionKind,
    facility: Option<String>,
    started_by: EventId,
    ended_by: Option<EventId>,
}

/// Where a case stands once its facts are walked, before it is read on a
/// day: everything [`status`] derives except what depends on `as_of` (which
/// restrictions have expired, day counts, sentence arithmetic).
///
/// `standing(history, view).status(later)` equals `status(history, later)`
/// for any `later` with the same `known_at` whose `as_of` admits the same
/// facts, in particular for every day on or after the latest
/// earliest-possible day of any fact: [`status`] itself is
/// `standing(history, view).status(view)`. This is what lets the read models
/// store one standing per person and answer any later day without the
/// history (`habeas-projections`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    walk: Walk,
    identity: Option<Identity>,
    /// The walk with the uncertain facts applied too, and those facts;
    /// absent when there are none (which keeps the stored form of a
    /// standing without any unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uncertain: Option<(Walk, Vec<UncertainFact>)>,
    /// Set when the record was merged into another (absent otherwise,
    /// which keeps the stored form of every other standing unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    merged_into: Option<PersonId>,
}

impl Standing {
    /// The status this standing reads as on `view.as_of` (see the type's
    /// docs for the days on which that is exact).
    pub fn status(&self, view: View) -> Status {
        let mut status = self.walk.clone().finish(view, self.identity.clone());
        status.merged_into = self.merged_into;
        status.possibly = self.uncertain.as_ref().map(|(walk, facts)| Possibly {
            headline: walk.clone().finish(view, None).headline,
            facts: facts.clone(),
        });
        status
    }

    /// Who the person is, as known when the standing was derived.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Walk {
    custody: Custody,
    legal: Legal,
    episodes: Vec<EpisodeDraft>,
    released_since_conviction: bool,
    ever_released: bool,
    sentence: Option<SentenceDraft>,
    restrictions: Vec<ActiveRestriction>,
    exile: Option<PartialDate>,
    recognised_by: Vec<(String, PartialDate)>,
    last_change: Option<EventId>,
}

impl Walk {
    fn new() -> Self {
        Self {
            custody: Custody::Unknown,
            legal: Legal::NotCharged,
            episodes: Vec::new(),
            released_since_conviction: false,
            ever_released: false,
            sentence: None,
            restrictions: Vec::new(),
            exile: None,
            recognised_by: Vec::new(),
            last_change: None,
        }
    }

    fn open_episode(&self) -> Option<usize> {
        match self.episodes.last() {
            Some(episode) if episode.end.is_none() => Some(self.episodes.len() - 1),
            _ => None,
        }
    }

    fn close_episode(&mut self, on: PartialDate, by: EventId) {
        if let Some(idx) = self.open_episode() {
            self.episodes[idx].end = Some(on);
            self.episodes[idx].ended_by = Some(by);
        }
    }

    /// Applies one fact. Lenient by design: `decide` has already refused any
    /// timeline that breaks a rule, and a view cut at `as_of` or `known_at`
    /// must still be readable.
    fn apply(&mut self, id: EventId, event: &Event) {
        self.last_change = Some(id);
        let Some(on) = event.occurred() else { return };
        match event {
            Event::Detained(detention) => {
                if self.open_episode().is_none() {
                    self.episodes.push(EpisodeDraft {
                        start: on,
                        end: None,
                        kind: detention.kind,
                        facility: detention.facility.clone(),
                        started_by: id,
                        ended_by: None,
                    });
                    if let Some(sentence) = self.sentence.as_mut()
                        && sentence.episode.is_none()
                    {
                        sentence.episode = Some(self.episodes.len() - 1);
                    }
                } else if let Some(idx) = self.open_episode() {
                    self.episodes[idx].kind = detention.kind;
                    if detention.facility.is_some() {
                        self.episodes[idx].facility = detention.facility.clone();
                    }
                }
                let since = self
                    .open_episode()
                    .map_or(on, |idx| self.episodes[idx].start);
                let facility = self
                    .open_episode()
                    .and_then(|idx| self.episodes[idx].facility.clone());
                self.custody = Custody::InCustody {
                    since,
                    kind: detention.kind,
                    facility,
                    place: detention.place.clone(),
                };
            }
            Event::Released(_) => {
                self.close_episode(on, id);
                self.custody = Custody::AtLiberty { since: Some(on) };
                self.ever_released = true;
                self.released_since_conviction = true;
            }
            Event::Transferred(transfer) => {
                if let Some(idx) = self.open_episode() {
                    self.episodes[idx].facility = Some(transfer.to_facility.clone());
                }
                if let Custody::InCustody { facility, .. } = &mut self.custody {
                    *facility = Some(transfer.to_facility.clone());
                }
            }
            Event::DiedInCustody(_) | Event::Died(_) => {
                // An open custody episode ends with the death, whatever the
                // sources say of where it happened.
                self.close_episode(on, id);
                self.custody = Custody::Deceased { on };
            }
            Event::Disappeared(_) => {
                self.custody = Custody::Disappeared { since: on };
            }
            Event::WentIntoExile(_) => {
                self.exile = Some(on);
                if self.custody == Custody::Unknown {
                    self.custody = Custody::AtLiberty { since: Some(on) };
                }
            }
            Event::Charged(charging) => {
                self.legal = match std::mem::replace(&mut self.legal, Legal::NotCharged) {
                    Legal::Charged {
                        since,
                        mut charges,
                        court,
                    } => {
                        charges.extend(charging.charges.iter().cloned());
                        Legal::Charged {
                            since,
                            charges,
                            court: charging.court.clone().or(court),
                        }
                    }
                    _ => Legal::Charged {
                        since: on,
                        charges: charging.charges.clone(),
                        court: charging.court.clone(),
                    },
                };
            }
            Event::Sentenced(sentencing) => {
                // What the sentence names, else the charges recorded before it.
                let charges = match &self.legal {
                    _ if !sentencing.offences.is_empty() => sentencing.offences.clone(),
                    Legal::Charged { charges, .. } | Legal::Convicted { charges, .. } => {
                        charges.clone()
                    }
                    _ => Vec::new(),
                };
                self.legal = Legal::Convicted {
                    on,
                    term: sentencing.term,
                    court: sentencing.court.clone(),
                    in_absentia: sentencing.in_absentia,
                    suspended: sentencing.suspended,
                    charges,
                };
                self.released_since_conviction = false;
                self.sentence = Some(SentenceDraft {
                    term: sentencing.term,
                    suspended: sentencing.suspended,
                    ends: sentencing.ends,
                    episode: self.open_episode(),
                });
            }
            Event::Acquitted(_) => self.legal = Legal::Acquitted { on },
            Event::ChargesDropped(_) => self.legal = Legal::ChargesDropped { on },
            Event::RestrictionImposed(restriction) => self.restrictions.push(ActiveRestriction {
                kind: restriction.kind,
                since: on,
                until: restriction.until,
                description: restriction.description.clone(),
                imposed_by: id,
            }),
            Event::RestrictionLifted(lifting) => {
                self.restrictions.retain(|r| r.kind != lifting.kind);
            }
            Event::RecognisedAsPoliticalPrisoner(recognition) => {
                self.recognised_by.push((recognition.by.clone(), on));
            }
            _ => {}
        }
    }

    fn finish(mut self, view: View, identity: Option<Identity>) -> Status {
        let as_of = view.as_of;
        self.restrictions
            .retain(|r| r.until.is_none_or(|until| until.latest() >= as_of));
        let episodes: Vec<Episode> = self
            .episodes
            .iter()
            .map(|draft| {
                let (start, end) = (draft.start, draft.end);
                let end_range = match end {
                    Some(end) => (end.earliest().min(as_of), end.latest().min(as_of)),
                    None => (as_of, as_of),
                };
                Episode {
                    start,
                    end,
                    kind: draft.kind,
                    facility: draft.facility.clone(),
                    started_by: draft.started_by,
                    ended_by: draft.ended_by,
                    days: DayRange::between((start.lower_bound(), start.latest()), end_range),
                }
            })
            .collect();
        let held = matches!(
            self.custody,
            Custody::InCustody { .. } | Custody::Disappeared { .. }
        );
        let days_in_custody_now = episodes
            .last()
            .filter(|episode| held && episode.end.is_none())
            .map(|episode| episode.days);
        let days_in_custody_total = (!episodes.is_empty()).then(|| {
            episodes
                .iter()
                .fold(DayRange::default(), |total, episode| total + episode.days)
        });
        let sentence_episode = self
            .sentence
            .as_ref()
            .filter(|sentence| !sentence.suspended)
            .and_then(|sentence| Some((sentence.term?, &episodes[sentence.episode?])));
        // Start of custody + term when both are known, else the day of
        // release a source states.
        let expected_release = sentence_episode
            .and_then(|(term, episode)| expected_end(&term, &episode.start))
            .or_else(|| {
                let ends = self.sentence.as_ref().filter(|s| !s.suspended)?.ends?;
                Some(DateRange {
                    earliest: ends.lower_bound(),
                    latest: ends.latest(),
                })
            });
        // Still held after the last day the release could have been: the
        // fate of this person must be checked.
        let release_overdue = matches!(self.custody, Custody::InCustody { .. })
            && expected_release.is_some_and(|expected| expected.latest < as_of)
            && self.sentence_applies_to_current_custody();
        let figures = Figures {
            days_in_custody_now,
            days_in_custody_total,
            term: self.sentence.as_ref().and_then(|sentence| sentence.term),
            expected_release,
            release_overdue,
            served: sentence_episode
                .and_then(|(term, episode)| served_fraction(&term, &episode.start, episode.days)),
        };
        let headline = self.headline();
        Status {
            view,
            identity,
            headline,
            custody: self.custody,
            legal: self.legal,
            restrictions: self.restrictions,
            exile: self.exile,
            recognised_by: self.recognised_by,
            episodes,
            figures,
            last_change: self.last_change,
            possibly: None,
            merged_into: None,
        }
    }

    /// Whether the sentence counts for the custody the person is in now:
    /// it was passed during this episode (or before it began), or it gives
    /// only a stated day of release.
    fn sentence_applies_to_current_custody(&self) -> bool {
        let Some(sentence) = &self.sentence else {
            return false;
        };
        match (sentence.episode, self.open_episode()) {
            (Some(episode), Some(open)) => episode == open,
            (None, _) => sentence.ends.is_some(),
            (Some(_), None) => false,
        }
    }

    fn headline(&self) -> Headline {
        match &self.custody {
            Custody::Deceased { .. } => Headline::Deceased,
            Custody::Disappeared { .. } => Headline::Disappeared,
            Custody::InCustody {
                kind: DetentionKind::EnforcedDisappearance,
                ..
            } => Headline::Disappeared,
            Custody::InCustody { .. } => match &self.legal {
                Legal::Convicted {
                    suspended: false, ..
                } => Headline::ServingSentence,
                Legal::Charged { .. } => Headline::Charged,
                _ => Headline::Detained,
            },
            Custody::AtLiberty { .. } | Custody::Unknown => {
                if !self.restrictions.is_empty() {
                    Headline::Restricted
                } else if matches!(self.legal, Legal::Convicted { .. })
                    && !self.released_since_conviction
                {
                    Headline::SentencedAtLiberty
                } else if matches!(self.legal, Legal::Charged { .. }) {
                    Headline::Charged
                } else if self.ever_released {
                    Headline::Released
                } else if self.custody == Custody::Unknown {
                    Headline::Unknown
                } else {
                    Headline::AtLiberty
                }
            }
        }
    }
}

/// Derives a person's status from their stream's history (in recording order).
pub fn status(history: &[RecordedEvent], view: View) -> Status {
    standing(history, view).status(view)
}

/// Walks the facts of `history` known at `view.known_at` that certainly
/// happened by `view.as_of` ([`crate::history::certain_from`]), in the order
/// they happened; and, when some facts' dates (a month, a year) contain
/// `as_of`, walks those too, apart, for [`Status::possibly`].
pub fn standing(history: &[RecordedEvent], view: View) -> Standing {
    let file = CaseFile::from_history(
        history
            .iter()
            .filter(|recorded| recorded.recorded_at <= view.known_at),
    );
    let entries: Vec<&Entry> = file
        .live_entries()
        .filter(|entry| entry.occurred().may_be_on_or_before(view.as_of))
        .collect();
    let items: Vec<Item<'_>> = entries
        .iter()
        .map(|entry| Item {
            reference: EventRef::Recorded(entry.id),
            seq: entry.seq,
            event: &entry.effective,
        })
        .collect();
    let order = arrange(&items).order;
    let mut walk = Walk::new();
    let mut possible = Walk::new();
    let mut uncertain = Vec::new();
    for idx in order {
        let item = &items[idx];
        let EventRef::Recorded(id) = item.reference else {
            continue;
        };
        possible.apply(id, item.event);
        if entries[idx].certain_from() <= view.as_of {
            walk.apply(id, item.event);
        } else if let Some(occurred) = item.event.occurred() {
            uncertain.push(UncertainFact {
                event: id,
                event_type: item.event.event_type().to_owned(),
                occurred,
            });
        }
    }
    Standing {
        walk,
        identity: file.identity().cloned(),
        uncertain: (!uncertain.is_empty()).then_some((possible, uncertain)),
        merged_into: match file.withdrawal() {
            Some(crate::history::Withdrawal::Merged { into, .. }) => Some(into),
            _ => None,
        },
    }
}
