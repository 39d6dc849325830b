//! `--format github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! The runner shows only the first few annotations of each level per step, so errors come
//! first, then warnings, then notices. The complete list goes to the job's step summary (the
//! file named by `GITHUB_STEP_SUMMARY`) as a Markdown table, with a Mermaid graph of the
//! prerequisites of the lessons involved: see [`step_summary`].

use super::markdown::{cell, code_cell};
use super::{by_severity, concepts, counts_line, region, Report};
use crate::model::Lesson;
use crate::rules::Severity;
use std::fmt::Write;

/// How many annotations of one level the runner shows for a step.
pub const RUNNER_ANNOTATION_LIMIT: usize = 10;

/// Escapes the message part of a workflow command (`%`, CR, LF), as the runner requires.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value of a workflow command (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        _ => "notice",
    }
}

/// The workflow commands for every finding (errors first), then one plain summary line.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    for f in by_severity(r.findings) {
        let file = r.sources.get(f.file);
        let p = region(file, f.span);
        let name = file.name.strip_prefix("./").unwrap_or(&file.name);
        let mut props = format!(
            "file={},line={},endLine={}",
            escape_property(name),
            p.line,
            p.end_line
        );
        if p.line == p.end_line {
            let _ = write!(props, ",col={},endColumn={}", p.column, p.end_column);
        }
        let _ = write!(props, ",title={}", escape_property(f.rule));
        let mut msg = f.message.clone();
        if let Some(h) = &f.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        for l in &f.labels {
            let lf = r.sources.get(l.file);
            let (line, _) = lf.line_col(l.span.start);
            let _ = write!(msg, "\nsee {}:{line}: {}", lf.name, l.message);
        }
        let _ = writeln!(
            out,
            "::{} {props}::{}",
            command(f.severity),
            escape_data(&msg)
        );
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "lessonlint: {}: {}",
        if s.errors > 0 { "failed" } else { "ok" },
        counts_line(s)
    );
    let hidden = s.errors.saturating_sub(RUNNER_ANNOTATION_LIMIT)
        + s.warnings.saturating_sub(RUNNER_ANNOTATION_LIMIT);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "lessonlint: the runner shows {RUNNER_ANNOTATION_LIMIT} annotations per level; {hidden} more are in the job summary (or run lessonlint locally)"
        );
    }
    for n in r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

/// Most table rows written to the step summary (the runner accepts 1 MiB per step).
pub const SUMMARY_MAX_ROWS: usize = 2000;

/// The job summary: counts, every finding in a table, and the prerequisite graph of the lessons
/// with findings.
pub fn step_summary(r: &Report) -> String {
    let mut out = String::new();
    let s = &r.summary;
    let _ = writeln!(
        out,
        "## lessonlint {}\n\n{}\n",
        if s.errors > 0 { "failed" } else { "passed" },
        counts_line(s)
    );
    if r.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        out.push_str("| Level | File | Line | Rule | Message |\n|---|---|---:|---|---|\n");
        for f in by_severity(r.findings).into_iter().take(SUMMARY_MAX_ROWS) {
            let file = r.sources.get(f.file);
            let p = region(file, f.span);
            let mut msg = f.message.clone();
            if let Some(h) = &f.help {
                msg.push_str(" — ");
                msg.push_str(h);
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                super::level_word(f.severity),
                code_cell(&file.name),
                p.line,
                code_cell(f.rule),
                cell(&msg)
            );
        }
        if r.findings.len() > SUMMARY_MAX_ROWS {
            let _ = writeln!(
                out,
                "\n… and {} more findings.",
                r.findings.len() - SUMMARY_MAX_ROWS
            );
        }
    }
    let involved: Vec<&Lesson> = r
        .lessons
        .iter()
        .filter(|l| r.findings.iter().any(|f| f.file == l.file))
        .collect();
    if let Some(g) = concepts::mermaid(&involved) {
        let _ = write!(
            out,
            "\n### Prerequisites of the lessons with findings\n\nConcept boxes: green OK, amber GAP, red MISSING.\n\n```mermaid\n{g}```\n"
        );
    }
    for n in r.notes {
        let _ = writeln!(out, "\n> note: {}", cell(n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_newlines_only() {
        assert_eq!(
            escape_data("100% sure:\r\nyes, no"),
            "100%25 sure:%0D%0Ayes, no"
        );
    }

    #[test]
    fn properties_escape_colons_and_commas() {
        assert_eq!(escape_property("dir,a/b:c%.md\n"), "dir%2Ca/b%3Ac%25.md%0A");
        assert_eq!(escape_property("too-few-examples"), "too-few-examples");
    }
}
