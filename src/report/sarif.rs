//! `--format sarif`: SARIF 2.1.0 for code-scanning services.
//!
//! One run; the driver lists every rule with its summary, its documentation as help and its
//! configured level; each result has its region, its related locations (the finding's secondary
//! labels) and a `partialFingerprints` entry that does not change when lines are added or removed
//! elsewhere in the file (see `baseline::fingerprints`).

use super::{region, Report};
use crate::baseline::{fingerprints, FINGERPRINT_KEY};
use crate::model::{FileId, SourceMap, Span};
use crate::rules::{self, Severity};
use serde_json::{json, Map, Value};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
        Severity::Off => "none",
    }
}

/// A file name as a SARIF URI reference: relative names stay relative (resolved against the
/// directory the tool ran in); absolute paths become `file://` URIs. Characters that may not
/// appear in a URI are percent-encoded.
pub fn uri(name: &str) -> String {
    let mut out = String::new();
    let (prefix, rest) = if let Some(r) = name.strip_prefix('/') {
        ("file:///", r)
    } else if name.len() > 2
        && name.as_bytes()[1] == b':'
        && name.as_bytes()[0].is_ascii_alphabetic()
    {
        ("file:///", name)
    } else {
        ("", name.strip_prefix("./").unwrap_or(name))
    };
    out.push_str(prefix);
    for b in rest.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~/!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn physical(sources: &SourceMap, file: FileId, span: Span) -> Value {
    let f = sources.get(file);
    let p = region(f, span);
    let ls = f.line_span(p.line);
    let snippet = f.text.get(ls.start..ls.end).unwrap_or("");
    json!({
        "artifactLocation": { "uri": uri(&f.name) },
        "region": {
            "startLine": p.line,
            "startColumn": p.column,
            "endLine": p.end_line,
            "endColumn": p.end_column,
            "snippet": { "text": snippet },
        }
    })
}

/// Renders the run as a SARIF 2.1.0 log (pretty-printed JSON).
pub fn render(r: &Report) -> String {
    let metas = rules::all_meta();
    let rule_objs: Vec<Value> = metas
        .iter()
        .map(|m| {
            let docs = super::rule_docs(m.docs);
            let full = super::rule_description(m.docs).unwrap_or_else(|| m.summary.to_string());
            let level = r.config.rule(m.id).level;
            let category = serde_json::to_value(m.category).unwrap_or(Value::Null);
            json!({
                "id": m.id,
                "name": m.id,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": full },
                "help": { "text": docs, "markdown": docs },
                "defaultConfiguration": {
                    "level": sarif_level(level),
                    "enabled": level != Severity::Off,
                },
                "properties": { "tags": [category] },
            })
        })
        .collect();
    let fps = fingerprints(r.sources, r.findings);
    let results: Vec<Value> = r
        .findings
        .iter()
        .zip(&fps)
        .map(|(f, fp)| {
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut res = Map::new();
            res.insert("ruleId".into(), json!(f.rule));
            if let Some(i) = metas.iter().position(|m| m.id == f.rule) {
                res.insert("ruleIndex".into(), json!(i));
            }
            res.insert("level".into(), json!(sarif_level(f.severity)));
            res.insert("message".into(), json!({ "text": text }));
            let mut loc = json!({ "physicalLocation": physical(r.sources, f.file, f.span) });
            if let Some(l) = &f.label {
                loc["message"] = json!({ "text": l });
            }
            res.insert("locations".into(), json!([loc]));
            if !f.labels.is_empty() {
                let related: Vec<Value> = f
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        json!({
                            "id": i + 1,
                            "physicalLocation": physical(r.sources, l.file, l.span),
                            "message": { "text": l.message },
                        })
                    })
                    .collect();
                res.insert("relatedLocations".into(), Value::Array(related));
            }
            res.insert("partialFingerprints".into(), json!({ FINGERPRINT_KEY: fp }));
            Value::Object(res)
        })
        .collect();
    let notifications: Vec<Value> = r
        .notes
        .iter()
        .map(|n| json!({ "level": "note", "message": { "text": n } }))
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "lessonlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rule_objs,
                }
            },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("lessons/a b.md"), "lessons/a%20b.md");
        assert_eq!(uri("./x/y.md"), "x/y.md");
        assert_eq!(uri("/tmp/c#1.md"), "file:///tmp/c%231.md");
        assert_eq!(uri("C:/w/ü.md"), "file:///C:/w/%C3%BC.md");
    }
}
