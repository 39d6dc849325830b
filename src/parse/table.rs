//! Tables: comrak's cells for the text, the source line for cell spans and cell counts.
//!
//! comrak (like GitHub) pads short rows and drops the excess cells of long rows. A row with an
//! unescaped `|` inside math (`p(x_t|x_0)`) therefore silently loses its last cells. The source
//! line is split here with the same rules (unescaped `|`, optional outer pipes), so that each
//! cell gets its exact byte span and every row whose count differs from the header is reported.

use super::source::Src;
use super::text::plain;
use crate::model::{Cell, Span, Table, TableRow, TableShapeIssue};
use comrak::nodes::{AstNode, NodeValue};

/// Byte spans (trimmed) of the cells of a table row written in `text[start..end]`.
pub(crate) fn split_row(text: &str, start: usize, end: usize) -> Vec<Span> {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let mut s = start.min(end);
    // Skip leading whitespace and an optional leading pipe.
    while s < end && (bytes[s] == b' ' || bytes[s] == b'\t') {
        s += 1;
    }
    if s < end && bytes[s] == b'|' {
        s += 1;
    }
    let mut raw: Vec<(usize, usize)> = Vec::new();
    let mut cell_start = s;
    let mut i = s;
    while i < end {
        match bytes[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'|' => {
                raw.push((cell_start, i));
                cell_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let i = i.min(end);
    let rest = text.get(cell_start.min(i)..i).unwrap_or("");
    if !rest.trim().is_empty() {
        raw.push((cell_start, i));
    }
    raw.into_iter()
        .map(|(a, b)| {
            let seg = text.get(a..b).unwrap_or("");
            let lead = seg.len() - seg.trim_start().len();
            let t = seg.trim();
            Span::new(a + lead, a + lead + t.len())
        })
        .collect()
}

/// Build a [`Table`] from a comrak table node; row shape problems go to `issues`.
pub(crate) fn build_table<'a>(
    src: &Src,
    node: &'a AstNode<'a>,
    heading: &str,
    issues: &mut Vec<TableShapeIssue>,
) -> Table {
    let table_span = src.span(node.data().sourcepos);
    let mut header: Vec<Cell> = Vec::new();
    let mut rows: Vec<TableRow> = Vec::new();
    let mut first_line = 0usize;
    for row in node.children() {
        let (is_header, sp) = {
            let d = row.data();
            match d.value {
                NodeValue::TableRow(h) => (h, d.sourcepos),
                _ => continue,
            }
        };
        let line = sp.start.line;
        if first_line == 0 {
            first_line = line;
        }
        let row_start = src.off(sp.start);
        let row_end = src.line_end(line).max(row_start);
        let src_cells = split_row(src.text, row_start, row_end);
        let expected = if is_header {
            src_cells.len()
        } else {
            header.len()
        };
        let mut cells = Vec::with_capacity(expected);
        for (i, cnode) in row.children().enumerate() {
            if !is_header && i >= expected {
                break;
            }
            let span = src_cells
                .get(i)
                .copied()
                .unwrap_or(Span::new(row_end, row_end));
            cells.push(Cell::new(plain(cnode), span, line));
        }
        while cells.len() < expected {
            cells.push(Cell::new("", Span::new(row_end, row_end), line));
        }
        let row_span = Span::new(row_start, row_end);
        if is_header {
            header = cells;
        } else {
            if src_cells.len() != header.len() {
                issues.push(TableShapeIssue {
                    expected: header.len(),
                    found: src_cells.len(),
                    heading: heading.to_string(),
                    span: row_span,
                    line,
                });
            }
            rows.push(TableRow {
                cells,
                span: row_span,
                line,
            });
        }
    }
    Table {
        header,
        rows,
        span: table_span,
        line: first_line.max(node.data().sourcepos.start.line),
        heading: heading.to_string(),
    }
}

/// How a column header is matched (case-insensitive).
#[derive(Clone, Copy)]
pub(crate) enum Col {
    Exact(&'static str),
    Prefix(&'static str),
    Contains(&'static str),
}

impl Col {
    fn matches(self, h: &str) -> bool {
        match self {
            Col::Exact(p) => h == p,
            Col::Prefix(p) => h.starts_with(p),
            Col::Contains(p) => h.contains(p),
        }
    }
}

/// Column lookup over a table header, by name, never by position.
pub(crate) struct Columns {
    names: Vec<String>,
    used: Vec<bool>,
}

impl Columns {
    pub fn new(header: &[Cell]) -> Self {
        Columns {
            names: header
                .iter()
                .map(|c| c.text.trim().to_lowercase())
                .collect(),
            used: vec![false; header.len()],
        }
    }

    /// Index of the first not-yet-taken column matching the earliest pattern that matches.
    pub fn take(&mut self, pats: &[Col]) -> Option<usize> {
        let i = self.peek(pats)?;
        self.used[i] = true;
        Some(i)
    }

    /// Like [`Columns::take`] without marking the column taken.
    pub fn peek(&self, pats: &[Col]) -> Option<usize> {
        for p in pats {
            for (i, n) in self.names.iter().enumerate() {
                if !self.used[i] && p.matches(n) {
                    return Some(i);
                }
            }
        }
        None
    }
}

/// The cell of `row` at column `col`, or an empty cell at the row start when absent.
pub(crate) fn cell_at(row: &TableRow, col: Option<usize>) -> Cell {
    match col.and_then(|i| row.cells.get(i)) {
        Some(c) => c.clone(),
        None => Cell::new("", Span::new(row.span.start, row.span.start), row.line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<&str> {
        split_row(line, 0, line.len())
            .into_iter()
            .map(|s| &line[s.start..s.end])
            .collect()
    }

    #[test]
    fn splits_rows_like_gfm() {
        assert_eq!(texts("| a | b |"), vec!["a", "b"]);
        assert_eq!(texts("a | b"), vec!["a", "b"]);
        assert_eq!(texts("| a | b"), vec!["a", "b"]);
        assert_eq!(texts("| a \\| x | b |"), vec!["a \\| x", "b"]);
        assert_eq!(texts("| p(x_t|x_0) | b |"), vec!["p(x_t", "x_0)", "b"]);
        assert_eq!(texts("| a |  |"), vec!["a", ""]);
        assert_eq!(texts("| a | b \\|"), vec!["a", "b \\|"]);
        assert_eq!(texts("|"), Vec::<&str>::new());
        assert_eq!(texts("| é | ü |"), vec!["é", "ü"]);
    }
}
