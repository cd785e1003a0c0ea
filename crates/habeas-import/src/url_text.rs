//! Web addresses as they come out of PDF tables and spreadsheets:
//! `http://wqw2010.blog spot.com/2014/12/blog-post_78.html`, with spaces and
//! line breaks where a cell wrapped, sometimes a stray `:` in front.

/// A URL cell after cleaning, and whether cleaning changed it (the report says
/// so, so that a person can check the address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanUrl {
    /// The address without white space and without stray punctuation before it.
    pub url: String,
    /// Whether the cell said something else.
    pub changed: bool,
}

/// Removes every white space character (a URL never contains one; `%20`
/// stands for a space) and any punctuation before the address itself.
pub fn clean_url(cell: &str) -> CleanUrl {
    let squeezed: String = cell.chars().filter(|ch| !ch.is_whitespace()).collect();
    let url = squeezed
        .trim_start_matches(|ch: char| !ch.is_alphanumeric())
        .to_owned();
    CleanUrl {
        changed: url != cell.trim(),
        url,
    }
}

/// The pieces of a cell holding several URLs, split at any of `separators`
/// (a space in them stands for any white space). A piece that does not start
/// an address (no `://`, no `www.`) is joined to the one before it, as the
/// rest of an address a PDF table wrapped; the joined text keeps its space,
/// which [`clean_url`] removes with a warning.
pub fn split_urls(cell: &str, separators: &str) -> Vec<String> {
    let is_separator =
        |ch: char| separators.contains(ch) || (ch.is_whitespace() && separators.contains(' '));
    let mut pieces: Vec<String> = Vec::new();
    for piece in cell.split(is_separator).filter(|p| !p.is_empty()) {
        match pieces.last_mut() {
            Some(last) if !starts_an_address(piece) => {
                last.push(' ');
                last.push_str(piece);
            }
            _ => pieces.push(piece.to_owned()),
        }
    }
    pieces
}

fn starts_an_address(piece: &str) -> bool {
    let lower = piece
        .trim_start_matches(|ch: char| !ch.is_alphanumeric())
        .to_ascii_lowercase();
    lower.contains("://") || lower.starts_with("www.")
}

/// Why a cleaned cell is not a web address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a web address: {problem}")]
pub struct UrlTextError {
    value: String,
    problem: &'static str,
}

/// Checks that a cleaned URL is a web address: `http://` or `https://`,
/// then a host with a dot in it. `written` is the text as the cell gave it,
/// which the message quotes (cleaning squeezes "see the report" into
/// "seethereport").
pub fn check_url(url: &str, written: &str) -> Result<(), UrlTextError> {
    let err = |problem| UrlTextError {
        value: written.trim().to_owned(),
        problem,
    };
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return Err(if lower.starts_with("www.") {
            err("it has no scheme: write it with https:// (or http://) in front")
        } else {
            err(
                "it does not start with http:// or https://: write the whole address as a browser shows it",
            )
        });
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if !host.contains('.') || host.starts_with('.') || host.ends_with('.') {
        return Err(err(
            "its host has no domain (such as example.org): write the whole address as a browser shows it",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_several_urls_and_rejoins_wrapped_ones() {
        let cases: [(&str, &str, &[&str]); 5] = [
            (
                "https://a.org/1 https://b.org/2",
                " ",
                &["https://a.org/1", "https://b.org/2"],
            ),
            (
                "https://a.org/1; https://b.org/2",
                " ;",
                &["https://a.org/1", "https://b.org/2"],
            ),
            (
                "https://a.org/1|https://b.org/2",
                "|",
                &["https://a.org/1", "https://b.org/2"],
            ),
            (
                "http://wqw2010.blog spot.com/x https://b.org/2",
                " ",
                &["http://wqw2010.blog spot.com/x", "https://b.org/2"],
            ),
            ("https://a.org/1", ";", &["https://a.org/1"]),
        ];
        for (cell, separators, expected) in cases {
            assert_eq!(split_urls(cell, separators), expected, "{cell:?}");
        }
    }

    #[test]
    fn checks_each_url() {
        let cases = [
            ("https://example.org/report", None),
            (
                "http://wqw2010.blogspot.com/2014/12/blog-post_78.html",
                None,
            ),
            ("HTTPS://EXAMPLE.ORG", None),
            ("www.example.org/a", Some("write it with https://")),
            ("see the report", Some("does not start with http://")),
            ("https://localhost/a", Some("its host has no domain")),
        ];
        for (url, problem) in cases {
            let found = check_url(url, url).err().map(|e| e.to_string());
            match (problem, found) {
                (None, None) => {}
                (Some(problem), Some(message)) => {
                    assert!(message.contains(problem), "{url}: {message}")
                }
                (expected, found) => panic!("{url}: expected {expected:?}, found {found:?}"),
            }
        }
    }

    #[test]
    fn removes_white_space_and_leading_punctuation() {
        let cases = [
            (
                "http://wqw2010.blog spot.com/2014/12/blog-post_78.html",
                "http://wqw2010.blogspot.com/2014/12/blog-post_78.html",
                true,
            ),
            (
                "http://wqw2010.blog spot.hk/2014/07/305\n _14.html",
                "http://wqw2010.blogspot.hk/2014/07/305_14.html",
                true,
            ),
            (
                ":http://www.msgua ncha.com/a/lanmu1/ 2014/0317/9544.htm\n l",
                "http://www.msguancha.com/a/lanmu1/2014/0317/9544.html",
                true,
            ),
            (
                "  https://example.org/report ",
                "https://example.org/report",
                false,
            ),
        ];
        for (cell, url, changed) in cases {
            assert_eq!(
                clean_url(cell),
                CleanUrl {
                    url: url.to_owned(),
                    changed
                },
                "{cell}"
            );
        }
    }
}
