use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// For each review after the first, compares the number of fixes it lists as verified
    /// (`**Iteration N fixes verified:**` items, or findings under `### Iteration N Fix
    /// Verification`) with the number of findings of the review before it.
    ///
    /// ## Why is this bad?
    /// A finding that the next iteration never verifies may still be open; the loop only works
    /// if every finding is closed explicitly.
    ///
    /// ## Example
    /// Iteration 1 has 5 findings; iteration 2 verifies 3 fixes.
    pub struct FixesNotVerified {
        id: "fixes-not-verified",
        category: Review,
        summary: "A review verifies fewer fixes than the previous review had findings",
    }
}

impl LessonRule for FixesNotVerified {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        for w in ctx.lesson.reviews.windows(2) {
            let (prev, next) = (&w[0], &w[1]);
            let had = prev.findings.len();
            let verified = next.verified_fixes.len();
            if verified >= had {
                continue;
            }
            let iter = prev
                .iteration
                .map(|n| format!("iteration {n}"))
                .unwrap_or_else(|| "the previous review".into());
            out.push(
                ctx.finding(
                    Self::META.id,
                    next.span,
                    format!("this review verifies {verified} fix{} of {iter}, which had {had} finding{}", if verified == 1 { "" } else { "es" }, if had == 1 { "" } else { "s" }),
                )
                .label("verifications here")
                .related(ctx.lesson.file, prev.span, format!("{had} findings"))
                .help(format!("list every fix of {iter} as verified (`**Iteration N fixes verified:**` with a numbered item each), or carry it over as a finding")),
            );
        }
    }
}
