//! Lesson code: extraction helpers, Python parsing, and a bounded shape interpreter that tells
//! an author — without Python or PyTorch — that a snippet does not compile or would fail with
//! a shape error, at the lesson line, in PyTorch's own words.
//!
//! Lesson code is never executed. It is interpreted over *meta tensors* (shapes and dtypes,
//! no data), the way PyTorch's meta device works. Anything the interpreter does not model
//! (datasets, loaders, optimizers, plotting, files) is *opaque*: every operation on it yields
//! an opaque value and never an error, so unknown code cannot produce false alarms.
//!
//! Entry points: [`check_blocks`] for the blocks of one file (one shared namespace, notebook
//! semantics), and [`Interp`] for Rust code that wants to build a model from Python source and
//! inspect it (parameter counts, output shapes):
//!
//! ```
//! use lessonlint::snippets::{with_big_stack, Budget, Interp, Value};
//!
//! let (params, out) = with_big_stack(|| {
//!     let mut it = Interp::new(&Budget::default());
//!     let src = "import torch.nn as nn\ndef make(n):\n    return nn.Sequential(nn.Linear(n, 2), nn.ReLU())\n";
//!     it.run_source("model.py", src).expect("runs");
//!     let m = it.call_global("make", &[Value::int(3)], &[]).expect("builds");
//!     (it.param_count(&m), it.forward(&m, &[5, 3]).expect("forward"))
//! })
//! .expect("interpreter thread");
//! assert_eq!(params, Some(8));
//! assert_eq!(out, vec![5, 2]);
//! ```
//!
//! Values are reference-counted and not `Send`: keep an [`Interp`] and its values on one
//! thread (use [`with_big_stack`] for code you do not control, so deep recursion cannot
//! overflow the host stack).

mod api;
mod builtins;
mod errors;
mod interp;
mod layers;
mod modules;
mod tensor;
mod torchfns;
mod value;

use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr, ModModule, PySourceType, Stmt};
use ruff_python_parser::parse_unchecked_source;
use ruff_text_size::Ranged;

pub use api::{
    bound_names, check_blocks_with, defined_names, segments, ClassInfo, ParamInfo, Segment,
};
use errors::{ExcKind, Exception, Loc, SourceInfo};
pub use interp::Interp;
pub use value::Value;

/// One code block of a lesson (a Markdown fence or a notebook cell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The code.
    pub code: String,
    /// 1-based line in the file of the block's first code line.
    pub first_line: usize,
    /// Byte offset of the code in the file.
    pub offset: usize,
    /// Whether the block must run clean or must fail.
    pub mode: Mode,
    /// Notebook cell index, for notebooks.
    pub cell: Option<usize>,
}

/// How a block is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The block must run without error.
    Check,
    /// The block demonstrates an error: it must fail.
    ExpectError,
    /// The block is not run; every name it binds becomes opaque (a scaffolded exercise whose
    /// code the learner has yet to write). Syntax errors are still reported.
    Opaque,
}

/// Limits for the interpreter. Hitting one is a single [`DiagKind::Budget`] diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Statements and expressions evaluated per block (or per [`Interp`] call).
    pub max_steps: u64,
    /// Depth of nested Python function calls.
    pub max_depth: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_steps: 1_000_000,
            max_depth: 100,
        }
    }
}

/// What kind of problem a [`SnippetDiag`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagKind {
    /// The block does not parse.
    Syntax,
    /// A Python or PyTorch error raised by the code.
    Runtime,
    /// The step budget or the call-depth limit ran out.
    Budget,
    /// An `ExpectError` block ran without error.
    ExpectedErrorMissing,
}

/// An outer frame of a traceback, in file coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Byte offset in the file.
    pub offset: usize,
    /// Byte length.
    pub len: usize,
    /// 1-based line.
    pub line: usize,
    /// Label text (`called from here`, `called from here, in forward`).
    pub text: String,
}

/// One problem found in lesson code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetDiag {
    pub kind: DiagKind,
    /// Index (in the slice given to [`check_blocks`]) of the block that was running.
    pub block: usize,
    /// Primary location: byte offset and length in the file (the innermost lesson line where
    /// the failing operation is written; it may lie in an earlier block that defined the
    /// function).
    pub offset: usize,
    pub len: usize,
    /// 1-based line and 1-based column (in characters).
    pub line: usize,
    pub column: usize,
    /// Python exception type (`RuntimeError`, `SyntaxError`, …); `RecursionError` for the
    /// depth limit; empty for step-budget and expected-error diagnostics.
    pub error_type: String,
    /// The message, in Python's / PyTorch's words.
    pub message: String,
    /// Outer frames, outermost first.
    pub traceback: Vec<Frame>,
}

/// Which fences are checked: `python`, `py`, `python3` (case-insensitive), unless the info
/// string says `no-check` or a `<!-- lessonlint: skip -->` comment precedes the fence. An info
/// word `expect-error` (or `should-fail`, `raises`) marks a block that must fail.
pub fn fence_mode(info: &str, skip_comment: bool) -> Option<Mode> {
    if skip_comment {
        return None;
    }
    let mut words = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{' || c == '}')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_start_matches('.').to_ascii_lowercase());
    let lang = words.next()?;
    if !matches!(lang.as_str(), "python" | "py" | "python3") {
        return None;
    }
    let mut mode = Mode::Check;
    for w in words {
        match w.as_str() {
            "no-check" | "nocheck" | "no_check" | "skip" => return None,
            "expect-error" | "expect_error" | "expect-fail" | "should-fail" | "raises"
            | "error" => mode = Mode::ExpectError,
            _ => {}
        }
    }
    Some(mode)
}

/// Extract the checked code blocks of a Markdown text with a small fence scanner (the CLI uses
/// the real Markdown parser; this serves tests and tools).
pub fn blocks_from_markdown(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut off = 0;
    for l in text.split_inclusive('\n') {
        lines.push((off, l));
        off += l.len();
    }
    let mut i = 0;
    let mut prev_nonblank = "";
    while i < lines.len() {
        let (_, raw) = lines[i];
        let line = raw.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start_matches(' ').len();
        let t = line.trim_start_matches(' ');
        let fence_char = t.chars().next().filter(|c| *c == '`' || *c == '~');
        if indent <= 3 {
            if let Some(fc) = fence_char {
                let n = t.chars().take_while(|c| *c == fc).count();
                if n >= 3 {
                    let info = t[n..].trim();
                    let skip = prev_nonblank
                        .trim()
                        .eq_ignore_ascii_case("<!-- lessonlint: skip -->");
                    let start = i + 1;
                    let mut j = start;
                    while j < lines.len() {
                        let c = lines[j].1.trim_end_matches(['\n', '\r']);
                        let ct = c.trim_start_matches(' ');
                        let cn = ct.chars().take_while(|c| *c == fc).count();
                        if cn >= n && ct[cn..].trim().is_empty() && c.len() - ct.len() <= 3 {
                            break;
                        }
                        j += 1;
                    }
                    if let Some(mode) = fence_mode(info, skip) {
                        let code: String = lines[start..j]
                            .iter()
                            .map(|(_, l)| {
                                let k = l.len() - l.trim_start_matches(' ').len();
                                &l[k.min(indent)..]
                            })
                            .collect();
                        let offset = lines.get(start).map(|(o, _)| *o).unwrap_or(text.len());
                        out.push(Block {
                            code,
                            first_line: start + 1,
                            offset,
                            mode,
                            cell: None,
                        });
                    }
                    prev_nonblank = "";
                    i = j + 1;
                    continue;
                }
            }
        }
        if !line.trim().is_empty() {
            prev_nonblank = line;
        }
        i += 1;
    }
    out
}

/// Run `f` on a thread with a large stack (256 MB reserved, committed lazily), so deep but
/// bounded recursion in the interpreter can never overflow the host stack.
pub fn with_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|s| {
        let h = std::thread::Builder::new()
            .name("lessonlint-snippets".into())
            .stack_size(256 * 1024 * 1024)
            .spawn_scoped(s, f);
        match h {
            Ok(h) => h.join().ok(),
            Err(_) => None,
        }
    })
}

/// Check the blocks of one file in document order, in one namespace. Returns the diagnostics
/// in block order.
pub fn check_blocks(blocks: &[Block], budget: &Budget) -> Vec<SnippetDiag> {
    with_big_stack(|| check_blocks_here(blocks, budget)).unwrap_or_default()
}

fn check_blocks_here(blocks: &[Block], budget: &Budget) -> Vec<SnippetDiag> {
    let mut interp = Interp::new(budget);
    run_blocks(&mut interp, blocks)
}

/// Runs `blocks` in `interp`, in order; the diagnostics in block order.
fn run_blocks(interp: &mut Interp, blocks: &[Block]) -> Vec<SnippetDiag> {
    let mut diags = Vec::new();
    for (bi, b) in blocks.iter().enumerate() {
        let src = Rc::new(SourceInfo::new(
            bi,
            &format!("<block {}>", bi + 1),
            &b.code,
            b.offset,
            b.first_line,
        ));
        interp.keep_source(src.clone());
        interp.reset_steps();
        // A bug in the checker must not take the whole file down: the block is reported and
        // the next one runs.
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_block(interp, bi, b, &src)
        }));
        match run {
            Ok(d) => diags.extend(d),
            Err(p) => {
                let why = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                diags.push(SnippetDiag {
                    kind: DiagKind::Budget,
                    block: bi,
                    offset: b.offset,
                    len: src.line_text(0).len(),
                    line: b.first_line.max(1),
                    column: 1,
                    error_type: "InternalError".into(),
                    message: format!(
                        "the snippet checker stopped on an internal error in this block: {why}"
                    ),
                    traceback: Vec::new(),
                });
            }
        }
    }
    diags
}

fn check_block(
    interp: &mut Interp,
    bi: usize,
    b: &Block,
    src: &Rc<SourceInfo>,
) -> Vec<SnippetDiag> {
    let mut diags = Vec::new();
    let (module, syntax) = parse(&b.code);
    if let Some(p) = syntax {
        if b.mode != Mode::ExpectError {
            let (line, column) = src.line_col(p.start);
            diags.push(SnippetDiag {
                kind: DiagKind::Syntax,
                block: bi,
                offset: b.offset + p.start,
                len: p.end.saturating_sub(p.start),
                line,
                column,
                error_type: p.ty.to_string(),
                message: p.msg,
                traceback: Vec::new(),
            });
        }
        interp.havoc_module(src.clone(), &module.body);
        // The parser's recovery may have lost definitions: forget what the text binds too.
        for name in text_bound_names(&b.code) {
            interp.forget_global(&name);
        }
        return diags;
    }
    if b.mode == Mode::Opaque {
        interp.havoc_module(src.clone(), &module.body);
        return diags;
    }
    match interp.run_body(src.clone(), &module.body) {
        Ok(()) => {
            if b.mode == Mode::ExpectError {
                let first = src.line_text(0).len();
                diags.push(SnippetDiag {
                    kind: DiagKind::ExpectedErrorMissing,
                    block: bi,
                    offset: b.offset,
                    len: first,
                    line: b.first_line.max(1),
                    column: 1,
                    error_type: String::new(),
                    message: "this block is marked to fail, but it runs without error".into(),
                    traceback: Vec::new(),
                });
            }
        }
        Err((e, idx)) => {
            interp.havoc_module(src.clone(), &module.body[idx..]);
            if e.kind != ExcKind::Py || b.mode == Mode::Check {
                diags.push(diag_from_exc(&e, bi, src));
            }
        }
    }
    diags
}

/// Parse a block. Returns the (possibly partial) module and the first syntax problem.
fn parse(code: &str) -> (ModModule, Option<errors::SyntaxProblem>) {
    if let Some(p) = nesting_problem(code) {
        return (
            ModModule {
                node_index: Default::default(),
                range: Default::default(),
                body: Default::default(),
            },
            Some(p),
        );
    }
    let parsed = parse_unchecked_source(code, PySourceType::Ipynb);
    if let Some(first) = parsed.errors().first() {
        let tokens: Vec<(ast::token::TokenKind, usize, usize)> = parsed
            .tokens()
            .iter()
            .map(|t| (t.kind(), usize::from(t.start()), usize::from(t.end())))
            .collect();
        let p = errors::syntax_problem(code, first, &tokens);
        return (parsed.into_syntax(), Some(p));
    }
    let module = parsed.into_syntax();
    let p = semantic_problem(&module.body, false, false);
    (module, p)
}

/// Names a block's text binds at the start of its lines (`def f`, `class C`, `x = …`, imports,
/// `for x in`, `with … as x`), found without parsing.
fn text_bound_names(code: &str) -> Vec<String> {
    let ident = |s: &str| -> Option<String> {
        let n: String = s
            .trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let ok = n
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_');
        ok.then_some(n)
    };
    let mut out = Vec::new();
    for line in code.lines() {
        let t = line.trim_start();
        let t = t.strip_prefix("async ").unwrap_or(t);
        if let Some(r) = t.strip_prefix("def ").or_else(|| t.strip_prefix("class ")) {
            out.extend(ident(r));
        } else if let Some(r) = t.strip_prefix("import ") {
            for part in r.split(',') {
                match part.split_once(" as ") {
                    Some((_, alias)) => out.extend(ident(alias)),
                    None => out.extend(ident(part.trim().split('.').next().unwrap_or(""))),
                }
            }
        } else if let Some(r) = t.strip_prefix("from ") {
            if let Some((_, names)) = r.split_once(" import ") {
                for part in names
                    .trim_matches(|c| c == '(' || c == ')' || c == ' ')
                    .split(',')
                {
                    match part.split_once(" as ") {
                        Some((_, alias)) => out.extend(ident(alias)),
                        None => out.extend(ident(part)),
                    }
                }
            }
        } else if let Some(r) = t.strip_prefix("for ") {
            if let Some((targets, _)) = r.split_once(" in ") {
                out.extend(
                    targets
                        .split(',')
                        .filter_map(|x| ident(x.trim_matches(|c| c == '(' || c == ' '))),
                );
            }
        } else if t.starts_with("with ") {
            if let Some((_, alias)) = t.rsplit_once(" as ") {
                out.extend(ident(alias));
            }
        } else if let Some((lhs, rhs)) = t.split_once('=') {
            let augmented = lhs.ends_with([
                '+', '-', '*', '/', '%', '&', '|', '^', '<', '>', '!', ':', '@',
            ]);
            if !rhs.starts_with('=') && !augmented || lhs.ends_with(':') {
                let lhs = lhs.split(':').next().unwrap_or("");
                for target in lhs.split(',') {
                    let target = target
                        .trim()
                        .trim_matches(|c| c == '(' || c == ')' || c == '*');
                    if target.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        out.extend(ident(target));
                    }
                }
            }
        }
    }
    out
}

/// CPython refuses more than 200 nested brackets; also keep the parser's recursion bounded.
fn nesting_problem(code: &str) -> Option<errors::SyntaxProblem> {
    let b = code.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut ops_in_line = 0usize;
    while i < b.len() {
        let c = b[i];
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' => {
                let triple = i + 2 < b.len() && b[i + 1] == c && b[i + 2] == c;
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if triple {
                        if i + 2 < b.len() && b[i] == c && b[i + 1] == c && b[i + 2] == c {
                            i += 3;
                            break;
                        }
                    } else if b[i] == c || b[i] == b'\n' {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > 200 {
                    return Some(errors::SyntaxProblem {
                        ty: "SyntaxError",
                        msg: "too many nested parentheses".into(),
                        start: i,
                        end: i + 1,
                    });
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' if depth == 0 => ops_in_line = 0,
            b'-' | b'+' | b'~' | b'*' | b'<' | b'>' | b'|' | b'&' | b'^' | b'%' | b'@' | b'/' => {
                ops_in_line += 1;
                if ops_in_line > 20_000 {
                    return Some(errors::SyntaxProblem {
                        ty: "RecursionError",
                        msg: "maximum recursion depth exceeded during compilation".into(),
                        start: i,
                        end: i + 1,
                    });
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Errors CPython's compiler reports before running anything.
fn semantic_problem(body: &[Stmt], in_func: bool, in_loop: bool) -> Option<errors::SyntaxProblem> {
    let mk = |msg: &str, r: ruff_text_size::TextRange| {
        Some(errors::SyntaxProblem {
            ty: "SyntaxError",
            msg: msg.into(),
            start: usize::from(r.start()),
            end: usize::from(r.end()),
        })
    };
    for s in body {
        let found = match s {
            Stmt::Return(r) if !in_func => mk("'return' outside function", r.range),
            Stmt::Break(r) if !in_loop => mk("'break' outside loop", r.range),
            Stmt::Continue(r) if !in_loop => mk("'continue' not properly in loop", r.range),
            Stmt::FunctionDef(d) => semantic_problem(&d.body, true, false),
            Stmt::ClassDef(c) => semantic_problem(&c.body, false, false),
            Stmt::For(f) => semantic_problem(&f.body, in_func, true)
                .or_else(|| semantic_problem(&f.orelse, in_func, in_loop)),
            Stmt::While(w) => semantic_problem(&w.body, in_func, true)
                .or_else(|| semantic_problem(&w.orelse, in_func, in_loop)),
            Stmt::If(i) => semantic_problem(&i.body, in_func, in_loop).or_else(|| {
                i.elif_else_clauses
                    .iter()
                    .find_map(|c| semantic_problem(&c.body, in_func, in_loop))
            }),
            Stmt::With(w) => semantic_problem(&w.body, in_func, in_loop),
            Stmt::Try(t) => semantic_problem(&t.body, in_func, in_loop)
                .or_else(|| {
                    t.handlers.iter().find_map(|h| {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        semantic_problem(&h.body, in_func, in_loop)
                    })
                })
                .or_else(|| semantic_problem(&t.orelse, in_func, in_loop))
                .or_else(|| semantic_problem(&t.finalbody, in_func, in_loop)),
            Stmt::Expr(e) if !in_func => match &*e.value {
                Expr::Yield(y) => mk("'yield' outside function", y.range),
                Expr::YieldFrom(y) => mk("'yield' outside function", y.range),
                _ => None,
            },
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn frame_of(loc: &Loc, text: String) -> Frame {
    let (line, _) = loc.src.line_col(loc.start as usize);
    Frame {
        offset: loc.src.file_offset + loc.start as usize,
        len: (loc.end.saturating_sub(loc.start)) as usize,
        line,
        text,
    }
}

/// Turn an exception into a diagnostic: innermost frame primary, outer frames as traceback.
fn diag_from_exc(e: &Exception, block: usize, fallback: &Rc<SourceInfo>) -> SnippetDiag {
    let kind = match e.kind {
        ExcKind::Py => DiagKind::Runtime,
        ExcKind::Steps | ExcKind::Depth => DiagKind::Budget,
    };
    let (offset, len, line, column) = match e.frames.first() {
        Some(l) => {
            let (line, column) = l.src.line_col(l.start as usize);
            (
                l.src.file_offset + l.start as usize,
                l.end.saturating_sub(l.start) as usize,
                line,
                column,
            )
        }
        None => (
            fallback.file_offset,
            fallback.line_text(0).len(),
            fallback.first_line,
            1,
        ),
    };
    // Outer frames, outermost first; runs of the same call site are folded.
    let mut traceback: Vec<Frame> = Vec::new();
    let mut last: Option<(usize, u32, usize)> = None;
    for l in e.frames.iter().skip(1).rev() {
        let key = (Rc::as_ptr(&l.src) as usize, l.start, 0usize);
        if let Some((p, s, n)) = &mut last {
            if *p == key.0 && *s == key.1 {
                *n += 1;
                if let Some(f) = traceback.last_mut() {
                    let base = f.text.split(" (repeated").next().unwrap_or("").to_string();
                    f.text = format!("{base} (repeated {} more times)", *n);
                }
                continue;
            }
        }
        last = Some(key);
        let text = match &l.func {
            Some(f) => format!("called from here, in {f}"),
            None => "called from here".to_string(),
        };
        traceback.push(frame_of(l, text));
    }
    SnippetDiag {
        kind,
        block,
        offset,
        len,
        line,
        column,
        error_type: e.ty.to_string(),
        message: e.msg.clone(),
        traceback,
    }
}

// ---------------------------------------------------------------------------------------------
// Library API for reference models

impl Interp {
    /// Run a module source in this interpreter's namespace. Each call gets the full budget.
    pub fn run_source(&mut self, name: &str, code: &str) -> Result<(), SnippetDiag> {
        let src = Rc::new(SourceInfo::new(0, name, code, 0, 1));
        self.keep_source(src.clone());
        self.reset_steps();
        let (module, syntax) = parse(code);
        if let Some(p) = syntax {
            let (line, column) = src.line_col(p.start);
            return Err(SnippetDiag {
                kind: DiagKind::Syntax,
                block: 0,
                offset: p.start,
                len: p.end.saturating_sub(p.start),
                line,
                column,
                error_type: p.ty.to_string(),
                message: p.msg,
                traceback: Vec::new(),
            });
        }
        self.run_body(src.clone(), &module.body)
            .map_err(|(e, _)| diag_from_exc(&e, 0, &src))
    }

    /// A global name's value (or a Python builtin such as `len`).
    pub fn global(&self, name: &str) -> Option<Value> {
        self.global_or_builtin(name)
    }

    fn api_src(&mut self, what: &str) -> Rc<SourceInfo> {
        let src = Rc::new(SourceInfo::new(0, what, what, 0, 1));
        self.keep_source(src.clone());
        src
    }

    /// Call a global (a class or function) with positional and keyword arguments.
    pub fn call_global(
        &mut self,
        name: &str,
        args: &[Value],
        kwargs: &[(&str, Value)],
    ) -> Result<Value, SnippetDiag> {
        let src = self.api_src(name);
        self.reset_steps();
        let Some(f) = self.global(name) else {
            let e = Exception::new("NameError", format!("name '{name}' is not defined"));
            return Err(diag_from_exc(&e, 0, &src));
        };
        let a = value::Args {
            pos: args.to_vec(),
            kw: kwargs
                .iter()
                .map(|(k, v)| (Rc::from(*k), v.clone()))
                .collect(),
        };
        self.call(&f, a).map_err(|fl| match fl {
            errors::Flow::Exc(e) => diag_from_exc(&e, 0, &src),
            _ => diag_from_exc(
                &Exception::new("SyntaxError", "unexpected control flow"),
                0,
                &src,
            ),
        })
    }

    /// Call `model` on a float32 meta tensor of `shape`; all output tensors' shapes (unknown
    /// dimensions as `None`).
    pub fn forward_shapes(
        &mut self,
        model: &Value,
        shape: &[i64],
    ) -> Result<Vec<Vec<Option<i64>>>, SnippetDiag> {
        let src = self.api_src("forward");
        self.reset_steps();
        let x = modules::input_tensor(shape);
        let out = self
            .call(model, value::Args::new(vec![x]))
            .map_err(|fl| match fl {
                errors::Flow::Exc(e) => diag_from_exc(&e, 0, &src),
                _ => diag_from_exc(
                    &Exception::new("SyntaxError", "unexpected control flow"),
                    0,
                    &src,
                ),
            })?;
        let mut shapes = Vec::new();
        collect_shapes(&out, &mut shapes, 0);
        Ok(shapes)
    }

    /// Call `model` on a float32 meta tensor of `shape`; the output shape when the output is
    /// one tensor of fully known shape.
    pub fn forward(&mut self, model: &Value, shape: &[i64]) -> Result<Vec<i64>, SnippetDiag> {
        let shapes = self.forward_shapes(model, shape)?;
        match shapes.as_slice() {
            [one] if one.iter().all(|d| d.is_some()) => Ok(one.iter().flatten().copied().collect()),
            _ => {
                let src = self.api_src("forward");
                Err(diag_from_exc(
                    &Exception::new(
                        "TypeError",
                        "the model's output is not a single tensor of known shape",
                    ),
                    0,
                    &src,
                ))
            }
        }
    }

    /// `sum(p.numel() for p in v.parameters())`, when fully known.
    pub fn param_count(&self, v: &Value) -> Option<i64> {
        modules::count(v, false)
    }

    /// Total `numel()` of `v.buffers()` (BatchNorm running statistics and counters).
    pub fn buffer_count(&self, v: &Value) -> Option<i64> {
        modules::count(v, true)
    }

    /// `v.name` (e.g. `model.fc`, `conv.weight`).
    pub fn attribute(&mut self, v: &Value, name: &str) -> Result<Value, SnippetDiag> {
        let src = self.api_src(name);
        self.get_attr(v, name).map_err(|fl| match fl {
            errors::Flow::Exc(e) => diag_from_exc(&e, 0, &src),
            _ => diag_from_exc(
                &Exception::new("SyntaxError", "unexpected control flow"),
                0,
                &src,
            ),
        })
    }

    /// `named_parameters()` with their shapes.
    pub fn named_parameter_shapes(&self, v: &Value) -> Option<Vec<(String, Vec<Option<i64>>)>> {
        modules::named_tensors(v, false)
            .map(|ps| ps.into_iter().map(|(n, t)| (n, t.shape.clone())).collect())
    }

    /// `model.train(mode)`.
    pub fn set_training(&mut self, v: &Value, mode: bool) -> Result<(), SnippetDiag> {
        let src = self.api_src("train");
        let m = self
            .get_attr(v, "train")
            .and_then(|f| self.call(&f, value::Args::new(vec![Value::Bool(mode)])));
        m.map(|_| ()).map_err(|fl| match fl {
            errors::Flow::Exc(e) => diag_from_exc(&e, 0, &src),
            _ => diag_from_exc(
                &Exception::new("SyntaxError", "unexpected control flow"),
                0,
                &src,
            ),
        })
    }
}

fn collect_shapes(v: &Value, out: &mut Vec<Vec<Option<i64>>>, depth: usize) {
    if depth > 100 || out.len() > 10_000 {
        return;
    }
    match v {
        Value::Tensor(t) => out.push(t.shape.clone()),
        Value::Tuple(t) => {
            for x in t.iter() {
                collect_shapes(x, out, depth + 1);
            }
        }
        Value::List(l) => {
            for x in l.borrow().iter() {
                collect_shapes(x, out, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_modes() {
        assert_eq!(fence_mode("python", false), Some(Mode::Check));
        assert_eq!(fence_mode("py", false), Some(Mode::Check));
        assert_eq!(fence_mode("Python3", false), Some(Mode::Check));
        assert_eq!(fence_mode("python no-check", false), None);
        assert_eq!(
            fence_mode("python expect-error", false),
            Some(Mode::ExpectError)
        );
        assert_eq!(fence_mode("python", true), None);
        assert_eq!(fence_mode("rust", false), None);
        assert_eq!(fence_mode("", false), None);
    }

    #[test]
    fn markdown_blocks_keep_file_positions() {
        let md = "# T\n\n```python\nx = 1\ny = 2\n```\n\n<!-- lessonlint: skip -->\n```python\nboom(\n```\n```py expect-error\nz\n```\n";
        let b = blocks_from_markdown(md);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].code, "x = 1\ny = 2\n");
        assert_eq!(b[0].first_line, 4);
        assert_eq!(&md[b[0].offset..b[0].offset + 5], "x = 1");
        assert_eq!(b[1].mode, Mode::ExpectError);
        assert_eq!(b[1].first_line, 13);
    }
}
