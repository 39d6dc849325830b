use super::review_util::counts;
use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares a review's Summary counts (Critical / Improvement / Polish) with the tagged
    /// findings under it.
    ///
    /// ## Why is this bad?
    /// The summary is what the gate and the reader look at; a summary that disagrees with the
    /// findings either hides a finding or invents one.
    ///
    /// ## Example
    /// `- Improvement: 3` above two `[IMPROVEMENT]` findings.
    pub struct ReviewSummaryMiscounted {
        id: "review-summary-miscounted",
        category: Review,
        summary: "Review summary counts differ from the tagged findings",
    }
}

impl LessonRule for ReviewSummaryMiscounted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        for r in &ctx.lesson.reviews {
            let Some(s) = &r.summary else { continue };
            let (c, i, p) = counts(r);
            for (name, tag, stated, found) in [
                ("Critical", "CRITICAL", s.critical, c),
                ("Improvement", "IMPROVEMENT", s.improvement, i),
                ("Polish", "POLISH", s.polish, p),
            ] {
                let Some(stated) = stated else { continue };
                if stated == found {
                    continue;
                }
                let mut f = ctx
                    .finding(
                        Self::META.id,
                        s.span,
                        format!("review summary says {name}: {stated}, but {found} [{tag}] finding{} follow{}", if found == 1 { "" } else { "s" }, if found == 1 { "s" } else { "" }),
                    )
                    .label(format!("{name}: {stated}"))
                    .help("make the summary count the tagged findings of this review");
                for finding in r
                    .findings
                    .iter()
                    .filter(|f| f.severity == name.to_ascii_lowercase())
                {
                    f = f.related(ctx.lesson.file, finding.span, format!("[{tag}]"));
                }
                out.push(f);
            }
        }
    }
}
