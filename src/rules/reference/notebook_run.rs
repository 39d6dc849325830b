//! Checking a notebook's code cells in order, as a reviewer would: scaffolded exercises are
//! opaque unless the notebook gives their solution, in which case the solution runs in their
//! place against the notebook's own test cells.
//!
//! Two runs over the cells:
//! - the learner's view: every exercise placeholder is opaque (never a false error); its
//!   diagnostics are the ordinary `python-*` findings;
//! - the solution view (only when some exercise has a solution): the solutions run in place of
//!   the exercises; a diagnostic that appears only here is `solution-fails-notebook-test`, at
//!   the solution's line.

use super::SolutionFailsNotebookTest;
use crate::config::Config;
use crate::model::{FileId, Span};
use crate::notebook::{CellKind, NbCell, Notebook};
use crate::rules::code::{
    ExpectedErrorMissing, PythonRuntimeError, PythonSyntaxError, SnippetBudgetExceeded,
};
use crate::rules::{Finding, Severity};
use crate::snippets::{self, Block, Budget, DiagKind, Interp, Mode, SnippetDiag};
use std::collections::{HashMap, HashSet};

/// What a piece of code is in the notebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// (Part of) a code cell.
    Cell,
    /// A scaffolded exercise (not run).
    Exercise,
    /// A solution from a markdown cell, run in an exercise's place.
    Solution,
}

/// A run of code from one cell.
#[derive(Debug, Clone)]
pub(super) struct Piece {
    /// Index of the cell.
    pub cell: usize,
    pub code: String,
    /// `map[i]`: the byte in the cell's text of the code's byte `i` (one more for the end).
    map: Vec<usize>,
    pub mode: Mode,
    pub role: Role,
    /// Names it defines at module level.
    pub defines: Vec<String>,
}

impl Piece {
    fn from_range(cell: &NbCell, start: usize, end: usize, mode: Mode, role: Role) -> Piece {
        let code = cell.text[start..end].to_string();
        Piece {
            cell: cell.index,
            defines: snippets::defined_names(&code),
            map: (start..=end).collect(),
            code,
            mode,
            role,
        }
    }

    /// A fence of a markdown cell: code lines are the cell's lines without the fence's
    /// indentation.
    fn from_fence(cell: &NbCell, b: &Block) -> Piece {
        let lines: Vec<(usize, &str)> = line_starts(&cell.text);
        let mut map = Vec::with_capacity(b.code.len() + 1);
        let mut last = b.offset;
        for (k, code_line) in b.code.split_inclusive('\n').enumerate() {
            let Some(&(ls, text)) = lines.get(b.first_line - 1 + k) else {
                break;
            };
            let indent = text.len().saturating_sub(code_line.len());
            for j in 0..code_line.len() {
                last = (ls + indent + j).min(cell.text.len());
                map.push(last);
            }
        }
        while map.len() < b.code.len() {
            map.push(last);
        }
        map.push((last + 1).min(cell.text.len()));
        Piece {
            cell: cell.index,
            code: b.code.clone(),
            defines: snippets::defined_names(&b.code),
            map,
            mode: Mode::Check,
            role: Role::Solution,
        }
    }

    fn cell_pos(&self, pos: usize) -> usize {
        self.map
            .get(pos.min(self.map.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    }
}

fn line_starts(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut off = 0;
    for l in text.split_inclusive('\n') {
        out.push((off, l));
        off += l.len();
    }
    out
}

/// One run of the notebook: pieces laid out at disjoint virtual offsets.
pub(super) struct Run {
    pub pieces: Vec<Piece>,
    bases: Vec<usize>,
}

impl Run {
    pub fn new(pieces: Vec<Piece>) -> Run {
        let mut bases = Vec::with_capacity(pieces.len());
        let mut at = 0;
        for p in &pieces {
            bases.push(at);
            at += p.code.len() + 1;
        }
        Run { pieces, bases }
    }

    pub fn blocks(&self) -> Vec<Block> {
        self.pieces
            .iter()
            .zip(&self.bases)
            .map(|(p, &base)| Block {
                code: p.code.clone(),
                first_line: 1,
                offset: base,
                mode: p.mode,
                cell: Some(p.cell),
            })
            .collect()
    }

    /// The virtual range of a piece's code.
    pub fn range_of(&self, piece: usize) -> std::ops::Range<usize> {
        let b = self.bases.get(piece).copied().unwrap_or(0);
        b..b + self.pieces.get(piece).map_or(0, |p| p.code.len())
    }

    /// The piece holding a virtual offset, and the position in its code.
    pub fn locate(&self, off: usize) -> Option<(usize, usize)> {
        let i = self.bases.partition_point(|&b| b <= off).checked_sub(1)?;
        let pos = off - self.bases[i];
        (pos <= self.pieces[i].code.len()).then_some((i, pos))
    }
}

/// A place in the notebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Place {
    pub span: Span,
    pub piece: usize,
    pub cell: usize,
    pub line: usize,
}

pub(super) struct Mapped<'a> {
    pub nb: &'a Notebook,
    pub run: &'a Run,
}

impl Mapped<'_> {
    pub fn place(&self, off: usize, len: usize) -> Option<Place> {
        let (i, pos) = self.run.locate(off)?;
        let p = &self.run.pieces[i];
        let cell = self.nb.cells.get(p.cell)?;
        let s = p.cell_pos(pos);
        let e = p.cell_pos(pos + len).max(s);
        Some(Place {
            span: cell.span_of(s, e),
            piece: i,
            cell: p.cell,
            line: cell.line_of(s),
        })
    }

    /// The place of a class defined at a virtual offset (its `class` line).
    pub fn class_place(&self, off: usize, len: usize) -> Option<Place> {
        self.place(off, len)
    }
}

/// "cell 5, line 3".
pub(super) fn where_(p: &Place) -> String {
    format!("cell {}, line {}", p.cell + 1, p.line)
}

/// The notebook's pieces in the learner's view, and the exercises' solutions by name.
pub(super) struct Layout {
    pub learner: Vec<Piece>,
    /// Solution fences (pieces with role `Solution`).
    pub solutions: Vec<Piece>,
}

const SKIP_TAGS: &[&str] = &["skip-execution", "lessonlint-skip", "nbval-skip", "skip"];
const RAISES_TAGS: &[&str] = &["raises-exception", "expect-error"];

pub(super) fn layout(nb: &Notebook, need_marker: bool) -> Layout {
    let mut learner = Vec::new();
    let mut solutions = Vec::new();
    for cell in &nb.cells {
        match cell.kind {
            CellKind::Code => {
                if cell.tags.iter().any(|t| SKIP_TAGS.contains(&t.as_str())) {
                    continue;
                }
                let raises = cell.tags.iter().any(|t| RAISES_TAGS.contains(&t.as_str()));
                let whole = |mode| Piece::from_range(cell, 0, cell.text.len(), mode, Role::Cell);
                let Some(segs) = snippets::segments(&cell.text) else {
                    learner.push(whole(if raises {
                        Mode::ExpectError
                    } else {
                        Mode::Check
                    }));
                    continue;
                };
                if !segs.iter().any(|s| s.placeholder) {
                    learner.push(whole(if raises {
                        Mode::ExpectError
                    } else {
                        Mode::Check
                    }));
                    continue;
                }
                // Split at exercise statements; ordinary statements around them still run.
                let mut run_start: Option<usize> = None;
                let mut run_end = 0;
                for s in &segs {
                    if s.placeholder {
                        if let Some(st) = run_start.take() {
                            learner.push(Piece::from_range(
                                cell,
                                st,
                                run_end,
                                Mode::Check,
                                Role::Cell,
                            ));
                        }
                        let mut p =
                            Piece::from_range(cell, s.start, s.end, Mode::Opaque, Role::Exercise);
                        p.defines = s.defines.clone();
                        learner.push(p);
                    } else {
                        run_start.get_or_insert(s.start);
                        run_end = s.end;
                    }
                }
                if let Some(st) = run_start {
                    learner.push(Piece::from_range(
                        cell,
                        st,
                        run_end,
                        Mode::Check,
                        Role::Cell,
                    ));
                }
            }
            CellKind::Markdown => {
                let lower = cell.text.to_ascii_lowercase();
                let marked = lower.contains("<details")
                    || lower.contains("solution")
                    || lower.contains("answer");
                if need_marker && !marked {
                    continue;
                }
                for b in snippets::blocks_from_markdown(&cell.text) {
                    if b.mode != Mode::Check {
                        continue;
                    }
                    let p = Piece::from_fence(cell, &b);
                    if !p.defines.is_empty() {
                        solutions.push(p);
                    }
                }
            }
            _ => {}
        }
    }
    Layout { learner, solutions }
}

/// The solution view: each exercise whose names all have a solution is replaced by the
/// solution fences that define them (each fence once). `None` when no exercise has one.
pub(super) fn with_solutions(l: &Layout) -> Option<Vec<Piece>> {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, s) in l.solutions.iter().enumerate() {
        for n in &s.defines {
            by_name.entry(n.as_str()).or_insert(i);
        }
    }
    let mut used: HashSet<usize> = HashSet::new();
    let mut provided: HashSet<String> = HashSet::new();
    let mut any = false;
    let mut out = Vec::new();
    for p in &l.learner {
        if p.role != Role::Exercise || p.defines.is_empty() {
            out.push(p.clone());
            continue;
        }
        let all = p
            .defines
            .iter()
            .all(|n| by_name.contains_key(n.as_str()) || provided.contains(n));
        if !all {
            out.push(p.clone());
            continue;
        }
        any = true;
        for n in &p.defines {
            if let Some(&i) = by_name.get(n.as_str()) {
                if used.insert(i) {
                    out.push(l.solutions[i].clone());
                    provided.extend(l.solutions[i].defines.iter().cloned());
                }
            }
        }
    }
    any.then_some(out)
}

/// Runs the pieces and hands the interpreter to `after` (for probing classes).
pub(super) fn execute<T: Send>(
    run: &Run,
    budget: &Budget,
    after: impl FnOnce(&mut Interp) -> T + Send,
) -> (Vec<SnippetDiag>, Option<T>) {
    let blocks = run.blocks();
    snippets::check_blocks_with(&blocks, budget, |interp, _| after(interp))
}

fn kind_rule(kind: DiagKind) -> (&'static str, &'static str) {
    match kind {
        DiagKind::Syntax => (
            PythonSyntaxError::META.id,
            "fix the syntax; the cell is not run until it compiles",
        ),
        DiagKind::Runtime => (
            PythonRuntimeError::META.id,
            "this is what PyTorch would raise in this cell: fix the shapes or the code",
        ),
        DiagKind::Budget => (
            SnippetBudgetExceeded::META.id,
            "a cell should finish quickly when checked: bound the loop, or tag the cell `skip-execution`",
        ),
        DiagKind::ExpectedErrorMissing => (
            ExpectedErrorMissing::META.id,
            "the cell is tagged `raises-exception` but runs clean: fix the example or the tag",
        ),
    }
}

fn diag_message(d: &SnippetDiag) -> String {
    if d.error_type.is_empty() {
        d.message.clone()
    } else {
        format!("{}: {}", d.error_type, d.message)
    }
}

/// The learner-view diagnostics as ordinary code findings.
pub(super) fn learner_findings(
    file: FileId,
    m: &Mapped,
    diags: &[SnippetDiag],
    config: &Config,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in diags {
        let (rule, help) = kind_rule(d.kind);
        let level = config.rule(rule).level;
        if level == Severity::Off {
            continue;
        }
        let place = if d.kind == DiagKind::ExpectedErrorMissing {
            let base = m.run.bases.get(d.block).copied().unwrap_or(0);
            let first = m
                .run
                .pieces
                .get(d.block)
                .map_or(0, |p| p.code.find('\n').unwrap_or(p.code.len()));
            m.place(base, first)
        } else {
            m.place(d.offset, d.len)
        };
        let Some(place) = place else { continue };
        let label = match d.kind {
            DiagKind::Runtime => "fails here",
            DiagKind::Syntax => "syntax error",
            _ => "here",
        };
        let mut f = Finding::new(rule, file, place.span, diag_message(d))
            .label(format!("{label} ({})", where_(&place)))
            .help(help);
        for fr in &d.traceback {
            if let Some(p) = m.place(fr.offset, fr.len) {
                f = f.related(file, p.span, format!("{} ({})", fr.text, where_(&p)));
            }
        }
        f.severity = level;
        out.push(f);
    }
    out
}

/// Diagnostics of the solution view that the learner view does not have, as
/// `solution-fails-notebook-test` findings at the solution; with the pieces blamed.
pub(super) fn solution_findings(
    file: FileId,
    learner: &[Finding],
    m: &Mapped,
    diags: &[SnippetDiag],
    config: &Config,
) -> (Vec<Finding>, Vec<usize>) {
    let level = config.rule(SolutionFailsNotebookTest::META.id).level;
    let mut blamed = Vec::new();
    if level == Severity::Off {
        return (Vec::new(), blamed);
    }
    let known: HashSet<(usize, String)> = learner
        .iter()
        .map(|f| (f.span.start, f.message.clone()))
        .collect();
    let mut out = Vec::new();
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    for d in diags {
        if d.kind == DiagKind::ExpectedErrorMissing {
            continue;
        }
        let Some(primary) = m.place(d.offset, d.len) else {
            continue;
        };
        let msg = diag_message(d);
        if known.contains(&(primary.span.start, msg.clone())) {
            continue;
        }
        let pieces = &m.run.pieces;
        let running = d.block.min(pieces.len().saturating_sub(1));
        // Where the solution is: the failing line itself, else the innermost solution frame,
        // else the definition of the solution the failing cell uses.
        let frames: Vec<Place> = d
            .traceback
            .iter()
            .filter_map(|fr| m.place(fr.offset, fr.len))
            .collect();
        let in_solution = |p: &Place| pieces[p.piece].role == Role::Solution;
        let at = if in_solution(&primary) {
            Some(primary)
        } else {
            frames.iter().rev().find(|p| in_solution(p)).copied()
        };
        let at = at.or_else(|| {
            let cell_text =
                m.nb.cells
                    .get(pieces[running].cell)
                    .map_or("", |c| c.text.as_str());
            let before: Vec<usize> = (0..running)
                .filter(|&i| pieces[i].role == Role::Solution)
                .collect();
            let pick = before
                .iter()
                .rev()
                .find(|&&i| pieces[i].defines.iter().any(|n| mentions(cell_text, n)))
                .or(before.last())
                .copied()?;
            let base = m.run.bases[pick];
            let code = &pieces[pick].code;
            let def = first_definition(code);
            let len = code[def..].find('\n').unwrap_or(code.len() - def);
            m.place(base + def, len)
        });
        let Some(at) = at else { continue };
        let solution_cell = at.cell + 1;
        let test_cell = (pieces[running].role == Role::Cell).then(|| pieces[running].cell + 1);
        let mut detail = msg.clone();
        if d.error_type == "AssertionError" {
            if let Some(better) = explain_assert(m, &primary, &d.message) {
                detail = format!("AssertionError: {better}");
            }
        }
        let message = match test_cell {
            Some(t) => format!(
                "the solution in cell {solution_cell} fails the notebook's test in cell {t}: {detail}"
            ),
            None => format!("the solution in cell {solution_cell} fails: {detail}"),
        };
        // One finding per place and error: later tests that trip over the same line add nothing.
        if !seen.insert((at.span.start, detail.clone())) {
            continue;
        }
        blamed.push(at.piece);
        let mut f = Finding::new(SolutionFailsNotebookTest::META.id, file, at.span, message)
            .label(format!("the solution ({})", where_(&at)))
            .help("fix the solution (or the test, if the test is wrong): a learner who reads the solution expects it to pass");
        if at != primary {
            let what = if pieces[primary.piece].role == Role::Cell {
                "the test fails here"
            } else {
                "fails here"
            };
            f = f.related(file, primary.span, format!("{what} ({})", where_(&primary)));
        }
        for (fr, p) in d
            .traceback
            .iter()
            .zip(d.traceback.iter().map(|fr| m.place(fr.offset, fr.len)))
        {
            if let Some(p) = p {
                if p != at {
                    f = f.related(file, p.span, format!("{} ({})", fr.text, where_(&p)));
                }
            }
        }
        f.severity = level;
        out.push(f);
    }
    (out, blamed)
}

fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

fn first_definition(code: &str) -> usize {
    let mut off = 0;
    for l in code.split_inclusive('\n') {
        let t = l.trim_start();
        if t.starts_with("class ") || t.starts_with("def ") {
            return off + (l.len() - t.len());
        }
        off += l.len();
    }
    0
}

/// `assert lhs == rhs` with the left side's repr as the message: "`lhs` is X; the test
/// expects rhs".
fn explain_assert(m: &Mapped, at: &Place, shown: &str) -> Option<String> {
    if shown.is_empty() {
        return None;
    }
    let cell = m.nb.cells.get(at.cell)?;
    let line = cell.text.lines().nth(at.line.checked_sub(1)?)?;
    let body = line.trim().strip_prefix("assert ")?;
    let body = strip_comment(body).trim();
    let (lhs, rest) = body.split_once("==")?;
    let (rhs, msg) = split_top_level_comma(rest);
    // `assert a == b, "message"`: the message is the assert's own, unless it is `a` itself.
    if msg.is_some_and(|m| m.trim() != lhs.trim()) {
        return None;
    }
    Some(format!(
        "`{}` is {shown}; the test expects {}",
        lhs.trim(),
        rhs.trim()
    ))
}

fn strip_comment(s: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '#') => return &s[..i],
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    s
}

fn split_top_level_comma(s: &str) -> (&str, Option<&str>) {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => return (&s[..i], Some(&s[i + 1..])),
            _ => {}
        }
    }
    (s, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notebook;

    fn nb(cells: &[(&str, &str)]) -> String {
        let cells: Vec<serde_json::Value> = cells
            .iter()
            .map(|(k, src)| {
                let lines: Vec<String> = src.split_inclusive('\n').map(String::from).collect();
                serde_json::json!({"cell_type": k, "metadata": {}, "source": lines})
            })
            .collect();
        serde_json::to_string_pretty(&serde_json::json!({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})).unwrap()
    }

    #[test]
    fn exercises_split_out_and_solutions_found() {
        let text = nb(&[
            ("code", "import torch\nclass B:\n    def __init__(self):\n        self.x = ...  # YOUR CODE HERE\nz = 1\n"),
            ("markdown", "<details><summary>Solution</summary>\n\n```python\nclass B:\n    def __init__(self):\n        self.x = 1\n```\n</details>\n"),
        ]);
        let n = notebook::parse(&text).unwrap();
        let l = layout(&n, true);
        let roles: Vec<(Role, Mode)> = l.learner.iter().map(|p| (p.role, p.mode)).collect();
        assert_eq!(
            roles,
            vec![
                (Role::Cell, Mode::Check),
                (Role::Exercise, Mode::Opaque),
                (Role::Cell, Mode::Check)
            ]
        );
        assert_eq!(l.solutions.len(), 1);
        assert_eq!(l.solutions[0].defines, vec!["B".to_string()]);
        let with = with_solutions(&l).unwrap();
        assert_eq!(with[1].role, Role::Solution);
        // The solution's code maps back to its JSON text.
        let run = Run::new(with);
        let m = Mapped { nb: &n, run: &run };
        let off = run.bases[1] + run.pieces[1].code.find("self.x = 1").unwrap();
        let p = m.place(off, 10).unwrap();
        assert_eq!(&text[p.span.start..p.span.end], "self.x = 1");
        assert_eq!((p.cell, p.line), (1, 6));
    }

    #[test]
    fn unmarked_fences_are_not_solutions_by_default() {
        let text = nb(&[
            ("code", "x = ...  # YOUR CODE HERE\n"),
            ("markdown", "An example:\n\n```python\nx = 3\n```\n"),
        ]);
        let n = notebook::parse(&text).unwrap();
        assert!(layout(&n, true).solutions.is_empty());
        assert_eq!(layout(&n, false).solutions.len(), 1);
    }
}
