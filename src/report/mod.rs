//! Findings → what people and machines read. The only module that knows miette, colours, JSON
//! or SARIF.

pub mod human;
pub mod json;

use crate::model::SourceMap;
use crate::rules::Finding;

/// A finding's position in line/column terms (1-based; columns in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Line and column of a finding's primary span.
pub fn position(sources: &SourceMap, f: &Finding) -> Position {
    let file = sources.get(f.file);
    let (line, column) = file.line_col(f.span.start);
    let end = if f.span.end > f.span.start {
        f.span.end
    } else {
        f.span.start
    };
    let (end_line, end_column) = file.line_col(end);
    Position {
        line,
        column,
        end_line,
        end_column,
    }
}

/// Counts of a run, by severity.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub lessons: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(files: usize, lessons: usize, findings: &[Finding]) -> Summary {
        use crate::rules::Severity::*;
        let c = |s| findings.iter().filter(|f| f.severity == s).count();
        Summary {
            files,
            lessons,
            errors: c(Error),
            warnings: c(Warning),
            infos: c(Info),
        }
    }
}

pub mod concepts;
pub mod github;
pub mod html;
pub mod markdown;
pub mod review;
pub mod sarif;

use crate::config::Config;
use crate::model::{Lesson, SourceFile, Span};
use crate::rules::Severity;

/// Everything the CI and reviewer formats may show about a run.
pub struct Report<'a> {
    pub sources: &'a SourceMap,
    /// Sorted as `lint::sort_findings` sorts them.
    pub findings: &'a [Finding],
    pub notes: &'a [String],
    pub summary: Summary,
    /// The lesson plans of the run (for review timelines and concept graphs).
    pub lessons: &'a [Lesson],
    pub config: &'a Config,
}

/// Where a span is, for formats that need a non-empty region ending inside a line: an empty span
/// is widened to the rest of its line, and a span that ends just after a line break ends at the
/// end of the line before instead. Lines and columns are 1-based; columns count characters;
/// `end_column` is exclusive (the column after the last character).
pub fn region(file: &SourceFile, span: Span) -> Position {
    let text = &file.text;
    let start = span.start.min(text.len());
    let mut end = span.end.clamp(start, text.len());
    let (line, column) = file.line_col(start);
    if end == start {
        end = file.line_span(line).end.max(start);
    }
    // Pull an end that sits right after line terminators back onto the last covered line.
    let bytes = text.as_bytes();
    while end > start && (bytes[end - 1] == b'\n' || bytes[end - 1] == b'\r') {
        end -= 1;
    }
    let (end_line, mut end_column) = file.line_col(end);
    if end_line == line && end_column <= column {
        end_column = column + 1;
    }
    Position {
        line,
        column,
        end_line,
        end_column,
    }
}

/// Findings ordered for formats where the reader sees only the first few: errors first, then
/// warnings, then notes; within a level in the usual file/line order.
pub fn by_severity(findings: &[Finding]) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    // A stable sort keeps the file/line order inside each level.
    v.sort_by_key(|f| std::cmp::Reverse(f.severity));
    v
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `error`, `warning`, `note`: the word a reader expects for a level.
pub fn level_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        _ => "note",
    }
}

/// One line of counts: `2 errors, 1 warning, 0 notes in 3 files (3 lesson plans)`.
pub fn counts_line(s: &Summary) -> String {
    format!(
        "{}, {}, {} in {} ({})",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "note"),
        plural(s.files, "file"),
        plural(s.lessons, "lesson plan"),
    )
}

/// The first paragraph of a rule's "Why is this bad?" section, as one line.
pub fn rule_rationale(docs: &str) -> Option<String> {
    doc_section(docs, "## Why is this bad?")
}

/// The first paragraph of a rule's "What it does" section, as one line.
pub fn rule_description(docs: &str) -> Option<String> {
    doc_section(docs, "## What it does")
}

fn doc_section(docs: &str, heading: &str) -> Option<String> {
    let mut lines = docs.lines().map(str::trim);
    lines.by_ref().find(|l| *l == heading)?;
    let mut out: Vec<&str> = Vec::new();
    for l in lines {
        if l.starts_with("## ") || (l.is_empty() && !out.is_empty()) {
            break;
        }
        if !l.is_empty() {
            out.push(l);
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out.join(" "))
    }
}

/// A rule's documentation with the doc-comment indentation removed.
pub fn rule_docs(docs: &str) -> String {
    let mut s: String = docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let trimmed = s.trim_end().len();
    s.truncate(trimmed);
    s
}
