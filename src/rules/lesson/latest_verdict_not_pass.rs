use super::review_util::Verdict;
use super::title_span;
use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// The merge gate: the latest review's verdict must be PASS (`PASS with polish notes` and
    /// other PASS wordings count). With `require_review`, a plan with no review fails too.
    ///
    /// ## Why is this bad?
    /// A lesson ships only when its latest review says PASS; at the default level `error` a CI
    /// job running lessonlint blocks the merge.
    ///
    /// ## Example
    /// The last review says `### Verdict: NEEDS REVISION`.
    pub struct LatestVerdictNotPass {
        id: "latest-verdict-not-pass",
        category: Review,
        summary: "The merge gate: the latest review verdict is not PASS",
    }
}

impl LessonRule for LatestVerdictNotPass {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let Some(last) = ctx.lesson.reviews.last() else {
            if ctx.settings.bool("require_review") {
                out.push(
                    ctx.finding(Self::META.id, title_span(ctx.lesson), "the lesson plan has no review, so it cannot pass the gate")
                        .label("not reviewed")
                        .help("review the plan: `lessonlint review --draft FILE` starts the first iteration"),
                );
            }
            return;
        };
        let (span, text) = match &last.verdict {
            Some(v) => (v.span, v.text.as_str()),
            None => (last.span, ""),
        };
        if Verdict::parse(text) == Some(Verdict::Pass) {
            return;
        }
        let what = if text.is_empty() {
            "no verdict".to_string()
        } else {
            format!("verdict {}", text.trim())
        };
        out.push(
            ctx.finding(
                Self::META.id,
                span,
                format!("the latest review has {what}; a lesson ships only after a PASS"),
            )
            .label("latest verdict")
            .help("address the findings and add the next review iteration"),
        );
    }
}
