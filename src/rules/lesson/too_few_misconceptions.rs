use super::{heading_span, plural};
use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Counts the rows of the Misconceptions Table.
    ///
    /// ## Why is this bad?
    /// A lesson that names fewer than three misconceptions has not looked hard at how learners
    /// go wrong; the house rule asks for at least `min` (3 by default), each disproved by a
    /// concrete negative example.
    ///
    /// ## Example
    /// A Misconceptions Table with two rows gives
    /// `2 misconceptions; the house rule asks for at least 3`.
    pub struct TooFewMisconceptions {
        id: "too-few-misconceptions",
        category: Pedagogy,
        summary: "Fewer misconceptions than the house rule asks for",
    }
}

impl LessonRule for TooFewMisconceptions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        if !super::has_section(ctx.lesson, "misconceptions") && ctx.lesson.misconceptions.is_empty()
        {
            // No such section at all: `missing-section` reports it.
            return;
        }
        let min = ctx.settings.int("min").max(0) as usize;
        let n = ctx.lesson.misconceptions.len();
        if n >= min {
            return;
        }
        out.push(
            ctx.finding(
                Self::META.id,
                heading_span(ctx.lesson, "misconceptions"),
                format!("{}; the house rule asks for at least {min}", plural(n, "misconception")),
            )
            .label(format!("{n} listed under this heading"))
            .help("add rows to the Misconceptions Table, each with a concrete negative example and where it is addressed"),
        );
    }
}
