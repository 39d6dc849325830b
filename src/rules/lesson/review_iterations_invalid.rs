use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks review iteration labels: `(Iteration N/M)` must not exceed `max_iterations` (3)
    /// nor its own M, and iterations must count up by one. A labelled restart such as
    /// `(Post-Depth-Rework, Iteration 1/3)` starts a new count.
    ///
    /// ## Why is this bad?
    /// The house rule allows at most three review iterations; a fourth means the plan needs
    /// rethinking, not another pass. Skipped or repeated numbers mean a review is missing.
    ///
    /// ## Example
    /// `## Review — 2026-02-12 (Iteration 4/3)`.
    pub struct ReviewIterationsInvalid {
        id: "review-iterations-invalid",
        category: Review,
        summary: "Review iterations beyond the limit or out of order",
    }
}

impl LessonRule for ReviewIterationsInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let max = ctx.settings.int("max_iterations").max(1) as u32;
        let mut prev: Option<(&crate::model::Review, u32)> = None;
        for r in &ctx.lesson.reviews {
            let Some(n) = r.iteration else { continue };
            let limit = r.of.map_or(max, |of| of.min(max));
            if n > limit {
                out.push(
                    ctx.finding(Self::META.id, r.span, format!("iteration {n} exceeds the limit of {limit} review iterations"))
                        .label(format!("iteration {n}"))
                        .help("a plan that needs more than the allowed iterations needs rework: restart with a labelled counter and a note why"),
                );
            }
            if let Some((p, pn)) = prev {
                let restarted = r.label.is_some() && r.label != p.label;
                let expected = if restarted { 1 } else { pn + 1 };
                if n != expected {
                    out.push(
                        ctx.finding(
                            Self::META.id,
                            r.span,
                            format!("iteration {n} follows iteration {pn}; expected {expected}"),
                        )
                        .label(format!("iteration {n}"))
                        .related(ctx.lesson.file, p.span, format!("iteration {pn}"))
                        .help("number review iterations 1, 2, 3 in order; label a restarted count"),
                    );
                }
            } else if n != 1 && r.label.is_none() {
                out.push(
                    ctx.finding(
                        Self::META.id,
                        r.span,
                        format!("the first review is iteration {n}; expected 1"),
                    )
                    .label(format!("iteration {n}"))
                    .help("number review iterations from 1"),
                );
            }
            prev = Some((r, n));
        }
    }
}
