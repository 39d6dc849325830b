use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::{cell_or, Origin};
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports every lesson of a module plan's Lesson Sequence that has no lesson plan file in
    /// the module's `lessons/` directory (a file whose slug — header `Slug`, else file name —
    /// is the lesson's).
    ///
    /// ## Why is this bad?
    /// The lesson plan is where the prerequisites, misconceptions and reviews of a lesson live.
    /// A planned lesson without one was either never planned (and cannot have passed review) or
    /// its file is misnamed, which hides it from every cross-lesson check.
    ///
    /// ## Example
    /// `| 3 | transfer-learning | … |` in module 3.2's plan with no
    /// `lessons/transfer-learning.md` gives ``transfer-learning (3.2 #3) is in the module plan
    /// but has no lesson plan file``.
    pub struct LessonPlanMissing {
        id: "lesson-plan-missing",
        category: Consistency,
        summary: "A lesson of a module plan has no lesson plan file",
    }
}

impl CurriculumRule for LessonPlanMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Plans
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let cur = ctx.curriculum;
        for l in &cur.lessons {
            if l.origin != Origin::Planned || l.file.is_some() {
                continue;
            }
            let m = cur.module_of(l);
            let (Some(plan), Some(row)) = (m.plan, l.plan_row) else {
                continue;
            };
            let expected = m
                .dir
                .as_ref()
                .map(|d| {
                    format!(
                        "{}/lessons/{}.md",
                        d.to_string_lossy().replace('\\', "/"),
                        l.slug
                    )
                })
                .unwrap_or_else(|| format!("lessons/{}.md", l.slug));
            let mut f = Finding::new(
                Self::META.id,
                plan.file,
                cell_or(&row.slug, row.span),
                format!("{} is in the module plan but has no lesson plan file", l.describe()),
            )
            .label(format!("no {expected}"))
            .help(format!("write the lesson plan as {expected}, or fix the slug here or in the file's `**Slug:**`"));
            if let (Some(s), Some(rec)) = (l.summary, m.record) {
                f = f.related(rec.file, s.span, "the record has this lesson");
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::testkit::small_course;
    use crate::rules::cross::test_util::{places, run};

    #[test]
    fn clean_course_passes() {
        assert!(run(&LessonPlanMissing, &small_course().build()).is_empty());
    }

    #[test]
    fn planned_lesson_without_file() {
        let mut t = small_course();
        t.remove_lesson("3.2", "architecture-evolution");
        let b = t.build();
        let f = run(&LessonPlanMissing, &b);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "architecture-evolution (3.2 #1) is in the module plan but has no lesson plan file"
        );
        assert_eq!(
            f[0].label.as_deref(),
            Some("no t/series-3/module-3-2/lessons/architecture-evolution.md")
        );
        assert_eq!(places(&b, &f[0]).len(), 2);
    }
}
