use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Counts the new concepts of the Cognitive Load Assessment (the stated number, or the
    /// listed concepts where no number is written).
    ///
    /// ## Why is this bad?
    /// Working memory holds few new ideas at once: the house rule allows at most `max` (3) new
    /// concepts per lesson. More belongs in two lessons.
    ///
    /// ## Example
    /// `- **New concepts in this lesson:** 4` gives `4 new concepts; the house rule allows at most 3`.
    pub struct TooManyNewConcepts {
        id: "too-many-new-concepts",
        category: Pedagogy,
        summary: "More new concepts than the cognitive-load budget allows",
    }
}

impl LessonRule for TooManyNewConcepts {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let Some(load) = &ctx.lesson.cognitive_load else {
            return;
        };
        let max = ctx.settings.int("max").max(0) as usize;
        let listed = load.new_concepts.len();
        let n = (load.stated.unwrap_or(0) as usize).max(listed);
        if n <= max {
            return;
        }
        let span = if load.stated.is_some() {
            load.stated_span
        } else {
            load.span
        };
        let mut f = ctx
            .finding(Self::META.id, span, format!("{n} new concepts; the house rule allows at most {max}"))
            .label("new concepts counted here")
            .help("move a concept to another lesson, or treat it as a reinforcement of something already taught");
        for c in load.new_concepts.iter().skip(max) {
            f = f.related(ctx.lesson.file, c.span, "over the budget");
        }
        out.push(f);
    }
}
