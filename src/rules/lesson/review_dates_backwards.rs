use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that review dates (`YYYY-MM-DD`) never go backwards from one review to the next.
    ///
    /// ## Why is this bad?
    /// Reviews are a log; a later review dated earlier is a copy-paste slip that makes the
    /// timeline (and the gate) unreadable.
    ///
    /// ## Example
    /// `## Review — 2026-02-09 (Iteration 1/3)` followed by `## Review — 2026-02-07 (Iteration 2/3)`.
    pub struct ReviewDatesBackwards {
        id: "review-dates-backwards",
        category: Review,
        summary: "A review is dated before the review above it",
    }
}

/// A date as (year, month, day) when it is a valid `YYYY-MM-DD`.
fn ymd(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.trim().splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.get(..2)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

impl LessonRule for ReviewDatesBackwards {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let mut prev: Option<(&crate::model::Review, (u32, u32, u32), &str)> = None;
        for r in &ctx.lesson.reviews {
            let Some(date) = r.date.as_deref() else {
                continue;
            };
            let Some(d) = ymd(date) else {
                out.push(
                    ctx.finding(
                        Self::META.id,
                        r.span,
                        format!("review date \"{date}\" is not a valid YYYY-MM-DD date"),
                    )
                    .label("date")
                    .help("write review dates as YYYY-MM-DD"),
                );
                continue;
            };
            if let Some((p, pd, pdate)) = prev {
                if d < pd {
                    out.push(
                        ctx.finding(
                            Self::META.id,
                            r.span,
                            format!("review dated {date} follows a review dated {pdate}"),
                        )
                        .label(date.to_string())
                        .related(ctx.lesson.file, p.span, pdate.to_string())
                        .help("reviews are in time order: fix the date"),
                    );
                }
            }
            prev = Some((r, d, date));
        }
    }
}
