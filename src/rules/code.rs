//! Rules over the Python code in lessons and notebooks: the snippets are compiled and
//! interpreted over shapes by `crate::snippets`; these rules turn its diagnostics into findings.

use crate::config::Config;
use crate::declare_rule;
use crate::model::{FileId, Lesson, SourceFile, Span};
use crate::rules::{Finding, Severity};
use crate::snippets::{self, Block, Budget, DiagKind, SnippetDiag};

declare_rule! {
    /// ## What it does
    /// Parses every checked Python block (```` ```python ````, `py`, `python3` fences; notebook
    /// code cells) and reports syntax errors at their line and column in the lesson.
    ///
    /// ## Why is this bad?
    /// A learner who copies a snippet that does not compile loses trust in the whole lesson.
    ///
    /// ## Example
    /// `def forward(self, x)` without the colon gives `SyntaxError: expected ':'`.
    pub struct PythonSyntaxError {
        id: "python-syntax-error",
        category: Code,
        summary: "A Python snippet does not compile",
    }
}

declare_rule! {
    /// ## What it does
    /// Interprets the checked Python blocks of a file in order, in one namespace (as a notebook
    /// runs), over tensor shapes instead of data, and reports the error PyTorch or Python would
    /// raise, in its own words, at the innermost lesson line, with the call chain as labels.
    /// Unknown libraries (datasets, loaders, optimizers, plotting) are opaque and never
    /// reported.
    ///
    /// ## Why is this bad?
    /// A residual block whose shortcut does not match its output shape is the classic ResNet
    /// bug; a lesson that ships it teaches the bug.
    ///
    /// ## Example
    /// An identity shortcut around a block that goes from 64 to 128 channels gives
    /// `RuntimeError: The size of tensor a (128) must match the size of tensor b (64) at non-singleton dimension 1`.
    pub struct PythonRuntimeError {
        id: "python-runtime-error",
        category: Code,
        summary: "A Python snippet would raise an error (shape mismatch, NameError, failed assert)",
    }
}

declare_rule! {
    /// ## What it does
    /// Stops the interpretation of a snippet that runs longer than `max_steps` evaluation steps
    /// or nests calls deeper than `max_depth`, and says so.
    ///
    /// ## Why is this bad?
    /// A runaway loop in a lesson snippet hangs the learner's notebook; the checker must not
    /// hang either.
    ///
    /// ## Example
    /// `while True: pass` gives `did not finish within 1000000 steps`.
    pub struct SnippetBudgetExceeded {
        id: "snippet-budget-exceeded",
        category: Code,
        summary: "A snippet did not finish within the step or depth budget",
    }
}

declare_rule! {
    /// ## What it does
    /// Checks that a block marked ```` ```python expect-error ```` fails when interpreted.
    ///
    /// ## Why is this bad?
    /// A block shown to learners as "this raises an error" that runs clean teaches the opposite
    /// of what the text says.
    ///
    /// ## Example
    /// An `expect-error` block whose shapes all match.
    pub struct ExpectedErrorMissing {
        id: "expected-error-missing",
        category: Code,
        summary: "A block marked expect-error runs without an error",
    }
}

/// All code rule metadata.
pub fn metas() -> Vec<&'static crate::rules::RuleMeta> {
    vec![
        &PythonSyntaxError::META,
        &PythonRuntimeError::META,
        &SnippetBudgetExceeded::META,
        &ExpectedErrorMissing::META,
    ]
}

/// The interpreter budget from the configuration of `snippet-budget-exceeded`.
pub fn budget(config: &Config) -> Budget {
    let s = config.rule(SnippetBudgetExceeded::META.id);
    Budget {
        max_steps: s.int("max_steps").max(1) as u64,
        max_depth: s.int("max_depth").max(1) as usize,
    }
}

/// The checked code blocks of a lesson plan, with the span of each block's opening fence line.
pub fn lesson_blocks(lesson: &Lesson) -> (Vec<Block>, Vec<Span>) {
    lesson
        .code_blocks
        .iter()
        .filter_map(|b| {
            let mode = snippets::fence_mode(&b.info, b.skip_comment)?;
            let fence_end = b.span.start + b.span.len().min(3 + b.info.len());
            Some((
                Block {
                    code: b.code.clone(),
                    first_line: b.code_line,
                    offset: b.code_offset,
                    mode,
                    cell: None,
                },
                Span::new(b.span.start, fence_end),
            ))
        })
        .unzip()
}

/// Maps a byte offset the interpreter reports (the block's `offset` plus a position in its
/// normalised code) to the byte in the file. The code of a fence may differ from the file's bytes
/// line by line (CRLF endings, indentation of a fence inside a list item), so the position is
/// re-anchored on its line.
pub(crate) fn to_file(file: &SourceFile, block: &Block, off: usize) -> usize {
    let Some(p) = off.checked_sub(block.offset) else {
        return off;
    };
    let p = p.min(block.code.len());
    let before = &block.code[..p];
    let line_idx = before.matches('\n').count();
    let col = p - before.rfind('\n').map_or(0, |i| i + 1);
    let code_line = block.code.split('\n').nth(line_idx).unwrap_or("");
    let file_line = file.line_span(block.first_line + line_idx);
    let file_text = &file.text[file_line.start..file_line.end];
    // The code line is the file line without its leading indentation.
    let indent = file_text.len().saturating_sub(code_line.len());
    (file_line.start + indent + col).min(file.text.len())
}

/// Turns interpreter diagnostics into findings in `file`. `fences` holds the opening-fence span
/// of each block (a missing expected error is reported at its fence).
pub fn findings(
    file: &SourceFile,
    id: FileId,
    blocks: &[Block],
    diags: Vec<SnippetDiag>,
    fences: &[Span],
    config: &Config,
) -> Vec<Finding> {
    // A traceback may cross blocks (a class defined in one block, called in the next): each
    // offset is mapped through the block that contains it.
    let remap = |_running: usize, off: usize, len: usize| -> Span {
        let owner = blocks
            .iter()
            .rev()
            .find(|b| b.offset <= off && off <= b.offset + b.code.len());
        match owner {
            Some(b) => {
                let start = to_file(file, b, off);
                let end = to_file(file, b, off + len).max(start);
                Span::new(start, end)
            }
            None => Span::new(off, off + len),
        }
    };
    let mut out = Vec::new();
    for d in diags {
        let (rule, msg, help) = match d.kind {
            DiagKind::Syntax => (
                PythonSyntaxError::META.id,
                format!("{}: {}", d.error_type, d.message),
                "fix the syntax; the block is not run until it compiles",
            ),
            DiagKind::Runtime => (
                PythonRuntimeError::META.id,
                format!("{}: {}", d.error_type, d.message),
                "this is what PyTorch would raise on this line: fix the shapes or the code",
            ),
            DiagKind::Budget => (
                SnippetBudgetExceeded::META.id,
                d.message.clone(),
                "a snippet should finish quickly: bound the loop, or mark the fence `python no-check`",
            ),
            DiagKind::ExpectedErrorMissing => (
                ExpectedErrorMissing::META.id,
                d.message.clone(),
                "the block is marked `expect-error` but runs clean: fix the example or the marker",
            ),
        };
        let level = config.rule(rule).level;
        if level == Severity::Off {
            continue;
        }
        let span = match (d.kind, fences.get(d.block)) {
            (DiagKind::ExpectedErrorMissing, Some(fence)) => *fence,
            _ => remap(d.block, d.offset, d.len),
        };
        let mut f = Finding::new(rule, id, span, msg)
            .label(match d.kind {
                DiagKind::Runtime => "fails here",
                DiagKind::Syntax => "syntax error",
                _ => "here",
            })
            .help(help);
        for fr in &d.traceback {
            f = f.related(id, remap(d.block, fr.offset, fr.len), fr.text.clone());
        }
        f.severity = level;
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_to_crlf_and_indented_files() {
        for text in [
            "```python\nx = 1\ny = x + 2\n```\n",
            "```python\r\nx = 1\r\ny = x + 2\r\n```\r\n",
            "- item\n\n    ```python\n    x = 1\n    y = x + 2\n    ```\n",
        ] {
            let file = SourceFile::new("t.md", text.to_string());
            let code_start = text.find("x = 1").unwrap();
            let block = Block {
                code: "x = 1\ny = x + 2\n".into(),
                first_line: file.line_col(code_start).0,
                offset: code_start,
                mode: snippets::Mode::Check,
                cell: None,
            };
            // `x + 2` on the second code line.
            let p = block.code.find("x + 2").unwrap();
            let at = to_file(&file, &block, block.offset + p);
            assert_eq!(&text[at..at + 5], "x + 2", "{text:?}");
        }
    }
}
