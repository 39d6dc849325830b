//! Source positions, Python exceptions as the interpreter carries them, and the mapping of
//! parser errors to CPython's wording.

use std::rc::Rc;

use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{LexicalErrorType, ParseError, ParseErrorType};

use super::value::Value;

/// One piece of lesson code the interpreter ran, with what is needed to map its offsets back
/// into the file it came from.
#[derive(Debug)]
pub struct SourceInfo {
    /// Index of the block in the slice given to `check_blocks` (0 for `Interp::run_source`).
    pub block: usize,
    /// Display name (`<block 3>` or the name given to `run_source`).
    pub name: Rc<str>,
    /// The code itself.
    pub code: Rc<str>,
    /// Byte offset of the code in its file.
    pub file_offset: usize,
    /// 1-based line in the file of the code's first line.
    pub first_line: usize,
    /// Byte offsets (within `code`) where lines start.
    line_starts: Vec<usize>,
}

impl SourceInfo {
    /// Index the lines of `code`.
    pub fn new(
        block: usize,
        name: &str,
        code: &str,
        file_offset: usize,
        first_line: usize,
    ) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in code.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        SourceInfo {
            block,
            name: name.into(),
            code: code.into(),
            file_offset,
            first_line: first_line.max(1),
            line_starts,
        }
    }

    /// 0-based line index within the code of a byte offset.
    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// 1-based file line and 1-based character column of a byte offset in the code.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.code.len());
        let li = self.line_index(offset);
        let start = self.line_starts.get(li).copied().unwrap_or(0);
        let col = self
            .code
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (self.first_line + li, col + 1)
    }

    /// The text of the 0-based code line `li` (without its newline).
    pub fn line_text(&self, li: usize) -> &str {
        let start = self.line_starts.get(li).copied().unwrap_or(self.code.len());
        let end = self
            .line_starts
            .get(li + 1)
            .map(|e| e.saturating_sub(1))
            .unwrap_or(self.code.len());
        self.code.get(start..end.max(start)).unwrap_or("")
    }
}

/// A place in lesson code: a byte range of one source, and the function it is in.
#[derive(Debug, Clone)]
pub struct Loc {
    pub src: Rc<SourceInfo>,
    pub start: u32,
    pub end: u32,
    /// Name of the function whose body holds this place (`None` at module level).
    pub func: Option<Rc<str>>,
}

/// What kind of failure an [`Exception`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExcKind {
    /// A Python exception (raised by lesson code or by a modelled library call); catchable.
    Py,
    /// The step budget ran out; never catchable.
    Steps,
    /// The call-depth limit was hit; never catchable.
    Depth,
}

/// An exception in flight.
#[derive(Debug, Clone)]
pub struct Exception {
    pub kind: ExcKind,
    /// Python type name (`RuntimeError`, `ValueError`, …).
    pub ty: Rc<str>,
    /// The message (`str(e)`).
    pub msg: String,
    /// The exception object when lesson code raised an instance of its own class.
    pub value: Option<Value>,
    /// Places, innermost first.
    pub frames: Vec<Loc>,
    /// True while the innermost not-yet-recorded frame still needs a location.
    pub pending: bool,
    /// A budget overrun caused by one operation (a huge copy or walk): located at that
    /// operation rather than at the enclosing loop or call.
    pub at_op: bool,
}

impl Exception {
    /// A new Python exception of type `ty`.
    pub fn new(ty: &str, msg: impl Into<String>) -> Self {
        Exception {
            kind: ExcKind::Py,
            ty: ty.into(),
            msg: msg.into(),
            value: None,
            frames: Vec::new(),
            pending: true,
            at_op: false,
        }
    }
}

/// Non-local control flow: an exception, or `return` / `break` / `continue`.
#[derive(Debug)]
pub enum Flow {
    Exc(Box<Exception>),
    Return(Value),
    Break,
    Continue,
}

/// Result of evaluating or executing something.
pub type R<T> = Result<T, Flow>;

/// Build an `Err(Flow::Exc)` of the given type.
pub fn err<T>(ty: &str, msg: impl Into<String>) -> R<T> {
    Err(Flow::Exc(Box::new(Exception::new(ty, msg))))
}

/// `RuntimeError` with PyTorch's wording.
pub fn rt<T>(msg: impl Into<String>) -> R<T> {
    err("RuntimeError", msg)
}

/// `TypeError`.
pub fn type_err<T>(msg: impl Into<String>) -> R<T> {
    err("TypeError", msg)
}

/// `ValueError`.
pub fn value_err<T>(msg: impl Into<String>) -> R<T> {
    err("ValueError", msg)
}

/// `IndexError`.
pub fn index_err<T>(msg: impl Into<String>) -> R<T> {
    err("IndexError", msg)
}

/// A syntax error in CPython's wording, located in the code.
#[derive(Debug, Clone)]
pub struct SyntaxProblem {
    /// `SyntaxError` or `IndentationError`.
    pub ty: &'static str,
    pub msg: String,
    pub start: usize,
    pub end: usize,
}

/// Translate ruff's first parse error into what CPython says for the same code.
pub fn syntax_problem(
    code: &str,
    err: &ParseError,
    tokens: &[(TokenKind, usize, usize)],
) -> SyntaxProblem {
    let start = usize::from(err.location.start());
    let end = usize::from(err.location.end());
    let line_of = |off: usize| code[..off.min(code.len())].matches('\n').count() + 1;
    let mk = |ty: &'static str, msg: String, s: usize, e: usize| SyntaxProblem {
        ty,
        msg,
        start: s,
        end: e,
    };
    // Bracket problems: CPython names the bracket, whatever the parser tripped on.
    if let Some(p) = bracket_problem(code, tokens, start) {
        return p;
    }
    match &err.error {
        ParseErrorType::Lexical(LexicalErrorType::IndentationError) => mk(
            "IndentationError",
            "unindent does not match any outer indentation level".into(),
            start,
            end,
        ),
        ParseErrorType::UnexpectedIndentation => {
            if mixes_tabs_and_spaces(code, start) {
                return mk(
                    "TabError",
                    "inconsistent use of tabs and spaces in indentation".into(),
                    start,
                    end,
                );
            }
            mk("IndentationError", "unexpected indent".into(), start, end)
        }
        ParseErrorType::OtherError(m) if m.starts_with("Expected an indented block after") => {
            // "Expected an indented block after `if` statement" → CPython's wording with the
            // header's line.
            let what = m
                .trim_start_matches("Expected an indented block after ")
                .replace('`', "'");
            let header_line = previous_code_line(code, start).map(line_of).unwrap_or(1);
            mk(
                "IndentationError",
                format!("expected an indented block after {what} on line {header_line}"),
                start,
                end,
            )
        }
        ParseErrorType::Lexical(LexicalErrorType::UnclosedStringError) => {
            let text = code.get(start..).unwrap_or("");
            let body = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            if body.starts_with("\"\"\"") || body.starts_with("'''") {
                let last = code.trim_end_matches('\n').matches('\n').count() + 1;
                mk(
                    "SyntaxError",
                    format!("unterminated triple-quoted string literal (detected at line {last})"),
                    start,
                    start + 3,
                )
            } else {
                mk(
                    "SyntaxError",
                    format!(
                        "unterminated string literal (detected at line {})",
                        line_of(start)
                    ),
                    start,
                    end,
                )
            }
        }
        ParseErrorType::Lexical(LexicalErrorType::Eof) => mk(
            "SyntaxError",
            "unexpected EOF while parsing".into(),
            start,
            end,
        ),
        ParseErrorType::ExpectedToken { expected, found }
            if *expected == TokenKind::Colon && *found == TokenKind::Equal =>
        {
            // `if x = 1:`
            let ls = code[..start.min(code.len())]
                .rfind('\n')
                .map(|i| i + 1)
                .unwrap_or(0);
            let head = code[ls..].trim_start();
            let s = ls + (code[ls..].len() - head.len());
            let kw = head.split_whitespace().next().unwrap_or("");
            let s = if matches!(kw, "if" | "elif" | "while") {
                s + kw.len() + 1
            } else {
                s
            };
            mk(
                "SyntaxError",
                "invalid syntax. Maybe you meant '==' or ':=' instead of '='?".into(),
                s,
                end,
            )
        }
        ParseErrorType::ExpectedToken { expected, .. } if *expected == TokenKind::Colon => {
            if innermost_open(tokens, start) == Some(TokenKind::Lbrace) {
                // CPython points at the last character of the key.
                let key_end = tokens
                    .iter()
                    .rev()
                    .find(|(_, _, e)| *e <= start)
                    .map(|(_, _, e)| *e)
                    .unwrap_or(start);
                let mut last = key_end.saturating_sub(1);
                while last > 0 && !code.is_char_boundary(last) {
                    last -= 1;
                }
                return mk(
                    "SyntaxError",
                    "':' expected after dictionary key".into(),
                    last,
                    key_end,
                );
            }
            mk("SyntaxError", "expected ':'".into(), start, end)
        }
        ParseErrorType::ExpectedToken { expected, found }
            if *expected == TokenKind::Comma
                && matches!(
                    found,
                    TokenKind::Int
                        | TokenKind::Float
                        | TokenKind::Name
                        | TokenKind::String
                        | TokenKind::True
                        | TokenKind::False
                        | TokenKind::None
                        | TokenKind::Lpar
                        | TokenKind::Lsqb
                        | TokenKind::Lbrace
                ) =>
        {
            // Two expressions side by side in a call or a display: CPython highlights both,
            // from the start of the first.
            let prev = expression_start(tokens, start);
            mk(
                "SyntaxError",
                "invalid syntax. Perhaps you forgot a comma?".into(),
                prev,
                end,
            )
        }
        ParseErrorType::InvalidAssignmentTarget => {
            let target = code.get(start..end).unwrap_or("").trim();
            let msg = match target {
                "True" | "False" | "None" | "__debug__" => format!("cannot assign to {target}"),
                t if t.ends_with(')') && t.contains('(') && !t.starts_with('(') => {
                    "cannot assign to function call here. Maybe you meant '==' instead of '='?"
                        .into()
                }
                t if t.starts_with(|c: char| c.is_ascii_digit() || c == '"' || c == '\'') => {
                    "cannot assign to literal here. Maybe you meant '==' instead of '='?".into()
                }
                _ => {
                    "cannot assign to expression here. Maybe you meant '==' instead of '='?".into()
                }
            };
            mk("SyntaxError", msg, start, end)
        }
        ParseErrorType::NonDefaultParamAfterDefaultParam => mk(
            "SyntaxError",
            "parameter without a default follows parameter with a default".into(),
            start,
            end,
        ),
        ParseErrorType::UnparenthesizedGeneratorExpression => mk(
            "SyntaxError",
            "Generator expression must be parenthesized".into(),
            start,
            end,
        ),
        ParseErrorType::ExpectedKeywordParam => mk(
            "SyntaxError",
            "named arguments must follow bare *".into(),
            start,
            end,
        ),
        ParseErrorType::PositionalAfterKeywordArgument => mk(
            "SyntaxError",
            "positional argument follows keyword argument".into(),
            start,
            end,
        ),
        ParseErrorType::SimpleStatementsOnSameLine => {
            let ls = code[..start.min(code.len())]
                .rfind('\n')
                .map(|i| i + 1)
                .unwrap_or(0);
            let line = code[ls..].lines().next().unwrap_or("").trim_start();
            if line.starts_with("print ") && !line.starts_with("print (") {
                let s = ls + (code[ls..].len() - code[ls..].trim_start().len());
                mk(
                    "SyntaxError",
                    "Missing parentheses in call to 'print'. Did you mean print(...)?".into(),
                    s,
                    s + line.len(),
                )
            } else {
                mk("SyntaxError", "invalid syntax".into(), start, end)
            }
        }
        _ => mk("SyntaxError", "invalid syntax".into(), start, end),
    }
}

/// Start of the primary expression that ends just before `off` (`a.b(c)[0]` as a whole).
fn expression_start(tokens: &[(TokenKind, usize, usize)], off: usize) -> usize {
    let Some(mut i) = tokens.iter().rposition(|(_, _, e)| *e <= off) else {
        return off;
    };
    let mut start = off;
    loop {
        let (k, s, _) = tokens[i];
        match k {
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                // Skip back to the matching opener.
                let mut depth = 0usize;
                loop {
                    match tokens[i].0 {
                        TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth += 1,
                        TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                            depth = depth.saturating_sub(1)
                        }
                        _ => {}
                    }
                    if depth == 0 || i == 0 {
                        break;
                    }
                    i -= 1;
                }
                start = tokens[i].1;
            }
            TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::String
            | TokenKind::True
            | TokenKind::False
            | TokenKind::None
            | TokenKind::Dot => start = s,
            _ => break,
        }
        // Continue only through `.name`, calls and subscripts.
        if i == 0 {
            break;
        }
        let pk = tokens[i - 1].0;
        let cur = tokens[i].0;
        let joins = matches!(pk, TokenKind::Dot)
            || (cur == TokenKind::Dot)
            || matches!(cur, TokenKind::Lpar | TokenKind::Lsqb);
        if !joins {
            break;
        }
        i -= 1;
    }
    start
}

/// The innermost bracket still open at `off`.
fn innermost_open(tokens: &[(TokenKind, usize, usize)], off: usize) -> Option<TokenKind> {
    let mut stack = Vec::new();
    for &(k, s, _) in tokens {
        if s >= off {
            break;
        }
        match k {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => stack.push(k),
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last().copied()
}

/// The indentation of the line at `off` and of the code line before it mix tabs and spaces.
fn mixes_tabs_and_spaces(code: &str, off: usize) -> bool {
    let ls = code[..off.min(code.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let indent = |line: &str| -> String {
        line.chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    };
    let this = indent(&code[ls..]);
    let prev = previous_code_line(code, ls)
        .map(|p| indent(&code[p..]))
        .unwrap_or_default();
    let tabs = this.contains('\t') || prev.contains('\t');
    let spaces = this.contains(' ') || prev.contains(' ');
    tabs && spaces
}

/// Offset of the start of the last non-blank, non-comment line before `off`.
fn previous_code_line(code: &str, off: usize) -> Option<usize> {
    let before = &code[..off.min(code.len())];
    let mut end = before.rfind('\n')?;
    loop {
        let ls = before[..end].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let t = before[ls..end].trim();
        if !t.is_empty() && !t.starts_with('#') {
            return Some(ls);
        }
        if ls == 0 {
            return None;
        }
        end = ls - 1;
    }
}

/// Unclosed or mismatched brackets, reported the way CPython does.
fn bracket_problem(
    code: &str,
    tokens: &[(TokenKind, usize, usize)],
    err_start: usize,
) -> Option<SyntaxProblem> {
    let mut stack: Vec<(char, usize)> = Vec::new();
    for &(kind, s, e) in tokens {
        let open = match kind {
            TokenKind::Lpar => Some('('),
            TokenKind::Lsqb => Some('['),
            TokenKind::Lbrace => Some('{'),
            _ => None,
        };
        if let Some(c) = open {
            stack.push((c, s));
            continue;
        }
        let close = match kind {
            TokenKind::Rpar => Some(')'),
            TokenKind::Rsqb => Some(']'),
            TokenKind::Rbrace => Some('}'),
            _ => None,
        };
        if let Some(c) = close {
            match stack.pop() {
                None => {
                    return Some(SyntaxProblem {
                        ty: "SyntaxError",
                        msg: format!("unmatched '{c}'"),
                        start: s,
                        end: e,
                    })
                }
                Some((o, os)) => {
                    let want = match o {
                        '(' => ')',
                        '[' => ']',
                        _ => '}',
                    };
                    if want != c {
                        let ol = code[..os.min(code.len())].matches('\n').count();
                        let cl = code[..s.min(code.len())].matches('\n').count();
                        let msg = if ol == cl {
                            format!("closing parenthesis '{c}' does not match opening parenthesis '{o}'")
                        } else {
                            format!(
                                "closing parenthesis '{c}' does not match opening parenthesis '{o}' on line {}",
                                ol + 1
                            )
                        };
                        return Some(SyntaxProblem {
                            ty: "SyntaxError",
                            msg,
                            start: s,
                            end: e,
                        });
                    }
                }
            }
        }
    }
    // An opener never closed: CPython reports it when the parse error is at or after it.
    if let Some(&(o, os)) = stack.first() {
        if os <= err_start {
            return Some(SyntaxProblem {
                ty: "SyntaxError",
                msg: format!("'{o}' was never closed"),
                start: os,
                end: os + 1,
            });
        }
    }
    None
}
