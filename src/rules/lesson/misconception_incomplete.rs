use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that every misconception row has a negative example that disproves it and a place
    /// in the lesson where it is addressed.
    ///
    /// ## Why is this bad?
    /// A misconception named but never disproved by a concrete counter-example, or never placed
    /// in the outline, is a note to self: the learner keeps the wrong idea.
    ///
    /// ## Example
    /// A row whose `Negative Example That Disproves It` cell is empty or `-`.
    pub struct MisconceptionIncomplete {
        id: "misconception-incomplete",
        category: Pedagogy,
        summary: "A misconception without a negative example or a place to address it",
    }
}

impl LessonRule for MisconceptionIncomplete {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let min_chars = ctx.settings.int("min_example_chars").max(0) as usize;
        for m in &ctx.lesson.misconceptions {
            let mut missing = Vec::new();
            if m.negative_example.is_blank()
                || m.negative_example.text.trim().chars().count() < min_chars
            {
                missing.push("a negative example that disproves it");
            }
            if m.where_to_address.is_blank() {
                missing.push("a place where it is addressed");
            }
            if missing.is_empty() {
                continue;
            }
            out.push(
                ctx.finding(
                    Self::META.id,
                    m.misconception.span,
                    format!("misconception \"{}\" has no {}", m.misconception.text, missing.join(" and no ")),
                )
                .label("this misconception")
                .help("fill the Negative Example and Where to Address cells: a concrete case that shows the idea is wrong, and the outline section that shows it"),
            );
        }
    }
}
