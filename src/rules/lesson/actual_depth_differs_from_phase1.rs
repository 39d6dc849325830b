use crate::declare_rule;
use crate::model::names::best_match;
use crate::model::DepthCell;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// For each prerequisite whose Actual Depth is a depth, finds the same concept in the
    /// Phase 1 concept table (names matched by similarity ≥ `min_similarity`) and compares the
    /// depths.
    ///
    /// ## Why is this bad?
    /// Phase 1 records what the learner knows; the Prerequisites Table must use the same
    /// depths, or the gap analysis rests on a different learner than the one described.
    ///
    /// ## Example
    /// Phase 1 says `He initialization | DEVELOPED`; the Prerequisites Table says Actual
    /// `INTRODUCED`.
    pub struct ActualDepthDiffersFromPhase1 {
        id: "actual-depth-differs-from-phase1",
        category: Consistency,
        summary: "A prerequisite's actual depth disagrees with the Phase 1 table",
    }
}

impl LessonRule for ActualDepthDiffersFromPhase1 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let threshold = ctx.settings.float("min_similarity");
        for p in &ctx.lesson.prerequisites {
            if super::malformed_row(ctx.lesson, p.line) {
                continue;
            }
            let actual = DepthCell::parse(&p.actual.text);
            let Some(a) = actual.reached() else { continue };
            let Some((row, score)) = best_match(
                &p.concept.text,
                ctx.lesson
                    .concepts
                    .iter()
                    .map(|c| (c.concept.text.as_str(), c)),
                threshold,
            ) else {
                continue;
            };
            let Some(b) = DepthCell::parse(&row.depth.text).reached() else {
                continue;
            };
            if a == b {
                continue;
            }
            out.push(
                ctx.finding(
                    Self::META.id,
                    p.actual.span,
                    format!(
                        "actual depth {a} for \"{}\", but Phase 1 records {b}",
                        p.concept.text
                    ),
                )
                .label(format!("{a} here"))
                .related(
                    ctx.lesson.file,
                    row.depth.span,
                    format!(
                        "Phase 1 row \"{}\" says {b} (name match {:.2})",
                        row.concept.text, score
                    ),
                )
                .help("use the same depth in both tables, the one the records show"),
            );
        }
    }
}
