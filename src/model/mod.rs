//! Plain data: the typed model of lesson plans, records, module plans and the curriculum.
//!
//! Every field that comes from a file carries a [`Span`] (a byte range in that file) and the
//! 1-based line it starts on, so that every finding can point at the exact place.

pub mod curriculum;
pub mod names;
pub mod vocab;

use serde::Serialize;
use std::path::{Path, PathBuf};

pub use vocab::{Depth, DepthCell, ExampleKind, GapSize, LoadType, PrereqStatus};

/// A byte range into one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
pub struct FileId(pub usize);

/// One loaded source file with its line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Display name (path as given on the command line, with `/` separators).
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let path = path.into();
        let name = path.to_string_lossy().replace('\\', "/");
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        SourceFile {
            path,
            name,
            text,
            line_starts,
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut col_end = offset;
        while col_end > start && !self.text.is_char_boundary(col_end) {
            col_end -= 1;
        }
        let col = self.text[start..col_end].chars().count() + 1;
        (line + 1, col)
    }

    /// Byte offset where the 1-based `line` starts (clamped to the file).
    pub fn line_start(&self, line: usize) -> usize {
        let idx = line.saturating_sub(1).min(self.line_starts.len() - 1);
        self.line_starts[idx]
    }

    /// Byte span of the 1-based `line`, without its line terminator.
    pub fn line_span(&self, line: usize) -> Span {
        let start = self.line_start(line);
        let mut end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && (bytes[end - 1] == b'\n' || bytes[end - 1] == b'\r') {
            end -= 1;
        }
        Span::new(start, end)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// All files of one lint run.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    pub files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() - 1)
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files.iter().position(|f| f.path == path).map(FileId)
    }
}

/// The text of one table cell (or any other short field), with where it came from.
///
/// `text` is the cell's plain text: Markdown emphasis and code markers removed, `\|` unescaped,
/// entities decoded, whitespace collapsed. It serializes as its text alone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    pub text: String,
    pub span: Span,
    pub line: usize,
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl Cell {
    pub fn new(text: impl Into<String>, span: Span, line: usize) -> Self {
        Cell {
            text: text.into(),
            span,
            line,
        }
    }
    pub fn is_blank(&self) -> bool {
        let t = self.text.trim();
        t.is_empty() || t == "-" || t == "—" || t == "–"
    }
}

/// A Markdown table as found in the file, before typed interpretation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub header: Vec<Cell>,
    pub rows: Vec<TableRow>,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
    /// Title of the nearest heading above the table.
    pub heading: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TableRow {
    pub cells: Vec<Cell>,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// A heading of the document (outside code fences).
#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// `**Field:** value` line from a document header.
#[derive(Debug, Clone, Serialize)]
pub struct HeaderField {
    pub key: String,
    pub value: Cell,
    pub line: usize,
}

/// One row of the Phase 1 concept table: `Concept | Depth | Source | Notes`.
#[derive(Debug, Clone, Serialize)]
pub struct ConceptRow {
    pub concept: Cell,
    pub depth: Cell,
    pub source: Cell,
    pub notes: Cell,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// One row of the Prerequisites Table.
#[derive(Debug, Clone, Serialize)]
pub struct PrereqRow {
    pub concept: Cell,
    pub required: Cell,
    pub actual: Cell,
    pub source: Cell,
    pub status: Cell,
    pub reasoning: Cell,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// One row of the Gap Resolution table.
#[derive(Debug, Clone, Serialize)]
pub struct GapRow {
    pub gap: Cell,
    pub size: Cell,
    pub resolution: Cell,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// One row of the Misconceptions Table.
#[derive(Debug, Clone, Serialize)]
pub struct MisconceptionRow {
    pub misconception: Cell,
    pub why: Cell,
    pub negative_example: Cell,
    pub where_to_address: Cell,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// One row of Examples Planned.
#[derive(Debug, Clone, Serialize)]
pub struct ExampleRow {
    pub example: Cell,
    /// The Type cell as written (`Negative (boundary case)`).
    pub type_text: Cell,
    /// The kind the Type cell starts with.
    pub kind: ExampleKind,
    pub purpose: Cell,
    pub why: Cell,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// One row of Modalities Planned.
#[derive(Debug, Clone, Serialize)]
pub struct ModalityRow {
    /// Modality name, emphasis stripped (`Visual (block diagrams)`).
    pub modality: Cell,
    pub what: Cell,
    pub why: Cell,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// One row of Connections to Prior Concepts.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionRow {
    pub prior: Cell,
    pub connection: Cell,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// The Cognitive Load Assessment block.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CognitiveLoad {
    /// The number after `New concepts in this lesson:`, if one is written.
    pub stated: Option<u32>,
    #[serde(skip)]
    pub stated_span: Span,
    pub stated_line: usize,
    /// The numbered sub-list of new concepts.
    pub new_concepts: Vec<Cell>,
    /// `Previous lesson load:` value as written.
    pub previous: Option<Cell>,
    /// `This lesson's load:` value as written.
    pub this: Option<Cell>,
    /// `Is this appropriate?` answer, with every nested bullet of the block (mitigations).
    pub appropriate: Option<Cell>,
    /// All text of the block (used to look for a stated mitigation).
    #[serde(skip)]
    pub text: String,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// A task-list item under a checklist heading.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistItem {
    pub checked: bool,
    /// Item text, without the `[x]` marker.
    pub text: String,
    /// The last parenthetical of the item, if any (`6: visual, symbolic, …`).
    pub claim: Option<String>,
    /// The H3 the item is under (`Prerequisite Audit`).
    pub section: String,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// A tagged finding inside a review.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewFinding {
    /// Lower-case tag: `critical`, `improvement`, `polish` (or any other tag found, lower-cased).
    pub severity: String,
    pub title: String,
    /// Bold-labelled fields found in the finding body, in order (`Location`, `Issue`, …).
    pub fields: Vec<String>,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// Summary counts of a review.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReviewSummary {
    pub critical: Option<u32>,
    pub improvement: Option<u32>,
    pub polish: Option<u32>,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// One `## Review — DATE (Iteration N/M)` section.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// `YYYY-MM-DD` as written.
    pub date: Option<String>,
    pub iteration: Option<u32>,
    pub of: Option<u32>,
    /// Free label before the iteration (`Post-Depth-Rework`), marking a restarted counter.
    pub label: Option<String>,
    /// `(Iteration 3/3 FINAL)`.
    pub final_marker: bool,
    pub heading: String,
    pub summary: Option<ReviewSummary>,
    pub verdict: Option<Cell>,
    pub findings: Vec<ReviewFinding>,
    /// Fixes of the previous iteration listed as verified (numbered list items, or findings under
    /// an `Iteration N Fix Verification` heading).
    pub verified_fixes: Vec<Cell>,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// A fenced code block.
#[derive(Debug, Clone, Serialize)]
pub struct CodeBlock {
    /// Info string as written (`python expect-error`).
    pub info: String,
    pub code: String,
    /// 1-based line of the first code line (the line after the opening fence).
    pub code_line: usize,
    /// Byte offset of the first code byte in the file.
    #[serde(skip)]
    pub code_offset: usize,
    /// Whether an `<!-- lessonlint: skip -->` comment stands right before the fence.
    pub skip_comment: bool,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// A table row with more or fewer cells than its header.
#[derive(Debug, Clone, Serialize)]
pub struct TableShapeIssue {
    pub expected: usize,
    pub found: usize,
    pub heading: String,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// A parsed lesson plan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Lesson {
    #[serde(skip)]
    pub file: FileId,
    pub title: Option<Cell>,
    pub slug: String,
    /// `3.2` from the Module header field, when present.
    pub module: Option<String>,
    pub module_field: Option<Cell>,
    pub header: Vec<HeaderField>,
    pub headings: Vec<Heading>,
    pub concepts: Vec<ConceptRow>,
    pub target_concept: Option<Cell>,
    pub prerequisites: Vec<PrereqRow>,
    pub gaps: Vec<GapRow>,
    pub misconceptions: Vec<MisconceptionRow>,
    pub examples: Vec<ExampleRow>,
    pub modalities: Vec<ModalityRow>,
    pub cognitive_load: Option<CognitiveLoad>,
    pub connections: Vec<ConnectionRow>,
    pub checklist: Vec<ChecklistItem>,
    pub reviews: Vec<Review>,
    pub code_blocks: Vec<CodeBlock>,
    pub tables: Vec<Table>,
    pub table_shape_issues: Vec<TableShapeIssue>,
    /// HTML comments (`<!-- … -->`) with their lines, for suppressions and markers.
    pub comments: Vec<Cell>,
}

impl Lesson {
    pub fn header_value(&self, key: &str) -> Option<&Cell> {
        self.header
            .iter()
            .find(|h| h.key.eq_ignore_ascii_case(key))
            .map(|h| &h.value)
    }
    pub fn has_heading(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.headings.iter().any(|h| pred(&h.text))
    }
}

/// One row of a record's Concept Index: `Concept | Depth | Lesson | Notes`.
#[derive(Debug, Clone, Serialize)]
pub struct RecordConceptRow {
    pub concept: Cell,
    pub depth: Cell,
    pub lesson: Cell,
    pub notes: Cell,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// A `### <slug>` block under Per-Lesson Summaries.
#[derive(Debug, Clone, Serialize)]
pub struct RecordLessonSummary {
    pub slug: Cell,
    pub status: Option<Cell>,
    pub load: Option<Cell>,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// A module's `record.md`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Record {
    #[serde(skip)]
    pub file: FileId,
    pub title: Option<Cell>,
    /// `3.2` from the title.
    pub module: Option<String>,
    pub concepts: Vec<RecordConceptRow>,
    pub lessons: Vec<RecordLessonSummary>,
    pub table_shape_issues: Vec<TableShapeIssue>,
}

/// A row of a module plan's Lesson Sequence.
#[derive(Debug, Clone, Serialize)]
pub struct SequenceRow {
    pub number: Cell,
    pub slug: Cell,
    pub core_concepts: Cell,
    pub load: Cell,
    pub rationale: Cell,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
}

/// A module's `plan.md`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModulePlan {
    #[serde(skip)]
    pub file: FileId,
    pub title: Option<Cell>,
    pub module: Option<String>,
    pub sequence: Vec<SequenceRow>,
    /// Whole text of the plan, used to look for stated mitigations.
    #[serde(skip)]
    pub text: String,
    pub table_shape_issues: Vec<TableShapeIssue>,
}
