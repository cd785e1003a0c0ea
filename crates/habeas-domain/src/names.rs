//! Names as people type them: folding for case- and accent-insensitive
//! matching, and the slugs printed on the command line.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::id::PersonId;

/// Lower-cases, strips accents and punctuation, and folds white space, so that
/// names compare the way people read them ("Rorng  CHHUN" and "rorng chhun"
/// fold alike). Scripts without case or accents (Chinese, Khmer) pass through.
///
/// Folding is NFD decomposition, removal of combining marks, lower-casing,
/// every non-alphanumeric character to a space, and runs of spaces collapsed.
pub fn fold(text: &str) -> String {
    let stripped: String = text
        .nfd()
        .filter(|ch| !is_combining_mark(*ch))
        .flat_map(char::to_lowercase)
        .map(|ch| if ch.is_alphanumeric() { ch } else { ' ' })
        .collect();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The plain slug of a name: its folded form with dashes (`rong-chhun`), or
/// `person` when nothing alphanumeric is left.
pub fn plain_slug(name: &str) -> String {
    let slug = fold(name).replace(' ', "-");
    if slug.is_empty() {
        "person".to_owned()
    } else {
        slug
    }
}

/// The slugs a person may be given, in order of preference: the plain slug,
/// then with the first 8 hex digits of the id, then with the whole id (v7 ids
/// of people registered within the same minute share their first 8 digits).
pub fn slug_candidates(name: &str, person: PersonId) -> [String; 3] {
    let plain = plain_slug(name);
    let hex = person.as_uuid().simple().to_string();
    [
        plain.clone(),
        format!("{plain}-{}", &hex[..8]),
        format!("{plain}-{hex}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        let cases = [
            ("Rorng  Chhun", "rorng chhun"),
            ("Nguyễn Văn Đài", "nguyen van đai"),
            ("SUN Yonglu", "sun yonglu"),
            ("孙永录", "孙永录"),
            ("Ton-Nimol", "ton nimol"),
            ("  ", ""),
        ];
        for (input, folded) in cases {
            assert_eq!(fold(input), folded, "{input}");
        }
    }

    #[test]
    fn slugs_fall_back_to_the_id() {
        let id: PersonId = "0192f0c1-7d4e-7a3b-9c2d-1e2f3a4b5c6d".parse().unwrap();
        assert_eq!(
            slug_candidates("Rong Chhun", id),
            [
                "rong-chhun".to_owned(),
                "rong-chhun-0192f0c1".to_owned(),
                "rong-chhun-0192f0c17d4e7a3b9c2d1e2f3a4b5c6d".to_owned()
            ]
        );
        assert_eq!(plain_slug("--"), "person");
    }
}
