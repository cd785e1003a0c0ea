//! From a spreadsheet row to the actions that record it: one new person and
//! their case, or the reason the row cannot be understood.
//!
//! Planning reads cells only; whether the rules allow the events (a source, a
//! release after the detention) is decided when the row is executed.

use std::collections::HashMap;

use habeas_domain::command::Action;
use habeas_domain::date::PartialDate;
use habeas_domain::event::{
    Charge, Charging, Demise, Detention, Registration, Release, Sentencing,
};
use habeas_domain::facts::{Facts, Source};

use crate::date_text::parse_date;
use crate::error::ImportError;
use crate::mapping::{FactsSpec, Mapping, SourcesSpec};
use crate::reason::Reason;
use crate::spec::{DateSpec, KindSpec, KindValue, OnBadValue, ReleaseStatus, TextSpec, match_key};
use crate::term_text::parse_term;
use crate::url_text::{check_url, clean_url, split_urls};

/// A mapping checked against a file's header, ready to plan its rows.
#[derive(Debug, Clone)]
pub struct RowPlanner<'a> {
    mapping: &'a Mapping,
    columns: HashMap<&'a str, usize>,
}

/// What one row records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowPlan {
    /// The registration first, then the case events, in the order they happened.
    pub actions: Vec<Action>,
    /// Things a person should check (cleaned URLs).
    pub warnings: Vec<String>,
}

impl<'a> RowPlanner<'a> {
    /// Checks that every column the mapping names is in the header, once.
    pub fn new(mapping: &'a Mapping, header: &[&str]) -> Result<RowPlanner<'a>, ImportError> {
        let mut columns: HashMap<&'a str, usize> = HashMap::new();
        for (key, column) in mapping.columns() {
            let mut found = header
                .iter()
                .enumerate()
                .filter(|(_, name)| name.trim() == column.trim());
            let Some((idx, _)) = found.next() else {
                return Err(ImportError::MissingColumn {
                    column: column.to_owned(),
                    key,
                    header: header
                        .iter()
                        .map(|name| format!("{name:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            if found.next().is_some() {
                return Err(ImportError::AmbiguousColumn {
                    column: column.to_owned(),
                    key,
                });
            }
            columns.insert(column, idx);
        }
        Ok(RowPlanner { mapping, columns })
    }

    /// Plans one row, given its cells in header order.
    pub fn plan(&self, cells: &[&str]) -> Result<RowPlan, Reason> {
        let row = Row {
            planner: self,
            cells,
            warnings: Vec::new(),
        };
        row.plan()
    }
}

/// One row being planned.
struct Row<'p, 'a> {
    planner: &'p RowPlanner<'a>,
    cells: &'p [&'p str],
    warnings: Vec<String>,
}

impl Row<'_, '_> {
    /// A column's cell, trimmed; `None` when it means "no value".
    fn cell(&self, column: &str) -> Option<&str> {
        let idx = self.planner.columns.get(column)?;
        let text = self.cells.get(*idx)?.trim();
        let no_value =
            text.is_empty() || self.planner.mapping.csv.no_value.iter().any(|v| v == text);
        (!no_value).then_some(text)
    }

    fn text(&self, spec: Option<&TextSpec>) -> Option<String> {
        match spec? {
            TextSpec::Value(value) => Some(value.clone()),
            TextSpec::Column { column, template } => {
                let cell = self.cell(column)?;
                Some(match template {
                    Some(template) => template.replace("{}", cell),
                    None => cell.to_owned(),
                })
            }
        }
    }

    /// The date of a column, or `None` when the cell is empty; with
    /// `if_empty_on_or_before`, an empty cell is "on or before" the date of
    /// that column (`..DATE`).
    fn date(&mut self, spec: &DateSpec) -> Result<Option<PartialDate>, Reason> {
        if let Some(date) = self.date_in(&spec.column, spec)? {
            return Ok(Some(date));
        }
        let Some(bound) = &spec.if_empty_on_or_before else {
            return Ok(None);
        };
        Ok(self.date_in(bound, spec)?.map(PartialDate::on_or_before))
    }

    /// The date in `column`, read as `spec` says.
    fn date_in(&mut self, column: &str, spec: &DateSpec) -> Result<Option<PartialDate>, Reason> {
        let Some(cell) = self.cell(column) else {
            return Ok(None);
        };
        let formats = if spec.formats.is_empty() {
            &self.planner.mapping.csv.date_formats
        } else {
            &spec.formats
        };
        match parse_date(cell, formats, spec.approximate) {
            Ok(date) => Ok(Some(date)),
            Err(source) => self.bad_value(
                spec.on_bad_value,
                Reason::BadDate {
                    column: column.to_owned(),
                    source,
                },
            ),
        }
    }

    /// A cell that cannot be read: the row's rejection, or with
    /// `drop-field` no value and a warning that says which and why.
    fn bad_value<T>(&mut self, policy: OnBadValue, reason: Reason) -> Result<Option<T>, Reason> {
        match policy {
            OnBadValue::RejectRow => Err(reason),
            OnBadValue::DropField => {
                self.warnings.push(format!(
                    "{reason}; the value was left out and the rest of the row imported (on_bad_value = \"drop-field\")"
                ));
                Ok(None)
            }
        }
    }

    fn required_date(
        &mut self,
        spec: &DateSpec,
        hint: &'static str,
    ) -> Result<PartialDate, Reason> {
        self.date(spec)?.ok_or_else(|| Reason::MissingCell {
            column: spec.column.clone(),
            hint,
        })
    }

    /// The kind a cell maps to; `Ok(None)` for an empty cell without `if_empty`.
    fn kind<K: KindValue>(&self, spec: &KindSpec<K>, table: &str) -> Result<Option<K>, Reason> {
        match spec {
            KindSpec::Constant(kind) => Ok(Some(*kind)),
            KindSpec::Column {
                column,
                map,
                if_empty,
            } => {
                let Some(cell) = self.cell(column) else {
                    return Ok(*if_empty);
                };
                let key = match_key(cell);
                map.iter()
                    .find(|(k, _, _)| *k == key)
                    .map(|(_, _, kind)| Some(*kind))
                    .ok_or_else(|| Reason::Unmapped {
                        column: column.clone(),
                        value: cell.to_owned(),
                        table: table.to_owned(),
                        known: map
                            .iter()
                            .map(|(_, written, _)| format!("{written:?}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            }
        }
    }

    fn sources(&mut self, spec: &SourcesSpec) -> Result<Vec<Source>, Reason> {
        let mut sources: Vec<Source> = Vec::new();
        for column in &spec.urls {
            let Some(cell) = self.cell(column) else {
                continue;
            };
            let pieces = match &spec.split {
                Some(separators) => split_urls(cell, separators),
                None => vec![cell.to_owned()],
            };
            for piece in pieces {
                let clean = clean_url(&piece);
                if let Err(source) = check_url(&clean.url, &piece) {
                    let reason = Reason::BadUrl {
                        column: column.clone(),
                        source,
                    };
                    self.bad_value::<()>(spec.on_bad_value, reason)?;
                    continue;
                }
                if clean.changed {
                    let message = format!(
                        "{column}: removed spaces and stray characters from the URL {piece:?}, read as {:?}: check that it opens",
                        clean.url
                    );
                    if !self.warnings.contains(&message) {
                        self.warnings.push(message);
                    }
                }
                let source = Source::url(clean.url);
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
        }
        for document in &spec.documents {
            if let Some(reference) = self.text(Some(document)) {
                sources.push(Source::document(reference));
            }
        }
        Ok(sources)
    }

    fn facts(&mut self, occurred: PartialDate, spec: &FactsSpec) -> Result<Facts, Reason> {
        let mapping = self.planner.mapping;
        let sources = self.sources(spec.sources.as_ref().unwrap_or(&mapping.sources))?;
        Ok(Facts {
            occurred,
            sources,
            confidence: spec.confidence.unwrap_or(mapping.confidence),
            note: self.text(spec.note.as_ref()),
            visibility: spec.visibility.unwrap_or(mapping.visibility),
        })
    }

    fn plan(mut self) -> Result<RowPlan, Reason> {
        let mapping = self.planner.mapping;
        let mut actions = vec![Action::RegisterPerson(self.registration()?)];
        if let Some(spec) = &mapping.detained {
            let occurred = if spec.required {
                Some(self.required_date(
                    &spec.date,
                    "every row of this mapping is a detention ([detained] required = true): give its date, or set required = false",
                )?)
            } else {
                self.date(&spec.date)?
            };
            if let Some(occurred) = occurred {
                let kind = self.kind(&spec.kind, "detained.kind.map")?;
                let kind = kind.ok_or_else(|| Reason::MissingCell {
                    column: kind_column(&spec.kind),
                    hint: "give the kind of detention, or add if_empty to [detained.kind] in the mapping",
                })?;
                actions.push(Action::RecordDetention(Detention {
                    facts: self.facts(occurred, &spec.facts)?,
                    kind,
                    place: self.text(spec.place.as_ref()),
                    authority: self.text(spec.authority.as_ref()),
                    facility: self.text(spec.facility.as_ref()),
                }));
            }
        }
        if let Some(spec) = &mapping.charged
            && let Some(offence) = self.text(Some(&spec.offence))
        {
            let occurred = self.required_date(
                &spec.date,
                "the row has an offence, so it needs the date of the charge",
            )?;
            actions.push(Action::RecordCharges(Charging {
                facts: self.facts(occurred, &spec.facts)?,
                charges: vec![Charge {
                    offence,
                    article: self.text(spec.article.as_ref()),
                }],
                court: self.text(spec.court.as_ref()),
                case_number: self.text(spec.case_number.as_ref()),
            }));
        }
        if let Some(spec) = &mapping.sentenced {
            let term = match self.text(spec.term.as_ref()) {
                None => None,
                Some(text) => match parse_term(&text) {
                    Ok(term) => Some(term),
                    Err(source) => self.bad_value(
                        spec.on_bad_value,
                        Reason::BadTerm {
                            column: spec
                                .term
                                .as_ref()
                                .and_then(TextSpec::column)
                                .unwrap_or("term")
                                .to_owned(),
                            source,
                        },
                    )?,
                },
            };
            let ends = match &spec.ends {
                Some(ends) => self.date(ends)?,
                None => None,
            };
            if term.is_some() || ends.is_some() {
                let occurred = self.required_date(
                    &spec.date,
                    "the row has a sentence, so it needs the date it was pronounced (or if_empty_on_or_before = \"COLUMN\" on [sentenced] date, when the list gives none)",
                )?;
                actions.push(Action::RecordSentence(Sentencing {
                    facts: self.facts(occurred, &spec.facts)?,
                    term,
                    court: self.text(spec.court.as_ref()),
                    in_absentia: spec.in_absentia,
                    suspended: spec.suspended,
                    ends,
                    offences: self
                        .text(spec.offence.as_ref())
                        .map(|offence| Charge {
                            offence,
                            article: None,
                        })
                        .into_iter()
                        .collect(),
                }));
            }
        }
        if let Some(spec) = &mapping.released {
            let status = self.kind(&spec.kind, "released.kind.map")?;
            let date = self.date(&spec.date)?;
            let status_cell = match &spec.kind {
                KindSpec::Column { column, .. } => self.cell(column).map(|c| (column, c)),
                KindSpec::Constant(_) => None,
            };
            match (date, status) {
                (Some(_), Some(ReleaseStatus::NotReleased)) => {
                    // A constant `not_released` has no cell: name the mapping's word.
                    let (status_column, status) = status_cell
                        .map_or(("[released] kind".to_owned(), "not_released"), |(c, s)| {
                            (c.clone(), s)
                        });
                    return Err(Reason::ReleaseContradicted {
                        date_column: spec.date.column.clone(),
                        date: self.cell(&spec.date.column).unwrap_or_default().to_owned(),
                        status_column,
                        status: status.to_owned(),
                    });
                }
                (Some(_), None) => {
                    return Err(Reason::MissingCell {
                        column: kind_column(&spec.kind),
                        hint: "give why the person was released, or add if_empty to [released.kind] in the mapping",
                    });
                }
                (Some(occurred), Some(ReleaseStatus::Released(kind))) => {
                    actions.push(Action::RecordRelease(Release {
                        facts: self.facts(occurred, &spec.facts)?,
                        kind,
                        conditions: self.text(spec.conditions.as_ref()),
                        ordered_by: self.text(spec.ordered_by.as_ref()),
                    }));
                }
                (None, Some(ReleaseStatus::Released(_))) => {
                    if let Some((status_column, status)) = status_cell {
                        return Err(Reason::ReleaseUndated {
                            status_column: status_column.clone(),
                            status: status.to_owned(),
                            date_column: spec.date.column.clone(),
                        });
                    }
                }
                (None, _) => {}
            }
        }
        if let Some(spec) = &mapping.died
            && let Some(occurred) = self.date(&spec.date)?
        {
            let kind = self.kind(&spec.kind, "died.kind.map")?;
            let kind = kind.ok_or_else(|| Reason::MissingCell {
                column: kind_column(&spec.kind),
                hint: "give how the person died, or add if_empty = \"unknown\" to [died.kind] in the mapping",
            })?;
            actions.push(Action::RecordDeath(Demise {
                facts: self.facts(occurred, &spec.facts)?,
                kind,
                circumstances: self.text(spec.circumstances.as_ref()),
            }));
        }
        Ok(RowPlan {
            actions,
            warnings: self.warnings,
        })
    }

    fn registration(&mut self) -> Result<Registration, Reason> {
        let mapping: &Mapping = self.planner.mapping;
        let person = &mapping.person;
        let name = self
            .text(Some(&person.name))
            .ok_or_else(|| Reason::MissingCell {
                column: person.name.column().unwrap_or("name").to_owned(),
                hint: "every person needs a name",
            })?;
        let mut aliases: Vec<String> = Vec::new();
        for spec in &person.aliases {
            if let Some(alias) = self.text(Some(spec))
                && alias != name
                && !aliases.contains(&alias)
            {
                aliases.push(alias);
            }
        }
        let born = match &person.born {
            Some(spec) => self.date(spec)?,
            None => None,
        };
        Ok(Registration {
            country: self.text(person.country.as_ref()),
            affiliation: self.text(person.affiliation.as_ref()),
            born,
            sources: self.sources(&mapping.sources)?,
            name,
            aliases,
            details: habeas_domain::event::PersonDetails {
                sex: self.text(person.sex.as_ref()),
                born_in: self.text(person.born_in.as_ref()),
                residence: self.text(person.residence.as_ref()),
                group: self.text(person.group.as_ref()),
            },
        })
    }
}

fn kind_column<K>(spec: &KindSpec<K>) -> String {
    match spec {
        KindSpec::Column { column, .. } => column.clone(),
        KindSpec::Constant(_) => "kind".to_owned(),
    }
}
