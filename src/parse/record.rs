//! Records (`record.md`), module plans (`plan.md`) and document classification.

use super::lesson::{label_value, para_lines, value_span_label};
use super::options;
use super::source::Src;
use super::table::{build_table, cell_at, Col, Columns};
use super::text::{module_number, plain, starts_with_ci};
use crate::model::{
    Cell, FileId, ModulePlan, Record, RecordConceptRow, RecordLessonSummary, SequenceRow, Span,
    TableShapeIssue,
};
use comrak::nodes::{AstNode, NodeValue};
use comrak::{parse_document, Arena};
use std::path::Path;

/// What kind of curriculum document a file is (FORMAT.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum DocKind {
    /// `lessons/<slug>.md`, or any Markdown file that looks like a lesson plan.
    Lesson,
    /// A module's `record.md`.
    Record,
    /// `plan.md` in a `module-*` directory (or any file with a `## Lesson Sequence`).
    ModulePlan,
    /// The root `course.md`.
    Course,
    /// `plan.md` in a `series-*` directory.
    SeriesPlan,
    /// A series' `summary.md`.
    SeriesSummary,
    /// Anything else.
    Other,
}

/// Classify a document by its file name, its directory and (when those do not decide) its
/// content: a lesson title form or a `## Phase 1` heading makes a lesson plan.
pub fn classify(path: &Path, text: &str) -> DocKind {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext != "md" && ext != "markdown" {
        return DocKind::Other;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if parent == "lessons" {
        return DocKind::Lesson;
    }
    let sniff = Sniff::of(text);
    match name.as_str() {
        "record.md" => return DocKind::Record,
        "course.md" => return DocKind::Course,
        "summary.md" => return DocKind::SeriesSummary,
        "plan.md" => {
            if parent.starts_with("module") {
                return DocKind::ModulePlan;
            }
            if parent.starts_with("series") {
                return DocKind::SeriesPlan;
            }
        }
        _ => {}
    }
    if sniff.lesson {
        DocKind::Lesson
    } else if sniff.record {
        DocKind::Record
    } else if sniff.sequence {
        DocKind::ModulePlan
    } else {
        DocKind::Other
    }
}

/// What a cheap line scan (outside code fences) says about a document.
#[derive(Default)]
struct Sniff {
    lesson: bool,
    record: bool,
    sequence: bool,
}

impl Sniff {
    fn of(text: &str) -> Sniff {
        let mut s = Sniff::default();
        let mut fence: Option<(u8, usize)> = None;
        let mut seen_h1 = false;
        for raw in text.trim_start_matches('\u{feff}').lines() {
            let indent = raw.len() - raw.trim_start_matches(' ').len();
            let line = raw.trim();
            if indent <= 3 {
                let ch = line.as_bytes().first().copied().unwrap_or(0);
                if ch == b'`' || ch == b'~' {
                    let n = line.bytes().take_while(|&b| b == ch).count();
                    if n >= 3 {
                        match fence {
                            None => fence = Some((ch, n)),
                            Some((c, m)) if c == ch && n >= m && line.len() == n => fence = None,
                            _ => {}
                        }
                        continue;
                    }
                }
            }
            if fence.is_some() || indent > 3 {
                continue;
            }
            if let Some(h) = line.strip_prefix("# ") {
                if !seen_h1 {
                    seen_h1 = true;
                    let h = h.trim();
                    if is_lesson_title(h) {
                        s.lesson = true;
                    }
                    let low = h.to_lowercase();
                    if low.starts_with("module") && low.trim_end().ends_with("record") {
                        s.record = true;
                    }
                }
            } else if let Some(h) = line.strip_prefix("## ") {
                let h = h.trim();
                if starts_with_ci(h, "phase 1") {
                    s.lesson = true;
                } else if starts_with_ci(h, "concept index") {
                    s.record = true;
                } else if starts_with_ci(h, "lesson sequence") {
                    s.sequence = true;
                }
            }
        }
        s
    }
}

/// Whether an H1 text is one of the five lesson title forms.
fn is_lesson_title(h: &str) -> bool {
    let low = h.to_lowercase();
    if low.starts_with("lesson:")
        || low.starts_with("lesson plan:")
        || low.starts_with("lesson planning:")
    {
        return true;
    }
    if low.ends_with("lesson planning document") {
        return true;
    }
    if let Some(rest) = low.strip_prefix("lesson ") {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        return digits > 0 && rest[digits..].trim_start().starts_with(':');
    }
    false
}

/// A heading met by the top-level walk of a record or plan.
struct Walk<'t> {
    src: Src<'t>,
    title: Option<Cell>,
    h2: String,
    last_heading: String,
}

impl<'t> Walk<'t> {
    fn heading<'a>(&mut self, node: &'a AstNode<'a>, level: u8) -> (String, Span, usize) {
        let sp = node.data().sourcepos;
        let text = plain(node);
        let span = self.src.trim(self.src.span(sp));
        if level == 1 && self.title.is_none() {
            let line_text = self.src.slice(span);
            let lead = line_text.len() - line_text.trim_start_matches(['#', ' ', '\t']).len();
            self.title = Some(Cell::new(
                text.clone(),
                Span::new(span.start + lead, span.end),
                sp.start.line,
            ));
        }
        if level <= 2 {
            self.h2 = text.to_lowercase();
        }
        self.last_heading = text.clone();
        (text, span, sp.start.line)
    }
}

fn heading_level<'a>(node: &'a AstNode<'a>) -> Option<u8> {
    match node.data().value {
        NodeValue::Heading(h) => Some(h.level),
        _ => None,
    }
}

fn is_table<'a>(node: &'a AstNode<'a>) -> bool {
    matches!(node.data().value, NodeValue::Table(_))
}

/// The slug a `### <slug>` heading names: `building-a-cnn`, `Lesson 1: building-a-cnn`,
/// `building-a-cnn (Lesson 1)`, `1. building-a-cnn — Building a CNN`.
fn slug_from_heading(t: &str) -> String {
    let mut s = t.trim();
    if starts_with_ci(s, "lesson") {
        if let Some(i) = s.find(':') {
            s = s[i + 1..].trim();
        }
    }
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 {
        let rest = s[digits..].trim_start();
        if let Some(r) = rest.strip_prefix('.').or(rest.strip_prefix(')')) {
            s = r.trim();
        }
    }
    s.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| matches!(c, ':' | ',' | ';' | '`' | '*'))
        .to_string()
}

/// Parse a module's `record.md` (FORMAT.md §4): title and module number, the Concept Index rows,
/// and one summary per `### <slug>` under Per-Lesson Summaries.
pub fn parse_record(file: FileId, text: &str) -> Record {
    let arena = Arena::new();
    let root = parse_document(&arena, text, &options());
    let mut w = Walk {
        src: Src::new(text),
        title: None,
        h2: String::new(),
        last_heading: String::new(),
    };
    let mut rec = Record {
        file,
        ..Record::default()
    };
    let mut issues: Vec<TableShapeIssue> = Vec::new();
    let mut current: Option<RecordLessonSummary> = None;
    let in_summaries = |h2: &str| h2.contains("lesson summar") || h2.contains("per-lesson");
    for node in root.children() {
        if let Some(level) = heading_level(node) {
            if level <= 3 {
                if let Some(s) = current.take() {
                    rec.lessons.push(s);
                }
            }
            let (text, span, line) = w.heading(node, level);
            if level == 3 && in_summaries(&w.h2) {
                let slug = slug_from_heading(&text);
                let line_text = w.src.slice(span);
                let sspan = match line_text.find(slug.as_str()).filter(|_| !slug.is_empty()) {
                    Some(i) => Span::new(span.start + i, span.start + i + slug.len()),
                    None => span,
                };
                current = Some(RecordLessonSummary {
                    slug: Cell::new(slug, sspan, line),
                    status: None,
                    load: None,
                    span,
                    line,
                });
            }
            continue;
        }
        let end = w.src.trim(w.src.span(node.data().sourcepos)).end;
        if is_table(node) {
            let t = build_table(&w.src, node, &w.last_heading, &mut issues);
            if w.h2.contains("concept index") || (w.h2.contains("concept") && !in_summaries(&w.h2))
            {
                let mut cols = Columns::new(&t.header);
                let c = cols.take(&[
                    Col::Exact("concept"),
                    Col::Prefix("concept"),
                    Col::Contains("concept"),
                ]);
                let d = cols.take(&[Col::Exact("depth"), Col::Contains("depth")]);
                let l = cols.take(&[
                    Col::Exact("lesson"),
                    Col::Prefix("lesson"),
                    Col::Contains("lesson"),
                    Col::Contains("slug"),
                    Col::Contains("source"),
                ]);
                let n = cols.take(&[Col::Prefix("note"), Col::Contains("note")]);
                if c.is_some() && d.is_some() {
                    for r in &t.rows {
                        rec.concepts.push(RecordConceptRow {
                            concept: cell_at(r, c),
                            depth: cell_at(r, d),
                            lesson: cell_at(r, l),
                            notes: cell_at(r, n),
                            span: r.span,
                            line: r.line,
                        });
                    }
                }
            }
        }
        if let Some(s) = current.as_mut() {
            s.span.end = s.span.end.max(end);
            record_fields(&w.src, node, s);
        }
    }
    if let Some(s) = current.take() {
        rec.lessons.push(s);
    }
    rec.module = w.title.as_ref().and_then(|t| module_number(&t.text));
    rec.title = w.title;
    rec.table_shape_issues = issues;
    rec
}

/// `**Status:**` and `**Cognitive load type:**` lines of a lesson summary block (paragraphs or
/// list items).
fn record_fields<'a>(src: &Src, node: &'a AstNode<'a>, s: &mut RecordLessonSummary) {
    for d in node.descendants() {
        if !matches!(d.data().value, NodeValue::Paragraph) {
            continue;
        }
        for (nodes, line) in para_lines(d) {
            let Some((key, value)) = label_value(&nodes) else {
                continue;
            };
            let k = key.to_lowercase();
            let start = src.off(nodes[0].data().sourcepos.start);
            let vspan = value_span_label(src, start, src.line_end(line));
            let cell = Cell::new(value, vspan, line);
            if k == "status" {
                s.status.get_or_insert(cell);
            } else if k.contains("load") {
                s.load.get_or_insert(cell);
            }
        }
    }
}

/// Parse a module's `plan.md`: title, module number, and the `## Lesson Sequence` rows
/// (`# | Slug | Core Concepts | Type | Rationale…`).
pub fn parse_module_plan(file: FileId, text: &str) -> ModulePlan {
    let arena = Arena::new();
    let root = parse_document(&arena, text, &options());
    let mut w = Walk {
        src: Src::new(text),
        title: None,
        h2: String::new(),
        last_heading: String::new(),
    };
    let mut plan = ModulePlan {
        file,
        text: text.to_string(),
        ..ModulePlan::default()
    };
    let mut issues: Vec<TableShapeIssue> = Vec::new();
    for node in root.children() {
        if let Some(level) = heading_level(node) {
            w.heading(node, level);
            continue;
        }
        if !is_table(node) {
            continue;
        }
        let t = build_table(&w.src, node, &w.last_heading, &mut issues);
        let mut cols = Columns::new(&t.header);
        let slug = cols.take(&[Col::Contains("slug"), Col::Exact("lesson")]);
        if !(w.h2.contains("lesson sequence") || w.h2.contains("sequence") && slug.is_some()) {
            continue;
        }
        let number = cols.take(&[
            Col::Exact("#"),
            Col::Contains("#"),
            Col::Exact("no"),
            Col::Exact("no."),
            Col::Exact("n"),
            Col::Prefix("order"),
            Col::Exact("position"),
        ]);
        let core = cols.take(&[Col::Contains("concept")]);
        let load = cols.take(&[
            Col::Exact("type"),
            Col::Contains("type"),
            Col::Contains("load"),
        ]);
        let why = cols.take(&[
            Col::Prefix("rationale"),
            Col::Contains("rationale"),
            Col::Contains("why"),
            Col::Contains("note"),
        ]);
        for r in &t.rows {
            plan.sequence.push(SequenceRow {
                number: cell_at(r, number),
                slug: cell_at(r, slug),
                core_concepts: cell_at(r, core),
                load: cell_at(r, load),
                rationale: cell_at(r, why),
                span: r.span,
                line: r.line,
            });
        }
    }
    plan.module = w.title.as_ref().and_then(|t| module_number(&t.text));
    plan.title = w.title;
    plan.table_shape_issues = issues;
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    #[test]
    fn classify_by_name_and_place() {
        assert_eq!(classify(&p("c/course.md"), ""), DocKind::Course);
        assert_eq!(classify(&p("c/series-3/plan.md"), ""), DocKind::SeriesPlan);
        assert_eq!(
            classify(&p("c/series-3/summary.md"), ""),
            DocKind::SeriesSummary
        );
        assert_eq!(
            classify(&p("c/series-3/module-3-2/plan.md"), ""),
            DocKind::ModulePlan
        );
        assert_eq!(
            classify(&p("c/series-3/module-3-2/record.md"), ""),
            DocKind::Record
        );
        assert_eq!(
            classify(&p("c/series-3/module-3-2/lessons/resnets.md"), ""),
            DocKind::Lesson
        );
        assert_eq!(classify(&p("c/lessons/summary.md"), ""), DocKind::Lesson);
        assert_eq!(classify(&p("c/lessons/x.ipynb"), ""), DocKind::Other);
    }

    #[test]
    fn classify_by_content() {
        for t in [
            "# Lesson: ResNets\n",
            "# Lesson Plan: ResNets\n",
            "# Lesson 2: ResNets (resnets) -- Planning Document\n",
            "# resnets -- Lesson Planning Document\n",
            "# Lesson Planning: resnets\n",
            "# Notes\n\n## Phase 1: Orient\n",
            "\u{feff}# Lesson: ResNets\r\n",
        ] {
            assert_eq!(classify(&p("draft.md"), t), DocKind::Lesson, "{t:?}");
        }
        assert_eq!(
            classify(&p("draft.md"), "# Lessons learned\n"),
            DocKind::Other
        );
        assert_eq!(
            classify(&p("draft.md"), "# Notes\n```\n## Phase 1\n```\n"),
            DocKind::Other
        );
        assert_eq!(
            classify(
                &p("x.md"),
                "# Module 3.2: Modern — Record\n## Concept Index\n"
            ),
            DocKind::Record
        );
        assert_eq!(
            classify(&p("x.md"), "# M\n## Lesson Sequence\n"),
            DocKind::ModulePlan
        );
        assert_eq!(classify(&p("README.md"), "# Readme\n"), DocKind::Other);
        assert_eq!(classify(&p("plan.md"), "# Lesson: X\n"), DocKind::Lesson);
    }

    #[test]
    fn slugs_from_headings() {
        assert_eq!(slug_from_heading("building-a-cnn"), "building-a-cnn");
        assert_eq!(
            slug_from_heading("Lesson 1: building-a-cnn"),
            "building-a-cnn"
        );
        assert_eq!(
            slug_from_heading("building-a-cnn (Lesson 1)"),
            "building-a-cnn"
        );
        assert_eq!(
            slug_from_heading("1. building-a-cnn — Building"),
            "building-a-cnn"
        );
    }
}
