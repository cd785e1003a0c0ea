//! The text of a CSV file around its records: the line each record starts
//! on, and a quote that is never closed.
//!
//! The `csv` reader reads an unclosed quote as a cell that runs to the end of
//! the file, rows and all (a person called `B,male` appears), and counts
//! lines in its own way; both are settled here from the bytes, the way a
//! person reading the file in an editor counts: a line ends at `\n`, so a
//! CRLF file and an LF file give the same numbers.

/// The 1-based line of the file on which the byte at `offset` stands.
#[derive(Debug, Default)]
pub(crate) struct LineCounter {
    /// The offset counted up to.
    offset: usize,
    /// Line breaks before `offset`.
    n_breaks: usize,
}

impl LineCounter {
    /// The line of the record the `csv` reader says starts at `offset`;
    /// offsets must come in increasing order (the records of a file do), so
    /// the whole file is counted once.
    ///
    /// In a CRLF file the reader ends a record at its `\r` and starts the
    /// next at the `\n` after it: a record starting on a line break starts
    /// on the line after it (counting lines from the reader's own numbers was
    /// one short in such files).
    pub(crate) fn line_at(&mut self, data: &[u8], offset: usize) -> usize {
        let offset = if data.get(offset) == Some(&b'\n') {
            offset + 1
        } else {
            offset
        };
        let offset = offset.min(data.len());
        if offset >= self.offset {
            self.n_breaks += data[self.offset..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.offset = offset;
        }
        self.n_breaks + 1
    }
}

/// The line where a quoted cell opens that is never closed, if any.
///
/// A quote is special only at the start of a cell (as the `csv` reader
/// reads it: `a"b` is three characters); inside a quoted cell `""` is a
/// quote and a lone `"` closes the cell.
pub(crate) fn unclosed_quote(data: &[u8], delimiter: u8) -> Option<usize> {
    let mut line = 1;
    let mut at_cell_start = true;
    let mut opened_on: Option<usize> = None;
    let mut idx = 0;
    while idx < data.len() {
        let byte = data[idx];
        if byte == b'\n' {
            line += 1;
        }
        match opened_on {
            Some(_) if byte == b'"' => {
                if data.get(idx + 1) == Some(&b'"') {
                    idx += 1;
                } else {
                    opened_on = None;
                    at_cell_start = false;
                }
            }
            Some(_) => {}
            None if at_cell_start && byte == b'"' => {
                opened_on = Some(line);
            }
            None => at_cell_start = byte == delimiter || byte == b'\n' || byte == b'\r',
        }
        idx += 1;
    }
    opened_on
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_line_of_a_quote_never_closed() {
        let cases: [(&str, Option<usize>); 7] = [
            ("name,sex\nA,female\nB,male\n", None),
            ("name,sex\n\"A, the elder\",female\n", None),
            ("name,note\nA,\"two\nlines\"\nB,x\n", None),
            ("name,note\nA,\"say \"\"hi\"\"\"\n", None),
            ("name,note\nA,5\"\nB,x\n", None),
            ("name,sex\n\"A,female\nB,male\n", Some(2)),
            ("name,sex\r\nA,female\r\nB,\"male\r\n", Some(3)),
        ];
        for (text, expected) in cases {
            assert_eq!(unclosed_quote(text.as_bytes(), b','), expected, "{text:?}");
        }
    }

    #[test]
    fn counts_lines_alike_with_crlf_and_lf() {
        for text in ["a\nb\nc\n", "a\r\nb\r\nc\r\n"] {
            let data = text.as_bytes();
            let mut counter = LineCounter::default();
            let starts: Vec<usize> = data
                .iter()
                .enumerate()
                .filter(|(idx, _)| *idx == 0 || data[idx - 1] == b'\n')
                .map(|(idx, _)| counter.line_at(data, idx))
                .collect();
            assert_eq!(starts, [1, 2, 3], "{text:?}");
        }
    }
}
