use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::{cell_or, Origin};
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// The reverse of `lesson-plan-missing` and `record-entry-missing`: reports a lesson plan
    /// file, or a `### <slug>` block of a record, for a lesson that is not in its module plan's
    /// Lesson Sequence, and a Concept Index row naming a lesson that is in no module of the
    /// curriculum.
    ///
    /// ## Why is this bad?
    /// Course order comes from the module plans. A lesson missing from its plan has no
    /// position, so "earlier" and "later" mean nothing for it and the checks of every lesson
    /// that cites it are guesses. A record row naming an unknown lesson is attributed to nobody.
    ///
    /// ## Example
    /// `lessons/resnet-notes.md` in module 3.2 whose plan does not list `resnet-notes` gives
    /// ``lesson plan `resnet-notes` is not in the Lesson Sequence of module 3.2``.
    pub struct UnplannedLesson {
        id: "unplanned-lesson",
        category: Consistency,
        summary: "A lesson plan file or record entry for a lesson not in its module plan",
    }
}

impl CurriculumRule for UnplannedLesson {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Plans
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let cur = ctx.curriculum;
        for l in &cur.lessons {
            let m = cur.module_of(l);
            let Some(plan) = m.plan else { continue };
            let seq_span = plan
                .sequence
                .first()
                .map(|r| r.span)
                .or(plan.title.as_ref().map(|t| t.span))
                .unwrap_or_default();
            let seq_label = format!("the Lesson Sequence of module {}", m.key);
            match l.origin {
                Origin::Planned => {}
                Origin::FileOnly => {
                    let Some(file) = l.file else { continue };
                    let span = file.title.as_ref().map(|t| t.span).unwrap_or_default();
                    out.push(
                        Finding::new(
                            Self::META.id,
                            file.file,
                            span,
                            format!("lesson plan `{}` is not in the Lesson Sequence of module {}", l.slug, m.key),
                        )
                        .label("not in the module plan")
                        .related(plan.file, seq_span, seq_label)
                        .help("add a row for it to the module plan's Lesson Sequence, or fix its slug"),
                    );
                }
                Origin::RecordOnly => {
                    let (Some(s), Some(rec)) = (l.summary, m.record) else {
                        continue;
                    };
                    out.push(
                        Finding::new(
                            Self::META.id,
                            rec.file,
                            s.span,
                            format!("the record has an entry for `{}`, which is not in the Lesson Sequence of module {}", l.slug, m.key),
                        )
                        .label("not in the module plan")
                        .related(plan.file, seq_span, seq_label)
                        .help("add the lesson to the module plan, or fix the slug of this entry"),
                    );
                }
            }
        }
        // Concept Index rows naming a lesson that exists nowhere.
        let mut seen = std::collections::BTreeSet::new();
        for t in &ctx.graph.taught {
            if t.lesson.is_some() || !seen.insert((t.record, t.row.line, t.slug.clone())) {
                continue;
            }
            let Some(m) = cur.module(t.module) else {
                continue;
            };
            let Some(plan) = m.plan else { continue };
            let span = plan.title.as_ref().map(|x| x.span).unwrap_or_default();
            out.push(
                Finding::new(
                    Self::META.id,
                    t.record,
                    cell_or(&t.row.lesson, t.row.span),
                    format!(
                        "Concept Index row names lesson `{}`, which is in no module plan",
                        t.slug
                    ),
                )
                .label("unknown lesson")
                .related(
                    plan.file,
                    span,
                    format!("module {} plans no `{}`", m.key, t.slug),
                )
                .help("use the slug of the lesson as the module plan writes it"),
            );
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
        assert!(run(&UnplannedLesson, &small_course().build()).is_empty());
    }

    #[test]
    fn files_records_and_rows_outside_the_plan() {
        let mut t = small_course();
        t.lesson("3.2", "resnet-notes", |l| l);
        t.module("3.2", |m| {
            m.summary("vgg-deep-dive", "BUILD")
                .taught("Inception module", "MENTIONED", "googlenet")
        });
        let f = run(&UnplannedLesson, &t.build());
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "lesson plan `resnet-notes` is not in the Lesson Sequence of module 3.2",
                "the record has an entry for `vgg-deep-dive`, which is not in the Lesson Sequence of module 3.2",
                "Concept Index row names lesson `googlenet`, which is in no module plan",
            ]
        );
    }
}
