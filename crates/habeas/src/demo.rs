//! The worked example of `docs/domain.md` ("The worked example") as a demo
//! data set: Rong Chhun's case, the activists released with him, Kem Sokha's
//! ban, and the statements around them, taken from a 2021 news report.
//!
//! It is EXAMPLE DATA, and says so wherever it goes: every event is recorded by
//! [`DEMO_ACTOR`], every source names the example, and reports built from a
//! store whose first event came from the demo carry an example-data banner.
//! Where the report gives no exact day, the date is recorded at the precision
//! the report supports (and marked approximate where inferred), never a
//! made-up day.

use habeas_domain::command::Action;
use habeas_domain::date::PartialDate;
use habeas_domain::event::{
    Charge, Charging, DetailsChange, Detention, DetentionKind, Registration, Release, ReleaseKind,
    Restriction, RestrictionKind, Sentencing, Statement, StatementKind,
};
use habeas_domain::facts::{Confidence, Facts, Source};
use habeas_domain::id::PersonId;

use crate::error::TrackerError;
use crate::tracker::{Issued, Subject, Tracker};

/// Who records the demo's events; the mark of example data.
pub const DEMO_ACTOR: &str = "habeas demo (EXAMPLE DATA)";

/// The people the demo registers.
#[derive(Debug, Clone, Copy)]
pub struct DemoPeople {
    /// President of the Cambodian Confederation of Unions.
    pub rong_chhun: PersonId,
    /// Activist convicted for demonstrating for his release.
    pub ton_nimol: PersonId,
    /// Activist convicted for demonstrating for his release.
    pub sar_kanika: PersonId,
    /// President of the dissolved opposition party CNRP.
    pub kem_sokha: PersonId,
}

fn date(text: &str) -> PartialDate {
    text.parse().expect("demo dates are valid")
}

fn report() -> Vec<Source> {
    vec![
        Source::document("EXAMPLE DATA: 2021 news report on the release of Rong Chhun (the worked example of Habeas' docs/domain.md)")
            .titled("Union leader Rong Chhun released after about 15 months in custody")
            .published_on(date("2021-11")),
    ]
}

fn facts(occurred: &str, note: Option<&str>) -> Facts {
    Facts {
        note: note.map(str::to_owned),
        confidence: Confidence::Reported,
        ..Facts::new(date(occurred), report())
    }
}

fn person(name: &str, affiliation: &str) -> Registration {
    Registration {
        name: name.to_owned(),
        aliases: Vec::new(),
        country: Some("Cambodia".to_owned()),
        affiliation: Some(affiliation.to_owned()),
        born: None,
        sources: report(),
        details: habeas_domain::event::PersonDetails::default(),
    }
}

fn incitement(occurred: &str, offence: &str) -> Action {
    Action::RecordCharges(Charging {
        facts: facts(
            occurred,
            Some("The report does not date the charge; month approximate."),
        ),
        charges: vec![Charge {
            offence: offence.to_owned(),
            article: None,
        }],
        court: Some("Phnom Penh Municipal Court".to_owned()),
        case_number: None,
    })
}

fn release(note: &str) -> Action {
    Action::RecordRelease(Release {
        facts: facts("2021-11-12", Some(note)),
        kind: ReleaseKind::EarlyReleaseWithoutReason,
        conditions: None,
        ordered_by: None,
    })
}

/// Records the worked example through `tracker`, as [`DEMO_ACTOR`].
pub async fn load(tracker: &Tracker) -> Result<DemoPeople, TrackerError> {
    let issued = Issued::now(DEMO_ACTOR);
    let record = |id: PersonId, action: Action| {
        let issued = issued.clone();
        async move { tracker.execute(Subject::Person(id), action, &issued).await }
    };

    let (rong_chhun, _) = tracker
        .register_person(
            person("Rong Chhun", "president, Cambodian Confederation of Unions"),
            &issued,
        )
        .await?;
    record(
        rong_chhun,
        Action::RecordDetention(Detention {
            facts: facts(
                "2020-07",
                Some("Arrested at the end of July 2020 after publishing a statement about border posts in Tbong Khmum province; the report gives no day."),
            ),
            kind: DetentionKind::Arrest,
            place: Some("Phnom Penh".to_owned()),
            authority: None,
            facility: Some("Prey Sar prison".to_owned()),
        }),
    )
    .await?;
    record(rong_chhun, incitement("2020-08~", "incitement")).await?;
    // Recorded before the sentence on purpose: reports arrive out of order.
    record(
        rong_chhun,
        release("Released by decision of the Phnom Penh Court of Appeal, with no reason given, after about 15 months in custody."),
    )
    .await?;
    record(
        rong_chhun,
        Action::RecordSentence(Sentencing {
            facts: facts(
                "2021-08~",
                Some("The report gives the term, not the date of the judgment."),
            ),
            term: "2y".parse().ok(),
            court: Some("Phnom Penh Municipal Court".to_owned()),
            in_absentia: false,
            suspended: false,
            ends: None,
            offences: Vec::new(),
        }),
    )
    .await?;
    record(
        rong_chhun,
        Action::ChangePersonDetails(DetailsChange {
            add_aliases: vec!["Rorng Chhun".to_owned()],
            sources: report(),
            ..DetailsChange::default()
        }),
    )
    .await?;

    let mut activists = Vec::new();
    for name in ["Ton Nimol", "Sar Kanika"] {
        let (id, _) = tracker
            .register_person(person(name, "activist"), &issued)
            .await?;
        record(
            id,
            Action::RecordDetention(Detention {
                facts: facts(
                    "2020-08",
                    Some("Detained for demonstrating for Rong Chhun's release."),
                ),
                kind: DetentionKind::Arrest,
                place: Some("Phnom Penh".to_owned()),
                authority: None,
                facility: None,
            }),
        )
        .await?;
        record(id, incitement("2020-08~", "incitement to commit a felony")).await?;
        record(
            id,
            Action::RecordSentence(Sentencing {
                facts: facts(
                    "2021~",
                    Some("Convicted; the report gives neither the date nor the term."),
                ),
                term: None,
                court: None,
                in_absentia: false,
                suspended: false,
                ends: None,
                offences: Vec::new(),
            }),
        )
        .await?;
        record(id, release("Released the same day as Rong Chhun.")).await?;
        activists.push(id);
    }

    let (kem_sokha, _) = tracker
        .register_person(
            person(
                "Kem Sokha",
                "president of the dissolved opposition party CNRP",
            ),
            &issued,
        )
        .await?;
    record(
        kem_sokha,
        Action::ImposeRestriction(Restriction {
            facts: facts(
                "2017-11~",
                Some("Prohibited from political activity since the dissolution of the CNRP; the report says the ban remains."),
            ),
            kind: RestrictionKind::PoliticalActivityBan,
            description: Some("prohibited from political activity".to_owned()),
            until: None,
        }),
    )
    .await?;

    let statements = [
        (
            "2021-10-21",
            "Edward Markey",
            "United States Senator",
            StatementKind::Condemnation,
            "Introduced bill S.3052 on Cambodia and issued a statement about it.",
            vec![],
        ),
        (
            "2021-11-02",
            "United Nations",
            "",
            StatementKind::Other,
            "Urged Cambodia to protect civic space.",
            vec![rong_chhun, activists[0], activists[1]],
        ),
        (
            "2021-11-10",
            "Hun Sen",
            "Prime Minister of Cambodia",
            StatementKind::OfficialPosition,
            "Warned protesters, two days before the release.",
            vec![],
        ),
        (
            "2021",
            "Chin Malin",
            "Ministry of Justice spokesperson",
            StatementKind::Denial,
            "Dismissed the US Senate bill.",
            vec![],
        ),
    ];
    for (occurred, by, role, kind, summary, about) in statements {
        tracker
            .issue_statement(
                Statement {
                    facts: facts(occurred, None),
                    by: by.to_owned(),
                    by_role: (!role.is_empty()).then(|| role.to_owned()),
                    about,
                    kind,
                    summary: summary.to_owned(),
                },
                &issued,
            )
            .await?;
    }

    Ok(DemoPeople {
        rong_chhun,
        ton_nimol: activists[0],
        sar_kanika: activists[1],
        kem_sokha,
    })
}
