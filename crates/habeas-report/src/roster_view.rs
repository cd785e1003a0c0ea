//! What a roster row shows beyond its figures, decided once for every format:
//! the link to the person's own report, the charges and the sentence in
//! words, and what tells namesakes apart.
//!
//! A campaign reads the roster first and the person reports second, so a row
//! must say which report it summarises (the link), and two people sharing a
//! name must not read as one person counted twice.

use habeas_domain::status::Legal;

use crate::describe;
use crate::model::{Roster, RosterRow};
use crate::roster_figures::roster_order;

/// One roster row as shown.
#[derive(Debug, Clone)]
pub(crate) struct RowView<'a> {
    /// The input row.
    pub(crate) row: &'a RosterRow,
    /// The relative address of the person's report, `SLUG.html`, when the
    /// slug is safe to use as a file name.
    pub(crate) report: Option<String>,
    /// For namesakes: what tells this one apart ("namesake: born 1969, slug
    /// rong-chhun-2"); `None` when nobody else in the roster has the name.
    pub(crate) namesake: Option<String>,
    /// The charges in words, or what ended them.
    pub(crate) charges: Option<String>,
    /// The sentence in words, when convicted.
    pub(crate) sentence: Option<String>,
}

/// The rows of `roster` in roster order, as shown.
pub(crate) fn rows(roster: &Roster) -> Vec<RowView<'_>> {
    let ordered = roster_order(&roster.rows);
    ordered
        .iter()
        .map(|row| RowView {
            row,
            report: report_href(&row.slug),
            namesake: namesake(row, &roster.rows),
            charges: charges(&row.legal),
            sentence: sentence(&row.legal),
        })
        .collect()
}

/// `SLUG.html`, the file name `habeas report SLUG --format html -o SLUG.html`
/// writes beside the roster, or `None` for a slug that is not a plain file
/// name (only ASCII letters, digits, `-` and `_`), which is never linked.
pub(crate) fn report_href(slug: &str) -> Option<String> {
    let plain = !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    plain.then(|| format!("{slug}.html"))
}

/// Names compared as a reader would: case and spacing ignored.
fn folded(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What tells `row` apart from the others of `rows` with its name: the year
/// of birth when known, and always the slug (unique in the store).
pub(crate) fn namesake(row: &RosterRow, rows: &[RosterRow]) -> Option<String> {
    let name = folded(&row.name);
    let namesakes = rows
        .iter()
        .any(|other| other.person_id != row.person_id && folded(&other.name) == name);
    if !namesakes {
        return None;
    }
    let mut parts = Vec::new();
    if let Some(born) = &row.born {
        let year = born.bound().earliest().format("%Y");
        parts.push(if born.is_open_start() {
            format!("born {year} or earlier")
        } else {
            format!("born {year}")
        });
    }
    parts.push(format!("slug {}", row.slug));
    Some(format!("namesake: {}", parts.join(", ")))
}

/// The charges as a roster cell: the offences (with their articles), or
/// how the proceedings ended without a conviction.
pub(crate) fn charges(legal: &Legal) -> Option<String> {
    let listed = |charges: &[habeas_domain::event::Charge]| {
        (!charges.is_empty()).then(|| {
            charges
                .iter()
                .map(describe::charge)
                .collect::<Vec<_>>()
                .join("; ")
        })
    };
    match legal {
        Legal::NotCharged => None,
        Legal::Charged { charges, .. } => {
            Some(listed(charges).unwrap_or_else(|| "charged (offence not recorded)".to_owned()))
        }
        Legal::Convicted { charges, .. } => {
            Some(listed(charges).unwrap_or_else(|| "convicted (offence not recorded)".to_owned()))
        }
        Legal::Acquitted { on } => Some(format!("acquitted on {on}")),
        Legal::ChargesDropped { on } => Some(format!("charges dropped on {on}")),
    }
}

/// The sentence as a roster cell: the term (or that the sources do not give
/// it), with when it was pronounced and how it is qualified.
pub(crate) fn sentence(legal: &Legal) -> Option<String> {
    let Legal::Convicted {
        on,
        term,
        in_absentia,
        suspended,
        ..
    } = legal
    else {
        return None;
    };
    let mut text = match term {
        Some(term) => format!("{term} ({on})"),
        None => format!("term not given ({on})"),
    };
    if *suspended {
        text.push_str(", suspended");
    }
    if *in_absentia {
        text.push_str(", in absentia");
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use habeas_domain::event::Charge;
    use habeas_domain::id::PersonId;
    use habeas_domain::status::Headline;
    use uuid::Uuid;

    #[test]
    fn only_plain_slugs_become_links() {
        let cases = [
            ("rong-chhun", Some("rong-chhun.html")),
            ("sar_kanika-2", Some("sar_kanika-2.html")),
            ("", None),
            ("../etc/passwd", None),
            ("a b", None),
            ("x\"onclick", None),
            ("javascript:alert(1)", None),
        ];
        for (slug, expected) in cases {
            assert_eq!(report_href(slug).as_deref(), expected, "{slug:?}");
        }
    }

    fn charge(offence: &str, article: Option<&str>) -> Charge {
        Charge {
            offence: offence.to_owned(),
            article: article.map(str::to_owned),
        }
    }

    #[test]
    fn charges_and_sentence_in_words() {
        let on = "2021-08".parse().unwrap();
        let convicted = |term: Option<&str>, suspended, in_absentia, charges| Legal::Convicted {
            on,
            term: term.map(|t| t.parse().unwrap()),
            court: None,
            in_absentia,
            suspended,
            charges,
        };
        // (legal, charges cell, sentence cell)
        let cases = [
            (Legal::NotCharged, None, None),
            (
                Legal::Charged {
                    since: on,
                    charges: vec![
                        charge("incitement", Some("art. 495")),
                        charge("plotting", None),
                    ],
                    court: None,
                },
                Some("incitement (art. 495); plotting"),
                None,
            ),
            (
                Legal::Charged {
                    since: on,
                    charges: Vec::new(),
                    court: None,
                },
                Some("charged (offence not recorded)"),
                None,
            ),
            (
                convicted(Some("2y"), false, false, vec![charge("incitement", None)]),
                Some("incitement"),
                Some("2 years (2021-08)"),
            ),
            (
                convicted(None, true, true, Vec::new()),
                Some("convicted (offence not recorded)"),
                Some("term not given (2021-08), suspended, in absentia"),
            ),
            (Legal::Acquitted { on }, Some("acquitted on 2021-08"), None),
            (
                Legal::ChargesDropped { on },
                Some("charges dropped on 2021-08"),
                None,
            ),
        ];
        for (legal, charges_cell, sentence_cell) in cases {
            assert_eq!(charges(&legal).as_deref(), charges_cell, "{legal:?}");
            assert_eq!(sentence(&legal).as_deref(), sentence_cell, "{legal:?}");
        }
    }

    fn row(n: u128, name: &str, slug: &str, born: Option<&str>) -> RosterRow {
        RosterRow {
            person_id: PersonId::from_uuid(Uuid::from_u128(n)),
            slug: slug.to_owned(),
            name: name.to_owned(),
            aliases: Vec::new(),
            country: None,
            born: born.map(|b| b.parse().unwrap()),
            headline: Headline::Detained,
            possibly: None,
            release_overdue: false,
            custody_since: None,
            facility: None,
            days_in_custody_now: None,
            days_in_custody_total: None,
            legal: Legal::NotCharged,
            last_fact: None,
        }
    }

    #[test]
    fn namesakes_are_told_apart() {
        let rows = [
            row(1, "Sar Kanika", "sar-kanika", Some("1994-05-02")),
            row(2, "sar  kanika", "sar-kanika-2", None),
            row(3, "Sar Kanika", "sar-kanika-3", Some("1988")),
            row(4, "Ton Nimol", "ton-nimol", Some("1990")),
        ];
        let expected = [
            Some("namesake: born 1994, slug sar-kanika"),
            Some("namesake: slug sar-kanika-2"),
            Some("namesake: born 1988, slug sar-kanika-3"),
            None,
        ];
        for (row, expected) in rows.iter().zip(expected) {
            assert_eq!(namesake(row, &rows).as_deref(), expected, "{}", row.slug);
        }
    }
}
