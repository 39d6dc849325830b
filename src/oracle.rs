//! The optional oracle: the blocks lessonlint checks, run under a real `python3` with PyTorch,
//! and every block where lessonlint and PyTorch disagree.
//!
//! Opt-in (`lessonlint snippets --oracle python FILE`): the code really runs, with a timeout.
//! It is how the shape interpreter is held to PyTorch's own behaviour on real lesson code.

use crate::notebook;
use crate::snippets::{self, Block, Budget, DiagKind, Mode, SnippetDiag};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The blocks of a file, as lessonlint checks them: a lesson's python fences, or a notebook's
/// code cells (solutions in place of exercises that have one; other exercises left out).
pub fn blocks_of(path: &Path, text: &str) -> Result<Vec<Block>, String> {
    let is_notebook = path.extension().is_some_and(|e| e == "ipynb");
    if !is_notebook {
        return Ok(snippets::blocks_from_markdown(text));
    }
    let nb = notebook::parse(text).map_err(|e| e.message)?;
    Ok(crate::rules::reference::notebook_blocks(&nb)
        .into_iter()
        .filter(|b| b.mode != Mode::Opaque)
        .collect())
}

/// What happened to one block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// `None`: ran clean.
    pub error: Option<RaisedError>,
}

/// An error with its place: the block holding the innermost frame and the line in it
/// (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaisedError {
    #[serde(rename = "type")]
    pub ty: String,
    pub message: String,
    pub block: usize,
    pub line: usize,
}

/// lessonlint's outcome of each block.
pub fn lessonlint_outcomes(blocks: &[Block], budget: &Budget) -> Vec<Outcome> {
    let diags = snippets::check_blocks(blocks, budget);
    let mut out = vec![Outcome { error: None }; blocks.len()];
    for d in diags {
        if d.kind == DiagKind::ExpectedErrorMissing {
            continue;
        }
        if let Some(o) = out.get_mut(d.block) {
            if o.error.is_none() {
                o.error = Some(place(blocks, &d));
            }
        }
    }
    out
}

fn place(blocks: &[Block], d: &SnippetDiag) -> RaisedError {
    let (block, line) = blocks
        .iter()
        .enumerate()
        .find(|(_, b)| b.offset <= d.offset && d.offset <= b.offset + b.code.len())
        .map(|(i, b)| {
            let pos = (d.offset - b.offset).min(b.code.len());
            (i, b.code[..pos].matches('\n').count() + 1)
        })
        .unwrap_or((d.block, 1));
    RaisedError {
        ty: if d.error_type.is_empty() {
            "Budget".into()
        } else {
            d.error_type.clone()
        },
        message: d.message.clone(),
        block,
        line,
    }
}

/// Why the oracle could not give an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OracleError {
    /// `python3` could not be started.
    NoPython(String),
    /// PyTorch is not importable.
    NoTorch,
    /// The run took longer than the timeout; outcomes of the blocks that finished.
    Timeout(Vec<Outcome>),
    /// Anything else (the driver failed, the results could not be read).
    Failed(String),
}

const DRIVER: &str = r#"
import contextlib, io, json, sys, traceback
blocks_path, results_path = sys.argv[1], sys.argv[2]
try:
    import torch  # noqa: F401
except Exception:
    sys.exit(3)
with open(blocks_path) as f:
    blocks = json.load(f)
ns = {"__name__": "__main__"}
results = []
def flush():
    with open(results_path, "w") as f:
        json.dump(results, f)
flush()
for i, code in enumerate(blocks):
    name = f"<block {i}>"
    error = None
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(code, name, "exec"), ns)
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, KeyboardInterrupt):
            raise
        frames = traceback.extract_tb(e.__traceback__)
        block, line = i, getattr(e, "lineno", None) or 1
        for fr in frames:
            if fr.filename.startswith("<block "):
                block, line = int(fr.filename[7:-1]), fr.lineno
        if isinstance(e, SyntaxError) and e.filename and e.filename.startswith("<block "):
            block, line = int(e.filename[7:-1]), e.lineno or 1
        msg = e.msg if isinstance(e, SyntaxError) else str(e)
        error = {"type": type(e).__name__, "message": msg, "block": block, "line": line}
    results.append({"error": error})
    flush()
"#;

fn temp_path(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "lessonlint-oracle-{}-{n}-{tag}.json",
        std::process::id()
    ))
}

/// Whether `python` can import torch (for tests that need the oracle).
pub fn torch_available(python: &str) -> bool {
    Command::new(python)
        .args(["-c", "import torch"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs the blocks under `python` (one namespace, in order) within `timeout`.
pub fn python_outcomes(
    python: &str,
    blocks: &[Block],
    timeout: Duration,
) -> Result<Vec<Outcome>, OracleError> {
    let codes: Vec<&str> = blocks.iter().map(|b| b.code.as_str()).collect();
    let bpath = temp_path("blocks");
    let rpath = temp_path("results");
    let cleanup = |_: ()| {
        let _ = std::fs::remove_file(&bpath);
        let _ = std::fs::remove_file(&rpath);
    };
    let json = serde_json::to_string(&codes).map_err(|e| OracleError::Failed(e.to_string()))?;
    std::fs::write(&bpath, json).map_err(|e| OracleError::Failed(e.to_string()))?;
    let child = Command::new(python)
        .arg("-c")
        .arg(DRIVER)
        .arg(&bpath)
        .arg(&rpath)
        .env("MPLBACKEND", "Agg")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            cleanup(());
            return Err(OracleError::NoPython(format!("{python}: {e}")));
        }
    };
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                cleanup(());
                return Err(OracleError::Failed(e.to_string()));
            }
        }
    };
    let read = || -> Vec<Outcome> {
        std::fs::read_to_string(&rpath)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    };
    let result = match status {
        None => Err(OracleError::Timeout(read())),
        Some(s) if s.code() == Some(3) => Err(OracleError::NoTorch),
        Some(s) if s.success() => Ok(read()),
        Some(_) => {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            Err(OracleError::Failed(err.trim().to_string()))
        }
    };
    cleanup(());
    result
}

/// One block's comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub block: usize,
    /// 1-based line in the file of the block's first line (notebooks: 1-based cell number).
    pub line: usize,
    pub lessonlint: Option<RaisedError>,
    /// `None` in `python` when the block did not run (timeout).
    pub pytorch: Option<Option<RaisedError>>,
    pub agree: bool,
    /// Why not, in words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// Compares the outcomes block by block. Errors agree when the type matches, one message
/// contains the other, and they point at the same block and line.
pub fn compare(blocks: &[Block], ours: &[Outcome], theirs: &[Outcome]) -> Vec<Comparison> {
    blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let l = ours.get(i).and_then(|o| o.error.clone());
            let p = theirs.get(i).map(|o| o.error.clone());
            let (agree, note) = match (&l, &p) {
                (_, None) => (false, "PyTorch did not get to this block".to_string()),
                (None, Some(None)) => (true, String::new()),
                (Some(_), Some(None)) => (false, "lessonlint reports an error; PyTorch runs the block".into()),
                (None, Some(Some(_))) => (false, "PyTorch raises; lessonlint reports nothing".into()),
                (Some(a), Some(Some(b))) => {
                    if a.ty != b.ty {
                        (false, format!("different errors: {} vs {}", a.ty, b.ty))
                    } else if !(a.message.contains(&b.message) || b.message.contains(&a.message)) {
                        (false, "same error type, different message".into())
                    } else if (a.block, a.line) != (b.block, b.line) {
                        (
                            false,
                            format!(
                                "same error at a different place: block {} line {} vs block {} line {}",
                                a.block + 1,
                                a.line,
                                b.block + 1,
                                b.line
                            ),
                        )
                    } else {
                        (true, String::new())
                    }
                }
            };
            Comparison {
                block: i,
                line: b.cell.map_or(b.first_line, |c| c + 1),
                lessonlint: l,
                pytorch: p,
                agree,
                note,
            }
        })
        .collect()
}

fn describe(e: &Option<RaisedError>) -> String {
    match e {
        None => "runs clean".into(),
        Some(e) => format!(
            "{}: {} (block {}, line {})",
            e.ty,
            e.message,
            e.block + 1,
            e.line
        ),
    }
}

/// The comparison as text.
pub fn render(file: &str, notebook: bool, rows: &[Comparison]) -> String {
    let mut out = String::new();
    let at = if notebook { "cell" } else { "line" };
    for r in rows {
        let head = format!("{file}: block {} ({at} {})", r.block + 1, r.line);
        if r.agree {
            out.push_str(&format!("{head}: agree, {}\n", describe(&r.lessonlint)));
        } else {
            out.push_str(&format!("{head}: DISAGREE: {}\n", r.note));
            out.push_str(&format!("    lessonlint: {}\n", describe(&r.lessonlint)));
            match &r.pytorch {
                Some(p) => out.push_str(&format!("    PyTorch:    {}\n", describe(p))),
                None => out.push_str("    PyTorch:    did not run\n"),
            }
        }
    }
    let bad = rows.iter().filter(|r| !r.agree).count();
    out.push_str(&format!(
        "{} block{}, {bad} disagreement{}\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        if bad == 1 { "" } else { "s" }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(code: &str, first_line: usize, offset: usize) -> Block {
        Block {
            code: code.into(),
            first_line,
            offset,
            mode: Mode::Check,
            cell: None,
        }
    }

    #[test]
    fn comparison_rules() {
        let blocks = vec![block("x = 1\n", 3, 10), block("y = x + 'a'\n", 8, 40)];
        let err = |ty: &str, msg: &str, line| RaisedError {
            ty: ty.into(),
            message: msg.into(),
            block: 1,
            line,
        };
        let ours = vec![
            Outcome { error: None },
            Outcome {
                error: Some(err(
                    "TypeError",
                    "unsupported operand type(s) for +: 'int' and 'str'",
                    1,
                )),
            },
        ];
        let same = ours.clone();
        let rows = compare(&blocks, &ours, &same);
        assert!(rows.iter().all(|r| r.agree));
        let other_line = vec![
            Outcome { error: None },
            Outcome {
                error: Some(err(
                    "TypeError",
                    "unsupported operand type(s) for +: 'int' and 'str'",
                    2,
                )),
            },
        ];
        assert!(!compare(&blocks, &ours, &other_line)[1].agree);
        let clean = vec![Outcome { error: None }, Outcome { error: None }];
        let rows = compare(&blocks, &ours, &clean);
        assert_eq!(
            rows[1].note,
            "lessonlint reports an error; PyTorch runs the block"
        );
        let text = render("t.md", false, &rows);
        assert!(text.contains("t.md: block 2 (line 8): DISAGREE"), "{text}");
        assert!(text.ends_with("2 blocks, 1 disagreement\n"), "{text}");
    }

    #[test]
    fn lessonlint_places_errors_in_their_block() {
        let md = "```python\ndef f(x):\n    return x.view(3, 5)\n```\n\n```python\nimport torch\nf(torch.randn(2, 2))\n```\n";
        let blocks = snippets::blocks_from_markdown(md);
        let o = lessonlint_outcomes(&blocks, &Budget::default());
        assert_eq!(o[0].error, None);
        let e = o[1].error.as_ref().unwrap();
        assert_eq!((e.ty.as_str(), e.block, e.line), ("RuntimeError", 0, 2));
    }

    #[test]
    fn missing_python_is_an_error_not_a_panic() {
        let r = python_outcomes(
            "/nonexistent/python3",
            &[block("x = 1\n", 1, 0)],
            Duration::from_secs(5),
        );
        assert!(matches!(r, Err(OracleError::NoPython(_))));
    }
}
