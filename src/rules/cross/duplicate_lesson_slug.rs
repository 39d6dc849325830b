use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a lesson slug used by more than one module.
    ///
    /// ## Why is this bad?
    /// Sources, records and the concept graph name lessons by slug. Two lessons with one slug
    /// make every citation of it ambiguous; the checks take the first in course order.
    ///
    /// ## Example
    /// `resnets` in the plans of modules 3.2 and 4.1 gives ``lesson slug `resnets` is used by
    /// resnets (3.2 #2) and resnets (4.1 #1)``.
    pub struct DuplicateLessonSlug {
        id: "duplicate-lesson-slug",
        category: Consistency,
        summary: "Two lessons of the curriculum share a slug",
    }
}

impl CurriculumRule for DuplicateLessonSlug {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Tree
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let cur = ctx.curriculum;
        for (slug, idx) in &cur.duplicate_slugs {
            let Some((&first, rest)) = idx.split_first() else {
                continue;
            };
            let first_l = &cur.lessons[first];
            for &i in rest {
                let l = &cur.lessons[i];
                let Some((file, span)) = ctx.lesson_place(l) else {
                    continue;
                };
                let mut f = Finding::new(
                    Self::META.id,
                    file,
                    span,
                    format!(
                        "lesson slug `{slug}` is used by {} and {}",
                        first_l.describe(),
                        l.describe()
                    ),
                )
                .label("second use of the slug")
                .help(
                    "give each lesson its own slug; Source cells and records name lessons by slug",
                );
                if let Some((ff, fs)) = ctx.lesson_place(first_l) {
                    f = f.related(ff, fs, "first use");
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::testkit::small_course;
    use crate::rules::cross::test_util::run;

    #[test]
    fn clean_course_passes() {
        assert!(run(&DuplicateLessonSlug, &small_course().build()).is_empty());
    }

    #[test]
    fn slug_in_two_modules() {
        let mut t = small_course();
        t.module("3.1", |m| m.row(3, "resnets", "BUILD", "again"));
        let f = run(&DuplicateLessonSlug, &t.build());
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "lesson slug `resnets` is used by resnets (3.1 #3) and resnets (3.2 #2)"
        );
    }
}
