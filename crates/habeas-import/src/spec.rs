//! The building blocks of a column mapping: where a text, a date or a kind
//! comes from ([`TextSpec`], [`DateSpec`], [`KindSpec`]), and the kinds a
//! value map may name ([`KindValue`]).
//!
//! Each accepts a short form (a column name as a string) and a table form;
//! tables refuse keys they do not know, so a typo in a mapping is an error
//! with its line rather than a column silently ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use habeas_domain::event::{DeathKind, DetentionKind, ReleaseKind};
use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::date_text::DateFormat;

/// Either a string or a table, read without serde's untagged enums so that a
/// mistake inside the table keeps its precise message.
enum StringOrTable<T> {
    String(String),
    Table(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for StringOrTable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Either<T> {
            type Value = StringOrTable<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a column name or a table")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(StringOrTable::String(text.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(StringOrTable::Table)
            }
        }
        deserializer.deserialize_any(Either(PhantomData))
    }
}

/// Where a text comes from: a column (`"name.eng"` or `{ column = "…" }`,
/// optionally `template = "CECC record {}"`, where `{}` stands for the
/// cell), or a constant (`{ value = "China" }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextSpec {
    /// A column's cell, put into a template.
    Column {
        /// The column's name in the header.
        column: String,
        /// `{}` is replaced by the cell; `None` means the cell as it is.
        template: Option<String>,
    },
    /// The same text for every row.
    Value(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextTable {
    column: Option<String>,
    template: Option<String>,
    value: Option<String>,
}

impl<'de> Deserialize<'de> for TextSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match StringOrTable::<TextTable>::deserialize(deserializer)? {
            StringOrTable::String(column) => Ok(TextSpec::Column {
                column,
                template: None,
            }),
            StringOrTable::Table(table) => match (table.column, table.value, table.template) {
                (Some(column), None, template) => {
                    if template.as_ref().is_some_and(|t| !t.contains("{}")) {
                        return Err(de::Error::custom("a template needs {} where the cell goes"));
                    }
                    Ok(TextSpec::Column { column, template })
                }
                (None, Some(value), None) => Ok(TextSpec::Value(value)),
                _ => Err(de::Error::custom(
                    "give either column (with an optional template) or value",
                )),
            },
        }
    }
}

impl TextSpec {
    /// The column it reads, if any.
    pub fn column(&self) -> Option<&str> {
        match self {
            TextSpec::Column { column, .. } => Some(column),
            TextSpec::Value(_) => None,
        }
    }
}

/// What a cell that cannot be read does to its row: `on_bad_value` on a
/// date, a section's sources or a sentence's term.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnBadValue {
    /// The row is not imported; the report says why (the default: nothing
    /// of a row is recorded that a person has not seen).
    #[default]
    RejectRow,
    /// The row is imported without that value, with a warning naming the
    /// cell and why it was dropped (for details a list may get wrong while
    /// the rest of the row stands, such as a birth date).
    DropField,
}

/// Where a date comes from: a column and the formats to read it with
/// (`{ column = "det.date", formats = ["%Y.%m.%d", "%Y.%m"], approximate = true, on_bad_value = "drop-field" }`),
/// or just the column name, read with the mapping's `[csv] date_formats`.
///
/// `if_empty_on_or_before = "COLUMN"`: when the cell is empty, the date is
/// "on or before" the date in that column (`..DATE`), as lists give custody
/// ("in detention" on the list's date) and sentences ("life") without the
/// day they began; figures counted from it are then open ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateSpec {
    /// The column's name in the header.
    pub column: String,
    /// The column whose date bounds this one when its cell is empty.
    pub if_empty_on_or_before: Option<String>,
    /// The formats to try, in order; empty means the mapping's default.
    pub formats: Vec<DateFormat>,
    /// Mark every date read approximate (e.g. a sentence dated at the arrest
    /// because the source gives no sentencing date).
    pub approximate: bool,
    /// What a cell that is not a date does to its row.
    pub on_bad_value: OnBadValue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DateTable {
    column: String,
    #[serde(default)]
    formats: Vec<String>,
    #[serde(default)]
    approximate: bool,
    #[serde(default)]
    on_bad_value: OnBadValue,
    #[serde(default)]
    if_empty_on_or_before: Option<String>,
}

impl<'de> Deserialize<'de> for DateSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match StringOrTable::<DateTable>::deserialize(deserializer)? {
            StringOrTable::String(column) => Ok(DateSpec {
                column,
                if_empty_on_or_before: None,
                formats: Vec::new(),
                approximate: false,
                on_bad_value: OnBadValue::RejectRow,
            }),
            StringOrTable::Table(table) => Ok(DateSpec {
                column: table.column,
                if_empty_on_or_before: table.if_empty_on_or_before,
                formats: parse_formats(&table.formats).map_err(de::Error::custom)?,
                approximate: table.approximate,
                on_bad_value: table.on_bad_value,
            }),
        }
    }
}

/// Reads the date formats of a mapping.
pub(crate) fn parse_formats(
    texts: &[String],
) -> Result<Vec<DateFormat>, crate::date_text::DateFormatError> {
    texts.iter().map(|text| text.parse()).collect()
}

/// A kind a value map can name, written in snake case in the mapping.
pub trait KindValue: Sized + Copy {
    /// The names a mapping may use, for error messages.
    const ALLOWED: &'static str;
    /// Reads a name.
    fn parse(name: &str) -> Option<Self>;
}

fn snake_case<T: DeserializeOwned>(name: &str) -> Option<T> {
    T::deserialize(IntoDeserializer::<de::value::Error>::into_deserializer(
        name,
    ))
    .ok()
}

impl KindValue for DetentionKind {
    const ALLOWED: &'static str =
        "arrest, administrative_detention, house_arrest, enforced_disappearance, other";

    fn parse(name: &str) -> Option<Self> {
        snake_case(name)
    }
}

impl KindValue for DeathKind {
    const ALLOWED: &'static str = "in_custody, at_liberty, executed, unknown";

    fn parse(name: &str) -> Option<Self> {
        // The domain names these in kebab case; mappings write snake case.
        snake_case(&name.replace('_', "-"))
    }
}

/// What a status column says about a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseStatus {
    /// Released, for this reason.
    Released(ReleaseKind),
    /// Still held (or disappeared): there is no release to record, and a
    /// release date in the same row contradicts it.
    NotReleased,
}

impl KindValue for ReleaseStatus {
    const ALLOWED: &'static str = "sentence_served, bail, parole, pardon, amnesty, acquittal, medical, early_release_without_reason, escape, other, not_released";

    fn parse(name: &str) -> Option<Self> {
        if name == "not_released" {
            return Some(ReleaseStatus::NotReleased);
        }
        snake_case(name).map(ReleaseStatus::Released)
    }
}

/// Where a kind comes from: a constant (`kind = "arrest"`), or a column read
/// through a value map (`{ column = "det.type", map = { "行政拘留/ Administrative detention" = "administrative_detention" }, if_empty = "other" }`).
///
/// Cells are matched to the map's keys ignoring case and white space, so
/// `释放 / Released` and `释放/ Released` are the same value. A cell the map
/// does not list rejects its row (never a guess); an empty cell takes
/// `if_empty`, and rejects its row when there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindSpec<K> {
    /// The same kind for every row.
    Constant(K),
    /// A column through a value map.
    Column {
        /// The column's name in the header.
        column: String,
        /// (matching key, key as written, kind), in the mapping's order.
        map: Vec<(String, String, K)>,
        /// The kind of an empty cell.
        if_empty: Option<K>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindTable {
    column: String,
    #[serde(default)]
    map: BTreeMap<String, String>,
    if_empty: Option<String>,
}

/// How value-map keys and cells are compared: case and white space ignored.
pub(crate) fn match_key(text: &str) -> String {
    text.chars()
        .filter(|ch| !ch.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn kind<K: KindValue, E: de::Error>(name: &str) -> Result<K, E> {
    K::parse(name).ok_or_else(|| {
        E::custom(format!(
            "{name:?} is not a kind that can be mapped to here; use one of {}",
            K::ALLOWED
        ))
    })
}

impl<'de, K: KindValue> Deserialize<'de> for KindSpec<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match StringOrTable::<KindTable>::deserialize(deserializer)? {
            StringOrTable::String(name) => Ok(KindSpec::Constant(kind(&name)?)),
            StringOrTable::Table(table) => {
                let mut map: Vec<(String, String, K)> = Vec::new();
                for (written, name) in table.map {
                    let key = match_key(&written);
                    if let Some((_, other, _)) = map.iter().find(|(k, _, _)| *k == key) {
                        return Err(de::Error::custom(format!(
                            "the map lists {other:?} and {written:?}, which are the same value once case and spaces are ignored: keep one"
                        )));
                    }
                    map.push((key, written, kind(&name)?));
                }
                let if_empty = table.if_empty.as_deref().map(kind).transpose()?;
                Ok(KindSpec::Column {
                    column: table.column,
                    map,
                    if_empty,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Probe {
        text: Option<TextSpec>,
        date: Option<DateSpec>,
        detention: Option<KindSpec<DetentionKind>>,
        release: Option<KindSpec<ReleaseStatus>>,
    }

    fn read(text: &str) -> Result<Probe, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn short_and_table_forms() {
        let probe = read(
            r#"
            text = { column = "cecc.num", template = "CECC record {}" }
            date = { column = "det.date", formats = ["%Y.%m"], approximate = true }
            detention = "arrest"
            release = { column = "status", map = { "释放 / Released" = "other", "仍被关押/ Detained" = "not_released" }, if_empty = "other" }
            "#,
        )
        .unwrap();
        assert_eq!(
            probe.text,
            Some(TextSpec::Column {
                column: "cecc.num".into(),
                template: Some("CECC record {}".into())
            })
        );
        assert!(probe.date.unwrap().approximate);
        assert_eq!(
            probe.detention,
            Some(KindSpec::Constant(DetentionKind::Arrest))
        );
        let Some(KindSpec::Column { map, if_empty, .. }) = probe.release else {
            panic!("a column spec")
        };
        assert_eq!(map.len(), 2);
        assert!(map.contains(&(
            "释放/released".into(),
            "释放 / Released".into(),
            ReleaseStatus::Released(ReleaseKind::Other)
        )));
        assert_eq!(if_empty, Some(ReleaseStatus::Released(ReleaseKind::Other)));
        let short = read(r#"text = "name.eng""#).unwrap();
        assert_eq!(short.text.unwrap().column(), Some("name.eng"));
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            (r#"text = { colum = "x" }"#, "unknown field `colum`"),
            (r#"text = { column = "x", value = "y" }"#, "either column"),
            (r#"text = { column = "x", template = "CECC" }"#, "needs {}"),
            (
                r#"date = { column = "x", formats = ["%d.%m"] }"#,
                "has no %Y",
            ),
            (r#"detention = "arrested""#, "\"arrested\" is not a kind"),
            (
                r#"detention = { column = "t", map = { "a" = "jail" } }"#,
                "use one of arrest, administrative_detention",
            ),
            (
                r#"release = { column = "s", map = { "A b" = "bail", "ab" = "bail" } }"#,
                "the same value once case and spaces are ignored",
            ),
        ];
        for (text, expected) in cases {
            let message = read(text).unwrap_err();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
