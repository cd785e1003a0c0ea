//! Plain-English wording of events and their kinds, shared by every renderer.
//!
//! The strings returned here are unescaped: user-supplied values are copied in
//! as they are and each renderer escapes them for its format.

use habeas_domain::date::PartialDate;
use habeas_domain::event::{
    Charge, DetentionKind, Event, ReleaseKind, RestrictionKind, StatementKind,
};
use habeas_domain::facts::Confidence;
use habeas_domain::status::{Custody, Legal};

/// An event in words: a short title and labelled details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Described {
    /// E.g. "Detained (arrest)".
    pub(crate) title: String,
    /// Labelled values, e.g. ("Facility", "Prey Sar prison").
    pub(crate) details: Vec<(&'static str, String)>,
}

/// How a person was held, in words.
pub(crate) fn detention_kind(kind: DetentionKind) -> &'static str {
    match kind {
        DetentionKind::Arrest => "arrest",
        DetentionKind::AdministrativeDetention => "administrative detention",
        DetentionKind::HouseArrest => "house arrest",
        DetentionKind::EnforcedDisappearance => "enforced disappearance",
        DetentionKind::Other => "other detention",
    }
}

/// Why a person was released, in words.
pub(crate) fn release_kind(kind: ReleaseKind) -> &'static str {
    match kind {
        ReleaseKind::SentenceServed => "sentence served",
        ReleaseKind::Bail => "bail",
        ReleaseKind::Parole => "parole",
        ReleaseKind::Pardon => "pardon",
        ReleaseKind::Amnesty => "amnesty",
        ReleaseKind::Acquittal => "acquittal",
        ReleaseKind::Medical => "medical grounds",
        ReleaseKind::EarlyReleaseWithoutReason => "early release, no reason given",
        ReleaseKind::Escape => "escape",
        ReleaseKind::Other => "other",
    }
}

/// A restriction's kind, in words.
pub(crate) fn restriction_kind(kind: RestrictionKind) -> &'static str {
    match kind {
        RestrictionKind::PoliticalActivityBan => "ban on political activity",
        RestrictionKind::TravelBan => "travel ban",
        RestrictionKind::HouseArrest => "house arrest",
        RestrictionKind::Surveillance => "surveillance",
        RestrictionKind::Other => "other restriction",
    }
}

/// A statement's kind, in words.
pub fn statement_kind(kind: StatementKind) -> &'static str {
    match kind {
        StatementKind::Condemnation => "condemnation",
        StatementKind::CallForRelease => "call for release",
        StatementKind::Denial => "denial",
        StatementKind::OfficialPosition => "official position",
        StatementKind::Other => "other",
    }
}

/// A confidence level, in words.
pub(crate) fn confidence(level: Confidence) -> &'static str {
    match level {
        Confidence::Confirmed => "confirmed",
        Confidence::Reported => "reported, not confirmed",
        Confidence::Alleged => "alleged, not corroborated",
        Confidence::Disputed => "disputed: sources contradict each other",
    }
}

/// A charge as one line: "incitement (Criminal Code art. 495)".
pub(crate) fn charge(charge: &Charge) -> String {
    match &charge.article {
        Some(article) => format!("{} ({article})", charge.offence),
        None => charge.offence.clone(),
    }
}

fn push(details: &mut Vec<(&'static str, String)>, label: &'static str, value: &Option<String>) {
    if let Some(value) = value {
        details.push((label, value.clone()));
    }
}

/// An event in words. Shared facts (date, sources, confidence, note) are not
/// among the details; renderers show them in their own places.
pub(crate) fn event(event: &Event) -> Described {
    let mut details = Vec::new();
    let title = match event {
        Event::PersonRegistered(registration) => {
            details.push(("Name", registration.name.clone()));
            if !registration.aliases.is_empty() {
                details.push(("Aliases", registration.aliases.join("; ")));
            }
            push(&mut details, "Country", &registration.country);
            push(&mut details, "Affiliation", &registration.affiliation);
            if let Some(born) = registration.born {
                details.push(("Born", born.to_string()));
            }
            "Person registered".to_owned()
        }
        Event::PersonDetailsChanged(change) => {
            push(&mut details, "Name", &change.name);
            if !change.add_aliases.is_empty() {
                details.push(("Aliases added", change.add_aliases.join("; ")));
            }
            if !change.remove_aliases.is_empty() {
                details.push(("Aliases removed", change.remove_aliases.join("; ")));
            }
            push(&mut details, "Country", &change.country);
            push(&mut details, "Affiliation", &change.affiliation);
            if let Some(born) = change.born {
                details.push(("Born", born.to_string()));
            }
            "Identity details changed".to_owned()
        }
        Event::Detained(detention) => {
            push(&mut details, "Place", &detention.place);
            push(&mut details, "Authority", &detention.authority);
            push(&mut details, "Facility", &detention.facility);
            format!("Detained ({})", detention_kind(detention.kind))
        }
        Event::Charged(charging) => {
            let charges: Vec<String> = charging.charges.iter().map(charge).collect();
            details.push(("Charges", charges.join("; ")));
            push(&mut details, "Court", &charging.court);
            push(&mut details, "Case number", &charging.case_number);
            "Charged".to_owned()
        }
        Event::HearingHeld(hearing) => {
            push(&mut details, "Court", &hearing.court);
            push(&mut details, "Outcome", &hearing.outcome);
            "Hearing held".to_owned()
        }
        Event::Appealed(appeal) => {
            push(&mut details, "Court", &appeal.court);
            push(&mut details, "Outcome", &appeal.outcome);
            "Appealed".to_owned()
        }
        Event::Sentenced(sentencing) => {
            details.push((
                "Term",
                sentencing
                    .term
                    .map_or_else(|| "not given by the sources".to_owned(), |t| t.to_string()),
            ));
            push(&mut details, "Court", &sentencing.court);
            if !sentencing.offences.is_empty() {
                let offences: Vec<String> = sentencing.offences.iter().map(charge).collect();
                details.push(("Convicted of", offences.join("; ")));
            }
            if let Some(ends) = sentencing.ends {
                details.push(("Day of release stated", ends.in_words()));
            }
            if sentencing.in_absentia {
                details.push(("In absentia", "yes".to_owned()));
            }
            if sentencing.suspended {
                details.push(("Suspended", "yes".to_owned()));
            }
            "Sentenced".to_owned()
        }
        Event::Acquitted(acquittal) => {
            push(&mut details, "Court", &acquittal.court);
            "Acquitted".to_owned()
        }
        Event::ChargesDropped(dismissal) => {
            push(&mut details, "By", &dismissal.court);
            "Charges dropped".to_owned()
        }
        Event::Transferred(transfer) => {
            push(&mut details, "From", &transfer.from_facility);
            details.push(("To", transfer.to_facility.clone()));
            "Transferred".to_owned()
        }
        Event::Released(release) => {
            push(&mut details, "Ordered by", &release.ordered_by);
            push(&mut details, "Conditions", &release.conditions);
            format!("Released ({})", release_kind(release.kind))
        }
        Event::RestrictionImposed(restriction) => {
            push(&mut details, "Wording", &restriction.description);
            if let Some(until) = restriction.until {
                details.push(("Until", until.to_string()));
            }
            format!(
                "Restriction imposed ({})",
                restriction_kind(restriction.kind)
            )
        }
        Event::RestrictionLifted(lifting) => {
            format!("Restriction lifted ({})", restriction_kind(lifting.kind))
        }
        Event::DiedInCustody(death) => {
            push(&mut details, "Circumstances", &death.circumstances);
            "Died in custody".to_owned()
        }
        Event::Died(death) => {
            push(&mut details, "Circumstances", &death.circumstances);
            death_title(death.kind).to_owned()
        }
        Event::Disappeared(disappearance) => {
            push(&mut details, "Circumstances", &disappearance.circumstances);
            "Disappeared".to_owned()
        }
        Event::WentIntoExile(exile) => {
            push(&mut details, "Country", &exile.country);
            push(&mut details, "Circumstances", &exile.circumstances);
            "Went into exile".to_owned()
        }
        Event::RecognisedAsPoliticalPrisoner(recognition) => {
            details.push(("By", recognition.by.clone()));
            "Recognised as a political prisoner".to_owned()
        }
        Event::StatementIssued(statement) => {
            let by = match &statement.by_role {
                Some(role) => format!("{} ({role})", statement.by),
                None => statement.by.clone(),
            };
            details.push(("By", by));
            details.push(("Summary", statement.summary.clone()));
            format!("Statement issued ({})", statement_kind(statement.kind))
        }
        Event::EventCorrected(_) => "Correction".to_owned(),
        Event::EventRetracted(_) => "Retraction".to_owned(),
        Event::PersonMerged(merger) => {
            details.push(("Into", merger.into.to_string()));
            details.push(("Reason", merger.reason.clone()));
            details.push(("Facts copied", merger.copied.len().to_string()));
            "Merged into another record".to_owned()
        }
    };
    Described { title, details }
}

/// "since 2020-07", or for a date known only by its bound "since an
/// unknown day on or before 2021-03-04": a list's "in custody on D" never
/// reads as custody that began on D.
pub fn since(date: &PartialDate) -> String {
    if date.is_open_start() {
        format!("since an unknown day {}", date.in_words())
    } else {
        format!("since {date}")
    }
}

/// "2020-07", or "an unknown day on or before 2021-03-04".
pub fn date(date: &PartialDate) -> String {
    if date.is_open_start() {
        format!("an unknown day {}", date.in_words())
    } else {
        date.to_string()
    }
}

/// Where the person is, in one sentence fragment: the one wording of custody
/// that reports, the command line and the web pages share.
pub fn custody(custody: &Custody) -> String {
    match custody {
        Custody::Unknown => "nothing recorded".to_owned(),
        Custody::AtLiberty { since: Some(on) } => format!("at liberty {}", since(on)),
        Custody::AtLiberty { since: None } => "at liberty".to_owned(),
        Custody::InCustody {
            since,
            kind,
            facility,
            place,
        } => {
            let mut text = format!(
                "in custody {} ({})",
                self::since(since),
                detention_kind(*kind)
            );
            if let Some(facility) = facility {
                text.push_str(&format!(", held at {facility}"));
            }
            if let Some(place) = place {
                text.push_str(&format!(", detained in {place}"));
            }
            text
        }
        Custody::Disappeared { since: on } => format!("disappeared {}", since(on)),
        Custody::Deceased { on } => format!("died on {}", date(on)),
    }
}

/// Where the proceedings stand, in one sentence fragment.
pub(crate) fn legal(legal: &Legal) -> String {
    match legal {
        Legal::NotCharged => "no charge recorded".to_owned(),
        Legal::Charged {
            since,
            charges,
            court,
        } => {
            let mut text = format!("charged {}", self::since(since));
            if !charges.is_empty() {
                let charges: Vec<String> = charges.iter().map(charge).collect();
                text.push_str(&format!(" with {}", charges.join("; ")));
            }
            if let Some(court) = court {
                text.push_str(&format!(", before {court}"));
            }
            text
        }
        Legal::Convicted {
            on,
            term,
            court,
            in_absentia,
            suspended,
            charges,
        } => {
            let mut text = format!("convicted on {}", date(on));
            if let Some(court) = court {
                text.push_str(&format!(" by {court}"));
            }
            if !charges.is_empty() {
                let charges: Vec<String> = charges.iter().map(charge).collect();
                text.push_str(&format!(" of {}", charges.join("; ")));
            }
            match term {
                Some(term) => text.push_str(&format!(", sentenced to {term}")),
                None => text.push_str(", term not given by the sources"),
            }
            if *suspended {
                text.push_str(" (suspended)");
            }
            if *in_absentia {
                text.push_str(" (in absentia)");
            }
            text
        }
        Legal::Acquitted { on } => format!("acquitted on {on}"),
        Legal::ChargesDropped { on } => format!("charges dropped on {on}"),
    }
}

/// How a death reads as a title.
pub(crate) fn death_title(kind: habeas_domain::event::DeathKind) -> &'static str {
    use habeas_domain::event::DeathKind;
    match kind {
        DeathKind::InCustody => "Died in custody",
        DeathKind::AtLiberty => "Died at liberty",
        DeathKind::Executed => "Executed",
        DeathKind::Unknown => "Died (circumstances unknown)",
    }
}
