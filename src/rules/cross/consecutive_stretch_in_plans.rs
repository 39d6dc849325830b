use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::cell_or;
use crate::model::LoadType;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// The course-wide counterpart of `consecutive-stretch-without-mitigation` (which reads one
    /// lesson plan's own Cognitive Load Assessment): walks the lessons in course order with the load types of the module plans and reports a
    /// STRETCH lesson that follows `max_in_a_row` STRETCH lessons (one, by default) when no
    /// mitigation is stated for it. A mitigation is stated when one of `mitigation_words`
    /// (`mitigat…` by default) appears in the lesson's Lesson Sequence row, on a line of the
    /// module plan that names the lesson, or in the lesson plan's Cognitive Load Assessment.
    /// `across_modules: false` restarts the count at every module.
    ///
    /// ## Why is this bad?
    /// A STRETCH lesson asks the learner for new concepts at the edge of their ability. Two in a
    /// row leave no time to consolidate; the house rule allows it only with a stated mitigation
    /// (an easier kind of load, a scaffold, a recovery lesson after).
    ///
    /// ## Example
    /// `| 1 | architecture-evolution | … | STRETCH |` followed by `| 2 | resnets | … | STRETCH |`
    /// with no mitigation gives ``resnets (3.2 #2) is STRETCH right after architecture-evolution
    /// (3.2 #1), also STRETCH, and no mitigation is stated``.
    pub struct ConsecutiveStretchInPlans {
        id: "consecutive-stretch-in-plans",
        category: Pedagogy,
        summary: "STRETCH lessons in a row in the module plans without a stated mitigation",
    }
}

impl CurriculumRule for ConsecutiveStretchInPlans {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Plans
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let max = ctx.settings.int("max_in_a_row").max(1) as usize;
        let across = ctx.settings.bool("across_modules");
        let words: Vec<String> = ctx
            .settings
            .str_list("mitigation_words")
            .iter()
            .map(|w| w.to_lowercase())
            .collect();
        let mentions = |text: &str| {
            let t = text.to_lowercase();
            words
                .iter()
                .any(|w| !w.is_empty() && t.contains(w.as_str()))
        };
        let cur = ctx.curriculum;
        let mut run: Vec<usize> = Vec::new();
        let mut prev_module = None;
        for l in &cur.lessons {
            if !across && prev_module != Some(l.module) {
                run.clear();
            }
            prev_module = Some(l.module);
            let Some(load) = l.load else {
                // A lesson outside the plans breaks no run but is not counted either.
                continue;
            };
            if load != LoadType::Stretch {
                run.clear();
                continue;
            }
            run.push(l.order);
            if run.len() <= max {
                continue;
            }
            let m = cur.module_of(l);
            let (Some(plan), Some(row)) = (m.plan, l.plan_row) else {
                continue;
            };
            let in_row = mentions(&row.rationale.text) || mentions(&row.core_concepts.text);
            let in_plan = plan
                .text
                .lines()
                .any(|line| line.to_lowercase().contains(&l.slug) && mentions(line));
            let in_lesson = l
                .file
                .and_then(|f| f.cognitive_load.as_ref())
                .is_some_and(|c| {
                    mentions(&c.text)
                        || c.appropriate.as_ref().is_some_and(|a| mentions(&a.text))
                        || c.this.as_ref().is_some_and(|a| mentions(&a.text))
                });
            if in_row || in_plan || in_lesson {
                continue;
            }
            let before: Vec<&str> = run[..run.len() - 1]
                .iter()
                .map(|&i| cur.lessons[i].slug.as_str())
                .collect();
            let prev = &cur.lessons[run[run.len() - 2]];
            let msg = if before.len() == 1 {
                format!(
                    "{} is STRETCH right after {}, also STRETCH, and no mitigation is stated",
                    l.describe(),
                    prev.describe()
                )
            } else {
                format!(
                    "{} is the {} STRETCH lesson in a row (after {}) and no mitigation is stated",
                    l.describe(),
                    ordinal(run.len()),
                    before.join(", ")
                )
            };
            let mut f = Finding::new(Self::META.id, plan.file, cell_or(&row.load, row.span), msg)
                .label("STRETCH again")
                .help("state the mitigation in the Rationale or the lesson's Cognitive Load Assessment, or change one lesson's load");
            let pm = cur.module_of(prev);
            if let (Some(pp), Some(pr)) = (pm.plan, prev.plan_row) {
                f = f.related(
                    pp.file,
                    cell_or(&pr.load, pr.span),
                    format!("{} is STRETCH", prev.slug),
                );
            }
            out.push(f);
        }
    }
}

fn ordinal(n: usize) -> String {
    match n {
        2 => "second".into(),
        3 => "third".into(),
        4 => "fourth".into(),
        n => format!("{n}th"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::testkit::small_course;
    use crate::rules::cross::test_util::{places, run};

    #[test]
    fn clean_course_passes() {
        assert!(run(&ConsecutiveStretchInPlans, &small_course().build()).is_empty());
    }

    #[test]
    fn two_stretch_lessons_without_mitigation() {
        let mut t = small_course();
        t.module("3.2", |mut m| {
            if let Some(rows) = m.plan.as_mut() {
                rows[0].2 = "STRETCH".into();
            }
            m
        });
        let b = t.build();
        let f = run(&ConsecutiveStretchInPlans, &b);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].message,
            "resnets (3.2 #2) is STRETCH right after architecture-evolution (3.2 #1), also STRETCH, and no mitigation is stated"
        );
        assert_eq!(
            places(&b, &f[0]),
            [
                "t/series-3/module-3-2/plan.md:8",
                "t/series-3/module-3-2/plan.md:7"
            ]
        );
    }

    #[test]
    fn mitigation_in_lesson_or_plan_is_accepted() {
        let mut t = small_course();
        t.module("3.2", |mut m| {
            if let Some(rows) = m.plan.as_mut() {
                rows[0].2 = "STRETCH".into();
            }
            m
        });
        let mut a = t.clone();
        a.lesson("3.2", "resnets", |l| {
            l.load_note("- mitigated by the scaffolded notebook")
        });
        assert!(run(&ConsecutiveStretchInPlans, &a.build()).is_empty());
        let mut p = t.clone();
        p.module("3.2", |m| {
            m.plan_text("resnets follows a STRETCH lesson; mitigation: L1 is conceptual only.")
        });
        assert!(run(&ConsecutiveStretchInPlans, &p.build()).is_empty());
    }
}
