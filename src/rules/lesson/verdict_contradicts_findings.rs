use super::review_util::{counts, Verdict};
use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks each review's verdict against its findings with a configurable mapping: by
    /// default any Critical → `MAJOR REVISION`, else any Improvement → `NEEDS REVISION`, else
    /// `PASS`. Each of `critical`, `improvement` and `clean` lists the verdicts allowed in that
    /// case (a team that accepts NEEDS REVISION with criticals adds it to `critical`). An
    /// unreadable verdict is reported too.
    ///
    /// ## Why is this bad?
    /// A PASS over an open Improvement ships work the reviewer said was not done.
    ///
    /// ## Example
    /// `### Verdict: PASS` above an `[IMPROVEMENT]` finding.
    pub struct VerdictContradictsFindings {
        id: "verdict-contradicts-findings",
        category: Review,
        summary: "A review verdict contradicts its findings",
    }
}

impl LessonRule for VerdictContradictsFindings {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        for r in &ctx.lesson.reviews {
            let Some(v) = &r.verdict else { continue };
            let Some(verdict) = Verdict::parse(&v.text) else {
                out.push(
                    ctx.finding(Self::META.id, v.span, format!("unknown verdict \"{}\"", v.text))
                        .label("not a verdict")
                        .help("verdicts: PASS, NEEDS REVISION, MAJOR REVISION (optionally followed by notes)"),
                );
                continue;
            };
            let (mut c, mut i, _) = counts(r);
            if r.findings.is_empty() {
                if let Some(s) = &r.summary {
                    c = s.critical.unwrap_or(0);
                    i = s.improvement.unwrap_or(0);
                }
            }
            let (case, why) = if c > 0 {
                (
                    "critical",
                    format!("{c} critical finding{}", if c == 1 { "" } else { "s" }),
                )
            } else if i > 0 {
                (
                    "improvement",
                    format!("{i} improvement finding{}", if i == 1 { "" } else { "s" }),
                )
            } else {
                ("clean", "no critical or improvement findings".to_string())
            };
            let allowed: Vec<Verdict> = ctx
                .settings
                .str_list(case)
                .iter()
                .filter_map(|s| Verdict::parse(s))
                .collect();
            if allowed.is_empty() || allowed.contains(&verdict) {
                continue;
            }
            let expected: Vec<&str> = allowed.iter().map(|v| v.as_str()).collect();
            out.push(
                ctx.finding(
                    Self::META.id,
                    v.span,
                    format!(
                        "verdict {} with {why}; the mapping expects {}",
                        verdict.as_str(),
                        expected.join(" or ")
                    ),
                )
                .label("verdict")
                .help("change the verdict to follow the findings, or re-tag the findings"),
            );
        }
    }
}
