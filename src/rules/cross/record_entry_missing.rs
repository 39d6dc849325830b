use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::{cell_or, Origin};
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports every lesson of a module plan's Lesson Sequence that has no `### <slug>` block
    /// under the Per-Lesson Summaries of the module's `record.md`, and every module with a plan
    /// but no record at all.
    ///
    /// ## Why is this bad?
    /// The record is what later lessons are checked against. A lesson missing from it leaves
    /// every claim that cites it unverifiable, and its load type and status unknown.
    ///
    /// ## Example
    /// `| 2 | resnets | … |` in module 3.2's plan, with no `### resnets` in its record, gives
    /// ``resnets (3.2 #2) is in the module plan but has no entry in the record``.
    pub struct RecordEntryMissing {
        id: "record-entry-missing",
        category: Consistency,
        summary: "A lesson of a module plan has no entry in the module record",
    }
}

impl CurriculumRule for RecordEntryMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Plans
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let cur = ctx.curriculum;
        let g = ctx.graph;
        for m in &cur.modules {
            let Some(plan) = m.plan else { continue };
            let Some(rec) = m.record else {
                if !ctx.settings.bool("require_record_file") {
                    continue;
                }
                let span = plan.title.as_ref().map(|t| t.span).unwrap_or_default();
                out.push(
                    Finding::new(
                        Self::META.id,
                        plan.file,
                        span,
                        format!(
                            "module {} has a plan with {} lesson{} but no record.md",
                            m.key,
                            plan.sequence.len(),
                            super::plural(plan.sequence.len())
                        ),
                    )
                    .label("no record beside this plan")
                    .help("write the module's record.md: a Concept Index and a block per lesson"),
                );
                continue;
            };
            for &i in &m.lessons {
                let l = &cur.lessons[i];
                if l.origin != Origin::Planned || l.summary.is_some() {
                    continue;
                }
                let Some(row) = l.plan_row else { continue };
                let rows = g.lesson_taught[i].len();
                let detail = if rows > 0 {
                    format!(
                        " (the Concept Index has {rows} row{} for it)",
                        super::plural(rows)
                    )
                } else {
                    String::new()
                };
                let span = rec
                    .lessons
                    .last()
                    .map(|s| s.span)
                    .or(rec.title.as_ref().map(|t| t.span))
                    .unwrap_or_default();
                out.push(
                    Finding::new(
                        Self::META.id,
                        plan.file,
                        cell_or(&row.slug, row.span),
                        format!(
                            "{} is in the module plan but has no entry in the record{detail}",
                            l.describe()
                        ),
                    )
                    .label(format!("no `### {}` in the record", l.slug))
                    .related(rec.file, span, format!("the record of module {} has no `### {}`", m.key, l.slug))
                    .help(format!(
                        "add `### {}` under Per-Lesson Summaries with what was taught, or remove the lesson from the plan",
                        l.slug
                    )),
                );
            }
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
        assert!(run(&RecordEntryMissing, &small_course().build()).is_empty());
    }

    #[test]
    fn planned_lesson_missing_from_record() {
        let mut t = small_course();
        t.module("3.2", |mut m| {
            m.summaries.retain(|s| s.0 != "resnets");
            m
        });
        let b = t.build();
        let f = run(&RecordEntryMissing, &b);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "resnets (3.2 #2) is in the module plan but has no entry in the record (the Concept Index has 1 row for it)"
        );
        assert!(places(&b, &f[0])[1].starts_with("t/series-3/module-3-2/record.md"));
    }

    #[test]
    fn plan_without_record() {
        let mut t = small_course();
        t.module("3.2", |mut m| {
            m.record = None;
            m.summaries.clear();
            m
        });
        let f = run(&RecordEntryMissing, &t.build());
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "module 3.2 has a plan with 2 lessons but no record.md"
        );
    }
}
