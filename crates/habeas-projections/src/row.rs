//! The per-person read-model row: what a roster or a lookup shows. The
//! database keeps a [`StoredRow`] per person: the domain's [`Standing`] (the
//! person's facts walked, before they are read on a day), where it came from
//! in the log, and the window of days on which it reads exactly. A
//! [`PersonStatus`] is that standing read on a day.

use chrono::NaiveDate;
use habeas_domain::date::PartialDate;
use habeas_domain::event::{Charge, DetentionKind, RestrictionKind};
use habeas_domain::history::Identity;
use habeas_domain::id::{EventId, PersonId, StatementId};
use habeas_domain::status::{Custody, Headline, Legal, Standing, Status, View};
use habeas_domain::term::Term;
use serde::{Deserialize, Serialize};

/// A person's status as the read model keeps it.
///
/// Built by `status()` over the person's whole stream; see the crate docs for
/// the days on which a stored row is exact and how other days are answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonStatus {
    /// Who.
    pub person: PersonId,
    /// The stable command-line handle, assigned at registration (`None` for a
    /// stream without a registration).
    pub slug: Option<String>,
    /// Name, aliases and the rest, as currently recorded.
    pub identity: Option<IdentityRow>,
    /// The day the status (and its day counts) describes.
    pub as_of: NaiveDate,
    /// One word for lists.
    #[serde(with = "headline_text")]
    pub headline: Headline,
    /// Where the person is.
    pub custody: CustodyRow,
    /// Where the proceedings stand.
    pub legal: LegalRow,
    /// Restrictions in force on `as_of`.
    pub restrictions: Vec<RestrictionRow>,
    /// When the person went into exile, if they did.
    pub exile: Option<PartialDate>,
    /// Who recognised the person as a political prisoner, and when.
    pub recognised_by: Vec<RecognitionRow>,
    /// Custody periods, oldest first, with their lengths up to `as_of`.
    pub episodes: Vec<EpisodeRow>,
    /// The numbers rosters quote, for `as_of`.
    pub figures: FiguresRow,
    /// The record that documents this person instead, when this one was
    /// merged into it: people lists and rosters leave this row out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<PersonId>,
    /// The last fact applied in the order things happened.
    pub last_change: Option<EventId>,
    /// Statements that name the person (not retracted), oldest first.
    pub statements: Vec<StatementId>,
    /// The global position of the person's last event in the log.
    pub last_position: u64,
    /// The id of that event.
    pub last_event: EventId,
    /// The days on which the stored row holds as stored.
    pub window: Window,
}

/// The days on which a stored row is exact, and the first day its roster
/// membership may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// The first day on which every recorded fact counts (the latest earliest
    /// possible day of any fact); the row was computed as of this day.
    pub valid_from: NaiveDate,
    /// The first day on which something in the row may differ (a day count
    /// grows, a restriction expires); `None`: never.
    pub stable_until: Option<NaiveDate>,
    /// The first day on which the headline may differ (a restriction with an
    /// end date expires); `None`: never.
    pub headline_until: Option<NaiveDate>,
}

impl Window {
    /// Whether the stored row is exact on `day`.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        day >= self.valid_from && self.stable_until.is_none_or(|until| day < until)
    }
}

/// Who the person is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityRow {
    /// The main name.
    pub name: String,
    /// Other spellings and native-script names.
    pub aliases: Vec<String>,
    /// Country of the case.
    pub country: Option<String>,
    /// Affiliation or role.
    pub affiliation: Option<String>,
    /// Birth date.
    pub born: Option<PartialDate>,
}

/// Custody, flattened for storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CustodyState {
    /// Nothing recorded.
    Unknown,
    /// At liberty.
    AtLiberty,
    /// Held.
    InCustody,
    /// Disappeared.
    Disappeared,
    /// Died in custody.
    Deceased,
}

/// Where the person is, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyRow {
    /// The state.
    pub state: CustodyState,
    /// Since when (the start of the current episode when held; the day of death
    /// when deceased), if known.
    pub since: Option<PartialDate>,
    /// How the person is held, when held.
    pub kind: Option<DetentionKind>,
    /// The current facility, when held and known.
    pub facility: Option<String>,
    /// Where they were detained, when held and known.
    pub place: Option<String>,
}

/// The state of the proceedings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegalState {
    /// No charge recorded.
    NotCharged,
    /// Charged, not judged.
    Charged,
    /// Convicted and sentenced.
    Convicted,
    /// Acquitted.
    Acquitted,
    /// Charges dropped.
    ChargesDropped,
}

/// Where the proceedings stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalRow {
    /// The state.
    pub state: LegalState,
    /// When it was reached: first charged, sentenced, acquitted, dropped.
    pub since: Option<PartialDate>,
    /// The charges recorded.
    pub charges: Vec<Charge>,
    /// The court, if known.
    pub court: Option<String>,
    /// The sentence, when convicted and given.
    pub term: Option<Term>,
    /// Sentenced in absentia.
    pub in_absentia: bool,
    /// The sentence is suspended.
    pub suspended: bool,
}

/// A restriction in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestrictionRow {
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

/// A recognition as a political prisoner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecognitionRow {
    /// Who recognised the person.
    pub by: String,
    /// When.
    pub on: PartialDate,
}

/// A number of days known to lie between `min` and `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Days {
    /// The fewest it can be.
    pub min: i64,
    /// The most it can be; `None` when nothing bounds it (custody known
    /// without its start).
    pub max: Option<i64>,
}

/// A day known to lie between two days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayWindow {
    /// The earliest it can be, when known.
    pub earliest: Option<NaiveDate>,
    /// The latest it can be.
    pub latest: NaiveDate,
}

/// A fraction known to lie between two values (1.0 is a whole term).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fraction {
    /// The smallest it can be.
    pub min: f64,
    /// The largest it can be.
    pub max: f64,
}

/// One period in custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeRow {
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
    pub days: Days,
}

/// Numbers a campaign quotes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiguresRow {
    /// Days in the current custody episode, if held.
    pub days_in_custody_now: Option<Days>,
    /// Days in custody over all recorded episodes; `None`: no custody
    /// recorded (unknown, not zero).
    pub days_in_custody_total: Option<Days>,
    /// The sentence term, if sentenced.
    pub term: Option<Term>,
    /// Start of custody plus the term, when both are known.
    pub expected_release: Option<DayWindow>,
    /// Share of the term served.
    pub served: Option<Fraction>,
}

/// What the database keeps under `p/` for a person (JSON).
///
/// The standing is derived as of `window.valid_from`, the first day on which
/// every recorded fact counts; read on that day or any later one it gives
/// exactly what `status()` over the whole stream gives (see
/// [`Standing`]), so a row never needs the history to answer a later day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredRow {
    pub(crate) person: PersonId,
    pub(crate) slug: Option<String>,
    pub(crate) statements: Vec<StatementId>,
    pub(crate) last_position: u64,
    pub(crate) last_event: EventId,
    pub(crate) window: Window,
    pub(crate) standing: Standing,
}

impl StoredRow {
    /// The row as it reads on `day`, which must be on or after
    /// `window.valid_from` (earlier days leave out facts the standing
    /// counts: derive those from the history).
    pub(crate) fn on(&self, day: NaiveDate) -> PersonStatus {
        let status = self.standing.status(View {
            as_of: day,
            known_at: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        });
        PersonStatus::from_status(self.person, &status, self.context(), self.window)
    }

    /// The row as stored: read on the first day every fact counts.
    pub(crate) fn as_stored(&self) -> PersonStatus {
        self.on(self.window.valid_from)
    }

    pub(crate) fn context(&self) -> RowContext {
        RowContext {
            slug: self.slug.clone(),
            statements: self.statements.clone(),
            last_position: self.last_position,
            last_event: self.last_event,
        }
    }
}

/// What a row carries besides the derived status.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowContext {
    pub(crate) slug: Option<String>,
    pub(crate) statements: Vec<StatementId>,
    pub(crate) last_position: u64,
    pub(crate) last_event: EventId,
}

impl PersonStatus {
    /// The row for a derived status.
    pub(crate) fn from_status(
        person: PersonId,
        status: &Status,
        context: RowContext,
        window: Window,
    ) -> PersonStatus {
        PersonStatus {
            person,
            slug: context.slug,
            identity: status.identity.as_ref().map(identity_row),
            as_of: status.view.as_of,
            headline: status.headline,
            custody: custody_row(&status.custody),
            legal: legal_row(&status.legal),
            restrictions: status
                .restrictions
                .iter()
                .map(|r| RestrictionRow {
                    kind: r.kind,
                    since: r.since,
                    until: r.until,
                    description: r.description.clone(),
                    imposed_by: r.imposed_by,
                })
                .collect(),
            exile: status.exile,
            recognised_by: status
                .recognised_by
                .iter()
                .map(|(by, on)| RecognitionRow {
                    by: by.clone(),
                    on: *on,
                })
                .collect(),
            episodes: status
                .episodes
                .iter()
                .map(|e| EpisodeRow {
                    start: e.start,
                    end: e.end,
                    kind: e.kind,
                    facility: e.facility.clone(),
                    started_by: e.started_by,
                    ended_by: e.ended_by,
                    days: Days {
                        min: e.days.min,
                        max: e.days.max,
                    },
                })
                .collect(),
            figures: FiguresRow {
                days_in_custody_now: status.figures.days_in_custody_now.map(|d| Days {
                    min: d.min,
                    max: d.max,
                }),
                days_in_custody_total: status.figures.days_in_custody_total.map(|d| Days {
                    min: d.min,
                    max: d.max,
                }),
                term: status.figures.term,
                expected_release: status.figures.expected_release.map(|r| DayWindow {
                    earliest: r.earliest,
                    latest: r.latest,
                }),
                served: status.figures.served.map(|f| Fraction {
                    min: f.min,
                    max: f.max,
                }),
            },
            last_change: status.last_change,
            merged_into: status.merged_into,
            statements: context.statements,
            last_position: context.last_position,
            last_event: context.last_event,
            window,
        }
    }

    /// The name, or the id when the stream has no registration.
    pub fn display_name(&self) -> String {
        self.identity
            .as_ref()
            .map_or_else(|| self.person.to_string(), |identity| identity.name.clone())
    }
}

fn identity_row(identity: &Identity) -> IdentityRow {
    IdentityRow {
        name: identity.name.clone(),
        aliases: identity.aliases.clone(),
        country: identity.country.clone(),
        affiliation: identity.affiliation.clone(),
        born: identity.born,
    }
}

fn custody_row(custody: &Custody) -> CustodyRow {
    let row = |state, since| CustodyRow {
        state,
        since,
        kind: None,
        facility: None,
        place: None,
    };
    match custody {
        Custody::Unknown => row(CustodyState::Unknown, None),
        Custody::AtLiberty { since } => row(CustodyState::AtLiberty, *since),
        Custody::InCustody {
            since,
            kind,
            facility,
            place,
        } => CustodyRow {
            state: CustodyState::InCustody,
            since: Some(*since),
            kind: Some(*kind),
            facility: facility.clone(),
            place: place.clone(),
        },
        Custody::Disappeared { since } => row(CustodyState::Disappeared, Some(*since)),
        Custody::Deceased { on } => row(CustodyState::Deceased, Some(*on)),
    }
}

fn legal_row(legal: &Legal) -> LegalRow {
    let row = |state, since| LegalRow {
        state,
        since,
        charges: Vec::new(),
        court: None,
        term: None,
        in_absentia: false,
        suspended: false,
    };
    match legal {
        Legal::NotCharged => row(LegalState::NotCharged, None),
        Legal::Charged {
            since,
            charges,
            court,
        } => LegalRow {
            charges: charges.clone(),
            court: court.clone(),
            ..row(LegalState::Charged, Some(*since))
        },
        Legal::Convicted {
            on,
            term,
            court,
            in_absentia,
            suspended,
            charges,
        } => LegalRow {
            state: LegalState::Convicted,
            since: Some(*on),
            charges: charges.clone(),
            court: court.clone(),
            term: *term,
            in_absentia: *in_absentia,
            suspended: *suspended,
        },
        Legal::Acquitted { on } => row(LegalState::Acquitted, Some(*on)),
        Legal::ChargesDropped { on } => row(LegalState::ChargesDropped, Some(*on)),
    }
}

/// Headlines are stored as their printed word.
mod headline_text {
    use habeas_domain::status::Headline;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        headline: &Headline,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(headline.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Headline, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
