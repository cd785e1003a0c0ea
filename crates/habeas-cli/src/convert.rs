//! From command-line arguments to domain values. Clap's enums mirror the
//! domain's so that the domain need not know about clap.

use anyhow::bail;
use habeas_domain::event::{
    Charge, DeathKind, DetentionKind, ReleaseKind, RestrictionKind, StatementKind,
};
use habeas_domain::facts::{Confidence, Facts, Source, Visibility};

use crate::args::{
    ConfidenceArg, DeathKindArg, DetentionKindArg, FactArgs, ReleaseKindArg, RestrictionKindArg,
    SourceArgs, StatementKindArg,
};

/// The sources of a command: every `--source`, then every `--document`,
/// the i-th `--source-title`, `--source-publisher` and `--source-date`
/// describing the i-th of them.
pub(crate) fn sources(args: &SourceArgs) -> anyhow::Result<Vec<Source>> {
    let urls = args.urls.iter().map(|url| Source::url(url.trim()));
    let documents = args
        .documents
        .iter()
        .map(|doc| Source::document(doc.trim()));
    let mut sources: Vec<Source> = urls.chain(documents).collect();
    for (flag, given) in [
        ("--source-title", args.titles.len()),
        ("--source-publisher", args.publishers.len()),
        ("--source-date", args.dates.len()),
    ] {
        if given > sources.len() {
            bail!(
                "{given} {flag} values for {} sources: give one per --source or --document, in the same order (sources first, then documents)",
                sources.len()
            );
        }
    }
    for (idx, source) in sources.iter_mut().enumerate() {
        source.title = args.titles.get(idx).map(|t| t.trim().to_owned());
        source.publisher = args.publishers.get(idx).map(|p| p.trim().to_owned());
        source.date = args.dates.get(idx).copied();
    }
    Ok(sources)
}

pub(crate) fn facts(args: &FactArgs) -> anyhow::Result<Facts> {
    Ok(Facts {
        occurred: args.occurred,
        sources: sources(&args.sources)?,
        confidence: match args.confidence {
            ConfidenceArg::Confirmed => Confidence::Confirmed,
            ConfidenceArg::Reported => Confidence::Reported,
            ConfidenceArg::Alleged => Confidence::Alleged,
            ConfidenceArg::Disputed => Confidence::Disputed,
        },
        note: args.note.clone(),
        visibility: if args.restricted {
            Visibility::Restricted
        } else {
            Visibility::Public
        },
    })
}

/// Pairs `--charge` and `--article` by position.
pub(crate) fn charges(offences: &[String], articles: &[String]) -> anyhow::Result<Vec<Charge>> {
    if articles.len() > offences.len() {
        bail!(
            "{} --article values for {} --charge values: give each article after the charge it belongs to",
            articles.len(),
            offences.len()
        );
    }
    Ok(offences
        .iter()
        .enumerate()
        .map(|(idx, offence)| Charge {
            offence: offence.clone(),
            article: articles.get(idx).cloned(),
        })
        .collect())
}

impl From<DetentionKindArg> for DetentionKind {
    fn from(kind: DetentionKindArg) -> DetentionKind {
        match kind {
            DetentionKindArg::Arrest => DetentionKind::Arrest,
            DetentionKindArg::AdministrativeDetention => DetentionKind::AdministrativeDetention,
            DetentionKindArg::HouseArrest => DetentionKind::HouseArrest,
            DetentionKindArg::EnforcedDisappearance => DetentionKind::EnforcedDisappearance,
            DetentionKindArg::Other => DetentionKind::Other,
        }
    }
}

impl From<ReleaseKindArg> for ReleaseKind {
    fn from(kind: ReleaseKindArg) -> ReleaseKind {
        match kind {
            ReleaseKindArg::SentenceServed => ReleaseKind::SentenceServed,
            ReleaseKindArg::Bail => ReleaseKind::Bail,
            ReleaseKindArg::Parole => ReleaseKind::Parole,
            ReleaseKindArg::Pardon => ReleaseKind::Pardon,
            ReleaseKindArg::Amnesty => ReleaseKind::Amnesty,
            ReleaseKindArg::Acquittal => ReleaseKind::Acquittal,
            ReleaseKindArg::Medical => ReleaseKind::Medical,
            ReleaseKindArg::EarlyReleaseWithoutReason => ReleaseKind::EarlyReleaseWithoutReason,
            ReleaseKindArg::Escape => ReleaseKind::Escape,
            ReleaseKindArg::Other => ReleaseKind::Other,
        }
    }
}

impl From<RestrictionKindArg> for RestrictionKind {
    fn from(kind: RestrictionKindArg) -> RestrictionKind {
        match kind {
            RestrictionKindArg::PoliticalActivityBan => RestrictionKind::PoliticalActivityBan,
            RestrictionKindArg::TravelBan => RestrictionKind::TravelBan,
            RestrictionKindArg::HouseArrest => RestrictionKind::HouseArrest,
            RestrictionKindArg::Surveillance => RestrictionKind::Surveillance,
            RestrictionKindArg::Other => RestrictionKind::Other,
        }
    }
}

impl From<StatementKindArg> for StatementKind {
    fn from(kind: StatementKindArg) -> StatementKind {
        match kind {
            StatementKindArg::Condemnation => StatementKind::Condemnation,
            StatementKindArg::CallForRelease => StatementKind::CallForRelease,
            StatementKindArg::Denial => StatementKind::Denial,
            StatementKindArg::OfficialPosition => StatementKind::OfficialPosition,
            StatementKindArg::Other => StatementKind::Other,
        }
    }
}

impl From<DeathKindArg> for DeathKind {
    fn from(kind: DeathKindArg) -> DeathKind {
        match kind {
            DeathKindArg::InCustody => DeathKind::InCustody,
            DeathKindArg::AtLiberty => DeathKind::AtLiberty,
            DeathKindArg::Executed => DeathKind::Executed,
            DeathKindArg::Unknown => DeathKind::Unknown,
        }
    }
}
