//! `--format json`: `{"diagnostics":[…],"summary":{…}}`, sorted by file, line, rule.

use super::{position, Summary};
use crate::model::SourceMap;
use crate::rules::Finding;
use serde::Serialize;

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    label: Option<&'a str>,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
    notes: &'a [String],
}

/// Renders findings as a JSON document (one line per call is not promised; it is pretty-printed).
pub fn render(
    sources: &SourceMap,
    findings: &[Finding],
    summary: Summary,
    notes: &[String],
) -> String {
    let diagnostics = findings
        .iter()
        .map(|f| {
            let p = position(sources, f);
            JsonDiagnostic {
                rule: f.rule,
                severity: f.severity.as_str(),
                file: &sources.get(f.file).name,
                line: p.line,
                column: p.column,
                end_line: p.end_line,
                end_column: p.end_column,
                message: &f.message,
                label: f.label.as_deref(),
                help: f.help.as_deref(),
                labels: f
                    .labels
                    .iter()
                    .map(|l| {
                        let file = sources.get(l.file);
                        let (line, column) = file.line_col(l.span.start);
                        let (end_line, end_column) = file.line_col(l.span.end.max(l.span.start));
                        JsonLabel {
                            file: &file.name,
                            line,
                            column,
                            end_line,
                            end_column,
                            message: &l.message,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let report = JsonReport {
        diagnostics,
        summary,
        notes,
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
