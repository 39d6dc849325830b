//! Jupyter notebooks (`.ipynb`): cells with their text and a map from every byte of a cell's
//! text back to the byte in the notebook's JSON, so a finding in a cell points at the cell's
//! source line inside the file.
//!
//! The JSON is read by a small span-aware parser (serde_json gives no positions). It never
//! panics: malformed JSON is an [`NotebookError`] with the span of the problem.

use crate::model::Span;

/// What a cell is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellKind {
    Code,
    Markdown,
    Raw,
    Other(String),
}

/// One cell.
#[derive(Debug, Clone)]
pub struct NbCell {
    /// 0-based position among all cells.
    pub index: usize,
    pub kind: CellKind,
    /// The cell's source, decoded and joined.
    pub text: String,
    /// `map[i]` is the JSON byte of the text's byte `i`; one extra entry maps the end.
    map: Vec<usize>,
    /// The span of the cell object in the JSON.
    pub span: Span,
    /// `metadata.tags`.
    pub tags: Vec<String>,
}

impl NbCell {
    /// 1-based cell number as shown to people ("cell 3").
    pub fn number(&self) -> usize {
        self.index + 1
    }

    /// The JSON byte of a byte position in the cell's text.
    pub fn to_file(&self, pos: usize) -> usize {
        match self.map.get(pos) {
            Some(&o) => o,
            None => self.map.last().copied().unwrap_or(self.span.start),
        }
    }

    /// The JSON span of a byte range in the cell's text.
    pub fn span_of(&self, start: usize, end: usize) -> Span {
        let s = self.to_file(start);
        let e = self.to_file(end.max(start)).max(s);
        Span::new(s, e)
    }

    /// 1-based line within the cell of a byte position in its text.
    pub fn line_of(&self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        self.text[..pos].matches('\n').count() + 1
    }
}

/// A parsed notebook.
#[derive(Debug, Clone, Default)]
pub struct Notebook {
    pub cells: Vec<NbCell>,
    /// `metadata.language_info.name` or `metadata.kernelspec.language`, if given.
    pub language: Option<String>,
}

impl Notebook {
    /// Code cells are Python (or the notebook does not say).
    pub fn is_python(&self) -> bool {
        self.language
            .as_deref()
            .is_none_or(|l| l.eq_ignore_ascii_case("python") || l.eq_ignore_ascii_case("python3"))
    }
}

/// Malformed JSON or a JSON value that is not a notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotebookError {
    pub span: Span,
    pub message: String,
}

/// Parses a notebook's JSON text.
pub fn parse(text: &str) -> Result<Notebook, NotebookError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        depth: 0,
    };
    p.ws();
    let root = p.value()?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.error_at(p.i, "extra data after the notebook's closing `}`"));
    }
    notebook_of(&root, text)
}

fn notebook_of(root: &J, text: &str) -> Result<Notebook, NotebookError> {
    let J::Obj(fields, span) = root else {
        return Err(NotebookError {
            span: Span::new(root.span().start, root.span().start + 1),
            message: "a notebook is a JSON object with a `cells` list".into(),
        });
    };
    let get = |k: &str| fields.iter().find(|(n, _, _)| n == k).map(|(_, v, _)| v);
    let Some(cells) = get("cells") else {
        return Err(NotebookError {
            span: Span::new(span.start, span.start + 1),
            message: "no `cells` list: not a Jupyter notebook (nbformat 4)".into(),
        });
    };
    let J::Arr(items, _) = cells else {
        return Err(NotebookError {
            span: cells.span(),
            message: "`cells` is not a list".into(),
        });
    };
    let language = get("metadata").and_then(|m| {
        m.get("language_info")
            .and_then(|l| l.get("name"))
            .or_else(|| m.get("kernelspec").and_then(|k| k.get("language")))
            .and_then(J::as_str)
            .map(str::to_string)
    });
    let mut out = Vec::new();
    for (index, c) in items.iter().enumerate() {
        let kind = match c.get("cell_type").and_then(J::as_str) {
            Some("code") => CellKind::Code,
            Some("markdown") => CellKind::Markdown,
            Some("raw") => CellKind::Raw,
            Some(other) => CellKind::Other(other.to_string()),
            None => {
                return Err(NotebookError {
                    span: first_line(c.span(), text),
                    message: format!("cell {} has no `cell_type`", index + 1),
                })
            }
        };
        let (text_, map) = match c.get("source") {
            None => (String::new(), vec![c.span().start]),
            Some(J::Str(s)) => (s.value.clone(), s.map.clone()),
            Some(J::Arr(parts, aspan)) => {
                let mut t = String::new();
                let mut m = Vec::new();
                for part in parts {
                    let J::Str(s) = part else {
                        return Err(NotebookError {
                            span: part.span(),
                            message: format!(
                                "cell {}: `source` holds a value that is not a string",
                                index + 1
                            ),
                        });
                    };
                    t.push_str(&s.value);
                    m.extend_from_slice(&s.map[..s.map.len() - 1]);
                }
                let end = parts
                    .last()
                    .and_then(|p| match p {
                        J::Str(s) => s.map.last().copied(),
                        _ => None,
                    })
                    .unwrap_or(aspan.start + 1);
                m.push(end);
                (t, m)
            }
            Some(other) => {
                return Err(NotebookError {
                    span: other.span(),
                    message: format!(
                        "cell {}: `source` is neither a string nor a list of strings",
                        index + 1
                    ),
                })
            }
        };
        let tags = c
            .get("metadata")
            .and_then(|m| m.get("tags"))
            .map(|t| match t {
                J::Arr(v, _) => v.iter().filter_map(J::as_str).map(str::to_string).collect(),
                _ => Vec::new(),
            })
            .unwrap_or_default();
        out.push(NbCell {
            index,
            kind,
            text: text_,
            map,
            span: c.span(),
            tags,
        });
    }
    Ok(Notebook {
        cells: out,
        language,
    })
}

fn first_line(span: Span, text: &str) -> Span {
    let end = text[span.start.min(text.len())..]
        .find('\n')
        .map_or(span.end, |e| span.start + e)
        .min(span.end);
    Span::new(
        span.start,
        end.max(span.start + 1).min(text.len().max(span.start)),
    )
}

/// A JSON string with its decoded value and the byte map.
#[derive(Debug, Clone)]
struct JStr {
    value: String,
    /// JSON byte of each decoded byte, plus one entry for the end (the closing quote).
    map: Vec<usize>,
    span: Span,
}

/// A JSON value with its span.
#[derive(Debug, Clone)]
enum J {
    Null(Span),
    Bool(Span),
    Num(Span),
    Str(JStr),
    Arr(Vec<J>, Span),
    Obj(Vec<(String, J, Span)>, Span),
}

impl J {
    fn span(&self) -> Span {
        match self {
            J::Null(s) | J::Bool(s) | J::Num(s) | J::Arr(_, s) | J::Obj(_, s) => *s,
            J::Str(s) => s.span,
        }
    }
    fn get(&self, k: &str) -> Option<&J> {
        match self {
            J::Obj(f, _) => f.iter().find(|(n, _, _)| n == k).map(|(_, v, _)| v),
            _ => None,
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(&s.value),
            _ => None,
        }
    }
}

/// Nesting deeper than this is refused (a notebook nests five or six levels).
const MAX_DEPTH: usize = 256;

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error_at(&self, at: usize, msg: &str) -> NotebookError {
        let at = at.min(self.s.len());
        let mut end = (at + 1).min(self.s.len());
        while end < self.s.len() && !self.text.is_char_boundary(end) {
            end += 1;
        }
        NotebookError {
            span: Span::new(at, end),
            message: format!("invalid JSON: {msg}"),
        }
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<J, NotebookError> {
        if self.i >= self.s.len() {
            return Err(self.error_at(self.i, "unexpected end of file"));
        }
        match self.s[self.i] {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string().map(J::Str),
            b't' => self.word("true").map(J::Bool),
            b'f' => self.word("false").map(J::Bool),
            b'n' => self.word("null").map(J::Null),
            b'-' | b'0'..=b'9' => Ok(J::Num(self.number())),
            _ => Err(self.error_at(self.i, "expected a value")),
        }
    }

    fn word(&mut self, w: &str) -> Result<Span, NotebookError> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            let start = self.i;
            self.i += w.len();
            Ok(Span::new(start, self.i))
        } else {
            Err(self.error_at(self.i, "expected a value"))
        }
    }

    fn number(&mut self) -> Span {
        let start = self.i;
        while self.i < self.s.len()
            && matches!(
                self.s[self.i],
                b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
            )
        {
            self.i += 1;
        }
        Span::new(start, self.i)
    }

    fn enter(&mut self) -> Result<(), NotebookError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_at(self.i, "nested too deeply"));
        }
        Ok(())
    }

    fn array(&mut self) -> Result<J, NotebookError> {
        self.enter()?;
        let start = self.i;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(J::Arr(items, Span::new(start, self.i)));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(self.error_at(self.i, "expected `,` or `]`")),
            }
        }
        self.depth -= 1;
        Ok(J::Arr(items, Span::new(start, self.i)))
    }

    fn object(&mut self) -> Result<J, NotebookError> {
        self.enter()?;
        let start = self.i;
        self.i += 1;
        let mut fields = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(J::Obj(fields, Span::new(start, self.i)));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.error_at(self.i, "expected a key in double quotes"));
            }
            let key = self.string()?;
            self.ws();
            if self.s.get(self.i) != Some(&b':') {
                return Err(self.error_at(self.i, "expected `:` after the key"));
            }
            self.i += 1;
            self.ws();
            let v = self.value()?;
            fields.push((key.value, v, key.span));
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(self.error_at(self.i, "expected `,` or `}`")),
            }
        }
        self.depth -= 1;
        Ok(J::Obj(fields, Span::new(start, self.i)))
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let h = self.text.get(at..at + 4)?;
        u32::from_str_radix(h, 16).ok()
    }

    fn string(&mut self) -> Result<JStr, NotebookError> {
        let start = self.i;
        self.i += 1;
        let mut value = String::new();
        let mut map = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err(self.error_at(start, "unterminated string"));
            };
            match c {
                b'"' => {
                    map.push(self.i);
                    self.i += 1;
                    break;
                }
                b'\\' => {
                    let at = self.i;
                    let Some(&e) = self.s.get(self.i + 1) else {
                        return Err(self.error_at(at, "unterminated string"));
                    };
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let Some(hi) = self.hex4(self.i + 2) else {
                                return Err(self.error_at(at, "invalid \\u escape"));
                            };
                            let mut len = 6;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.i + 6) == Some(&b'\\')
                                && self.s.get(self.i + 7) == Some(&b'u')
                            {
                                match self.hex4(self.i + 8) {
                                    Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                        len = 12;
                                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                    }
                                    _ => 0xFFFD,
                                }
                            } else {
                                hi
                            };
                            let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                            self.i += len;
                            push_char(&mut value, &mut map, ch, at);
                            continue;
                        }
                        _ => return Err(self.error_at(at, "invalid escape")),
                    };
                    self.i += 2;
                    push_char(&mut value, &mut map, ch, at);
                }
                b'\n' => return Err(self.error_at(self.i, "line break inside a string")),
                _ => {
                    // One UTF-8 character, copied as it is.
                    let ch_len = utf8_len(c);
                    let end = (self.i + ch_len).min(self.s.len());
                    let piece = self.text.get(self.i..end).unwrap_or("\u{FFFD}");
                    for (k, _) in piece.bytes().enumerate() {
                        map.push(self.i + k);
                    }
                    value.push_str(piece);
                    self.i = end.max(self.i + 1);
                }
            }
        }
        Ok(JStr {
            value,
            map,
            span: Span::new(start, self.i),
        })
    }
}

fn utf8_len(b: u8) -> usize {
    match b {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

fn push_char(value: &mut String, map: &mut Vec<usize>, ch: char, at: usize) {
    let before = value.len();
    value.push(ch);
    for _ in before..value.len() {
        map.push(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NB: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["# Title\n", "Some \"quoted\" text \u00e9\n"]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {"tags": ["raises-exception"]},
   "outputs": [],
   "source": [
    "x = 1\n",
    "y = x + \"a\"\n"
   ]
  }
 ],
 "metadata": {"language_info": {"name": "python"}},
 "nbformat": 4,
 "nbformat_minor": 5
}"##;

    #[test]
    fn cells_and_their_positions() {
        let nb = parse(NB).unwrap();
        assert_eq!(nb.cells.len(), 2);
        assert!(nb.is_python());
        let md = &nb.cells[0];
        assert_eq!(md.kind, CellKind::Markdown);
        assert_eq!(md.text, "# Title\nSome \"quoted\" text é\n");
        let code = &nb.cells[1];
        assert_eq!(code.kind, CellKind::Code);
        assert_eq!(code.tags, vec!["raises-exception".to_string()]);
        assert_eq!(code.text, "x = 1\ny = x + \"a\"\n");
        // `x + "a"` in the cell maps to the same text in the JSON (quotes escaped).
        let p = code.text.find("x + ").unwrap();
        let at = code.to_file(p);
        assert_eq!(&NB[at..at + 4], "x + ");
        let q = code.text.find("\"a\"").unwrap();
        assert_eq!(&NB[code.to_file(q)..code.to_file(q) + 2], "\\\"");
        assert_eq!(code.line_of(p), 2);
        // The quoted word and the é of the markdown cell.
        let e = md.text.find('é').unwrap();
        assert_eq!(&NB[md.to_file(e)..md.to_file(e) + 6], "\\u00e9");
    }

    #[test]
    fn source_as_one_string() {
        let nb = parse(r#"{"cells":[{"cell_type":"code","source":"a = 1\nb = 2"}]}"#).unwrap();
        assert_eq!(nb.cells[0].text, "a = 1\nb = 2");
    }

    #[test]
    fn malformed_json_is_an_error_with_a_place() {
        for (bad, msg) in [
            ("", "unexpected end of file"),
            ("{\"cells\": [", "unexpected end of file"),
            ("{\"cells\": [}", "expected a value"),
            ("{\"cells\" [] }", "expected `:`"),
            ("{\"cells\": \"x", "unterminated string"),
            ("[1, 2]", "a notebook is a JSON object"),
            ("{\"nbformat\": 4}", "no `cells` list"),
            ("{\"cells\": [{\"source\": []}]}", "no `cell_type`"),
            ("{\"cells\": []} x", "extra data"),
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.message.contains(msg), "{bad:?}: {}", e.message);
            assert!(e.span.start <= bad.len(), "{bad:?}");
        }
        let deep = "[".repeat(100_000);
        assert!(parse(&deep)
            .unwrap_err()
            .message
            .contains("nested too deeply"));
    }

    #[test]
    fn surrogate_pairs_decode() {
        let nb =
            parse(r#"{"cells":[{"cell_type":"markdown","source":["\ud83d\ude00 ok"]}]}"#).unwrap();
        assert_eq!(nb.cells[0].text, "😀 ok");
    }
}
