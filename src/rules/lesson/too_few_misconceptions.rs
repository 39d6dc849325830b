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
        let min = ctx.settings.int("min");
        let n = ctx.lesson.misconceptions.len() as i64;
        if n >= min {
            return;
        }
        let span = ctx
            .lesson
            .headings
            .iter()
            .find(|h| h.text.to_ascii_lowercase().starts_with("misconceptions"))
            .map(|h| h.span)
            .or(ctx.lesson.title.as_ref().map(|t| t.span))
            .unwrap_or_default();
        out.push(
            ctx.finding(
                Self::META.id,
                span,
                format!("{n} misconception{}; the house rule asks for at least {min}", if n == 1 { "" } else { "s" }),
            )
            .label(format!("{n} listed here"))
            .help("add rows to the Misconceptions Table, each with a concrete negative example and where it is addressed"),
        );
    }
}
