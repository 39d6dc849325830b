//! The lint pipeline: load → per-lesson rules (in parallel) → cross-file rules → sorted findings.

use crate::config::Config;
use crate::model::SourceMap;
use crate::rules::{self, Finding, Severity};
use crate::workspace::{self, LoadError, LoadOptions, Workspace};
use rayon::prelude::*;
use std::path::PathBuf;

/// What a lint run produced.
#[derive(Debug)]
pub struct LintOutcome {
    pub workspace: Workspace,
    pub findings: Vec<Finding>,
    /// Human notes about the run (checks skipped, files passed over).
    pub notes: Vec<String>,
}

impl LintOutcome {
    pub fn sources(&self) -> &SourceMap {
        &self.workspace.sources
    }
    pub fn count(&self, sev: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == sev).count()
    }
}

/// Lints every file under `paths`.
pub fn lint_paths(
    paths: &[PathBuf],
    config: &Config,
    load: &LoadOptions,
) -> Result<LintOutcome, LoadError> {
    let ws = workspace::load(paths, load)?;
    Ok(lint_workspace(ws, config))
}

/// Lints an already loaded workspace.
pub fn lint_workspace(ws: Workspace, config: &Config) -> LintOutcome {
    let mut findings: Vec<Finding> = ws
        .file_findings
        .iter()
        .cloned()
        .map(|mut f| {
            f.severity = config.rule(f.rule).level;
            f
        })
        .collect();
    let per_lesson: Vec<Vec<Finding>> = ws
        .lessons
        .par_iter()
        .map(|lesson| rules::check_lesson(&ws.sources, lesson, config))
        .collect();
    findings.extend(per_lesson.into_iter().flatten());
    let mut notes = Vec::new();
    let (cross, cross_notes) = check_cross(&ws, config);
    findings.extend(cross);
    notes.extend(cross_notes);
    if !ws.skipped.is_empty() {
        notes.push(format!(
            "{} Markdown file{} not part of the curriculum format passed over: {}",
            ws.skipped.len(),
            if ws.skipped.len() == 1 { "" } else { "s" },
            ws.skipped
                .iter()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    findings.retain(|f| f.severity != Severity::Off);
    sort_findings(&ws.sources, &mut findings);
    findings.dedup();
    LintOutcome {
        workspace: ws,
        findings,
        notes,
    }
}

/// The cross-lesson stage: assembles the curriculum and its concept graph and runs the
/// curriculum rules. Returns the findings and notes on checks skipped.
pub fn check_cross(ws: &Workspace, config: &Config) -> (Vec<Finding>, Vec<String>) {
    let curriculum = ws.curriculum();
    let graph =
        crate::graph::ConceptGraph::build(&curriculum, &rules::cross::match_settings(config));
    let findings = rules::cross::check_curriculum(&ws.sources, &curriculum, &graph, config);
    let notes = rules::cross::notes(&curriculum, &graph, config);
    (findings, notes)
}

/// Deterministic order: file name, line, column, rule, message.
pub fn sort_findings(sources: &SourceMap, findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let fa = &sources.get(a.file).name;
        let fb = &sources.get(b.file).name;
        fa.cmp(fb)
            .then(a.span.start.cmp(&b.span.start))
            .then(a.rule.cmp(b.rule))
            .then(a.message.cmp(&b.message))
    });
}
