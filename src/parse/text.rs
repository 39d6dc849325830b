//! Plain text from comrak nodes, and the small string helpers the parsers share.

use comrak::nodes::{AstNode, NodeValue};

/// A plain-text buffer that collapses whitespace as text is appended.
#[derive(Default)]
pub(crate) struct Plain {
    out: String,
    space: bool,
}

impl Plain {
    /// Append text, collapsing runs of whitespace (ASCII fast path; Unicode whitespace too).
    pub fn push(&mut self, s: &str) {
        if is_collapsed(s.as_bytes()) {
            self.run(s);
            return;
        }
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut run_start = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let ws_len = if b < 0x80 {
                usize::from(b.is_ascii_whitespace())
            } else {
                match s[i..].chars().next() {
                    Some(c) if c.is_whitespace() => c.len_utf8(),
                    Some(c) => {
                        i += c.len_utf8();
                        continue;
                    }
                    None => break,
                }
            };
            if ws_len == 0 {
                i += 1;
                continue;
            }
            self.run(&s[run_start..i]);
            self.space = true;
            i += ws_len;
            run_start = i;
        }
        self.run(&s[run_start.min(s.len())..]);
    }

    fn run(&mut self, r: &str) {
        if r.is_empty() {
            return;
        }
        if self.space && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.space = false;
        self.out.push_str(r);
    }

    /// A word boundary (line break, block boundary).
    pub fn sep(&mut self) {
        self.space = true;
    }

    /// The collapsed, trimmed text.
    pub fn finish(self) -> String {
        self.out
    }
}

/// Whether `b` has no whitespace to collapse: no leading or trailing space, no two spaces in a
/// row, no tab or line break, no Unicode whitespace.
fn is_collapsed(b: &[u8]) -> bool {
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    let mut prev_space = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b' ' => {
                if prev_space {
                    return false;
                }
                prev_space = true;
                continue;
            }
            b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => return false,
            // Lead bytes of the Unicode whitespace outside ASCII (U+0085, U+00A0, U+1680,
            // U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
            0xC2 if matches!(b.get(i + 1), Some(0x85 | 0xA0)) => return false,
            0xE1 if b.get(i + 1) == Some(&0x9A) => return false,
            0xE3 if b.get(i + 1) == Some(&0x80) => return false,
            0xE2 => match (b.get(i + 1), b.get(i + 2)) {
                (Some(0x80), Some(0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)) | (Some(0x81), Some(0x9F)) => {
                    return false
                }
                _ => {}
            },
            _ => {}
        }
        prev_space = false;
    }
    true
}

/// Plain text of a node into `buf`: emphasis and code markers dropped (comrak already removed
/// them), escapes and entities decoded, line breaks and block boundaries as spaces. Iterative,
/// so deeply nested input cannot overflow the stack.
pub(crate) fn plain_into<'a>(node: &'a AstNode<'a>, buf: &mut Plain) {
    for n in node.descendants() {
        let d = n.data();
        match &d.value {
            NodeValue::Text(t) => buf.push(t),
            NodeValue::Code(c) => buf.push(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => buf.sep(),
            NodeValue::HtmlInline(h) if !h.starts_with("<!--") => buf.sep(),
            NodeValue::Paragraph
            | NodeValue::Heading(_)
            | NodeValue::TableCell
            | NodeValue::Item(_)
            | NodeValue::TaskItem(_) => buf.sep(),
            NodeValue::CodeBlock(cb) => {
                buf.sep();
                buf.push(&cb.literal);
            }
            _ => {}
        }
    }
}

/// Plain text of a node with whitespace collapsed.
pub(crate) fn plain<'a>(node: &'a AstNode<'a>) -> String {
    let mut b = Plain::default();
    plain_into(node, &mut b);
    b.finish()
}

/// Plain text of a list item without its nested lists (the item's own paragraphs).
pub(crate) fn item_own_text<'a>(item: &'a AstNode<'a>) -> String {
    let mut b = Plain::default();
    for c in item.children() {
        if matches!(c.data().value, NodeValue::List(_)) {
            continue;
        }
        plain_into(c, &mut b);
        b.sep();
    }
    b.finish()
}

/// Collapse runs of whitespace into one space and trim.
pub(crate) fn collapse(s: &str) -> String {
    let mut b = Plain::default();
    b.push(s);
    b.finish()
}

/// Normalise line endings to `\n`.
pub(crate) fn normalize_newlines(s: &str) -> String {
    if !s.contains('\r') {
        return s.to_string();
    }
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// The inner text of the last balanced parenthetical of `s` (`a (b) c (d (e))` → `d (e)`).
pub(crate) fn last_parenthetical(s: &str) -> Option<String> {
    let close = s.rfind(')')?;
    let mut depth = 0usize;
    for (i, ch) in s[..=close].char_indices().rev() {
        match ch {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    let inner = s[i + 1..close].trim();
                    return if inner.is_empty() {
                        None
                    } else {
                        Some(inner.to_string())
                    };
                }
            }
            _ => {}
        }
    }
    None
}

/// First unsigned integer in `s`.
pub(crate) fn first_number(s: &str) -> Option<u32> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let digits: String = s[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .take(9)
        .collect();
    digits.parse().ok()
}

/// First dotted number such as `3.2` in `s`.
pub(crate) fn module_number(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let mut j = i;
            let mut dots = 0;
            while j < b.len() {
                if b[j].is_ascii_digit() {
                    j += 1;
                } else if b[j] == b'.' && j + 1 < b.len() && b[j + 1].is_ascii_digit() {
                    dots += 1;
                    j += 1;
                } else {
                    break;
                }
            }
            if dots > 0 {
                return Some(s[i..j].to_string());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// Whether `s` can be a slug: non-empty, no whitespace.
pub(crate) fn is_slug_like(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_whitespace)
}

/// Strip a leading dash-like separator (`—`, `–`, `--`, `-`, `:`) and whitespace.
pub(crate) fn strip_sep(s: &str) -> &str {
    let mut t = s.trim_start();
    loop {
        let before = t.len();
        for p in ["—", "–", "-", ":", "→"] {
            t = t.trim_start_matches(p);
        }
        t = t.trim_start();
        if t.len() == before {
            return t;
        }
    }
}

/// Strip a trailing dash-like separator and whitespace.
pub(crate) fn strip_sep_end(s: &str) -> &str {
    let mut t = s.trim_end();
    loop {
        let before = t.len();
        for p in ["—", "–", "-", ":"] {
            t = t.trim_end_matches(p);
        }
        t = t.trim_end();
        if t.len() == before {
            return t;
        }
    }
}

/// ASCII-case-insensitive `starts_with`.
pub(crate) fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// ASCII-case-insensitive `ends_with` (a match is all ASCII, so `s.len() - suffix.len()` is a
/// char boundary).
pub(crate) fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Find the first YYYY-MM-DD date in `s`.
pub(crate) fn find_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 10 {
        return None;
    }
    for i in 0..=b.len() - 10 {
        let w = &b[i..i + 10];
        let ok = w.iter().enumerate().all(|(k, c)| match k {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
        let before_ok = i == 0 || !b[i - 1].is_ascii_digit();
        let after_ok = i + 10 == b.len() || !b[i + 10].is_ascii_digit();
        if ok && before_ok && after_ok {
            return Some(s[i..i + 10].to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parentheticals() {
        assert_eq!(
            last_parenthetical("At least 3 (6: visual, symbolic (math), verbal)").as_deref(),
            Some("6: visual, symbolic (math), verbal")
        );
        assert_eq!(last_parenthetical("a (b) c (d)").as_deref(), Some("d"));
        assert_eq!(last_parenthetical("unbalanced )"), None);
        assert_eq!(last_parenthetical("no parens"), None);
    }

    #[test]
    fn numbers_and_dates() {
        assert_eq!(
            module_number("3.2 — Modern Architectures").as_deref(),
            Some("3.2")
        );
        assert_eq!(module_number("Module 10.4.1: X").as_deref(), Some("10.4.1"));
        assert_eq!(module_number("Lesson 2 of 3."), None);
        assert_eq!(first_number("Critical: 12"), Some(12));
        assert_eq!(
            find_date("Review — 2026-02-09 (Iteration 1/3)").as_deref(),
            Some("2026-02-09")
        );
        assert_eq!(collapse("  a \n\t b  "), "a b");
        assert_eq!(collapse("a\u{a0}\u{a0}é  ü\u{3000}"), "a é ü");
        assert_eq!(collapse(""), "");
        assert_eq!(collapse("   "), "");
        assert_eq!(collapse("x"), "x");
        assert_eq!(collapse("a — b"), "a — b");
        assert_eq!(
            collapse("a\u{2003}b\u{2028}c\u{205f}d\u{1680}e"),
            "a b c d e"
        );
        let mut p = Plain::default();
        p.push(" a");
        p.push("b ");
        p.sep();
        p.push("c");
        p.push("");
        p.push(" d ");
        assert_eq!(p.finish(), "ab c d");
        assert_eq!(strip_sep(" -- x"), "x");
        assert_eq!(strip_sep_end("x —"), "x");
    }
}
