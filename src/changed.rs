//! `lint --changed-since REF`: which files of a run changed since a git ref, and which lessons
//! depend on the changed lessons.
//!
//! Changed files come from git (`git diff --name-only` against the merge base of REF and HEAD,
//! plus untracked files). A lesson depends on a changed lesson when it comes after it in course
//! order and requires a concept the changed lesson teaches, or one of its prerequisite or
//! Phase 1 concept rows names that lesson's slug in its Source cell, or its `Previous lesson`
//! header names it: those are the lessons whose prerequisites the changed lesson feeds.

use crate::config::Config;
use crate::graph::ConceptGraph;
use crate::model::curriculum::SourceRef;
use crate::model::{FileId, Lesson};
use crate::rules;
use crate::workspace::Workspace;
use std::collections::{BTreeMap, BTreeSet};
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
    SourceRef::parse_list(cell)
        .into_iter()
        .map(|r| r.slug)
        .collect()
}

/// The changed lessons `lesson` names as a source or as its previous lesson, by slug.
fn names_changed(lesson: &Lesson, changed: &BTreeSet<String>) -> BTreeSet<String> {
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
    let mut via = BTreeSet::new();
    for cell in cells {
        for s in source_slugs(cell) {
            if s != lesson.slug && changed.contains(&s) {
                via.insert(s);
            }
        }
    }
    via
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
/// them: lessons after a changed lesson in course order that require a concept it teaches
/// (according to the concept graph; for a changed record, after the lesson the concept is
/// recorded for), and later lessons that name a changed lesson as a Source or as their previous
/// lesson.
pub fn select(ws: &Workspace, config: &Config, changed_paths: &[PathBuf]) -> Selection {
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
        if in_lessons
            && !p.exists()
            && p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
        {
            if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                slugs.insert(stem.to_string());
            }
        }
    }
    let mut deps: BTreeMap<FileId, BTreeSet<String>> = BTreeMap::new();
    // Only lessons after the one that teaches a concept depend on it (course order); an earlier
    // lesson that requires the same concept learnt it elsewhere.
    let cur = ws.curriculum();
    let order_of_file = |f: FileId| cur.lesson_of_file(f).map(|l| l.order);
    let after = |dependent: Option<usize>, feeder: Option<usize>| match (dependent, feeder) {
        (Some(d), Some(f)) => d > f,
        _ => true,
    };
    // From the concept graph: concepts taught by changed lessons or recorded in changed records,
    // with the course index of the lesson that teaches them.
    let graph = ConceptGraph::build(&cur, &rules::cross::match_settings(config));
    let mut feeding: BTreeMap<usize, Vec<(String, Option<usize>)>> = BTreeMap::new();
    for t in &graph.taught {
        let lesson_changed = slugs.contains(&t.slug);
        let record_changed = sel.changed.contains(&t.record);
        if lesson_changed || record_changed {
            let why = if lesson_changed {
                t.slug.clone()
            } else {
                ws.sources.get(t.record).name.clone()
            };
            let at = t.lesson.or_else(|| cur.lesson_index(&t.slug));
            feeding.entry(t.concept).or_default().push((why, at));
        }
    }
    for c in &graph.claims {
        let Some(m) = c.concept_match else { continue };
        for (why, at) in feeding.get(&m.target).into_iter().flatten() {
            if after(Some(c.lesson), *at) {
                deps.entry(c.file).or_default().insert(why.clone());
            }
        }
    }
    // From the Source cells and headers themselves (also without records).
    for l in &ws.lessons {
        let here = order_of_file(l.file);
        let via: BTreeSet<String> = names_changed(l, &slugs)
            .into_iter()
            .filter(|s| after(here, cur.lesson_index(s)))
            .collect();
        if !via.is_empty() {
            deps.entry(l.file).or_default().extend(via);
        }
    }
    for (file, via) in deps {
        if sel.changed.contains(&file) {
            continue;
        }
        let own = ws
            .lessons
            .iter()
            .find(|l| l.file == file)
            .map(|l| l.slug.clone());
        let via: Vec<String> = via
            .into_iter()
            .filter(|v| Some(v) != own.as_ref())
            .collect();
        if !via.is_empty() {
            sel.dependents.push((file, via));
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
        assert_eq!(
            source_slugs("loss-functions and training-loop"),
            vec!["loss-functions", "training-loop"]
        );
    }
}
