use super::{gap_matches, gap_prereqs};
use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that every prerequisite marked GAP or MISSING has a row in the Gap Resolution
    /// table (matched by concept name, not exact text: `Degradation problem (MENTIONED ->
    /// central concept)` resolves `Degradation problem`).
    ///
    /// ## Why is this bad?
    /// A gap without a resolution plan is a concept the lesson assumes and never teaches.
    ///
    /// ## Example
    /// A `GAP (small)` row for `Global average pooling` with no Gap Resolution row for it.
    pub struct GapWithoutResolution {
        id: "gap-without-resolution",
        category: Pedagogy,
        summary: "A prerequisite gap has no resolution row",
    }
}

impl LessonRule for GapWithoutResolution {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let threshold = ctx.settings.float("min_similarity");
        for p in gap_prereqs(ctx.lesson) {
            if ctx
                .lesson
                .gaps
                .iter()
                .any(|g| gap_matches(&g.gap.text, p, threshold))
            {
                continue;
            }
            out.push(
                ctx.finding(Self::META.id, p.concept.span, format!("gap \"{}\" has no row in Gap Resolution", p.concept.text))
                    .label(format!("marked {}", p.status.text.trim()))
                    .help("add a Gap Resolution row saying how the lesson closes the gap (Small: an aside; Medium: a section)"),
            );
        }
    }
}
