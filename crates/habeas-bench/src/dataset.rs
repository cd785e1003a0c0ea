//! The seeded generator of a realistic data set: people with valid case timelines,
//! statements about several of them, and some corrections.
//!
//! Every person's timeline is generated in the order things happened, with each
//! fact's earliest possible day after the previous fact's latest possible day, so
//! partial dates (a month, a year) never leave two orders open and every event is
//! accepted by `habeas_domain::decide::decide` in order (the crate's test checks it).
//! Corrections come last in a stream and change a note or a facility, never a date,
//! so they keep the timeline valid.

use chrono::{Datelike, Days, NaiveDate};
use habeas_domain::command::Action;
use habeas_domain::date::PartialDate;
use habeas_domain::event::{
    Acquittal, Appeal, Charge, Charging, Correction, DetailsChange, Detention, DetentionKind,
    Dismissal, Event, Exile, Hearing, Lifting, Recognition, Registration, Release, ReleaseKind,
    Restriction, RestrictionKind, Sentencing, Statement, StatementKind, Transfer,
};
use habeas_domain::facts::{Confidence, Facts, Source, Visibility};
use habeas_domain::id::{EventId, PersonId, StatementId};
use habeas_domain::subject::Subject;
use habeas_domain::term::Term;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataSetConfig {
    /// How many people; about ten events each, statements included.
    pub persons: usize,
    /// The seed: the same seed and size give the same data set.
    pub seed: u64,
}

/// One generated event with the id it is stored under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedEvent {
    /// The event id, a v7 UUID drawn from the seeded generator (corrections name it).
    pub id: EventId,
    /// The event.
    pub event: Event,
}

/// One stream's events, in recording order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Whose stream.
    pub subject: Subject,
    /// Its events in recording order (for a person, the order they happened,
    /// then any corrections).
    pub events: Vec<GeneratedEvent>,
}

/// A generated data set: every person's case, then the statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSet {
    /// The people's streams, in registration order.
    pub persons: Vec<Case>,
    /// The statement streams; each names people registered before it.
    pub statements: Vec<Case>,
}

impl DataSet {
    /// Every stream: people first, then statements (the import order).
    pub fn cases(&self) -> impl Iterator<Item = &Case> {
        self.persons.iter().chain(&self.statements)
    }

    /// The number of events in every stream.
    pub fn n_events(&self) -> usize {
        self.cases().map(|case| case.events.len()).sum()
    }

    /// The number of events of each type, most frequent first.
    pub fn event_type_counts(&self) -> Vec<(&'static str, usize)> {
        let mut counts: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for case in self.cases() {
            for event in &case.events {
                *counts.entry(event.event.event_type()).or_default() += 1;
            }
        }
        let mut counts: Vec<_> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        counts
    }
}

/// The last day any generated fact may fall on; well before any recording day.
fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).expect("valid date")
}

const FIRST_NAMES: [&str; 24] = [
    "Aung", "Nguyen", "Rorng", "Maria", "Ahmed", "Olga", "Li", "Fatima", "Tenzin", "Ali", "Elena",
    "Kim", "Samuel", "Leyla", "Omar", "Ana", "Ivan", "Mehmet", "Sokha", "Grace", "Yusuf", "Zarina",
    "Pedro", "Hoang",
];
const LAST_NAMES: [&str; 24] = [
    "Chhun",
    "Van Thanh",
    "Kyaw",
    "Petrova",
    "Hassan",
    "Wei",
    "Kaya",
    "Dorje",
    "Ramirez",
    "Abdi",
    "Sokolova",
    "Nasser",
    "Tran",
    "Mensah",
    "Aliyev",
    "Okafor",
    "Haddad",
    "Bui",
    "Sato",
    "Rahman",
    "Morales",
    "Ismailova",
    "Novak",
    "Phan",
];
const COUNTRIES: [&str; 8] = [
    "Cambodia",
    "Vietnam",
    "Myanmar",
    "Belarus",
    "Azerbaijan",
    "Egypt",
    "Nicaragua",
    "Tajikistan",
];
const AFFILIATIONS: [&str; 6] = [
    "union leader",
    "journalist",
    "opposition party member",
    "land rights activist",
    "blogger",
    "lawyer",
];
const PLACES: [&str; 6] = [
    "capital city",
    "northern province",
    "port city",
    "border district",
    "university campus",
    "market town",
];
const AUTHORITIES: [&str; 4] = [
    "police",
    "state security service",
    "military police",
    "anti-corruption unit",
];
const FACILITIES: [&str; 8] = [
    "Central Prison",
    "Pre-trial Detention Centre No. 1",
    "Provincial Prison",
    "Correctional Centre 2",
    "Women's Prison",
    "Labour Colony 5",
    "Military Detention Facility",
    "Police Lock-up",
];
const OFFENCES: [(&str, &str); 6] = [
    ("incitement", "Criminal Code art. 495"),
    ("propaganda against the state", "Criminal Code art. 117"),
    ("public disorder", "Criminal Code art. 342"),
    ("extremism", "Criminal Code art. 361-1"),
    ("tax evasion", "Criminal Code art. 243"),
    ("insulting a public official", "Criminal Code art. 368"),
];
const COURTS: [&str; 4] = [
    "Municipal Court",
    "Provincial Court",
    "Court of Appeal",
    "Supreme Court",
];
const PUBLISHERS: [&str; 5] = [
    "Human Rights Watch",
    "Amnesty International",
    "local news agency",
    "family statement",
    "court record",
];

/// The seeded generator.
struct Generator {
    rng: StdRng,
    /// Milliseconds since [`ID_EPOCH_MS`] of the last id drawn.
    id_clock_ms: u64,
}

/// The Unix time (ms) the generated v7 ids start from: 2026-01-01T00:00:00Z.
const ID_EPOCH_MS: u64 = 1_767_225_600_000;

impl Generator {
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.rng.gen_range(0..items.len())]
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.gen_range(0..100) < percent
    }

    /// A v7 UUID, as Habeas makes them: its time part grows by a millisecond per
    /// id, so ids sort in the order they were drawn (as they do in production, where
    /// the sled indexes keyed by them grow at their end), the rest is seeded.
    fn uuid(&mut self) -> Uuid {
        self.id_clock_ms += 1;
        uuid::Builder::from_unix_timestamp_millis(ID_EPOCH_MS + self.id_clock_ms, &self.rng.r#gen())
            .into_uuid()
    }

    fn sources(&mut self, date: PartialDate) -> Vec<Source> {
        let n_sources = if self.chance(25) { 2 } else { 1 };
        (0..n_sources)
            .map(|idx| {
                let publisher = self.pick(&PUBLISHERS);
                if publisher == "court record" {
                    Source::document(format!(
                        "case file {}/{}",
                        date.earliest().year(),
                        self.rng.gen_range(100..99_999)
                    ))
                } else {
                    let number = self.rng.gen_range(10_000..9_999_999);
                    Source::url(format!(
                        "https://news.example.org/{}/{:02}/report-{number}-{idx}",
                        date.earliest().year(),
                        date.earliest().month()
                    ))
                    .titled(format!("Report {number} on the case"))
                    .published_by(publisher)
                }
            })
            .collect()
    }

    fn facts(&mut self, occurred: PartialDate) -> Facts {
        let mut facts = Facts::new(occurred, self.sources(occurred));
        facts.confidence = match self.rng.gen_range(0..10) {
            0..=4 => Confidence::Confirmed,
            5..=7 => Confidence::Reported,
            8 => Confidence::Alleged,
            _ => Confidence::Disputed,
        };
        if self.chance(20) {
            facts.note = Some("Details confirmed by the family in a phone call.".into());
        }
        if self.chance(5) {
            facts.visibility = Visibility::Restricted;
        }
        facts
    }

    /// The next date after `cursor` (exclusive) and moves the cursor to its last
    /// possible day; `None` when it would fall after the last generated day.
    fn next_date(
        &mut self,
        cursor: &mut NaiveDate,
        min_gap: u64,
        max_gap: u64,
    ) -> Option<PartialDate> {
        let day = cursor.checked_add_days(Days::new(self.rng.gen_range(min_gap..=max_gap)))?;
        if day > last_day() {
            return None;
        }
        let roll = self.rng.gen_range(0..100);
        let month = PartialDate::month(day.year(), day.month()).expect("valid month");
        let year = PartialDate::year(day.year()).expect("valid year");
        let date = if roll < 12 && month.earliest() > *cursor && month.latest() <= last_day() {
            month
        } else if roll < 15 && year.earliest() > *cursor && year.latest() <= last_day() {
            year
        } else {
            PartialDate::from_naive(day)
        };
        *cursor = date.latest();
        Some(date)
    }

    fn person(&mut self) -> Case {
        let person = PersonId::from_uuid(self.uuid());
        let mut events = Vec::new();
        let name = format!("{} {}", self.pick(&FIRST_NAMES), self.pick(&LAST_NAMES));
        let born = if self.chance(60) {
            let year = self.rng.gen_range(1950..1996);
            Some(if self.chance(50) {
                PartialDate::year(year).expect("valid year")
            } else {
                PartialDate::day(year, self.rng.gen_range(1..13), self.rng.gen_range(1..29))
                    .expect("valid day")
            })
        } else {
            None
        };
        let registration = Registration {
            aliases: if self.chance(30) {
                vec![format!(
                    "{} {}",
                    self.pick(&LAST_NAMES),
                    self.pick(&FIRST_NAMES)
                )]
            } else {
                Vec::new()
            },
            country: Some(self.pick(&COUNTRIES).to_owned()),
            affiliation: self.chance(50).then(|| self.pick(&AFFILIATIONS).to_owned()),
            born,
            sources: vec![Source::url(format!(
                "https://registry.example.org/people/{}",
                self.rng.gen_range(1..10_000_000)
            ))],
            name,
            details: habeas_domain::event::PersonDetails::default(),
        };
        self.push(&mut events, Event::PersonRegistered(registration));
        if self.chance(8) {
            let change = DetailsChange {
                add_aliases: vec![format!(
                    "{} {}",
                    self.pick(&FIRST_NAMES),
                    self.pick(&LAST_NAMES)
                )],
                ..DetailsChange::default()
            };
            self.push(&mut events, Event::PersonDetailsChanged(change));
        }
        let start = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
        let mut cursor = start + Days::new(self.rng.gen_range(0..5000));
        let n_episodes = match self.rng.gen_range(0..10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        'episodes: for _ in 0..n_episodes {
            let Some(released) = self.episode(&mut events, &mut cursor) else {
                break;
            };
            if !released {
                break;
            }
            if self.chance(25) {
                let Some(date) = self.next_date(&mut cursor, 5, 120) else {
                    break;
                };
                let kind = if self.chance(60) {
                    RestrictionKind::TravelBan
                } else {
                    RestrictionKind::PoliticalActivityBan
                };
                let until = self
                    .chance(30)
                    .then(|| PartialDate::year(date.latest().year() + 2).expect("valid year"));
                let restriction = Restriction {
                    facts: self.facts(date),
                    kind,
                    description: Some("Banned by court order".into()),
                    until,
                };
                self.push(&mut events, Event::RestrictionImposed(restriction));
                if self.chance(40) {
                    let Some(date) = self.next_date(&mut cursor, 60, 700) else {
                        break;
                    };
                    let lifting = Lifting {
                        facts: self.facts(date),
                        kind,
                    };
                    self.push(&mut events, Event::RestrictionLifted(lifting));
                }
            }
            if self.chance(3) {
                if let Some(date) = self.next_date(&mut cursor, 10, 300) {
                    let exile = Exile {
                        facts: self.facts(date),
                        country: None,
                        circumstances: Some("Left after repeated summons.".into()),
                    };
                    self.push(&mut events, Event::WentIntoExile(exile));
                }
                break 'episodes;
            }
            // Time passes before any next detention.
            cursor = cursor
                .checked_add_days(Days::new(self.rng.gen_range(30..900)))
                .unwrap_or(cursor);
        }
        if self.chance(6) {
            self.correction(&mut events);
        }
        Case {
            subject: Subject::Person(person),
            events,
        }
    }

    fn push(&mut self, events: &mut Vec<GeneratedEvent>, event: Event) {
        let id = EventId::from_uuid(self.uuid());
        events.push(GeneratedEvent { id, event });
    }

    /// One custody episode; `Some(true)` when it ended in a release, `Some(false)`
    /// when the person is still held (or dead or disappeared), `None` when the
    /// dates ran out before the detention.
    fn episode(
        &mut self,
        events: &mut Vec<GeneratedEvent>,
        cursor: &mut NaiveDate,
    ) -> Option<bool> {
        let date = self.next_date(cursor, 1, 400)?;
        let kind = match self.rng.gen_range(0..20) {
            0..=14 => DetentionKind::Arrest,
            15..=17 => DetentionKind::AdministrativeDetention,
            18 => DetentionKind::HouseArrest,
            _ => DetentionKind::EnforcedDisappearance,
        };
        let mut facility = self.pick(&FACILITIES).to_owned();
        let detention = Detention {
            facts: self.facts(date),
            kind,
            place: Some(self.pick(&PLACES).to_owned()),
            authority: Some(self.pick(&AUTHORITIES).to_owned()),
            facility: Some(facility.clone()),
        };
        self.push(events, Event::Detained(detention));
        if self.chance(30) {
            let Some(date) = self.next_date(cursor, 1, 200) else {
                return Some(false);
            };
            let recognition = Recognition {
                facts: self.facts(date),
                by: "Political Prisoners Support Group".into(),
            };
            self.push(events, Event::RecognisedAsPoliticalPrisoner(recognition));
        }
        let n_transfers = match self.rng.gen_range(0..10) {
            0..=2 => 0,
            3..=7 => 1,
            _ => 2,
        };
        for _ in 0..n_transfers {
            let Some(date) = self.next_date(cursor, 5, 300) else {
                return Some(false);
            };
            let to_facility = self.pick(&FACILITIES).to_owned();
            let transfer = Transfer {
                facts: self.facts(date),
                from_facility: Some(facility.clone()),
                to_facility: to_facility.clone(),
            };
            facility = to_facility;
            self.push(events, Event::Transferred(transfer));
        }
        let mut release_kind = ReleaseKind::Bail;
        if self.chance(80) {
            let Some(date) = self.next_date(cursor, 1, 90) else {
                return Some(false);
            };
            let n_charges = self.rng.gen_range(1..4);
            let charges = (0..n_charges)
                .map(|_| {
                    let (offence, article) = OFFENCES[self.rng.gen_range(0..OFFENCES.len())];
                    Charge {
                        offence: offence.into(),
                        article: Some(article.into()),
                    }
                })
                .collect();
            let charging = Charging {
                facts: self.facts(date),
                charges,
                court: Some(self.pick(&COURTS).to_owned()),
                case_number: Some(format!(
                    "{}/{}",
                    date.earliest().year(),
                    self.rng.gen_range(1..9999)
                )),
            };
            self.push(events, Event::Charged(charging));
            for _ in 0..self.rng.gen_range(0..5) {
                let Some(date) = self.next_date(cursor, 7, 120) else {
                    return Some(false);
                };
                let hearing = Hearing {
                    facts: self.facts(date),
                    court: Some(self.pick(&COURTS).to_owned()),
                    outcome: Some("Adjourned".into()),
                };
                self.push(events, Event::HearingHeld(hearing));
            }
            let Some(date) = self.next_date(cursor, 7, 200) else {
                return Some(false);
            };
            match self.rng.gen_range(0..10) {
                0..=5 => {
                    let sentencing = Sentencing {
                        facts: self.facts(date),
                        term: Term::fixed(self.rng.gen_range(0..8), self.rng.gen_range(0..12), 0),
                        court: Some(self.pick(&COURTS).to_owned()),
                        in_absentia: false,
                        suspended: false,
                        ends: None,
                        offences: Vec::new(),
                    };
                    self.push(events, Event::Sentenced(sentencing));
                    release_kind = match self.rng.gen_range(0..4) {
                        0 => ReleaseKind::Pardon,
                        1 => ReleaseKind::Amnesty,
                        2 => ReleaseKind::Parole,
                        _ => ReleaseKind::SentenceServed,
                    };
                    if self.chance(25) {
                        let Some(date) = self.next_date(cursor, 10, 120) else {
                            return Some(false);
                        };
                        let appeal = Appeal {
                            facts: self.facts(date),
                            court: Some("Court of Appeal".into()),
                            outcome: Some("Upheld".into()),
                        };
                        self.push(events, Event::Appealed(appeal));
                    }
                }
                6 => {
                    let acquittal = Acquittal {
                        facts: self.facts(date),
                        court: Some(self.pick(&COURTS).to_owned()),
                    };
                    self.push(events, Event::Acquitted(acquittal));
                    release_kind = ReleaseKind::Acquittal;
                }
                7 => {
                    let dismissal = Dismissal {
                        facts: self.facts(date),
                        court: Some(self.pick(&COURTS).to_owned()),
                    };
                    self.push(events, Event::ChargesDropped(dismissal));
                    release_kind = ReleaseKind::Other;
                }
                _ => {}
            }
        }
        if self.chance(1) {
            if let Some(date) = self.next_date(cursor, 30, 900) {
                let death = habeas_domain::event::Death {
                    facts: self.facts(date),
                    circumstances: Some("Reported as heart failure; family disputes it.".into()),
                };
                self.push(events, Event::DiedInCustody(death));
            }
            return Some(false);
        }
        if self.chance(20) {
            return Some(false);
        }
        let Some(date) = self.next_date(cursor, 1, 1500) else {
            return Some(false);
        };
        let release = Release {
            facts: self.facts(date),
            kind: release_kind,
            conditions: (release_kind == ReleaseKind::Bail).then(|| "Must report weekly".into()),
            ordered_by: None,
        };
        self.push(events, Event::Released(release));
        Some(true)
    }

    /// Corrects the facility of a detention or the court of a charge, or adds a
    /// note to some dated fact; the date stays, so the timeline stays valid.
    fn correction(&mut self, events: &mut Vec<GeneratedEvent>) {
        let dated: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, generated)| generated.event.facts().is_some())
            .map(|(idx, _)| idx)
            .collect();
        if dated.is_empty() {
            return;
        }
        let target = &events[dated[self.rng.gen_range(0..dated.len())]];
        let mut corrected = target.event.clone();
        match &mut corrected {
            Event::Detained(detention) => detention.facility = Some("Central Prison".into()),
            Event::Charged(charging) => charging.court = Some("Provincial Court".into()),
            _ => {}
        }
        let correction = Correction {
            target: target.id,
            corrected: Box::new(corrected),
            reason: "A second source gives different details.".into(),
        };
        self.push(events, Event::EventCorrected(correction));
    }

    fn statement(&mut self, persons: &[Case]) -> Case {
        let id = StatementId::from_uuid(self.uuid());
        let n_about = self.rng.gen_range(1..5).min(persons.len());
        let about = (0..n_about)
            .map(
                |_| match persons[self.rng.gen_range(0..persons.len())].subject {
                    Subject::Person(person) => person,
                    Subject::Statement(_) => unreachable!("persons holds people only"),
                },
            )
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut cursor = NaiveDate::from_ymd_opt(2005, 1, 1).expect("valid date");
        let date = self
            .next_date(&mut cursor, 1, 7000)
            .unwrap_or_else(|| PartialDate::year(2020).expect("valid year"));
        let statement = Statement {
            facts: self.facts(date),
            by: "Coalition for Human Rights".into(),
            by_role: None,
            about,
            kind: if self.chance(80) {
                StatementKind::CallForRelease
            } else {
                StatementKind::Condemnation
            },
            summary: "Calls for the immediate and unconditional release of the people named."
                .into(),
        };
        let mut events = Vec::new();
        self.push(&mut events, Event::StatementIssued(statement));
        if self.chance(5) {
            let first = events[0].clone();
            let mut corrected = first.event.clone();
            if let Event::StatementIssued(statement) = &mut corrected {
                statement.by_role = Some("spokesperson".into());
            }
            let correction = Correction {
                target: first.id,
                corrected: Box::new(corrected),
                reason: "The statement names the spokesperson.".into(),
            };
            self.push(&mut events, Event::EventCorrected(correction));
        }
        Case {
            subject: Subject::Statement(id),
            events,
        }
    }
}

/// Generates the data set for `config`: the same config gives the same data set.
pub fn generate(config: DataSetConfig) -> DataSet {
    let mut generator = Generator {
        rng: StdRng::seed_from_u64(config.seed),
        id_clock_ms: 0,
    };
    let persons: Vec<Case> = (0..config.persons).map(|_| generator.person()).collect();
    let n_statements = if persons.is_empty() {
        0
    } else {
        config.persons.div_ceil(10)
    };
    let statements = (0..n_statements)
        .map(|_| generator.statement(&persons))
        .collect();
    DataSet {
        persons,
        statements,
    }
}

/// The action that records `event` (the domain's `From<Event> for Action`).
pub fn action_of(event: Event) -> Action {
    Action::from(event)
}
