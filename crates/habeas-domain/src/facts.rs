//! What every documented fact carries: when it happened, who says so, how sure
//! we are, and whether it may be published.

use serde::{Deserialize, Serialize};

use crate::date::PartialDate;

/// Where a fact comes from. A report cites every fact by its sources, so each
/// source has a URL or a reference to a document the organisation holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    /// A public address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A reference to a document that has no URL (a court file, an interview record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The title of the article or document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who published it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
}

impl Source {
    /// A source known by its URL only.
    pub fn url(url: impl Into<String>) -> Self {
        Self {
            url: Some(url.into()),
            document: None,
            title: None,
            publisher: None,
            date: None,
        }
    }

    /// A source known by a document reference only.
    pub fn document(reference: impl Into<String>) -> Self {
        Self {
            url: None,
            document: Some(reference.into()),
            title: None,
            publisher: None,
            date: None,
        }
    }

    /// The same source with a title.
    pub fn titled(self, title: impl Into<String>) -> Self {
        Self {
            title: Some(title.into()),
            ..self
        }
    }

    /// The same source with a publisher.
    pub fn published_by(self, publisher: impl Into<String>) -> Self {
        Self {
            publisher: Some(publisher.into()),
            ..self
        }
    }

    /// The same source with a publication date.
    pub fn published_on(self, date: PartialDate) -> Self {
        Self {
            date: Some(date),
            ..self
        }
    }

    /// Whether the source points somewhere: a non-blank URL or document reference.
    pub fn is_citable(&self) -> bool {
        let filled =
            |field: &Option<String>| field.as_deref().is_some_and(|s| !s.trim().is_empty());
        filled(&self.url) || filled(&self.document)
    }
}

/// How well a fact is established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Established by documents or several independent sources.
    Confirmed,
    /// Reported by a credible source, not yet confirmed.
    #[default]
    Reported,
    /// Claimed, for example by family or the authorities, without corroboration.
    Alleged,
    /// Sources contradict each other.
    Disputed,
}

/// Whether a fact may appear in a public report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// May be published.
    #[default]
    Public,
    /// Kept out of public reports (for example to protect a family member).
    Restricted,
}

/// The part every case event shares: when it happened and on whose word.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Facts {
    /// When it happened in the world (valid time).
    pub occurred: PartialDate,
    /// Who says so; at least one citable source for a new fact.
    pub sources: Vec<Source>,
    /// How well it is established.
    #[serde(default)]
    pub confidence: Confidence,
    /// Free text for the documentation officer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Whether a public report may show it.
    #[serde(default)]
    pub visibility: Visibility,
}

impl Facts {
    /// Facts with the default confidence (reported) and visibility (public).
    pub fn new(occurred: PartialDate, sources: Vec<Source>) -> Self {
        Self {
            occurred,
            sources,
            confidence: Confidence::default(),
            note: None,
            visibility: Visibility::default(),
        }
    }
}
