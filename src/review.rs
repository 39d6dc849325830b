//! The review side: each lesson's review timeline, the findings still open, and the merge gate;
//! and the draft of the next review iteration built from lessonlint's own findings.
//!
//! This module computes plain data; `report::review` renders it (text, JSON, the house-format
//! Markdown draft).

use crate::config::Config;
use crate::model::{names, Lesson, Review, SourceMap, Span};
use crate::rules::lesson::review_util::{counts, Verdict};
use crate::rules::{self, Category, Finding, Severity};
use serde::Serialize;
use std::collections::HashMap;

/// Rules whose findings restate the gate itself (not counted again among its reasons).
const GATE_RULES: &[&str] = &[
    "latest-verdict-not-pass",
    "verdict-contradicts-findings",
    "fixes-not-verified",
];

/// One review iteration as the timeline shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub date: Option<String>,
    /// `1/3`, `Post-Depth-Rework 1/3`, `3/3 FINAL`, or empty when the heading has none.
    pub iteration: String,
    pub critical: u32,
    pub improvement: u32,
    pub polish: u32,
    /// The verdict as written.
    pub verdict: Option<String>,
    /// PASS, NEEDS REVISION or MAJOR REVISION, when the verdict reads as one.
    pub verdict_kind: Option<&'static str>,
    /// Fixes of earlier iterations this review lists as verified.
    pub verified: usize,
    pub line: usize,
}

/// A review finding that is still open.
#[derive(Debug, Clone, Serialize)]
pub struct OpenFinding {
    /// Lower-case tag: critical, improvement, polish, …
    pub tag: String,
    pub title: String,
    /// The iteration it was raised in (`1/3`), or the review's date when it has none.
    pub raised_in: String,
    /// Raised in an earlier iteration and never verified as fixed.
    pub carried: bool,
    pub line: usize,
}

/// Where a lesson stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    MajorRevision,
    NeedsRevision,
    Blocked,
    Unreviewed,
    Ready,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::MajorRevision => "major revision",
            Status::NeedsRevision => "needs revision",
            Status::Blocked => "blocked",
            Status::Unreviewed => "unreviewed",
            Status::Ready => "ready",
        }
    }
}

/// The merge gate of one lesson.
#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub ready: bool,
    /// Why it is not ready (empty when ready).
    pub reasons: Vec<String>,
}

/// Everything the review command says about one lesson.
#[derive(Debug, Clone, Serialize)]
pub struct LessonReview {
    pub file: String,
    pub slug: String,
    pub module: Option<String>,
    pub status: Status,
    pub timeline: Vec<TimelineEntry>,
    pub open: Vec<OpenFinding>,
    pub gate: Gate,
    /// Lint findings of this lesson at level error (gate rules excluded).
    pub lint_errors: usize,
}

fn iteration_text(r: &Review) -> String {
    let mut s = String::new();
    if let Some(l) = &r.label {
        s.push_str(l);
        s.push(' ');
    }
    if let Some(n) = r.iteration {
        s.push_str(&n.to_string());
        if let Some(m) = r.of {
            s.push('/');
            s.push_str(&m.to_string());
        }
    }
    if r.final_marker {
        s.push_str(" FINAL");
    }
    s.trim().to_string()
}

fn raised_in(r: &Review) -> String {
    let it = iteration_text(r);
    if !it.is_empty() {
        it
    } else {
        r.date.clone().unwrap_or_else(|| format!("line {}", r.line))
    }
}

fn words(s: &str) -> Vec<String> {
    const STOP: &[&str] = &[
        "the", "and", "for", "from", "with", "that", "this", "into", "not", "are", "was", "has",
    ];
    names::normalize_full(s)
        .split(' ')
        .filter(|w| w.len() >= 3 && !STOP.contains(w))
        .map(str::to_string)
        .collect()
}

/// Share of the title's words found in the verification item.
fn overlap(title: &str, item: &str) -> f64 {
    let t = words(title);
    if t.is_empty() {
        return 0.0;
    }
    let i = words(item);
    t.iter().filter(|w| i.contains(w)).count() as f64 / t.len() as f64
}

/// For each review, for each of its findings: whether a later review verified it.
///
/// A verification item closes the pending finding whose title it shares most words with (at
/// least a third of the title's words); items that match no title close the remaining findings
/// of the review just before, in order (numbered verification lists follow the findings' order),
/// then older ones.
pub fn verified_findings(reviews: &[Review]) -> Vec<Vec<bool>> {
    let mut closed: Vec<Vec<bool>> = reviews
        .iter()
        .map(|r| vec![false; r.findings.len()])
        .collect();
    for j in 1..reviews.len() {
        let items = &reviews[j].verified_fixes;
        let mut unmatched: Vec<usize> = Vec::new();
        for (k, item) in items.iter().enumerate() {
            let mut best: Option<(usize, usize, f64)> = None;
            for (ri, r) in reviews[..j].iter().enumerate() {
                for (fi, f) in r.findings.iter().enumerate() {
                    if closed[ri][fi] {
                        continue;
                    }
                    let s = overlap(&f.title, &item.text);
                    if s >= 1.0 / 3.0 && best.is_none_or(|b| s > b.2) {
                        best = Some((ri, fi, s));
                    }
                }
            }
            match best {
                Some((ri, fi, _)) => closed[ri][fi] = true,
                None => unmatched.push(k),
            }
        }
        for _ in unmatched {
            let next = (0..j)
                .rev()
                .flat_map(|ri| (0..reviews[ri].findings.len()).map(move |fi| (ri, fi)))
                .find(|&(ri, fi)| !closed[ri][fi]);
            if let Some((ri, fi)) = next {
                closed[ri][fi] = true;
            }
        }
    }
    closed
}

/// The verdicts the configured mapping allows for a review's findings, and why.
pub fn expected_verdicts(r: &Review, config: &Config) -> (Vec<Verdict>, String) {
    let (mut c, mut i, _) = counts(r);
    if r.findings.is_empty() {
        if let Some(s) = &r.summary {
            c = s.critical.unwrap_or(0);
            i = s.improvement.unwrap_or(0);
        }
    }
    let (case, why, default) = if c > 0 {
        (
            "critical",
            format!("{} critical finding{}", c, if c == 1 { "" } else { "s" }),
            Verdict::MajorRevision,
        )
    } else if i > 0 {
        (
            "improvement",
            format!("{} improvement finding{}", i, if i == 1 { "" } else { "s" }),
            Verdict::NeedsRevision,
        )
    } else {
        (
            "clean",
            "no critical or improvement findings".to_string(),
            Verdict::Pass,
        )
    };
    let mut allowed: Vec<Verdict> = config
        .rule("verdict-contradicts-findings")
        .str_list(case)
        .iter()
        .filter_map(|s| Verdict::parse(s))
        .collect();
    if allowed.is_empty() {
        allowed.push(default);
    }
    (allowed, why)
}

fn tag_rank(tag: &str) -> u8 {
    match tag {
        "critical" => 0,
        "improvement" => 1,
        "polish" => 2,
        _ => 3,
    }
}

/// Timeline, open findings and gate of one lesson. `findings` are the lint findings of the run
/// (only this lesson's are looked at).
pub fn analyse(
    sources: &SourceMap,
    lesson: &Lesson,
    config: &Config,
    findings: &[Finding],
) -> LessonReview {
    let reviews = &lesson.reviews;
    let timeline: Vec<TimelineEntry> = reviews
        .iter()
        .map(|r| {
            let (c, i, p) = counts(r);
            let (c, i, p) = if r.findings.is_empty() {
                match &r.summary {
                    Some(s) => (
                        s.critical.unwrap_or(0),
                        s.improvement.unwrap_or(0),
                        s.polish.unwrap_or(0),
                    ),
                    None => (c, i, p),
                }
            } else {
                (c, i, p)
            };
            let verdict = r.verdict.as_ref().map(|v| v.text.trim().to_string());
            TimelineEntry {
                date: r.date.clone(),
                iteration: iteration_text(r),
                critical: c,
                improvement: i,
                polish: p,
                verdict_kind: verdict
                    .as_deref()
                    .and_then(Verdict::parse)
                    .map(Verdict::as_str),
                verdict,
                verified: r.verified_fixes.len(),
                line: r.line,
            }
        })
        .collect();
    let closed = verified_findings(reviews);
    let last = reviews.len().saturating_sub(1);
    let mut open: Vec<OpenFinding> = Vec::new();
    for (ri, r) in reviews.iter().enumerate() {
        for (fi, f) in r.findings.iter().enumerate() {
            if closed[ri][fi] {
                continue;
            }
            open.push(OpenFinding {
                tag: f.severity.clone(),
                title: f.title.clone(),
                raised_in: raised_in(r),
                carried: ri < last,
                line: f.line,
            });
        }
    }
    open.sort_by(|a, b| {
        tag_rank(&a.tag)
            .cmp(&tag_rank(&b.tag))
            .then(a.line.cmp(&b.line))
    });
    let mine: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.file == lesson.file && f.severity == Severity::Error)
        .filter(|f| !GATE_RULES.contains(&f.rule))
        .collect();
    let mut reasons: Vec<String> = Vec::new();
    let mut status = Status::Ready;
    match reviews.last() {
        None => {
            status = Status::Unreviewed;
            reasons.push("no review yet".to_string());
        }
        Some(r) => {
            let it = raised_in(r);
            match r.verdict.as_ref().map(|v| (v, Verdict::parse(&v.text))) {
                None => {
                    status = Status::Blocked;
                    reasons.push(format!("the latest review ({it}) has no verdict"));
                }
                Some((v, None)) => {
                    status = Status::Blocked;
                    reasons.push(format!(
                        "the latest review ({it}) has an unreadable verdict \"{}\"",
                        v.text.trim()
                    ));
                }
                Some((_, Some(Verdict::MajorRevision))) => {
                    status = Status::MajorRevision;
                    reasons.push(format!("the latest review ({it}) says MAJOR REVISION"));
                }
                Some((_, Some(Verdict::NeedsRevision))) => {
                    status = Status::NeedsRevision;
                    reasons.push(format!("the latest review ({it}) says NEEDS REVISION"));
                }
                Some((_, Some(Verdict::Pass))) => {
                    let (allowed, why) = expected_verdicts(r, config);
                    if !allowed.contains(&Verdict::Pass) {
                        status = Status::Blocked;
                        let exp: Vec<&str> = allowed.iter().map(|v| v.as_str()).collect();
                        reasons.push(format!(
                            "the latest review ({it}) says PASS with {why}; the verdict mapping expects {}",
                            exp.join(" or ")
                        ));
                    }
                }
            }
        }
    }
    let carried: Vec<&OpenFinding> = open
        .iter()
        .filter(|o| o.carried && (o.tag == "critical" || o.tag == "improvement"))
        .collect();
    if !carried.is_empty() {
        if status == Status::Ready {
            status = Status::Blocked;
        }
        let c = carried.iter().filter(|o| o.tag == "critical").count();
        let i = carried.len() - c;
        let mut parts = Vec::new();
        if c > 0 {
            parts.push(format!("{c} critical"));
        }
        if i > 0 {
            parts.push(format!("{i} improvement"));
        }
        reasons.push(format!(
            "{} of earlier iterations never verified as fixed ({})",
            plural(carried.len(), "finding"),
            parts.join(", ")
        ));
    }
    if !mine.is_empty() {
        if status == Status::Ready {
            status = Status::Blocked;
        }
        let mut ids: Vec<&str> = mine.iter().map(|f| f.rule).collect();
        ids.sort();
        ids.dedup();
        reasons.push(format!(
            "{} from lessonlint ({})",
            plural(mine.len(), "error"),
            ids.join(", ")
        ));
    }
    LessonReview {
        file: sources.get(lesson.file).name.clone(),
        slug: lesson.slug.clone(),
        module: lesson.module.clone(),
        status,
        timeline,
        open,
        gate: Gate {
            ready: reasons.is_empty(),
            reasons,
        },
        lint_errors: mine.len(),
    }
}

/// A review finding's tag in the house format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Tag {
    Critical,
    Improvement,
    Polish,
}

impl Tag {
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Critical => "CRITICAL",
            Tag::Improvement => "IMPROVEMENT",
            Tag::Polish => "POLISH",
        }
    }
    /// The tag a lint finding gets in a drafted review: errors in code are Critical (the
    /// student would be taught something that does not run); other errors are Improvements;
    /// warnings and notes are Polish. Raising a finding to Critical is the reviewer's call.
    pub fn of(f: &Finding, category: Option<Category>) -> Tag {
        match (f.severity, category) {
            (Severity::Error, Some(Category::Code)) => Tag::Critical,
            (Severity::Error, _) => Tag::Improvement,
            _ => Tag::Polish,
        }
    }
}

/// One finding of a drafted review.
#[derive(Debug, Clone, Serialize)]
pub struct DraftFinding {
    pub tag: Tag,
    pub rule: &'static str,
    pub title: String,
    pub location: String,
    pub issue: String,
    pub student_impact: String,
    pub suggested_fix: String,
    pub line: usize,
}

/// The next review iteration, drafted.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub file: String,
    pub date: String,
    /// Restarted-counter label carried over from the latest review (`Post-Depth-Rework`).
    pub label: Option<String>,
    pub iteration: u32,
    pub of: u32,
    pub critical: u32,
    pub improvement: u32,
    pub polish: u32,
    pub verdict: &'static str,
    pub findings: Vec<DraftFinding>,
    /// Findings of earlier iterations still to be verified: (iteration, tag, title).
    pub to_verify: Vec<(String, String, String)>,
    /// Findings about the earlier reviews themselves (not review findings of the plan).
    pub about_reviews: Vec<String>,
    /// Set when the next iteration goes past the configured limit.
    pub over_limit: bool,
}

/// Heading of the section a byte offset falls in: `### Examples Planned`.
fn section_at(lesson: &Lesson, offset: usize) -> Option<String> {
    lesson
        .headings
        .iter()
        .rfind(|h| h.span.start <= offset && h.level >= 2)
        .map(|h| format!("{} {}", "#".repeat(h.level as usize), h.text.trim()))
}

fn review_span(lesson: &Lesson) -> Option<Span> {
    let first = lesson.reviews.first()?;
    let last = lesson.reviews.last()?;
    Some(Span::new(first.span.start, last.span.end))
}

/// Drafts the next review of `lesson` from the run's findings.
pub fn draft(
    sources: &SourceMap,
    lesson: &Lesson,
    config: &Config,
    findings: &[Finding],
    date: &str,
) -> Draft {
    let file = sources.get(lesson.file);
    let max = config
        .rule("review-iterations-invalid")
        .int("max_iterations");
    let max = if max > 0 { max as u32 } else { 3 };
    let last = lesson.reviews.last();
    let iteration = match last {
        Some(r) => r
            .iteration
            .map(|n| n + 1)
            .unwrap_or(lesson.reviews.len() as u32 + 1),
        None => 1,
    };
    let of = last.and_then(|r| r.of).unwrap_or(max);
    let label = last.and_then(|r| r.label.clone());
    let in_reviews = review_span(lesson);
    let mut out: Vec<DraftFinding> = Vec::new();
    // The message and "see …" references of each drafted finding, by (rule, line, message):
    // the same finding reached twice (a block's error called from two places) is drafted once,
    // with every place it was reached from.
    let mut seen: HashMap<(&str, usize, &str), (usize, Vec<String>)> = HashMap::new();
    let mut about_reviews: Vec<String> = Vec::new();
    for f in findings.iter().filter(|f| f.file == lesson.file) {
        let meta = rules::find_meta(f.rule);
        let category = meta.map(|m| m.category);
        let (line, _) = file.line_col(f.span.start);
        let inside_reviews =
            in_reviews.is_some_and(|s| f.span.start >= s.start && f.span.start < s.end);
        if category == Some(Category::Review) || inside_reviews || f.rule.contains("suppression") {
            let about = format!("line {line}: {} (`{}`)", f.message, f.rule);
            if !about_reviews.contains(&about) {
                about_reviews.push(about);
            }
            continue;
        }
        let mut refs: Vec<String> = Vec::new();
        for l in &f.labels {
            let lf = sources.get(l.file);
            let (ll, _) = lf.line_col(l.span.start);
            if l.file == f.file && ll == line {
                continue;
            }
            let place = if l.file == f.file {
                format!("line {ll}")
            } else {
                format!("{}:{ll}", lf.name)
            };
            refs.push(format!("see {place} ({})", l.message));
        }
        if let Some((i, known)) = seen.get_mut(&(f.rule, line, f.message.as_str())) {
            for r in refs {
                if !known.contains(&r) {
                    known.push(r);
                }
            }
            out[*i].issue = issue_text(&f.message, known);
            continue;
        }
        let issue = issue_text(&f.message, &refs);
        seen.insert((f.rule, line, f.message.as_str()), (out.len(), refs));
        let location = match section_at(lesson, f.span.start) {
            Some(h) => format!("`{h}`, line {line}"),
            None => format!("line {line}"),
        };
        out.push(DraftFinding {
            tag: Tag::of(f, category),
            rule: f.rule,
            title: meta
                .map(|m| m.summary.to_string())
                .unwrap_or_else(|| f.rule.to_string()),
            location,
            issue,
            student_impact: meta
                .and_then(|m| rationale(m.docs))
                .unwrap_or_else(|| "See the rule's documentation.".to_string()),
            suggested_fix: sentence(
                &f.help
                    .clone()
                    .unwrap_or_else(|| format!("see `lessonlint explain {}`", f.rule)),
            ),
            line,
        });
    }
    out.sort_by(|a, b| a.tag.cmp(&b.tag).then(a.line.cmp(&b.line)));
    let c = |t| out.iter().filter(|f| f.tag == t).count() as u32;
    let (critical, improvement, polish) = (c(Tag::Critical), c(Tag::Improvement), c(Tag::Polish));
    let settings = config.rule("verdict-contradicts-findings");
    let (case, default) = if critical > 0 {
        ("critical", Verdict::MajorRevision)
    } else if improvement > 0 {
        ("improvement", Verdict::NeedsRevision)
    } else {
        ("clean", Verdict::Pass)
    };
    let verdict = settings
        .str_list(case)
        .iter()
        .find_map(|s| Verdict::parse(s))
        .unwrap_or(default)
        .as_str();
    let closed = verified_findings(&lesson.reviews);
    let mut to_verify = Vec::new();
    for (ri, r) in lesson.reviews.iter().enumerate() {
        for (fi, f) in r.findings.iter().enumerate() {
            if !closed[ri][fi] {
                to_verify.push((
                    raised_in(r),
                    f.severity.to_ascii_uppercase(),
                    f.title.clone(),
                ));
            }
        }
    }
    Draft {
        file: file.name.clone(),
        date: date.to_string(),
        label,
        iteration,
        of,
        critical,
        improvement,
        polish,
        verdict,
        findings: out,
        to_verify,
        about_reviews,
        over_limit: iteration > max || iteration > of,
    }
}

/// A drafted finding's issue: the message, then where else to look.
fn issue_text(message: &str, refs: &[String]) -> String {
    let mut issue = message.to_string();
    for r in refs {
        issue.push_str("; ");
        issue.push_str(r);
    }
    sentence(&issue)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The first paragraph of a rule's "Why is this bad?" section, as one line: the student impact
/// of a drafted finding.
fn rationale(docs: &str) -> Option<String> {
    let mut lines = docs.lines().map(str::trim);
    lines.by_ref().find(|l| *l == "## Why is this bad?")?;
    let para: Vec<&str> = lines
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with("## "))
        .collect();
    (!para.is_empty()).then(|| para.join(" "))
}

/// Capitalised and ending with a full stop.
fn sentence(s: &str) -> String {
    let t = s.trim();
    let mut c = t.chars();
    let mut out = match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect::<String>(),
        None => String::new(),
    };
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_date((secs / 86_400) as i64)
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's civil-from-days).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whether `s` is a `YYYY-MM-DD` date.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cell, ReviewFinding};

    fn finding(tag: &str, title: &str) -> ReviewFinding {
        ReviewFinding {
            severity: tag.into(),
            title: title.into(),
            fields: vec![],
            span: Span::default(),
            line: 1,
        }
    }

    fn review(findings: Vec<ReviewFinding>, verified: &[&str], verdict: &str) -> Review {
        Review {
            date: Some("2026-02-09".into()),
            iteration: None,
            of: None,
            label: None,
            final_marker: false,
            heading: String::new(),
            summary: None,
            verdict: Some(Cell::new(verdict, Span::default(), 1)),
            findings,
            verified_fixes: verified
                .iter()
                .map(|t| Cell::new(*t, Span::default(), 1))
                .collect(),
            span: Span::default(),
            line: 1,
        }
    }

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_493), "2026-02-09");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert!(is_date("2026-02-09"));
        assert!(!is_date("2026-2-09"));
    }

    #[test]
    fn verification_by_title_then_by_order() {
        let r1 = review(
            vec![
                finding(
                    "improvement",
                    "Missing misconception: skip connections on every layer",
                ),
                finding("improvement", "Weak transition to Global Average Pooling"),
                finding("polish", "Inconsistent ReLU API style"),
            ],
            &[],
            "NEEDS REVISION",
        );
        let r2 = review(
            vec![],
            &[
                "Bridging transition to GAP section: global average pooling framing present",
                "Something unrelated",
            ],
            "PASS",
        );
        let closed = verified_findings(&[r1, r2]);
        assert_eq!(closed[0], vec![true, true, false]);
    }

    #[test]
    fn unverified_improvement_blocks_the_gate() {
        let l = Lesson {
            reviews: vec![
                review(
                    vec![
                        finding("improvement", "Weak transition"),
                        finding("improvement", "Missing example"),
                    ],
                    &[],
                    "NEEDS REVISION",
                ),
                review(vec![], &["Weak transition fixed"], "PASS"),
            ],
            ..Default::default()
        };
        let mut m = SourceMap::default();
        m.add(crate::model::SourceFile::new("a.md", String::new()));
        let r = analyse(&m, &l, &Config::defaults(), &[]);
        assert_eq!(r.status, Status::Blocked);
        assert!(!r.gate.ready);
        assert_eq!(r.open.len(), 1);
        assert_eq!(r.open[0].title, "Missing example");
        assert!(r.open[0].carried);
        assert_eq!(
            r.gate.reasons,
            vec!["1 finding of earlier iterations never verified as fixed (1 improvement)"]
        );
    }

    #[test]
    fn pass_over_an_improvement_is_not_ready() {
        let l = Lesson {
            reviews: vec![review(vec![finding("improvement", "X")], &[], "PASS")],
            ..Default::default()
        };
        let mut m = SourceMap::default();
        m.add(crate::model::SourceFile::new("a.md", String::new()));
        let r = analyse(&m, &l, &Config::defaults(), &[]);
        assert_eq!(r.status, Status::Blocked);
        assert_eq!(r.gate.reasons.len(), 1);
        assert!(
            r.gate.reasons[0].contains("expects NEEDS REVISION"),
            "{:?}",
            r.gate.reasons
        );
    }
}
