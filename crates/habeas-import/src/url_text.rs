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

#[cfg(test)]
mod tests {
    use super::*;

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
