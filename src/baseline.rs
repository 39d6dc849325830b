//! Fingerprints of findings and the baseline file built from them.
//!
//! A fingerprint identifies a finding by what it points at, not by where: the rule, the
//! normalised text of the primary span's first line (plus the span's own text when it is only
//! part of that line, such as one table cell), and an occurrence index among findings of the
//! same rule on identical content in the same file. Adding or removing lines elsewhere in the
//! file moves a finding without changing its fingerprint.
//!
//! `--write-baseline FILE` records today's findings; `--baseline FILE` keeps only the findings
//! whose fingerprint is not in the file and counts the entries that no longer match anything.

use crate::model::{SourceFile, SourceMap, Span};
use crate::rules::Finding;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

/// Version of the fingerprint scheme; a new scheme gets a new key.
pub const FINGERPRINT_KEY: &str = "lessonlint/v1";

/// FNV-1a, 64 bits: small, stable across platforms and Rust versions.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The content a finding points at: its first line, plus the span's own text when the span is a
/// part of that line.
fn content(file: &SourceFile, span: Span) -> String {
    let text = &file.text;
    let start = span.start.min(text.len());
    let (line, _) = file.line_col(start);
    let ls = file.line_span(line);
    let line_text = &text[ls.start..ls.end.max(ls.start)];
    let end = span.end.clamp(start, ls.end.max(start));
    let mut out = normalise(line_text);
    let part = text.get(start..end).unwrap_or("");
    if !part.is_empty() && (start > ls.start || end < ls.end) {
        out.push('\u{1f}');
        out.push_str(&normalise(part));
    }
    out
}

/// The fingerprint of every finding, in the same order as `findings` (16 hex digits each).
pub fn fingerprints(sources: &SourceMap, findings: &[Finding]) -> Vec<String> {
    // Hash of (rule, content) per finding, then occurrence indices in span order per file.
    let bases: Vec<u64> = findings
        .iter()
        .map(|f| {
            let c = content(sources.get(f.file), f.span);
            let mut key = Vec::with_capacity(f.rule.len() + c.len() + 1);
            key.extend_from_slice(f.rule.as_bytes());
            key.push(0);
            key.extend_from_slice(c.as_bytes());
            fnv1a64(&key)
        })
        .collect();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&findings[a], &findings[b]);
        fa.file
            .cmp(&fb.file)
            .then(bases[a].cmp(&bases[b]))
            .then(fa.span.start.cmp(&fb.span.start))
            .then(fa.message.cmp(&fb.message))
            .then(a.cmp(&b))
    });
    let mut out = vec![String::new(); findings.len()];
    let mut seen: HashMap<(usize, u64), u64> = HashMap::new();
    for i in order {
        let n = seen.entry((findings[i].file.0, bases[i])).or_insert(0);
        let mut key = bases[i].to_le_bytes().to_vec();
        key.extend_from_slice(&n.to_le_bytes());
        out[i] = format!("{:016x}", fnv1a64(&key));
        *n += 1;
    }
    out
}

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
pub struct Entry {
    /// Path relative to the baseline file's directory, with `/` separators.
    pub file: String,
    pub rule: String,
    pub fingerprint: String,
    /// The message when it was recorded (for people reading the file; not matched).
    #[serde(default)]
    pub message: String,
}

/// The baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub fingerprint: String,
    pub findings: Vec<Entry>,
}

/// A problem reading or writing a baseline file.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot write baseline {path}: {error}")]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path} is not a lessonlint baseline: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// What applying a baseline did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings dropped because the baseline knows them.
    pub known: usize,
    /// Baseline entries that matched no finding (fixed, or their content changed).
    pub gone: usize,
    /// The gone entries, for display.
    pub gone_entries: Vec<Entry>,
}

fn lexical_absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The canonical form of `p`: symlinks resolved when it exists, else its lexical absolute path
/// (a file that is not on disk, or a baseline about to be written, still gets a stable name).
fn canonical(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    // Resolve the deepest existing ancestor and append the rest, so that a new file below a
    // symlinked directory gets the same name as its neighbours.
    let abs = lexical_absolute(p);
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    let mut base = abs.as_path();
    while let Some(parent) = base.parent() {
        if let Some(name) = base.file_name() {
            rest.push(name);
        }
        if let Ok(mut c) = std::fs::canonicalize(parent) {
            for n in rest.iter().rev() {
                c.push(n);
            }
            return c;
        }
        base = parent;
    }
    abs
}

/// `to` relative to the directory `from` (both canonical), with `/` separators: `../a/b.md`.
/// Paths with no common root (another drive) stay absolute.
fn relative(from: &Path, to: &Path) -> String {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    if f.first() != t.first() {
        return to.to_string_lossy().replace('\\', "/");
    }
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The directory a baseline file at `path` lives in, canonical.
fn baseline_dir(path: &Path) -> PathBuf {
    let abs = canonical(path);
    abs.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The canonical path of every source file, by file id.
fn canonical_sources(sources: &SourceMap) -> Vec<PathBuf> {
    sources.files.iter().map(|f| canonical(&f.path)).collect()
}

/// The canonical path an entry's `file` names, read against the baseline's directory.
/// Entries written on Windows (`\` separators) read the same.
fn entry_target(dir: &Path, file: &str) -> PathBuf {
    let file = file.replace('\\', "/");
    canonical(&dir.join(Path::new(&file)))
}

/// The entries for `findings` as they would be stored in a baseline at `path`.
pub fn entries(path: &Path, sources: &SourceMap, findings: &[Finding]) -> Vec<Entry> {
    let dir = baseline_dir(path);
    let names: Vec<String> = canonical_sources(sources)
        .iter()
        .map(|p| relative(&dir, p))
        .collect();
    let fps = fingerprints(sources, findings);
    let mut v: Vec<Entry> = findings
        .iter()
        .zip(fps)
        .map(|(f, fp)| Entry {
            file: names[f.file.0].clone(),
            rule: f.rule.to_string(),
            fingerprint: fp,
            message: f.message.clone(),
        })
        .collect();
    v.sort();
    v
}

/// Renders a baseline file (pretty JSON, sorted, with a trailing newline).
pub fn render(entries: Vec<Entry>) -> String {
    let b = Baseline {
        version: 1,
        fingerprint: FINGERPRINT_KEY.to_string(),
        findings: entries,
    };
    let mut s = serde_json::to_string_pretty(&b).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes today's findings to `path`; returns how many were recorded.
pub fn write(
    path: &Path,
    sources: &SourceMap,
    findings: &[Finding],
) -> Result<usize, BaselineError> {
    let e = entries(path, sources, findings);
    let n = e.len();
    std::fs::write(path, render(e)).map_err(|error| BaselineError::Write {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(n)
}

/// Reads a baseline file.
pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
    let text = std::fs::read_to_string(path).map_err(|error| BaselineError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    parse(path, &text)
}

/// Parses baseline text.
pub fn parse(path: &Path, text: &str) -> Result<Baseline, BaselineError> {
    let b: Baseline = serde_json::from_str(text).map_err(|e| BaselineError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if b.version != 1 || b.fingerprint != FINGERPRINT_KEY {
        return Err(BaselineError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "version {} with fingerprints `{}`; this lessonlint writes version 1 with `{FINGERPRINT_KEY}` (write it again with --write-baseline)",
                b.version, b.fingerprint
            ),
        });
    }
    Ok(b)
}

/// Drops the findings the baseline (stored at `path`) knows; each entry excuses one finding.
pub fn apply(
    path: &Path,
    baseline: &Baseline,
    sources: &SourceMap,
    findings: &mut Vec<Finding>,
) -> Applied {
    let dir = baseline_dir(path);
    let files = canonical_sources(sources);
    let fps = fingerprints(sources, findings);
    let mut targets: HashMap<&str, PathBuf> = HashMap::new();
    let mut budget: BTreeMap<(PathBuf, String, String), Vec<&Entry>> = BTreeMap::new();
    for e in &baseline.findings {
        let target = targets
            .entry(e.file.as_str())
            .or_insert_with(|| entry_target(&dir, &e.file))
            .clone();
        budget
            .entry((target, e.rule.clone(), e.fingerprint.clone()))
            .or_default()
            .push(e);
    }
    let mut keep = vec![true; findings.len()];
    let mut known = 0;
    for (i, f) in findings.iter().enumerate() {
        let file = files[f.file.0].clone();
        if let Some(v) = budget.get_mut(&(file, f.rule.to_string(), fps[i].clone())) {
            if v.pop().is_some() {
                keep[i] = false;
                known += 1;
            }
        }
    }
    let gone_entries: Vec<Entry> = budget.into_values().flatten().cloned().collect();
    let mut it = keep.iter();
    findings.retain(|_| *it.next().unwrap_or(&true));
    Applied {
        known,
        gone: gone_entries.len(),
        gone_entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileId, SourceFile};

    fn map(text: &str) -> SourceMap {
        let mut m = SourceMap::default();
        m.add(SourceFile::new("lessons/a.md", text.to_string()));
        m
    }

    fn at(text: &str, needle: &str, rule: &'static str) -> Finding {
        let s = text.find(needle).expect("needle");
        Finding::new(rule, FileId(0), Span::new(s, s + needle.len()), "m")
    }

    #[test]
    fn fnv_matches_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn fingerprint_survives_lines_added_above() {
        let a = "# T\n\n| x | FOO |\n";
        let b = "# T\n\nnew paragraph\n\nmore\n\n|  x |   FOO |\n";
        let fa = fingerprints(&map(a), &[at(a, "FOO", "r")]);
        let fb = fingerprints(&map(b), &[at(b, "FOO", "r")]);
        assert_eq!(fa, fb);
        assert_eq!(fa[0].len(), 16);
    }

    #[test]
    fn fingerprint_depends_on_rule_content_and_occurrence() {
        let t = "x FOO\nx FOO\ny FOO\n";
        let m = map(t);
        let f1 = Finding::new("r", FileId(0), Span::new(2, 5), "m");
        let f2 = Finding::new("r", FileId(0), Span::new(8, 11), "m");
        let f3 = Finding::new("r", FileId(0), Span::new(14, 17), "m");
        let f4 = Finding::new("s", FileId(0), Span::new(2, 5), "m");
        let fp = fingerprints(&m, &[f1, f2, f3, f4]);
        assert_ne!(fp[0], fp[1], "same content, second occurrence");
        assert_ne!(fp[0], fp[2], "different line");
        assert_ne!(fp[0], fp[3], "different rule");
    }

    #[test]
    fn apply_counts_known_and_gone() {
        let t = "a\nb\n";
        let m = map(t);
        let path = Path::new("baseline.json");
        let old = vec![at(t, "a", "r"), at(t, "b", "r")];
        let b = Baseline {
            version: 1,
            fingerprint: FINGERPRINT_KEY.into(),
            findings: entries(path, &m, &old),
        };
        let t2 = "a\nc\n";
        let m2 = map(t2);
        let mut now = vec![at(t2, "a", "r"), at(t2, "c", "r")];
        let applied = apply(path, &b, &m2, &mut now);
        assert_eq!(applied.known, 1);
        assert_eq!(applied.gone, 1);
        assert_eq!(now.len(), 1);
        assert_eq!(now[0].span.start, 2);
    }

    #[test]
    fn relative_paths_climb_out_of_the_baseline_directory() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(
            r("/w/bl", "/w/broken/series-3/a.md"),
            "../broken/series-3/a.md"
        );
        assert_eq!(r("/w", "/w/broken/a.md"), "broken/a.md");
        assert_eq!(r("/w/a/b", "/x/c.md"), "../../../x/c.md");
        assert_eq!(r("/", "/c.md"), "c.md");
    }

    #[test]
    fn parse_rejects_other_versions() {
        let e = parse(
            Path::new("b.json"),
            r#"{"version":2,"fingerprint":"x","findings":[]}"#,
        );
        assert!(matches!(e, Err(BaselineError::Invalid { .. })));
        assert!(parse(Path::new("b.json"), "not json").is_err());
    }
}
