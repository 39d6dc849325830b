use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares the number written after `New concepts in this lesson:` with the numbered list
    /// of concepts under it.
    ///
    /// ## Why is this bad?
    /// When the stated count and the list disagree, one of them is stale, and the load budget is
    /// checked against a number nobody believes.
    ///
    /// ## Example
    /// `**New concepts in this lesson:** 2` followed by three numbered concepts.
    pub struct NewConceptCountMismatch {
        id: "new-concept-count-mismatch",
        category: Pedagogy,
        summary: "The stated number of new concepts differs from the list",
    }
}

impl LessonRule for NewConceptCountMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let Some(load) = &ctx.lesson.cognitive_load else {
            return;
        };
        let Some(stated) = load.stated else { return };
        let listed = load.new_concepts.len();
        if listed == 0 || stated as usize == listed {
            return;
        }
        let mut f = ctx
            .finding(
                Self::META.id,
                load.stated_span,
                format!("{stated} new concepts stated, but {listed} are listed"),
            )
            .label(format!("states {stated}"))
            .help("make the number match the numbered list of new concepts");
        for c in &load.new_concepts {
            f = f.related(ctx.lesson.file, c.span, "listed");
        }
        out.push(f);
    }
}
