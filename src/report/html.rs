//! `--format html`: one self-contained page for reviewers (inline CSS and SVG, no scripts, no
//! external assets): an index of the findings, then for each lesson its merge gate, review
//! timeline, open review findings, a picture of its prerequisites, and its source with every
//! finding annotated inline under the line it points at.

use super::concepts::{self, xml_escape as esc};
use super::{counts_line, level_word, region, Report};
use crate::model::FileId;
use crate::review::{self, LessonReview};
use crate::rules::{Finding, Severity};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const CSS: &str = r#"
:root { --err:#b91c1c; --err-bg:#fef2f2; --warn:#b45309; --warn-bg:#fffbeb; --note:#1d4ed8; --note-bg:#eff6ff; --line:#e5e7eb; --muted:#6b7280; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:#111827; margin:0; background:#f9fafb; }
header, main { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
header h1 { margin: 8px 0 4px; font-size: 22px; }
.counts { color: var(--muted); margin: 0; }
.status-failed { color: var(--err); font-weight: 600; }
.status-ok { color: #15803d; font-weight: 600; }
section.file { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 18px; margin:18px 0; }
section.file h2 { font-size: 17px; margin: 4px 0 8px; word-break: break-all; }
h3 { font-size: 14px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
table.grid { border-collapse: collapse; margin: 4px 0 8px; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
table.grid th { background: #f3f4f6; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.gate { padding: 6px 10px; border-radius: 6px; display: inline-block; margin: 4px 0; }
.gate.ready { background: #dcfce7; color: #14532d; }
.gate.blocked { background: var(--err-bg); color: var(--err); }
.gate ul { margin: 4px 0 0; padding-left: 20px; }
.badge { display:inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; }
.badge.error { background: var(--err); color: #fff; }
.badge.warning { background: var(--warn); color: #fff; }
.badge.note { background: var(--note); color: #fff; }
.graph { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: #fff; }
table.src { border-collapse: collapse; width: 100%; font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table.src td { padding: 0 8px; vertical-align: top; }
table.src td.ln { color: var(--muted); text-align: right; user-select: none; width: 1%; white-space: nowrap; border-right: 1px solid var(--line); }
table.src td.ln a { color: inherit; text-decoration: none; }
table.src td.code { white-space: pre-wrap; word-break: break-word; }
tr.hit.error td.code { background: var(--err-bg); }
tr.hit.warning td.code { background: var(--warn-bg); }
tr.hit.note td.code { background: var(--note-bg); }
tr.rel td.code { box-shadow: inset 3px 0 0 #9ca3af; }
tr.ann td { padding: 2px 8px 6px; }
.finding { font: 13px/1.45 system-ui, sans-serif; border-left: 4px solid; border-radius: 4px; padding: 6px 10px; margin: 2px 0; white-space: normal; }
.finding.error { border-color: var(--err); background: var(--err-bg); }
.finding.warning { border-color: var(--warn); background: var(--warn-bg); }
.finding.note { border-color: var(--note); background: var(--note-bg); }
.finding .rule { font-family: ui-monospace, monospace; font-size: 12px; color: var(--muted); }
.finding .help, .finding .label, .finding ul { margin: 3px 0 0; color: #374151; }
.finding ul { padding-left: 18px; }
details > summary { cursor: pointer; color: var(--muted); }
ol.index { padding-left: 22px; }
ol.index li { margin: 2px 0; }
.muted { color: var(--muted); }
"#;

fn class(s: Severity) -> &'static str {
    level_word(s)
}

fn line_anchor(file: FileId, line: usize) -> String {
    format!("f{}-L{line}", file.0)
}

fn finding_block(r: &Report, idx: usize, f: &Finding) -> String {
    let mut out = String::new();
    let c = class(f.severity);
    let _ = write!(
        out,
        "<div class=\"finding {c}\" id=\"d{idx}\"><span class=\"badge {c}\">{c}</span> <span class=\"msg\">{}</span> <span class=\"rule\">{}</span>",
        esc(&f.message),
        esc(f.rule)
    );
    if let Some(l) = &f.label {
        let _ = write!(out, "<div class=\"label\">here: {}</div>", esc(l));
    }
    if let Some(h) = &f.help {
        let _ = write!(out, "<div class=\"help\">help: {}</div>", esc(h));
    }
    if !f.labels.is_empty() {
        out.push_str("<ul class=\"related\">");
        for l in &f.labels {
            let lf = r.sources.get(l.file);
            let (line, _) = lf.line_col(l.span.start);
            let _ = write!(
                out,
                "<li><a href=\"#{}\">{}:{line}</a> {}</li>",
                line_anchor(l.file, line),
                esc(&lf.name),
                esc(&l.message)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
    out
}

fn timeline(out: &mut String, lr: &LessonReview) {
    let (cls, text) = if lr.gate.ready {
        ("ready", "Ready to merge".to_string())
    } else {
        ("blocked", format!("Not ready: {}", lr.status.as_str()))
    };
    let _ = write!(
        out,
        "<div class=\"gate {cls}\"><strong>{}</strong>",
        esc(&text)
    );
    if !lr.gate.reasons.is_empty() {
        out.push_str("<ul>");
        for reason in &lr.gate.reasons {
            let _ = write!(out, "<li>{}</li>", esc(reason));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
    out.push_str("<h3>Review timeline</h3>");
    if lr.timeline.is_empty() {
        out.push_str("<p class=\"muted\">No review yet.</p>");
    } else {
        out.push_str("<table class=\"grid timeline\"><tr><th>Date</th><th>Iteration</th><th>Critical</th><th>Improvement</th><th>Polish</th><th>Verified fixes</th><th>Verdict</th></tr>");
        for t in &lr.timeline {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(t.date.as_deref().unwrap_or("-")),
                esc(if t.iteration.is_empty() { "-" } else { &t.iteration }),
                t.critical,
                t.improvement,
                t.polish,
                t.verified,
                esc(t.verdict.as_deref().unwrap_or("(none)"))
            );
        }
        out.push_str("</table>");
    }
    if !lr.open.is_empty() {
        out.push_str("<h3>Open review findings</h3><table class=\"grid open\"><tr><th>Tag</th><th>Finding</th><th>Raised in</th><th>Line</th></tr>");
        for o in &lr.open {
            let carried = if o.carried { " (never verified)" } else { "" };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}{carried}</td><td class=\"num\">{}</td></tr>",
                esc(&o.tag.to_ascii_uppercase()),
                esc(&o.title),
                esc(&o.raised_in),
                o.line
            );
        }
        out.push_str("</table>");
    }
}

/// Renders the page.
pub fn render(r: &Report) -> String {
    let s = &r.summary;
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>lessonlint report</title>\n<style>");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<header>\n<h1>lessonlint report</h1>\n");
    let (cls, word) = if s.errors > 0 {
        ("status-failed", "failed")
    } else {
        ("status-ok", "passed")
    };
    let _ = writeln!(
        out,
        "<p class=\"counts\"><span class=\"{cls}\">{word}</span>: {}</p>",
        esc(&counts_line(s))
    );
    for n in r.notes {
        let _ = writeln!(out, "<p class=\"muted\">note: {}</p>", esc(n));
    }
    out.push_str("</header>\n<main>\n");

    // Which files to show: every lesson plan, and every other file with a finding.
    let lesson_of: BTreeMap<FileId, usize> = r
        .lessons
        .iter()
        .enumerate()
        .map(|(i, l)| (l.file, i))
        .collect();
    let mut files: BTreeSet<FileId> = lesson_of.keys().copied().collect();
    files.extend(r.findings.iter().map(|f| f.file));
    let mut files: Vec<FileId> = files.into_iter().collect();
    files.sort_by(|a, b| r.sources.get(*a).name.cmp(&r.sources.get(*b).name));

    // Index of findings.
    if !r.findings.is_empty() {
        out.push_str("<section class=\"file index\"><h2>Findings</h2><ol class=\"index\">");
        for (i, f) in r.findings.iter().enumerate() {
            let file = r.sources.get(f.file);
            let p = region(file, f.span);
            let c = class(f.severity);
            let _ = write!(
                out,
                "<li><span class=\"badge {c}\">{c}</span> <a href=\"#d{i}\">{}:{}</a> {} <span class=\"muted\">{}</span></li>",
                esc(&file.name),
                p.line,
                esc(&f.message),
                esc(f.rule)
            );
        }
        out.push_str("</ol></section>\n");
    }

    for fid in files {
        let file = r.sources.get(fid);
        let mine: Vec<(usize, &Finding)> = r
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.file == fid)
            .collect();
        let _ = write!(
            out,
            "<section class=\"file\" id=\"f{}\"><h2>{}</h2>",
            fid.0,
            esc(&file.name)
        );
        let c = |sev| mine.iter().filter(|(_, f)| f.severity == sev).count();
        let _ = write!(
            out,
            "<p class=\"muted\">{}, {}, {}</p>",
            super::plural(c(Severity::Error), "error"),
            super::plural(c(Severity::Warning), "warning"),
            super::plural(c(Severity::Info), "note"),
        );
        if let Some(&li) = lesson_of.get(&fid) {
            let lesson = &r.lessons[li];
            let lr = review::analyse(r.sources, lesson, r.config, r.findings);
            timeline(&mut out, &lr);
            out.push_str("<h3>Prerequisites</h3>");
            match concepts::svg(lesson) {
                Some(svg) => {
                    let _ = write!(
                        out,
                        "<div class=\"graph\">{svg}</div><p class=\"muted\">Source lesson → concept (required / actual depth) → this lesson. Green OK, amber GAP, red MISSING.</p>"
                    );
                }
                None => out.push_str("<p class=\"muted\">No prerequisites table.</p>"),
            }
        }
        // Source with inline annotations.
        let mut at_line: BTreeMap<usize, Vec<(usize, &Finding)>> = BTreeMap::new();
        let mut hit: BTreeMap<usize, Severity> = BTreeMap::new();
        let mut related: BTreeSet<usize> = BTreeSet::new();
        for &(i, f) in &mine {
            let p = region(file, f.span);
            at_line.entry(p.line).or_default().push((i, f));
            for l in p.line..=p.end_line {
                let e = hit.entry(l).or_insert(f.severity);
                *e = (*e).max(f.severity);
            }
        }
        for f in r.findings {
            for l in &f.labels {
                if l.file == fid {
                    related.insert(file.line_col(l.span.start).0);
                }
            }
        }
        let open = if mine.is_empty() { "" } else { " open" };
        let _ = write!(
            out,
            "<details class=\"source\"{open}><summary>Source ({} lines)</summary><table class=\"src\">",
            file.line_count()
        );
        for n in 1..=file.line_count() {
            let ls = file.line_span(n);
            let text = file.text.get(ls.start..ls.end).unwrap_or("");
            if n == file.line_count() && text.is_empty() && n > 1 {
                break;
            }
            let mut classes: Vec<&str> = Vec::new();
            if let Some(sev) = hit.get(&n) {
                classes.push("hit");
                classes.push(class(*sev));
            }
            if related.contains(&n) {
                classes.push("rel");
            }
            let cls = if classes.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", classes.join(" "))
            };
            let id = line_anchor(fid, n);
            let _ = write!(
                out,
                "<tr id=\"{id}\"{cls}><td class=\"ln\"><a href=\"#{id}\">{n}</a></td><td class=\"code\">{}</td></tr>",
                esc(text)
            );
            if let Some(fs) = at_line.get(&n) {
                out.push_str("<tr class=\"ann\"><td></td><td>");
                for &(i, f) in fs {
                    out.push_str(&finding_block(r, i, f));
                }
                out.push_str("</td></tr>");
            }
        }
        out.push_str("</table></details></section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}
