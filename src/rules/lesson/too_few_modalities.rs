use super::{heading_span, plural};
use crate::declare_rule;
use crate::model::names::normalize;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Counts the distinct modalities in Modalities Planned (names compared without case,
    /// emphasis and parentheticals, so `Visual (diagram)` and `Visual (animation)` are one).
    ///
    /// ## Why is this bad?
    /// The house rule asks for at least `min` (3) genuinely different ways into the core
    /// concept; two rows of the same modality are one modality.
    ///
    /// ## Example
    /// Rows `Visual (diagram)`, `Visual (chart)`, `Verbal` give 2 distinct modalities.
    pub struct TooFewModalities {
        id: "too-few-modalities",
        category: Pedagogy,
        summary: "Fewer distinct modalities than the house rule asks for",
    }
}

impl LessonRule for TooFewModalities {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        if !super::has_section(ctx.lesson, "modalities") && ctx.lesson.modalities.is_empty() {
            // No such section at all: `missing-section` reports it.
            return;
        }
        let min = ctx.settings.int("min").max(0) as usize;
        let mut distinct: Vec<String> = ctx
            .lesson
            .modalities
            .iter()
            .map(|m| normalize(&m.modality.text))
            .filter(|s| !s.is_empty())
            .collect();
        distinct.sort();
        distinct.dedup();
        let n = distinct.len();
        if n >= min {
            return;
        }
        let rows = ctx.lesson.modalities.len();
        let extra = if rows != n {
            format!(" (in {})", plural(rows, "row"))
        } else {
            String::new()
        };
        out.push(
            ctx.finding(
                Self::META.id,
                heading_span(ctx.lesson, "modalities"),
                format!("{}{extra}; the house rule asks for at least {min}", plural(n, "distinct modality").replace("modalitys", "modalities")),
            )
            .label("modalities planned here")
            .help("plan the core concept in more genuinely different modalities: visual, symbolic, concrete example, interactive, analogy, verbal …"),
        );
    }
}
