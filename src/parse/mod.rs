//! comrak → the typed model. The only module that imports comrak.
//!
//! Entry points: [`parse_lesson`] / [`parse_lesson_at`] for lesson plans, [`parse_record`] for a
//! module's `record.md`, [`parse_module_plan`] for its `plan.md`, and [`classify`] to tell which
//! kind of document a file is. None of them fails or panics: whatever the input, they return
//! the model of what could be recognised (and table-shape issues for malformed rows).
//!
//! Positions: every `line` is 1-based and agrees with comrak's line numbering (`\n`, `\r\n` and
//! a lone `\r` end a line); every [`Span`](crate::model::Span) is a byte range into the text
//! passed in. Texts are the same for LF and CRLF files (code block bodies are normalised to `\n`).

mod lesson;
mod record;
mod source;
mod table;
mod text;

use crate::model::{FileId, Lesson};
use comrak::{parse_document, Arena, Options};
use std::path::Path;

pub use record::{classify, parse_module_plan, parse_record, DocKind};

/// The comrak options every parser here uses: GFM tables and task lists; setext headings are
/// ignored so that a `---` rule right under a header line stays a rule.
pub(crate) fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.table = true;
    o.extension.tasklist = true;
    o.parse.ignore_setext = true;
    o
}

/// Parse a lesson plan. `slug` comes from the `**Slug:**` header, else from a title form that
/// carries one; it is left empty otherwise (see [`parse_lesson_at`] for the file-stem fallback).
pub fn parse_lesson(file: FileId, text: &str) -> Lesson {
    let arena = Arena::new();
    let root = parse_document(&arena, text, &options());
    let mut b = lesson::LessonBuilder::new(file, text);
    for child in root.children() {
        b.block(child, 0);
    }
    b.finish()
}

/// Parse a lesson plan read from `path`: like [`parse_lesson`], with the file stem as the slug
/// when neither the header nor the title names one.
pub fn parse_lesson_at(file: FileId, path: &Path, text: &str) -> Lesson {
    let mut l = parse_lesson(file, text);
    if l.slug.is_empty() {
        if let Some(stem) = path.file_stem() {
            l.slug = stem.to_string_lossy().into_owned();
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = include_str!("../../tests/fixtures/variants/base.md");

    /// Every prefix of a complete lesson plan (cut on char boundaries, LF and CRLF) parses
    /// without a panic, and every span it reports lies inside the text.
    #[test]
    fn truncated_prefixes_never_panic() {
        let crlf = BASE.replace('\n', "\r\n");
        for text in [BASE, crlf.as_str()] {
            let mut cut = 0;
            while cut <= text.len() {
                if text.is_char_boundary(cut) {
                    let t = &text[..cut];
                    let l = parse_lesson(FileId(0), t);
                    for c in l.concepts.iter().map(|r| &r.concept) {
                        assert!(c.span.end <= t.len() && t.is_char_boundary(c.span.start));
                    }
                    for r in &l.reviews {
                        assert!(r.span.start <= r.span.end && r.span.end <= t.len());
                    }
                    parse_record(FileId(0), t);
                    parse_module_plan(FileId(0), t);
                }
                cut += 13;
            }
        }
    }

    #[test]
    fn empty_and_whitespace_documents() {
        for t in ["", "\n", "   ", "\r\n\r\n", "---", "# "] {
            let l = parse_lesson(FileId(0), t);
            assert!(l.concepts.is_empty() && l.reviews.is_empty());
            assert_eq!(l.slug, "");
        }
    }
}
