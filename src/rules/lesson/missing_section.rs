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
        let mut missing: Vec<&str> = Vec::new();
        for name in ctx.settings.str_list("required") {
            let (present, what) = match name.as_str() {
                "title" => (l.title.is_some(), "title (`# Lesson: …`)"),
                "concepts" => (
                    !l.concepts.is_empty(),
                    "Phase 1 concept table (`Concept | Depth | Source | Notes`)",
                ),
                "prerequisites" => (!l.prerequisites.is_empty(), "Prerequisites Table"),
                "misconceptions" => (!l.misconceptions.is_empty(), "Misconceptions Table"),
                "examples" => (!l.examples.is_empty(), "Examples Planned table"),
                "modalities" => (!l.modalities.is_empty(), "Modalities Planned table"),
                "cognitive_load" => (l.cognitive_load.is_some(), "Cognitive Load Assessment"),
                "connections" => (
                    !l.connections.is_empty(),
                    "Connections to Prior Concepts table",
                ),
                "checklists" => (!l.checklist.is_empty(), "checklists"),
                "reviews" => (!l.reviews.is_empty(), "review"),
                _ => (true, ""),
            };
            if !present {
                missing.push(what);
            }
        }
        let list = match missing.as_slice() {
            [] => return,
            [one] => one.to_string(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        };
        out.push(
            ctx.finding(
                Self::META.id,
                title_span(l),
                format!("the lesson plan has no {list}"),
            )
            .label("in this lesson plan")
            .help(
                "add the missing sections as FORMAT.md describes them; the other checks read them",
            ),
        );
    }
}
