//! Numbered source references: every source cited in a report gets one number,
//! in order of first citation, so that `[1]` means the same document
//! everywhere in that report.

use habeas_domain::facts::Source;

/// The sources of one report, numbered from 1 in order of first citation.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceList {
    sources: Vec<Source>,
}

impl SourceList {
    /// Numbers the sources of one fact (adding the new ones) and returns
    /// their numbers, ascending, without repeats.
    pub(crate) fn cite(&mut self, sources: &[Source]) -> Vec<usize> {
        let mut numbers = Vec::new();
        for source in sources {
            let idx = match self.sources.iter().position(|known| known == source) {
                Some(idx) => idx,
                None => {
                    self.sources.push(source.clone());
                    self.sources.len() - 1
                }
            };
            if !numbers.contains(&(idx + 1)) {
                numbers.push(idx + 1);
            }
        }
        numbers.sort_unstable();
        numbers
    }

    /// The numbered sources: the number of `sources()[i]` is `i + 1`.
    pub(crate) fn into_sources(self) -> Vec<Source> {
        self.sources
    }
}

/// Whether a fact's sources let a reader check it: at least one source with a
/// URL or a document reference.
pub(crate) fn is_sourced(sources: &[Source]) -> bool {
    sources.iter().any(Source::is_citable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_order_of_first_citation_without_repeats() {
        let a = Source::url("https://example.org/a");
        let b = Source::document("court file 12/2020");
        let mut list = SourceList::default();
        assert_eq!(list.cite(std::slice::from_ref(&b)), [1]);
        assert_eq!(list.cite(&[a.clone(), b.clone(), a.clone()]), [1, 2]);
        assert_eq!(list.cite(&[]), Vec::<usize>::new());
        assert_eq!(list.into_sources(), [b, a]);
    }
}
