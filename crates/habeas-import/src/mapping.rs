//! A column mapping: how the columns of a spreadsheet become a person and
//! their case events. Written in TOML; `FORMAT.md` documents every key and
//! `examples/mappings/chrd.toml` is a complete example.
//!
//! A mapping is checked twice: when it is read (keys, kinds, date formats)
//! and against a file's header (every column it names must be there), so a
//! mistake in it stops the import before any row is read.

use habeas_domain::event::{DeathKind, DetentionKind};
use habeas_domain::facts::{Confidence, Visibility};
use serde::Deserialize;

use crate::date_text::DateFormat;
use crate::error::ImportError;
use crate::spec::{DateSpec, KindSpec, OnBadValue, ReleaseStatus, TextSpec, parse_formats};

/// The mapping format this build reads.
pub const VERSION: u32 = 1;

/// A column mapping, read and checked. See `FORMAT.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// How the file is written.
    pub csv: CsvOptions,
    /// The confidence of every event, unless a section says otherwise.
    pub confidence: Confidence,
    /// The visibility of every event, unless a section says otherwise.
    pub visibility: Visibility,
    /// The sources every event of a row cites, unless a section names its own.
    pub sources: SourcesSpec,
    /// The person each row registers.
    pub person: PersonSpec,
    /// The detention of each row, if the mapping records one.
    pub detained: Option<DetainedSpec>,
    /// The charges of each row, if any.
    pub charged: Option<ChargedSpec>,
    /// The sentence of each row, if any.
    pub sentenced: Option<SentencedSpec>,
    /// The release of each row, if any.
    pub released: Option<ReleasedSpec>,
    /// The death of each row, if any.
    pub died: Option<DiedSpec>,
}

/// How the file is written: `[csv]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// The delimiter, `,` by default.
    pub delimiter: u8,
    /// Cells that mean "no value" once trimmed; an empty cell always does.
    pub no_value: Vec<String>,
    /// The date formats of every date that names none.
    pub date_formats: Vec<DateFormat>,
}

/// The sources of a row's events: `[sources]`, or `sources` in a section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesSpec {
    /// Columns holding URLs; white space inside them is removed, with a warning.
    #[serde(default)]
    pub urls: Vec<String>,
    /// Document references (e.g. a database record number through a template).
    #[serde(default)]
    pub documents: Vec<TextSpec>,
    /// The characters that separate several URLs in one cell, e.g. `" ;|"`
    /// (a space stands for any white space). A piece that does not start an
    /// address (no `://`, no `www.`) continues the one before it: a URL a PDF
    /// table wrapped. Without `split`, a cell is one URL.
    #[serde(default)]
    pub split: Option<String>,
    /// What a cell that holds something other than a web address does to its
    /// row.
    #[serde(default)]
    pub on_bad_value: OnBadValue,
}

/// The person a row registers: `[person]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonSpec {
    /// The name most sources use; a row without one is rejected.
    pub name: TextSpec,
    /// Other spellings and the name in native script, one per column.
    #[serde(default)]
    pub aliases: Vec<TextSpec>,
    /// The country of the case (often a constant: `{ value = "China" }`).
    pub country: Option<TextSpec>,
    /// Affiliation or role.
    pub affiliation: Option<TextSpec>,
    /// Birth date.
    pub born: Option<DateSpec>,
    /// Sex or gender, as the list words it.
    pub sex: Option<TextSpec>,
    /// Place of birth.
    pub born_in: Option<TextSpec>,
    /// Place of residence (kept out of public reports).
    pub residence: Option<TextSpec>,
    /// Ethnicity or group.
    pub group: Option<TextSpec>,
}

/// What every event section may say about its facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactsSpec {
    /// A note for the documentation team.
    pub note: Option<TextSpec>,
    /// Sources for this event instead of the mapping's `[sources]`.
    pub sources: Option<SourcesSpec>,
    /// Confidence of this event.
    pub confidence: Option<Confidence>,
    /// Visibility of this event.
    pub visibility: Option<Visibility>,
}

fn yes() -> bool {
    true
}

/// The detention of each row: `[detained]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetainedSpec {
    /// When; with `required` (the default) a row without it is rejected.
    pub date: DateSpec,
    /// Reject rows without a detention date (else they record none).
    #[serde(default = "yes")]
    pub required: bool,
    /// How the person was detained.
    pub kind: KindSpec<DetentionKind>,
    /// Where (a city, a province).
    pub place: Option<TextSpec>,
    /// Who detained them.
    pub authority: Option<TextSpec>,
    /// The prison or detention centre.
    pub facility: Option<TextSpec>,
    /// Note, sources, confidence, visibility.
    #[serde(flatten)]
    pub facts: FactsSpec,
}

/// The charge of each row, recorded when its offence cell has a value: `[charged]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChargedSpec {
    /// The offence as worded by the authorities.
    pub offence: TextSpec,
    /// The legal article.
    pub article: Option<TextSpec>,
    /// When the person was charged.
    pub date: DateSpec,
    /// The court.
    pub court: Option<TextSpec>,
    /// The case number.
    pub case_number: Option<TextSpec>,
    /// Note, sources, confidence, visibility.
    #[serde(flatten)]
    pub facts: FactsSpec,
}

/// The sentence of each row, recorded when its term cell or its `ends`
/// cell has a value: `[sentenced]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentencedSpec {
    /// The term (`十天10 days`, `2 years 6 months`, `life` …).
    pub term: Option<TextSpec>,
    /// The day of release a source states ("released 2019-12-07" in a list
    /// that gives no term): a sentence known by its end.
    pub ends: Option<DateSpec>,
    /// When the sentence was pronounced.
    pub date: DateSpec,
    /// The court.
    pub court: Option<TextSpec>,
    /// What the person was convicted of by the sentence.
    pub offence: Option<TextSpec>,
    /// Every sentence of the file was pronounced in absentia.
    #[serde(default)]
    pub in_absentia: bool,
    /// Every sentence of the file is suspended.
    #[serde(default)]
    pub suspended: bool,
    /// What a term cell that cannot be read does to its row (with
    /// `drop-field`, the row is imported without a sentence).
    #[serde(default)]
    pub on_bad_value: OnBadValue,
    /// Note, sources, confidence, visibility.
    #[serde(flatten)]
    pub facts: FactsSpec,
}

/// The release of each row, recorded when its date cell has a value: `[released]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleasedSpec {
    /// When.
    pub date: DateSpec,
    /// Why, usually from a status column; `not_released` marks statuses that
    /// say the person is still held.
    pub kind: KindSpec<ReleaseStatus>,
    /// Conditions attached.
    pub conditions: Option<TextSpec>,
    /// Who ordered it (a court, an amnesty decree).
    pub ordered_by: Option<TextSpec>,
    /// Note, sources, confidence, visibility.
    #[serde(flatten)]
    pub facts: FactsSpec,
}

/// The death of each row, recorded when its date cell has a value: `[died]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiedSpec {
    /// When.
    pub date: DateSpec,
    /// Where or how: in_custody, at_liberty, executed, unknown (a constant
    /// or a column through a value map, `if_empty = "unknown"` for lists
    /// that do not say).
    pub kind: KindSpec<DeathKind>,
    /// What is known of the circumstances.
    pub circumstances: Option<TextSpec>,
    /// Note, sources, confidence, visibility.
    #[serde(flatten)]
    pub facts: FactsSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    version: u32,
    #[serde(default)]
    confidence: Confidence,
    #[serde(default)]
    visibility: Visibility,
    #[serde(default)]
    csv: CsvFile,
    #[serde(default)]
    sources: SourcesSpec,
    person: PersonSpec,
    detained: Option<DetainedSpec>,
    charged: Option<ChargedSpec>,
    sentenced: Option<SentencedSpec>,
    released: Option<ReleasedSpec>,
    died: Option<DiedSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CsvFile {
    #[serde(default = "comma")]
    delimiter: String,
    #[serde(default = "no_value")]
    no_value: Vec<String>,
    #[serde(default)]
    date_formats: Vec<String>,
}

impl Default for CsvFile {
    fn default() -> Self {
        Self {
            delimiter: comma(),
            no_value: no_value(),
            date_formats: Vec::new(),
        }
    }
}

fn comma() -> String {
    ",".to_owned()
}

fn no_value() -> Vec<String> {
    vec![".".to_owned(), "NA".to_owned()]
}

impl Mapping {
    /// Reads a mapping from its TOML text.
    pub fn from_toml(text: &str) -> Result<Mapping, ImportError> {
        let invalid = |message: String| ImportError::InvalidMapping { message };
        let file: MappingFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if file.version != VERSION {
            return Err(invalid(format!(
                "version = {} is not a mapping version this habeas reads: write version = {VERSION}",
                file.version
            )));
        }
        let delimiter = match file.csv.delimiter.as_bytes() {
            [byte] => *byte,
            _ => {
                return Err(invalid(format!(
                    "[csv] delimiter {:?} must be one ASCII character, e.g. \",\" or \";\"",
                    file.csv.delimiter
                )));
            }
        };
        let date_formats = if file.csv.date_formats.is_empty() {
            DateFormat::defaults()
        } else {
            parse_formats(&file.csv.date_formats)
                .map_err(|e| invalid(format!("[csv] date_formats: {e}")))?
        };
        if let Some(sentenced) = &file.sentenced
            && sentenced.term.is_none()
            && sentenced.ends.is_none()
        {
            return Err(invalid(
                "[sentenced] needs term = \"COLUMN\" (the term), ends = \"COLUMN\" (the day of release a source states), or both".to_owned(),
            ));
        }
        Ok(Mapping {
            csv: CsvOptions {
                delimiter,
                no_value: file
                    .csv
                    .no_value
                    .iter()
                    .map(|v| v.trim().to_owned())
                    .collect(),
                date_formats,
            },
            confidence: file.confidence,
            visibility: file.visibility,
            sources: file.sources,
            person: file.person,
            detained: file.detained,
            charged: file.charged,
            sentenced: file.sentenced,
            released: file.released,
            died: file.died,
        })
    }

    /// Every column the mapping reads, with the key that names it, for
    /// checking a file's header.
    pub fn columns(&self) -> Vec<(String, &str)> {
        let mut found = Columns(Vec::new());
        let person = &self.person;
        found.text("[person] name", Some(&person.name));
        for alias in &person.aliases {
            found.text("[person] aliases", Some(alias));
        }
        found.text("[person] country", person.country.as_ref());
        found.text("[person] affiliation", person.affiliation.as_ref());
        found.text("[person] sex", person.sex.as_ref());
        found.text("[person] born_in", person.born_in.as_ref());
        found.text("[person] residence", person.residence.as_ref());
        found.text("[person] group", person.group.as_ref());
        if let Some(born) = &person.born {
            found.push("[person] born", &born.column);
        }
        found.sources("[sources]", &self.sources);
        if let Some(spec) = &self.detained {
            found.date("[detained] date", &spec.date);
            found.kind("[detained] kind", &spec.kind);
            found.text("[detained] place", spec.place.as_ref());
            found.text("[detained] authority", spec.authority.as_ref());
            found.text("[detained] facility", spec.facility.as_ref());
            found.facts("[detained]", &spec.facts);
        }
        if let Some(spec) = &self.charged {
            found.date("[charged] date", &spec.date);
            found.text("[charged] offence", Some(&spec.offence));
            found.text("[charged] article", spec.article.as_ref());
            found.text("[charged] court", spec.court.as_ref());
            found.text("[charged] case_number", spec.case_number.as_ref());
            found.facts("[charged]", &spec.facts);
        }
        if let Some(spec) = &self.sentenced {
            found.date("[sentenced] date", &spec.date);
            found.text("[sentenced] term", spec.term.as_ref());
            if let Some(ends) = &spec.ends {
                found.date("[sentenced] ends", ends);
            }
            found.text("[sentenced] court", spec.court.as_ref());
            found.text("[sentenced] offence", spec.offence.as_ref());
            found.facts("[sentenced]", &spec.facts);
        }
        if let Some(spec) = &self.released {
            found.date("[released] date", &spec.date);
            found.kind("[released] kind", &spec.kind);
            found.text("[released] conditions", spec.conditions.as_ref());
            found.text("[released] ordered_by", spec.ordered_by.as_ref());
            found.facts("[released]", &spec.facts);
        }
        if let Some(spec) = &self.died {
            found.date("[died] date", &spec.date);
            found.kind("[died] kind", &spec.kind);
            found.text("[died] circumstances", spec.circumstances.as_ref());
            found.facts("[died]", &spec.facts);
        }
        found.0
    }
}

/// The columns a mapping reads, gathered key by key.
struct Columns<'m>(Vec<(String, &'m str)>);

impl<'m> Columns<'m> {
    fn push(&mut self, key: &str, column: &'m str) {
        self.0.push((key.to_owned(), column));
    }

    fn date(&mut self, key: &str, spec: &'m DateSpec) {
        self.push(key, &spec.column);
        if let Some(bound) = &spec.if_empty_on_or_before {
            self.push(&format!("{key} if_empty_on_or_before"), bound);
        }
    }

    fn text(&mut self, key: &str, spec: Option<&'m TextSpec>) {
        if let Some(column) = spec.and_then(TextSpec::column) {
            self.push(key, column);
        }
    }

    fn kind<K>(&mut self, key: &str, spec: &'m KindSpec<K>) {
        if let KindSpec::Column { column, .. } = spec {
            self.push(key, column);
        }
    }

    fn sources(&mut self, section: &str, sources: &'m SourcesSpec) {
        for url in &sources.urls {
            self.push(&format!("{section} urls"), url);
        }
        for document in &sources.documents {
            self.text(&format!("{section} documents"), Some(document));
        }
    }

    fn facts(&mut self, section: &str, facts: &'m FactsSpec) {
        self.text(&format!("{section} note"), facts.note.as_ref());
        if let Some(sources) = &facts.sources {
            self.sources(&format!("{section} sources"), sources);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        version = 1
        [person]
        name = "name"
    "#;

    #[test]
    fn a_minimal_mapping_has_defaults() {
        let mapping = Mapping::from_toml(MINIMAL).unwrap();
        assert_eq!(mapping.csv.delimiter, b',');
        assert_eq!(mapping.csv.no_value, [".", "NA"]);
        assert_eq!(mapping.csv.date_formats, DateFormat::defaults());
        assert_eq!(mapping.confidence, Confidence::Reported);
        assert_eq!(mapping.columns(), [("[person] name".to_owned(), "name")]);
    }

    #[test]
    fn mistakes_stop_before_any_row() {
        let cases = [
            ("version = 2\n[person]\nname = \"n\"", "write version = 1"),
            ("version = 1", "missing field `person`"),
            (
                "version = 1\n[person]\nname = \"n\"\nnaem = \"x\"",
                "unknown field `naem`",
            ),
            (
                "version = 1\n[csv]\ndelimiter = \";;\"\n[person]\nname = \"n\"",
                "one ASCII character",
            ),
            (
                "version = 1\n[csv]\ndate_formats = [\"%q\"]\n[person]\nname = \"n\"",
                "[csv] date_formats",
            ),
            (
                "version = 1\nconfidence = \"sure\"\n[person]\nname = \"n\"",
                "unknown variant `sure`",
            ),
            (
                "version = 1\n[person]\nname = \"n\"\n[released]\ndate = \"d\"",
                "missing field `kind`",
            ),
            (
                "version = 1\n[person]\nname = \"n\"\n[sentenced]\ndate = \"d\"",
                "[sentenced] needs term",
            ),
            (
                "version = 1\n[person]\nname = \"n\"\n[died]\ndate = \"d\"\nkind = \"drowned\"",
                "in_custody, at_liberty, executed, unknown",
            ),
            (
                "version = 1\n[person]\nname = \"n\"\n[detained]\ndate = \"d\"\nkind = \"arrest\"\nfacilty = \"f\"",
                "unknown field `facilty`",
            ),
            (
                "version = 1\n[person]\nname = \"n\"\n[detained]\ndate = \"d\"\nkind = \"arrest\"\nsources = { url = [\"s\"] }",
                "unknown field `url`",
            ),
        ];
        for (text, expected) in cases {
            let message = Mapping::from_toml(text).unwrap_err().to_string();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
