use super::heading_span;
use crate::declare_rule;
use crate::model::ExampleKind;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Counts positive and negative examples in Examples Planned (by the word the Type cell
    /// starts with; `Interactive positive` counts as positive).
    ///
    /// ## Why is this bad?
    /// A concept is learned from what it is (at least `min_positive`, 2, positive examples) and
    /// from where it stops (at least `min_negative`, 1, negative example).
    ///
    /// ## Example
    /// Three `Positive` rows and no `Negative` row gives
    /// `0 negative examples; the house rule asks for at least 1`.
    pub struct TooFewExamples {
        id: "too-few-examples",
        category: Pedagogy,
        summary: "Fewer positive or negative examples than the house rule asks for",
    }
}

impl LessonRule for TooFewExamples {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        if !super::has_section(ctx.lesson, "examples") && ctx.lesson.examples.is_empty() {
            // No such section at all: `missing-section` reports it.
            return;
        }
        let pos = ctx
            .lesson
            .examples
            .iter()
            .filter(|e| e.kind.is_positive())
            .count();
        let neg = ctx
            .lesson
            .examples
            .iter()
            .filter(|e| e.kind == ExampleKind::Negative)
            .count();
        let span = heading_span(ctx.lesson, "examples");
        for (n, min, word) in [
            (pos, ctx.settings.int("min_positive"), "positive"),
            (neg, ctx.settings.int("min_negative"), "negative"),
        ] {
            let min = min.max(0) as usize;
            if n < min {
                out.push(
                    ctx.finding(
                        Self::META.id,
                        span,
                        format!(
                            "{n} {word} example{}; the house rule asks for at least {min}",
                            if n == 1 { "" } else { "s" }
                        ),
                    )
                    .label(format!(
                        "{} examples planned here",
                        ctx.lesson.examples.len()
                    ))
                    .help(format!(
                        "add a `{}` row to Examples Planned",
                        if word == "positive" {
                            "Positive"
                        } else {
                            "Negative"
                        }
                    )),
                );
            }
        }
    }
}
