//! Helpers shared by the `cross_*` tests: copy a fixture tree into a temporary directory, apply
//! an overlay, lint it, and describe findings as the places a user sees.
#![allow(dead_code)]

use lessonlint::config::Config;
use lessonlint::lint::{lint_paths, LintOutcome};
use lessonlint::model::{FileId, Span};
use lessonlint::rules::Finding;
use lessonlint::workspace::LoadOptions;
use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trees")
}

/// Copies `from` into `to` (creating directories), overwriting files.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let p = entry.path();
        let dest = to.join(entry.file_name());
        if p.is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// A temporary copy of `tests/fixtures/trees/<name>`.
pub fn tree(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixtures().join(name), dir.path());
    dir
}

/// Lints a directory with its own `lessonlint.yaml` if it has one.
pub fn lint_dir(root: &Path) -> LintOutcome {
    let cfg_path = root.join("lessonlint.yaml");
    let config = if cfg_path.is_file() {
        Config::load(&cfg_path).unwrap_or_else(|e| panic!("{}", e.message))
    } else {
        Config::defaults()
    };
    lint_paths(&[root.to_path_buf()], &config, &LoadOptions::default()).expect("lint")
}

/// `path:line` of a span, the path relative to `root`.
pub fn place(o: &LintOutcome, root: &Path, file: FileId, span: Span) -> String {
    let f = o.sources().get(file);
    let rel = f
        .path
        .strip_prefix(root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| f.name.clone());
    format!("{rel}:{}", f.line_col(span.start).0)
}

/// A finding as text: `rule path:line: message`, then `  = path:line: label` per label.
pub fn describe(o: &LintOutcome, root: &Path, f: &Finding) -> String {
    let mut s = format!(
        "{} {}: {}",
        f.rule,
        place(o, root, f.file, f.span),
        f.message
    );
    if let Some(l) = &f.label {
        s.push_str(&format!("\n  ^ {l}"));
    }
    for l in &f.labels {
        s.push_str(&format!(
            "\n  = {}: {}",
            place(o, root, l.file, l.span),
            l.message
        ));
    }
    s
}

/// Ids of the cross-lesson rules.
pub fn cross_ids() -> Vec<&'static str> {
    lessonlint::rules::cross::metas()
        .iter()
        .map(|m| m.id)
        .collect()
}
