use super::title_span;
use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that the sections and tables the format requires are present: a title, the
    /// Phase 1 concept table, the Prerequisites Table, the Misconceptions Table, Examples
    /// Planned, Modalities Planned and the Cognitive Load Assessment (the `required` list).
    ///
    /// ## Why is this bad?
    /// Every other check reads these tables; a plan without them cannot be held to the house
    /// rules, and a reviewer has nothing to review.
    ///
    /// ## Example
    /// A plan with no `### Misconceptions Table` section.
    pub struct MissingSection {
        id: "missing-section",
        category: Format,
        summary: "A required section or table is missing",
    }
}

impl LessonRule for MissingSection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let l = ctx.lesson;
        for name in ctx.settings.str_list("required") {
            let (present, what) = match name.as_str() {
                "title" => (l.title.is_some(), "a title (`# Lesson: …`)"),
                "concepts" => (
                    !l.concepts.is_empty(),
                    "the Phase 1 concept table (`Concept | Depth | Source | Notes`)",
                ),
                "prerequisites" => (!l.prerequisites.is_empty(), "the Prerequisites Table"),
                "misconceptions" => (!l.misconceptions.is_empty(), "the Misconceptions Table"),
                "examples" => (!l.examples.is_empty(), "the Examples Planned table"),
                "modalities" => (!l.modalities.is_empty(), "the Modalities Planned table"),
                "cognitive_load" => (l.cognitive_load.is_some(), "the Cognitive Load Assessment"),
                "connections" => (
                    !l.connections.is_empty(),
                    "the Connections to Prior Concepts table",
                ),
                "checklists" => (!l.checklist.is_empty(), "the checklists"),
                "reviews" => (!l.reviews.is_empty(), "a review"),
                _ => (true, ""),
            };
            if !present {
                out.push(
                    ctx.finding(
                        Self::META.id,
                        title_span(l),
                        format!("the lesson plan has no {what}"),
                    )
                    .label("in this lesson plan")
                    .help("add the section as FORMAT.md describes it; the other checks read it"),
                );
            }
        }
    }
}
