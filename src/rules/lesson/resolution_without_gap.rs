use super::{gap_matches, gap_prereqs};
use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that every Gap Resolution row resolves a prerequisite marked GAP or MISSING.
    ///
    /// ## Why is this bad?
    /// A resolution for a gap that the Prerequisites Table does not show means the table is out
    /// of date (the row says OK) or the resolution is for something not needed.
    ///
    /// ## Example
    /// A Gap Resolution row `1x1 convolutions` when no prerequisite row names 1x1 convolutions.
    pub struct ResolutionWithoutGap {
        id: "resolution-without-gap",
        category: Pedagogy,
        summary: "A gap resolution row matches no prerequisite gap",
    }
}

impl LessonRule for ResolutionWithoutGap {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let threshold = ctx.settings.float("min_similarity");
        for g in &ctx.lesson.gaps {
            if gap_prereqs(ctx.lesson).any(|p| gap_matches(&g.gap.text, p, threshold)) {
                continue;
            }
            let mut f = ctx
                .finding(
                    Self::META.id,
                    g.gap.span,
                    format!(
                        "resolution for \"{}\", which no prerequisite marks as a gap",
                        g.gap.text
                    ),
                )
                .label("no GAP row for this")
                .help("mark the prerequisite row GAP (or add it), or remove this resolution");
            if let Some((p, _)) = crate::model::names::best_match(
                &g.gap.text,
                ctx.lesson
                    .prerequisites
                    .iter()
                    .map(|p| (p.concept.text.as_str(), p)),
                threshold,
            ) {
                f = f.related(
                    ctx.lesson.file,
                    p.status.span,
                    format!("the prerequisite is marked {}", p.status.text.trim()),
                );
            }
            out.push(f);
        }
    }
}
