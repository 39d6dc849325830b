use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::cell_or;
use crate::model::LoadType;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares a lesson's own load type in three places: the module plan's Lesson Sequence
    /// (`Type`), the lesson plan's `This lesson's load:` line, and the record's
    /// `**Cognitive load type:**` for the lesson. The module plan is taken as the reference.
    ///
    /// ## Why is this bad?
    /// The load type drives the sequencing checks (two STRETCH lessons in a row, the next
    /// lesson's "previous lesson load"). When the files disagree, those checks and the people
    /// reading the files work from different facts.
    ///
    /// ## Example
    /// `- **This lesson's load:** BUILD` when the module plan lists the lesson as STRETCH gives
    /// ``This lesson's load is BUILD, but the module plan lists resnets (3.2 #2) as STRETCH``.
    pub struct LoadTypeMismatch {
        id: "load-type-mismatch",
        category: Consistency,
        summary: "A lesson's load type differs between its plan, the module plan and the record",
    }
}

impl CurriculumRule for LoadTypeMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Plans
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let cur = ctx.curriculum;
        for l in &cur.lessons {
            let (Some(expected), Some(row)) = (l.load, l.plan_row) else {
                continue;
            };
            let m = cur.module_of(l);
            let Some(plan) = m.plan else { continue };
            let plan_label = format!("the module plan: {}", expected.as_str());
            if let Some(file) = l.file {
                if let Some(cell) = file.cognitive_load.as_ref().and_then(|c| c.this.as_ref()) {
                    if let Ok(stated) = LoadType::parse(&cell.text) {
                        if stated != expected {
                            out.push(
                                Finding::new(
                                    Self::META.id,
                                    file.file,
                                    cell_or(cell, file.cognitive_load.as_ref().map(|c| c.span).unwrap_or_default()),
                                    format!(
                                        "This lesson's load is {}, but the module plan lists {} as {}",
                                        stated.as_str(),
                                        l.describe(),
                                        expected.as_str()
                                    ),
                                )
                                .label(format!("says {}", stated.as_str()))
                                .related(plan.file, cell_or(&row.load, row.span), plan_label.clone())
                                .help("make the lesson plan and the module plan agree on the load type"),
                            );
                        }
                    }
                }
            }
            if let (Some(s), Some(rec)) = (l.summary, m.record) {
                if let Some(cell) = &s.load {
                    if let Ok(stated) = LoadType::parse(&cell.text) {
                        if stated != expected {
                            out.push(
                                Finding::new(
                                    Self::META.id,
                                    rec.file,
                                    cell_or(cell, s.span),
                                    format!(
                                        "The record gives {} the load type {}, but the module plan lists it as {}",
                                        l.slug,
                                        stated.as_str(),
                                        expected.as_str()
                                    ),
                                )
                                .label(format!("says {}", stated.as_str()))
                                .related(plan.file, cell_or(&row.load, row.span), plan_label.clone())
                                .help("make the record and the module plan agree on the load type"),
                            );
                        }
                    }
                }
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
        assert!(run(&LoadTypeMismatch, &small_course().build()).is_empty());
    }

    #[test]
    fn lesson_and_record_disagree_with_plan() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| l.this_load("BUILD — one new idea"));
        t.module("3.2", |mut m| {
            m.summaries[0].1 = "STRETCH".into();
            m
        });
        let f = run(&LoadTypeMismatch, &t.build());
        assert_eq!(f.len(), 2, "{f:#?}");
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert!(msgs.contains(
            &"This lesson's load is BUILD, but the module plan lists resnets (3.2 #2) as STRETCH"
        ));
        assert!(msgs.contains(&"The record gives architecture-evolution the load type STRETCH, but the module plan lists it as BUILD"));
    }
}
