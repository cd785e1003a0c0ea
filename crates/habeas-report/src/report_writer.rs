//! What the section walks write with: one [`ReportWriter`] per document
//! format, so that which sections a report has, in which order, with which
//! empty states, citations and source lines, is decided once
//! ([`crate::person_sections`], [`crate::roster_sections`]) and Markdown and
//! HTML differ only in how a heading, a list or a table is spelled.
//!
//! Two kinds of string cross this interface. *Inline markup* (`&str` named
//! `inline`, and the `String`s the inline methods return) is already in the
//! writer's format: the walk builds it only from the writer's own inline
//! methods and from fixed program text without markup characters (labels,
//! dates, numbers, headlines). *Text* goes through [`ReportWriter::text`]
//! (anything a person typed) or [`ReportWriter::plain`] (wording the program
//! generated) first. No user-supplied string reaches an output any other way.

use habeas_domain::status::{Headline, View};

use crate::model::ReportMeta;
use crate::notice;
use crate::person_view::PersonView;

/// How a span of inline markup is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Stressed.
    Strong,
    /// An identifier, in a fixed-width font.
    Code,
    /// The title of a work (a source's title).
    WorkTitle,
}

/// How a span is marked: a warning a reader must not miss, or a
/// qualification of the fact it stands beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Something is missing or must not be published.
    Flag,
    /// The fact is less than confirmed.
    Confidence,
    /// An internal note.
    Note,
}

impl Mark {
    /// Its name, which HTML gives as the class of the marked element.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mark::Flag => "flag",
            Mark::Confidence => "confidence",
            Mark::Note => "note",
        }
    }
}

/// One line under a list item: a detail of the fact, optionally marked as a
/// whole.
#[derive(Debug, Clone)]
pub(crate) struct Detail {
    /// How the whole line is marked, if it is.
    pub(crate) mark: Option<Mark>,
    /// The line, as inline markup.
    pub(crate) inline: String,
}

impl Detail {
    /// A detail with no mark of its own (its inline markup may hold marks).
    pub(crate) fn plain(inline: String) -> Self {
        Self { mark: None, inline }
    }

    /// A detail marked as a whole.
    pub(crate) fn marked(mark: Mark, inline: String) -> Self {
        Self {
            mark: Some(mark),
            inline,
        }
    }
}

/// One item of a list.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The name other parts of the page link to it by (HTML only).
    pub(crate) anchor: Option<String>,
    /// The item, as inline markup.
    pub(crate) body: String,
    /// Lines under it.
    pub(crate) details: Vec<Detail>,
}

impl Item {
    /// An item with no anchor and no details.
    pub(crate) fn plain(body: String) -> Self {
        Self {
            anchor: None,
            body,
            details: Vec::new(),
        }
    }
}

/// A list, numbered or not.
#[derive(Debug, Clone)]
pub(crate) struct List {
    /// Numbered from 1, or bulleted.
    pub(crate) numbered: bool,
    /// What the list holds ("facts", "sources"), which HTML gives as its
    /// class; Markdown has no styles.
    pub(crate) kind: Option<&'static str>,
    /// The items, in order.
    pub(crate) items: Vec<Item>,
}

impl List {
    /// A list numbered from 1; `kind` as in [`List::kind`].
    pub(crate) fn numbered(kind: Option<&'static str>, items: Vec<Item>) -> Self {
        Self {
            numbered: true,
            kind,
            items,
        }
    }

    /// A bulleted list of no particular kind.
    pub(crate) fn bulleted(items: Vec<Item>) -> Self {
        Self {
            numbered: false,
            kind: None,
            items,
        }
    }
}

/// A table column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// Its heading (fixed program text).
    pub(crate) title: &'static str,
    /// Whether it holds numbers, which HTML aligns to the right.
    pub(crate) numeric: bool,
}

impl Column {
    /// A column of text.
    pub(crate) fn text(title: &'static str) -> Self {
        Self {
            title,
            numeric: false,
        }
    }

    /// A column of numbers.
    pub(crate) fn number(title: &'static str) -> Self {
        Self {
            title,
            numeric: true,
        }
    }
}

/// One table row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The name other parts of the page link to it by (HTML only).
    pub(crate) anchor: Option<String>,
    /// One inline markup string per column.
    pub(crate) cells: Vec<String>,
}

/// A table with a heading row.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The columns.
    pub(crate) columns: Vec<Column>,
    /// The rows, in order.
    pub(crate) rows: Vec<Row>,
}

/// A figure a campaign quotes, such as "Median time in custody now (of the 2
/// held): 80 days.". Markdown stresses the label, HTML the number.
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    /// What is counted (fixed program text).
    pub(crate) label: &'static str,
    /// Of whom, in words, shown in brackets after the label.
    pub(crate) qualifier: Option<String>,
    /// Inline markup before the number.
    pub(crate) lead: String,
    /// The number, when there is one, as inline markup.
    pub(crate) number: Option<String>,
}

/// A document format the section walks write to.
///
/// Inline methods return markup; block methods append to the document, which
/// [`ReportWriter::finish`] closes and returns.
pub(crate) trait ReportWriter {
    /// Text a person typed, escaped for the format.
    fn text(&self, text: &str) -> String;

    /// Text the program generated (labels, figures, notices): HTML escapes
    /// it like any text; Markdown prints it as it is, since the program writes
    /// no markup by accident and an approximate date must keep its `~`.
    fn plain(&self, text: &str) -> String;

    /// Text a person typed, escaped, or a dash when there is none.
    fn text_or_dash(&self, text: Option<&str>) -> String {
        text.map_or_else(|| "—".to_owned(), |text| self.text(text))
    }

    /// Inline markup set in `style`.
    fn style(&self, style: Style, inline: &str) -> String;

    /// Stressed inline markup.
    fn strong(&self, inline: &str) -> String {
        self.style(Style::Strong, inline)
    }

    /// Marked inline markup.
    fn mark(&self, mark: Mark, inline: &str) -> String;

    /// A link to `url`, which [`crate::escape::linkable_url`] allowed;
    /// `kind` names what it links to (HTML gives it as the link's class).
    fn link(&self, url: &str, kind: Option<&'static str>) -> String;

    /// A link to the item or row with this anchor elsewhere in the document.
    fn anchor_link(&self, anchor: &str, inline: &str) -> String;

    /// The source numbers of a fact, or a visible flag when it has no
    /// checkable source (`sourced` false, or no number at all).
    fn citations(&self, numbers: &[usize], sourced: bool) -> String;

    /// A date or number the reader looks for.
    fn datum(&self, inline: &str) -> String;

    /// A figure a campaign quotes.
    fn figure(&self, figure: &Figure) -> String;

    /// Opens the document: the page's head (HTML, titled `title`) and the
    /// notices of `meta` (example data, public or internal).
    fn open(&mut self, title: &str, meta: &ReportMeta);

    /// The document's title.
    fn title(&mut self, inline: &str);

    /// The view the report was made at, with the person's headline when it is
    /// a person's report.
    fn view_line(&mut self, headline: Option<Headline>, view: &View) {
        let as_of = format!(
            "{}, as known at {} (only events recorded by then count).",
            self.datum(&view.as_of.to_string()),
            self.datum(&notice::timestamp(&view.known_at))
        );
        self.stated_view(headline, &as_of);
    }

    /// The headline, if any, and "as of" followed by `as_of`, the day and
    /// time of the view as inline markup.
    fn stated_view(&mut self, headline: Option<Headline>, as_of: &str);

    /// Opens a section; `kind` names it for styling (HTML only).
    fn section(&mut self, heading: &str, kind: Option<&'static str>);

    /// Closes the section opened last.
    fn end_section(&mut self);

    /// Labelled values; labels are fixed program text.
    fn fields(&mut self, fields: &[(&str, String)]);

    /// A paragraph; `kind` names it for styling (HTML only).
    fn paragraph(&mut self, kind: Option<&'static str>, inline: &str);

    /// A list.
    fn list(&mut self, list: &List);

    /// A table.
    fn table(&mut self, table: &Table);

    /// The custody timeline of a person: a picture where the format has
    /// pictures, lists of periods and milestones where it does not.
    fn timeline(&mut self, view: &PersonView<'_>);

    /// Closes the document with the footer of `meta` and returns it.
    fn finish(self, meta: &ReportMeta) -> String;
}
