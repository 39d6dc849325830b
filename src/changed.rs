//! `lint --changed-since REF`: which files of a run changed since a git ref, and which lessons
//! depend on the changed lessons.
//!
//! Changed files come from git (`git diff --name-only` against the merge base of REF and HEAD,
//! plus untracked files). A lesson depends on a changed lesson when one of its prerequisite or
//! Phase 1 concept rows names that lesson's slug in its Source cell, or its `Previous lesson`
//! header names it: those are the lessons whose prerequisites the changed lesson feeds.

use crate::model::{FileId, Lesson};
use crate::workspace::Workspace;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A problem asking git.
#[derive(Debug, thiserror::Error)]
pub enum ChangedError {
    #[error("cannot run git: {0}")]
    Spawn(std::io::Error),
    #[error("git {args}: {message}")]
    Git { args: String, message: String },
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, ChangedError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(ChangedError::Spawn)?;
    if !out.status.success() {
        return Err(ChangedError::Git {
            args: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

fn nul_paths(root: &Path, bytes: &[u8]) -> Vec<PathBuf> {
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| root.join(String::from_utf8_lossy(s).as_ref()))
        .collect()
}

/// Files changed since `since` in the git repository around `dir`: committed, staged, unstaged
/// and untracked (deleted files included), as absolute paths.
pub fn changed_files(dir: &Path, since: &str) -> Result<Vec<PathBuf>, ChangedError> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let root = PathBuf::from(String::from_utf8_lossy(&top).trim());
    // Compare with the merge base, so that changes made on REF's side since the branch point are
    // not taken for changes of this branch.
    let base = match git(&root, &["merge-base", since, "HEAD"]) {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
        Err(_) => {
            // Not a commit with a common history (or no HEAD yet): check that it names anything.
            git(
                &root,
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("{since}^{{commit}}"),
                ],
            )
            .map_err(|_| ChangedError::Git {
                args: format!("rev-parse {since}"),
                message: format!("`{since}` is not a commit in this repository"),
            })?;
            since.to_string()
        }
    };
    let mut out = nul_paths(
        &root,
        &git(
            &root,
            &["diff", "--name-only", "--no-renames", "-z", &base, "--"],
        )?,
    );
    out.extend(nul_paths(
        &root,
        &git(
            &root,
            &[
                "ls-files",
                "--others",
                "--exclude-standard",
                "--full-name",
                "-z",
            ],
        )?,
    ));
    out.sort();
    out.dedup();
    Ok(out)
}

/// The lesson slugs named in a Source cell: `architecture-evolution (3.2)` →
/// `architecture-evolution`; `training-dynamics (1.3), nn-module (2.1)` → both; `-` → none.
pub fn source_slugs(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Drop parentheticals, then split on list separators.
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in cell.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c => plain.push(c),
        }
    }
    let plain = plain
        .replace("->", ",")
        .replace('→', ",")
        .replace(" and ", ",");
    for part in plain.split([',', ';', '/', '+', '&']) {
        {
            let t = part.trim().trim_matches(['`', '*', '_', '"', '\'']).trim();
            if t.is_empty() || t.split_whitespace().count() != 1 {
                continue;
            }
            let slug_like = t
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
                && t.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            if slug_like && !out.iter().any(|s| s == t) {
                out.push(t.to_string());
            }
        }
    }
    out
}

fn mentions(cell: &str, slug: &str) -> bool {
    source_slugs(cell).iter().any(|s| s == slug)
}

/// The changed lessons `lesson` depends on, by slug.
fn feeds(lesson: &Lesson, changed: &BTreeSet<String>) -> Vec<String> {
    let mut via: BTreeSet<String> = BTreeSet::new();
    let cells = lesson
        .prerequisites
        .iter()
        .map(|p| p.source.text.as_str())
        .chain(lesson.concepts.iter().map(|c| c.source.text.as_str()))
        .chain(
            lesson
                .header_value("Previous lesson")
                .map(|c| c.text.as_str()),
        );
    for cell in cells {
        for slug in changed {
            if slug != &lesson.slug && mentions(cell, slug) {
                via.insert(slug.clone());
            }
        }
    }
    via.into_iter().collect()
}

/// The files of a run a changed-lessons lint reports on.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Files of the run that changed (lessons, records, plans).
    pub changed: Vec<FileId>,
    /// Lessons that did not change but depend on a changed lesson, with the slugs they depend on.
    pub dependents: Vec<(FileId, Vec<String>)>,
    /// Slugs of changed or deleted lesson plans.
    pub changed_slugs: Vec<String>,
}

impl Selection {
    pub fn contains(&self, f: FileId) -> bool {
        self.changed.contains(&f) || self.dependents.iter().any(|(d, _)| *d == f)
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Which files of `ws` changed (given git's list of changed paths) and which lessons depend on
/// the changed lessons.
pub fn select(ws: &Workspace, changed_paths: &[PathBuf]) -> Selection {
    let changed_set: BTreeSet<PathBuf> = changed_paths.iter().map(|p| canonical(p)).collect();
    let mut sel = Selection::default();
    for (i, f) in ws.sources.files.iter().enumerate() {
        if changed_set.contains(&canonical(&f.path)) {
            sel.changed.push(FileId(i));
        }
    }
    let mut slugs: BTreeSet<String> = ws
        .lessons
        .iter()
        .filter(|l| sel.changed.contains(&l.file))
        .map(|l| l.slug.clone())
        .collect();
    // Deleted lesson plans: their stem is their slug.
    for p in changed_paths {
        let in_lessons = p
            .parent()
            .and_then(|d| d.file_name())
            .is_some_and(|n| n == "lessons");
        if in_lessons && !p.exists() && p.extension().is_some_and(|e| e == "md") {
            if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                slugs.insert(stem.to_string());
            }
        }
    }
    for l in &ws.lessons {
        if sel.changed.contains(&l.file) {
            continue;
        }
        let via = feeds(l, &slugs);
        if !via.is_empty() {
            sel.dependents.push((l.file, via));
        }
    }
    sel.changed_slugs = slugs.into_iter().collect();
    sel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_source_cells() {
        assert_eq!(
            source_slugs("architecture-evolution (3.2)"),
            vec!["architecture-evolution"]
        );
        assert_eq!(
            source_slugs("training-dynamics (1.3), `nn-module` (2.1)"),
            vec!["training-dynamics", "nn-module"]
        );
        assert!(source_slugs("-").is_empty());
        assert!(source_slugs("This lesson").is_empty());
        assert!(source_slugs("Records (3.1)").is_empty());
        assert_eq!(
            source_slugs("building-a-cnn -> mnist-cnn-project"),
            vec!["building-a-cnn", "mnist-cnn-project"]
        );
        assert_eq!(
            source_slugs("loss-functions and training-loop"),
            vec!["loss-functions", "training-loop"]
        );
    }
}
