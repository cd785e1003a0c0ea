//! An uploaded import: a file of JSON lines, or a CSV with its TOML column
//! mapping (uploaded, or saved before: [`crate::mappings`]), read from a
//! `multipart/form-data` body by both the import page and
//! `POST /api/v1/import`, and run by `habeas-import`.
//!
//! Its [`Upload::digest`] covers the file, its format and the mapping's text:
//! a dry run reports it, and the confirmation must name it, so what is
//! imported is exactly what was checked (a file edited between the two, or
//! another mapping, is refused rather than imported unseen).

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use habeas::tracker::Tracker;
use habeas_import::config::ImportConfig;
use habeas_import::error::ImportError;
use habeas_import::mapping::Mapping;
use habeas_import::report::Report;
use sha2::{Digest, Sha256};

use crate::accounts::secrets::hex;
use crate::error::AppError;

/// How the uploaded file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A spreadsheet, read through a column mapping.
    Csv,
    /// JSON lines of commands (`FORMAT.md`).
    JsonLines,
}

impl Format {
    /// The format's name in forms and query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    /// The format a form names (`csv`, `jsonl`; empty or `auto` is `None`).
    pub fn parse(text: &str) -> Result<Option<Format>, AppError> {
        match text.trim() {
            "" | "auto" => Ok(None),
            "csv" => Ok(Some(Format::Csv)),
            "jsonl" | "ndjson" => Ok(Some(Format::JsonLines)),
            other => Err(AppError::bad_input(
                "format",
                format!("{other:?} is not a format: write csv or jsonl"),
            )),
        }
    }

    /// The format a file's name, type or first character says: `.csv` or
    /// `text/csv` is a spreadsheet; `.jsonl`, `.ndjson` or
    /// `application/x-ndjson` is JSON lines; otherwise a file whose first
    /// visible character is `{` is JSON lines and any other is refused.
    pub fn detect(
        file_name: Option<&str>,
        content_type: Option<&str>,
        data: &[u8],
    ) -> Option<Format> {
        let name = file_name.unwrap_or("").to_lowercase();
        let kind = content_type.unwrap_or("").to_lowercase();
        if name.ends_with(".csv") || kind.starts_with("text/csv") {
            return Some(Format::Csv);
        }
        if name.ends_with(".jsonl")
            || name.ends_with(".ndjson")
            || kind.starts_with("application/x-ndjson")
        {
            return Some(Format::JsonLines);
        }
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        match data.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// A file to import, with its mapping when it is a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// How it is written.
    pub format: Format,
    /// Its bytes, as uploaded.
    pub data: Vec<u8>,
    /// The mapping's TOML text (spreadsheets only).
    pub mapping: Option<String>,
}

impl Upload {
    /// The SHA-256 of the format, the file and the mapping, in hex.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"habeas upload v1\0");
        hasher.update(self.format.as_str().as_bytes());
        hasher.update((self.data.len() as u64).to_be_bytes());
        hasher.update(&self.data);
        if let Some(mapping) = &self.mapping {
            hasher.update((mapping.len() as u64).to_be_bytes());
            hasher.update(mapping.as_bytes());
        }
        hex(&hasher.finalize())
    }

    /// The file as text (JSON lines must be UTF-8).
    pub fn text(&self) -> Result<&str, AppError> {
        std::str::from_utf8(&self.data).map_err(|err| {
            AppError::bad_input(
                "file",
                format!(
                    "is not UTF-8 (byte {}): save the file as UTF-8",
                    err.valid_up_to()
                ),
            )
        })
    }

    /// The mapping, read (spreadsheets only).
    pub fn read_mapping(&self) -> Result<Option<Mapping>, AppError> {
        self.mapping
            .as_deref()
            .map(|text| {
                Mapping::from_toml(text)
                    .map_err(|err| AppError::bad_input("mapping", err.to_string()))
            })
            .transpose()
    }

    /// Runs the import (or its dry run, as `config` says). What stops it as
    /// a whole is bad input naming the file or the mapping; rows that
    /// cannot be imported are in the report.
    pub async fn run(&self, tracker: &Tracker, config: &ImportConfig) -> Result<Report, AppError> {
        let ran = match self.format {
            Format::JsonLines => {
                habeas_import::run_jsonl::import_jsonl(
                    tracker,
                    self.text()?,
                    config,
                    &mut |_, _| {},
                )
                .await
            }
            Format::Csv => {
                let mapping = self.read_mapping()?.ok_or_else(|| {
                    AppError::bad_input(
                        "mapping",
                        "a CSV file needs a column mapping: upload its TOML mapping or choose a saved one",
                    )
                })?;
                habeas_import::run_csv::import_csv(
                    tracker,
                    &self.data,
                    &mapping,
                    config,
                    &mut |_, _| {},
                )
                .await
            }
        };
        ran.map_err(import_error)
    }
}

/// What stops an import, at the HTTP edge.
fn import_error(err: ImportError) -> AppError {
    match err {
        ImportError::Store { source, .. } => AppError::from(source),
        ImportError::StoreUnreadable { source } => AppError::from(source),
        ImportError::InvalidMapping { .. } => AppError::bad_input("mapping", err.to_string()),
        ImportError::MissingColumn { .. }
        | ImportError::AmbiguousColumn { .. }
        | ImportError::NoHeader
        | ImportError::BadHeader { .. }
        | ImportError::UnclosedQuote { .. } => AppError::bad_input("file", err.to_string()),
        other => AppError::internal(other),
    }
}

/// The fields of an upload form, as sent.
#[derive(Debug, Default)]
pub struct UploadForm {
    /// The file: its name, its type and its bytes.
    pub file: Option<(Option<String>, Option<String>, Vec<u8>)>,
    /// JSON lines pasted instead of a file.
    pub lines: String,
    /// `csv`, `jsonl`, or empty to detect.
    pub format: String,
    /// A mapping file's text.
    pub mapping: Option<String>,
    /// The saved mapping chosen.
    pub mapping_name: String,
    /// Save the uploaded mapping under this name.
    pub save_as: String,
}

/// Whether a body limit stopped the reading: axum's own, or the server's
/// outer limit on every request, whose error axum does not classify.
fn over_limit(err: &MultipartError) -> bool {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(error) = source {
        if error.to_string().contains("length limit exceeded") {
            return true;
        }
        source = error.source();
    }
    false
}

fn multipart_error(err: MultipartError) -> AppError {
    if over_limit(&err) {
        AppError::TooLarge(
            "the upload is larger than this server accepts: split the file".to_owned(),
        )
    } else {
        AppError::bad_input("body", err.body_text())
    }
}

/// Reads a `multipart/form-data` upload. Parts: `file` (the CSV or JSON
/// lines), `lines` (pasted JSON lines), `format`, `mapping` (a TOML file),
/// `mapping_name` (a saved mapping), `save_as`; any other is refused.
pub async fn read_form(mut multipart: Multipart) -> Result<UploadForm, AppError> {
    let mut form = UploadForm::default();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(str::to_owned);
                let data = field.bytes().await.map_err(multipart_error)?.to_vec();
                // A file input left empty is sent as a part without a name or bytes.
                if !data.is_empty() || file_name.as_deref().is_some_and(|n| !n.is_empty()) {
                    form.file = Some((file_name, content_type, data));
                }
            }
            "mapping" => {
                let data = field.bytes().await.map_err(multipart_error)?;
                if !data.is_empty() {
                    let text = String::from_utf8(data.to_vec()).map_err(|_| {
                        AppError::bad_input("mapping", "is not UTF-8: save the mapping as UTF-8")
                    })?;
                    form.mapping = Some(text);
                }
            }
            "lines" | "format" | "mapping_name" | "save_as" => {
                let text = field.text().await.map_err(multipart_error)?;
                match name.as_str() {
                    "lines" => form.lines = text,
                    "format" => form.format = text,
                    "mapping_name" => form.mapping_name = text,
                    _ => form.save_as = text,
                }
            }
            other => {
                return Err(AppError::bad_input(
                    other,
                    "is not a part of an upload: send file, format, mapping or mapping_name",
                ));
            }
        }
    }
    Ok(form)
}

impl UploadForm {
    /// The upload the form describes, its mapping taken from the form or,
    /// by name, from the saved ones; the uploaded mapping is saved first
    /// when `save_as` names it.
    pub async fn upload(self, tracker: &Tracker, by: &str) -> Result<Upload, AppError> {
        let (format, data) = match self.file {
            Some((name, kind, data)) => {
                if data.is_empty() {
                    return Err(AppError::bad_input(
                        "file",
                        format!(
                            "{:?} is empty: choose the file to import",
                            name.unwrap_or_default()
                        ),
                    ));
                }
                let format = match Format::parse(&self.format)? {
                    Some(format) => format,
                    None => Format::detect(name.as_deref(), kind.as_deref(), &data).ok_or_else(|| {
                        AppError::bad_input(
                            "format",
                            format!(
                                "cannot tell whether {:?} is CSV or JSON lines: name it .csv or .jsonl, or choose the format",
                                name.unwrap_or_default()
                            ),
                        )
                    })?,
                };
                (format, data)
            }
            None if !self.lines.trim().is_empty() => (Format::JsonLines, self.lines.into_bytes()),
            None => {
                return Err(AppError::bad_input(
                    "file",
                    "is missing: choose a CSV or JSON-lines file (or paste JSON lines)",
                ));
            }
        };
        let mapping = match (format, self.mapping, self.mapping_name.trim()) {
            (Format::JsonLines, None, "") => None,
            (Format::JsonLines, _, _) => {
                return Err(AppError::bad_input(
                    "mapping",
                    "JSON lines need no mapping: leave the mapping out, or upload a CSV file",
                ));
            }
            (Format::Csv, Some(text), _) => {
                if !self.save_as.trim().is_empty() {
                    crate::mappings::save(tracker, self.save_as.trim(), &text, by).await?;
                }
                Some(text)
            }
            (Format::Csv, None, "") => {
                return Err(AppError::bad_input(
                    "mapping",
                    "a CSV file needs a column mapping: upload its TOML mapping or choose a saved one",
                ));
            }
            (Format::Csv, None, name) => Some(crate::mappings::find(tracker, name).await?),
        };
        let upload = Upload {
            format,
            data,
            mapping,
        };
        upload.read_mapping()?;
        Ok(upload)
    }
}
