//! Finding and reading the files of a run: paths given on the command line (files or
//! directories), read into a [`SourceMap`], classified and parsed.
//!
//! Problems that belong to one file (not UTF-8, too large, empty, not a lesson plan) become
//! findings located in that file; problems with the run itself (a missing path, a directory with
//! nothing to lint) are a [`LoadError`] and exit code 2.

use crate::model::curriculum::{Curriculum, Documents};
use crate::model::{FileId, Lesson, ModulePlan, Record, SourceFile, SourceMap, Span};
use crate::parse::{self, DocKind};
use crate::rules::{Finding, Severity};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Largest file read, in bytes (a lesson plan is ~50 KB; 8 MiB is far beyond any real one).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A problem with the run itself.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{0}: no lesson plans, records, module plans or notebooks found")]
    Empty(PathBuf),
}

/// Everything read for one run.
#[derive(Debug, Default)]
pub struct Workspace {
    pub sources: SourceMap,
    pub lessons: Vec<Lesson>,
    pub records: Vec<Record>,
    pub plans: Vec<ModulePlan>,
    /// Notebooks (`.ipynb`) given or found.
    pub notebooks: Vec<FileId>,
    /// Other files of the format that were read but are not linted (course.md, series plans).
    pub other: Vec<(FileId, DocKind)>,
    /// Findings about files as files (encoding, size, not a lesson plan).
    pub file_findings: Vec<Finding>,
    /// Markdown files in a directory walk that are not part of the format (README.md, notes).
    pub skipped: Vec<PathBuf>,
    /// The directories given (roots of a curriculum tree), if any.
    pub roots: Vec<PathBuf>,
}

/// Options for loading.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub max_file_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// Rule id for files that cannot be read as text.
pub const RULE_UNREADABLE: &str = "unreadable-file";
/// Rule id for files that are not lesson plans although given as one.
pub const RULE_NOT_A_LESSON: &str = "not-a-lesson-plan";

struct Candidate {
    path: PathBuf,
    /// Given explicitly on the command line (so it must be a lesson plan or another known kind).
    explicit: bool,
}

/// Collects the files under `paths` (sorted, deterministic).
fn collect(paths: &[PathBuf]) -> Result<(Vec<Candidate>, Vec<PathBuf>), LoadError> {
    let mut out = Vec::new();
    let mut roots = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound(p.clone()),
            _ => LoadError::Io {
                path: p.clone(),
                error: e,
            },
        })?;
        if meta.is_dir() {
            roots.push(p.clone());
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|error| LoadError::Io {
                path: p.clone(),
                error,
            })?;
            found.sort();
            if found.is_empty() {
                return Err(LoadError::Empty(p.clone()));
            }
            out.extend(found.into_iter().map(|path| Candidate {
                path,
                explicit: false,
            }));
        } else {
            out.push(Candidate {
                path: p.clone(),
                explicit: true,
            });
        }
    }
    Ok((out, roots))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        let ft = entry.file_type()?;
        if ft.is_dir() {
            walk(&path, out)?;
        } else if name.ends_with(".md") || name.ends_with(".ipynb") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a file as text. Returns the text and, when the bytes are not UTF-8, the byte offset of
/// the first invalid byte in the (lossily decoded) text.
fn read_text(path: &Path, max: u64) -> Result<(String, Option<String>), LoadError> {
    let io = |error| LoadError::Io {
        path: path.to_path_buf(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > max {
        return Ok((
            String::new(),
            Some(format!(
                "file is {} bytes; files over {} bytes are not read",
                meta.len(),
                max
            )),
        ));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, None)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            Ok((
                text,
                Some(format!(
                    "not valid UTF-8: invalid byte 0x{:02X} at byte {valid} (line {line})",
                    bytes[valid]
                )),
            ))
        }
    }
}

/// Reads, classifies and parses every file under `paths`.
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Result<Workspace, LoadError> {
    let (candidates, roots) = collect(paths)?;
    // Read in parallel, keep the sorted order.
    let read: Vec<Result<(String, Option<String>), LoadError>> = candidates
        .par_iter()
        .map(|c| read_text(&c.path, opts.max_file_bytes))
        .collect();
    let mut ws = Workspace {
        roots,
        ..Default::default()
    };
    let mut to_parse: Vec<(FileId, DocKind)> = Vec::new();
    for (c, r) in candidates.iter().zip(read) {
        let (text, problem) = r?;
        let is_notebook = c.path.extension().is_some_and(|e| e == "ipynb");
        let kind = if is_notebook {
            DocKind::Other
        } else {
            parse::classify(&c.path, &text)
        };
        let id = ws.sources.add(SourceFile::new(&c.path, text));
        if let Some(msg) = problem {
            let text = &ws.sources.get(id).text;
            let span = first_bad_char(text);
            ws.file_findings.push(
                Finding::new(RULE_UNREADABLE, id, span, msg)
                    .label("cannot be read as text here")
                    .help("save the file as UTF-8 text"),
            );
            continue;
        }
        if is_notebook {
            ws.notebooks.push(id);
            continue;
        }
        match kind {
            DocKind::Other => {
                if c.explicit {
                    let text = &ws.sources.get(id).text;
                    let msg = if text.trim().is_empty() {
                        "the file is empty: a lesson plan starts with a `# Lesson: …` title"
                            .to_string()
                    } else {
                        "not a lesson plan: no lesson title and no `## Phase 1` section".to_string()
                    };
                    ws.file_findings.push(
                        Finding::new(RULE_NOT_A_LESSON, id, Span::new(0, first_line_len(text)), msg)
                            .label("expected a lesson plan")
                            .help("a lesson plan starts with `# Lesson: Title` and has phases as `## Phase 1: Student State` …; see FORMAT.md"),
                    );
                } else {
                    ws.skipped.push(c.path.clone());
                }
            }
            k => to_parse.push((id, k)),
        }
    }
    let sources = &ws.sources;
    let parsed: Vec<Parsed> = to_parse
        .par_iter()
        .map(|&(id, kind)| {
            let f = sources.get(id);
            match kind {
                DocKind::Lesson => {
                    Parsed::Lesson(Box::new(parse::parse_lesson_at(id, &f.path, &f.text)))
                }
                DocKind::Record => Parsed::Record(parse::parse_record(id, &f.text)),
                DocKind::ModulePlan => Parsed::Plan(parse::parse_module_plan(id, &f.text)),
                other => Parsed::Other(id, other),
            }
        })
        .collect();
    for p in parsed {
        match p {
            Parsed::Lesson(l) => ws.lessons.push(*l),
            Parsed::Record(r) => ws.records.push(r),
            Parsed::Plan(p) => ws.plans.push(p),
            Parsed::Other(id, k) => ws.other.push((id, k)),
        }
    }
    for f in &mut ws.file_findings {
        f.severity = Severity::Error;
    }
    if ws.lessons.is_empty()
        && ws.records.is_empty()
        && ws.plans.is_empty()
        && ws.notebooks.is_empty()
        && ws.file_findings.is_empty()
    {
        let p = paths.first().cloned().unwrap_or_default();
        return Err(LoadError::Empty(p));
    }
    Ok(ws)
}

impl Workspace {
    /// The parsed documents, for assembling the curriculum.
    pub fn documents(&self) -> Documents<'_> {
        Documents {
            sources: &self.sources,
            lessons: &self.lessons,
            records: &self.records,
            plans: &self.plans,
            course: self
                .other
                .iter()
                .find(|(_, k)| *k == DocKind::Course)
                .map(|(id, _)| *id),
        }
    }

    /// The curriculum of the files read: modules from `series-N/module-N-M/` directories,
    /// course order from module numbers and the plans' Lesson Sequence numbers.
    pub fn curriculum(&self) -> Curriculum<'_> {
        Curriculum::assemble(self.documents())
    }
}

enum Parsed {
    Lesson(Box<Lesson>),
    Record(Record),
    Plan(ModulePlan),
    Other(FileId, DocKind),
}

fn first_line_len(text: &str) -> usize {
    text.find(['\n', '\r']).unwrap_or(text.len())
}

fn first_bad_char(text: &str) -> Span {
    match text.find('\u{FFFD}') {
        Some(i) => Span::new(i, i + '\u{FFFD}'.len_utf8()),
        None => Span::new(0, 0),
    }
}
