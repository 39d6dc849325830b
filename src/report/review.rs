//! Rendering of `lessonlint review`: a lesson's timeline, open findings and gate as text; a
//! table of lessons by status for a tree; JSON; and the drafted next iteration in the house
//! review format.

use crate::review::{Draft, LessonReview, Status};
use serde::Serialize;
use std::fmt::Write;

fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>| -> String {
        let n = cells.len();
        let mut s = String::new();
        for (i, c) in cells.into_iter().enumerate() {
            if i + 1 == n {
                s.push_str(&c);
            } else {
                s.push_str(&pad(&c, widths[i]));
                s.push_str("  ");
            }
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(
        out,
        "{}",
        line(header.iter().map(|h| h.to_string()).collect())
    );
    for r in rows {
        let _ = writeln!(out, "{}", line(r.clone()));
    }
    out
}

fn open_counts(r: &LessonReview) -> String {
    let c = |t: &str| r.open.iter().filter(|o| o.tag == t).count();
    format!("{}/{}/{}", c("critical"), c("improvement"), c("polish"))
}

/// The detailed view of one lesson.
pub fn lesson_text(r: &LessonReview) -> String {
    let mut out = String::new();
    let module = r
        .module
        .as_deref()
        .map(|m| format!(" (module {m})"))
        .unwrap_or_default();
    let _ = writeln!(out, "{}{module} — {}", r.slug, r.file);
    out.push('\n');
    if r.timeline.is_empty() {
        out.push_str("Reviews: none\n");
    } else {
        out.push_str("Reviews\n");
        let rows: Vec<Vec<String>> = r
            .timeline
            .iter()
            .map(|t| {
                vec![
                    format!("  {}", t.date.clone().unwrap_or_else(|| "-".into())),
                    if t.iteration.is_empty() {
                        "-".into()
                    } else {
                        t.iteration.clone()
                    },
                    t.critical.to_string(),
                    t.improvement.to_string(),
                    t.polish.to_string(),
                    t.verified.to_string(),
                    t.verdict.clone().unwrap_or_else(|| "(none)".into()),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "  date",
                "iteration",
                "critical",
                "improvement",
                "polish",
                "verified",
                "verdict",
            ],
            &rows,
        ));
    }
    out.push('\n');
    if r.open.is_empty() {
        out.push_str("Open findings: none\n");
    } else {
        let _ = writeln!(out, "Open findings ({})", r.open.len());
        for o in &r.open {
            let carried = if o.carried { ", never verified" } else { "" };
            let _ = writeln!(
                out,
                "  [{}] {} (iteration {}{carried}, line {})",
                o.tag.to_ascii_uppercase(),
                o.title,
                o.raised_in,
                o.line
            );
        }
    }
    out.push('\n');
    if r.gate.ready {
        out.push_str("Gate: ready to merge\n");
    } else {
        let _ = writeln!(out, "Gate: not ready ({})", r.status.as_str());
        for reason in &r.gate.reasons {
            let _ = writeln!(out, "  - {reason}");
        }
    }
    out
}

/// The table of lessons by status, for a tree.
pub fn tree_text(reviews: &[LessonReview]) -> String {
    let mut sorted: Vec<&LessonReview> = reviews.iter().collect();
    sorted.sort_by(|a, b| {
        a.status
            .cmp(&b.status)
            .then(a.module.cmp(&b.module))
            .then(a.slug.cmp(&b.slug))
    });
    let rows: Vec<Vec<String>> = sorted
        .iter()
        .map(|r| {
            let last = r.timeline.last();
            vec![
                r.status.as_str().to_string(),
                r.slug.clone(),
                r.module.clone().unwrap_or_else(|| "-".into()),
                r.timeline.len().to_string(),
                last.and_then(|t| t.date.clone())
                    .unwrap_or_else(|| "-".into()),
                last.and_then(|t| t.verdict.clone())
                    .unwrap_or_else(|| "-".into()),
                open_counts(r),
                r.gate.reasons.join("; "),
            ]
        })
        .collect();
    let mut out = table(
        &[
            "status",
            "lesson",
            "module",
            "reviews",
            "latest",
            "verdict",
            "open c/i/p",
            "why not ready",
        ],
        &rows,
    );
    let n = |s: Status| reviews.iter().filter(|r| r.status == s).count();
    let _ = writeln!(
        out,
        "\n{} of {} ready to merge; {} blocked, {} need revision, {} major revision, {} unreviewed",
        n(Status::Ready),
        crate::report::plural(reviews.len(), "lesson"),
        n(Status::Blocked),
        n(Status::NeedsRevision),
        n(Status::MajorRevision),
        n(Status::Unreviewed),
    );
    out
}

#[derive(Serialize)]
struct JsonSummary {
    lessons: usize,
    ready: usize,
    blocked: usize,
    needs_revision: usize,
    major_revision: usize,
    unreviewed: usize,
}

#[derive(Serialize)]
struct JsonReviews<'a> {
    lessons: &'a [LessonReview],
    summary: JsonSummary,
}

/// `review --format json`.
pub fn json(reviews: &[LessonReview]) -> String {
    let n = |s: Status| reviews.iter().filter(|r| r.status == s).count();
    let doc = JsonReviews {
        lessons: reviews,
        summary: JsonSummary {
            lessons: reviews.len(),
            ready: n(Status::Ready),
            blocked: n(Status::Blocked),
            needs_revision: n(Status::NeedsRevision),
            major_revision: n(Status::MajorRevision),
            unreviewed: n(Status::Unreviewed),
        },
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The drafted review iteration in the house format, ready to paste at the end of the plan.
pub fn draft_markdown(d: &Draft) -> String {
    let mut out = String::new();
    let label = d
        .label
        .as_deref()
        .map(|l| format!("{l}, "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "## Review — {} ({label}Iteration {}/{})\n",
        d.date, d.iteration, d.of
    );
    let _ = writeln!(
        out,
        "### Summary\n- Critical: {}\n- Improvement: {}\n- Polish: {}\n",
        d.critical, d.improvement, d.polish
    );
    let _ = writeln!(out, "### Verdict: {}\n", d.verdict);
    let total = d.findings.len();
    if total == 0 {
        out.push_str("lessonlint reports nothing for this plan. Replace this paragraph with the review's assessment.\n\n");
    } else {
        let _ = writeln!(
            out,
            "Drafted from lessonlint's {}. Replace this paragraph with the review's assessment, and add the findings a reader sees that a linter cannot.\n",
            crate::report::plural(total, "finding")
        );
    }
    out.push_str("### Findings\n\n");
    if d.findings.is_empty() {
        out.push_str("None.\n\n");
    }
    for f in &d.findings {
        let _ = writeln!(out, "#### [{}] — {}\n", f.tag.as_str(), f.title);
        let _ = writeln!(out, "**Location:** {}", f.location);
        let _ = writeln!(out, "**Issue:** {}", f.issue);
        let _ = writeln!(out, "**Student impact:** {}", f.student_impact);
        let _ = writeln!(out, "**Suggested fix:** {}\n", f.suggested_fix);
    }
    out.push_str("### Review Notes\n\n");
    if !d.to_verify.is_empty() {
        let prev = d.iteration.saturating_sub(1);
        let _ = writeln!(
            out,
            "**Iteration {prev} fixes to verify** (rename to `**Iteration {prev} fixes verified:**` once each is checked):"
        );
        for (i, (it, tag, title)) in d.to_verify.iter().enumerate() {
            let _ = writeln!(out, "{}. [{tag}] {title} (iteration {it})", i + 1);
        }
        out.push('\n');
    }
    if !d.about_reviews.is_empty() {
        out.push_str("**lessonlint on the earlier reviews:**\n");
        for a in &d.about_reviews {
            let _ = writeln!(out, "- {a}");
        }
        out.push('\n');
    }
    if d.to_verify.is_empty() && d.about_reviews.is_empty() {
        out.push_str("(notes)\n");
    }
    out
}
