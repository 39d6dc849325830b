use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that every review finding carries the `fields` the house format asks for:
    /// **Location**, **Issue**, **Student impact** and **Suggested fix**.
    ///
    /// ## Why is this bad?
    /// A finding without a location cannot be found; without student impact it cannot be
    /// weighed; without a suggested fix it cannot be verified in the next iteration.
    ///
    /// ## Example
    /// A `#### [POLISH] — Typo` finding with only `**Issue:**`.
    pub struct FindingMissingField {
        id: "finding-missing-field",
        category: Review,
        summary: "A review finding lacks Location, Issue, Student impact or Suggested fix",
    }
}

impl LessonRule for FindingMissingField {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let required = ctx.settings.str_list("fields");
        for r in &ctx.lesson.reviews {
            for f in &r.findings {
                let missing: Vec<&str> = required
                    .iter()
                    .filter(|want| !f.fields.iter().any(|have| have.eq_ignore_ascii_case(want)))
                    .map(String::as_str)
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                out.push(
                    ctx.finding(
                        Self::META.id,
                        f.span,
                        format!(
                            "finding \"{}\" has no {}",
                            f.title,
                            missing
                                .iter()
                                .map(|m| format!("**{m}:**"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .label("this finding")
                    .help("give every finding Location, Issue, Student impact and Suggested fix"),
                );
            }
        }
    }
}
