//! Byte offsets from comrak's line/column positions.
//!
//! comrak reports 1-based lines and 1-based *byte* columns. Line endings follow CommonMark:
//! `\n`, `\r\n` and a lone `\r` each end a line. Every conversion here clamps to the text and
//! to char boundaries, so no position (however odd) can make a slice panic.

use crate::model::Span;
use comrak::nodes::{LineColumn, Sourcepos};

/// The text of one file with a line index that agrees with comrak's line numbers.
pub(crate) struct Src<'t> {
    pub text: &'t str,
    /// Byte offset where each line starts (index 0 = line 1).
    starts: Vec<usize>,
}

impl<'t> Src<'t> {
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        if !bytes.contains(&b'\r') {
            starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        } else {
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'\n' => starts.push(i + 1),
                    b'\r' => {
                        if bytes.get(i + 1) == Some(&b'\n') {
                            i += 1;
                        }
                        starts.push(i + 1);
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        Src { text, starts }
    }

    /// Byte offset where 1-based `line` starts (clamped).
    pub fn line_start(&self, line: usize) -> usize {
        let idx = line.saturating_sub(1);
        match self.starts.get(idx) {
            Some(&s) => s,
            None => self.text.len(),
        }
    }

    /// Byte offset where 1-based `line` ends, before its terminator.
    pub fn line_end(&self, line: usize) -> usize {
        let start = self.line_start(line);
        let mut end = self.starts.get(line).copied().unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && (bytes[end - 1] == b'\n' || bytes[end - 1] == b'\r') {
            end -= 1;
        }
        end
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i.max(1),
        }
    }

    /// Byte offset of a comrak start position.
    pub fn off(&self, lc: LineColumn) -> usize {
        let start = self.line_start(lc.line);
        let end = self.line_end(lc.line);
        self.floor((start + lc.column.saturating_sub(1)).min(end))
    }

    /// Exclusive byte offset just after a comrak end position (which names the last byte).
    pub fn off_end(&self, lc: LineColumn) -> usize {
        let start = self.line_start(lc.line);
        let end = self.line_end(lc.line);
        self.ceil((start + lc.column).min(end))
    }

    /// Byte span of a comrak source position.
    pub fn span(&self, sp: Sourcepos) -> Span {
        let s = self.off(sp.start);
        let e = self.off_end(sp.end).max(s);
        Span::new(s, e)
    }

    /// The text of a span (empty when out of range).
    pub fn slice(&self, span: Span) -> &'t str {
        let s = self.floor(span.start.min(self.text.len()));
        let e = self.ceil(span.end.min(self.text.len())).max(s);
        self.text.get(s..e).unwrap_or("")
    }

    /// The span with surrounding whitespace removed.
    pub fn trim(&self, span: Span) -> Span {
        let t = self.slice(span);
        let lead = t.len() - t.trim_start().len();
        let trimmed = t.trim();
        let s = span.start + lead;
        Span::new(s, s + trimmed.len())
    }

    fn floor(&self, mut i: usize) -> usize {
        i = i.min(self.text.len());
        while i > 0 && !self.text.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    fn ceil(&self, mut i: usize) -> usize {
        i = i.min(self.text.len());
        while i < self.text.len() && !self.text.is_char_boundary(i) {
            i += 1;
        }
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_handles_crlf_and_lone_cr() {
        let s = Src::new("a\r\nb\rc\nd");
        assert_eq!(s.slice(Span::new(s.line_start(1), s.line_end(1))), "a");
        assert_eq!(s.slice(Span::new(s.line_start(2), s.line_end(2))), "b");
        assert_eq!(s.slice(Span::new(s.line_start(3), s.line_end(3))), "c");
        assert_eq!(s.slice(Span::new(s.line_start(4), s.line_end(4))), "d");
        assert_eq!(s.line_of(3), 2);
        assert_eq!(s.slice(Span::new(s.line_start(99), s.line_end(99))), "");
    }

    #[test]
    fn offsets_clamp_to_char_boundaries() {
        let s = Src::new("é x\n");
        let sp = Sourcepos {
            start: LineColumn { line: 1, column: 2 },
            end: LineColumn {
                line: 1,
                column: 40,
            },
        };
        assert_eq!(s.slice(s.span(sp)), "é x");
    }
}
