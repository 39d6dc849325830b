use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::cell_or;
use crate::model::LoadType;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares the `Previous lesson load:` line of a lesson's Cognitive Load Assessment with the
    /// load type (`Type` column) the module plans give the previous lesson in course order —
    /// across a module boundary too.
    ///
    /// ## Why is this bad?
    /// Whether this lesson's load is appropriate depends on what came right before it. A plan
    /// that misremembers the previous lesson's load (a STRETCH remembered as BUILD) judges its
    /// own load against the wrong baseline and may stack two hard lessons without noticing.
    ///
    /// ## Example
    /// `- **Previous lesson load:** BUILD` in `resnets` when the module plan has
    /// `| 1 | architecture-evolution | … | STRETCH | … |` gives ``Previous lesson load is BUILD,
    /// but the module plan gives architecture-evolution (3.2 #1) STRETCH``.
    pub struct PreviousLoadMismatch {
        id: "previous-load-mismatch",
        category: Consistency,
        summary: "\"Previous lesson load\" disagrees with the module plan",
    }
}

impl CurriculumRule for PreviousLoadMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Plans
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let cur = ctx.curriculum;
        for l in &cur.lessons {
            let Some(file) = l.file else { continue };
            let Some(cell) = file
                .cognitive_load
                .as_ref()
                .and_then(|c| c.previous.as_ref())
            else {
                continue;
            };
            if l.order == 0 {
                continue;
            }
            let prev = &cur.lessons[l.order - 1];
            let (Some(expected), Some(row)) = (prev.load, prev.plan_row) else {
                continue;
            };
            let stated = match LoadType::parse(&cell.text) {
                Ok(s) => s,
                Err(_) => {
                    let t = cell.text.trim().to_ascii_lowercase();
                    if !(t.starts_with("none")
                        || t.starts_with("n/a")
                        || t.starts_with("first")
                        || t == "-")
                    {
                        continue;
                    }
                    let Some(plan) = cur.module_of(prev).plan else {
                        continue;
                    };
                    out.push(
                        Finding::new(
                            Self::META.id,
                            file.file,
                            cell_or(cell, file.cognitive_load.as_ref().map(|c| c.span).unwrap_or_default()),
                            format!(
                                "Previous lesson load says there is no previous lesson, but {} ({}) comes before it",
                                prev.describe(),
                                expected.as_str()
                            ),
                        )
                        .label("no previous lesson?")
                        .related(plan.file, cell_or(&row.load, row.span), format!("{} is {}", prev.slug, expected.as_str()))
                        .help(format!("write `{}` ({})", expected.as_str(), prev.slug)),
                    );
                    continue;
                }
            };
            if stated == expected {
                continue;
            }
            let Some(plan) = cur.module_of(prev).plan else {
                continue;
            };
            out.push(
                Finding::new(
                    Self::META.id,
                    file.file,
                    cell_or(
                        cell,
                        file.cognitive_load
                            .as_ref()
                            .map(|c| c.span)
                            .unwrap_or_default(),
                    ),
                    format!(
                        "Previous lesson load is {}, but the module plan gives {} {}",
                        stated.as_str(),
                        prev.describe(),
                        expected.as_str()
                    ),
                )
                .label(format!("says {}", stated.as_str()))
                .related(
                    plan.file,
                    cell_or(&row.load, row.span),
                    format!("{} is {}", prev.slug, expected.as_str()),
                )
                .help(format!(
                    "write `{}` and check that this lesson's load still follows well after it",
                    expected.as_str()
                )),
            );
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
        assert!(run(&PreviousLoadMismatch, &small_course().build()).is_empty());
    }

    #[test]
    fn wrong_previous_load() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.previous_load("STRETCH (architecture-evolution)")
        });
        let b = t.build();
        let f = run(&PreviousLoadMismatch, &b);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "Previous lesson load is STRETCH, but the module plan gives architecture-evolution (3.2 #1) BUILD"
        );
        assert_eq!(places(&b, &f[0])[1], "t/series-3/module-3-2/plan.md:7");
    }

    #[test]
    fn across_module_boundary() {
        let mut t = small_course();
        t.lesson("3.2", "architecture-evolution", |l| {
            l.previous_load("BUILD")
        });
        let f = run(&PreviousLoadMismatch, &t.build());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.ends_with("mnist-cnn-project (3.1 #2) PROJECT"),
            "{}",
            f[0].message
        );
    }
}
