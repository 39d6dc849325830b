use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::cell_or;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Builds the lesson dependency graph — an edge from a lesson to every Source lesson its
    /// Phase 1 and Prerequisites Tables cite — and reports every cycle in it, once per group of
    /// lessons that depend on each other, with a label on each citation of the cycle.
    ///
    /// ## Why is this bad?
    /// Lessons that require each other cannot be taught in any order: whichever comes first
    /// assumes what only the other teaches. A cycle usually means a concept is attributed to the
    /// wrong lesson in one of the plans.
    ///
    /// ## Example
    /// `building-a-cnn` citing `resnets (3.2)` while `resnets` cites `building-a-cnn (3.1)` gives
    /// ``Lessons require each other in a cycle: building-a-cnn (3.1 #1) → resnets (3.2 #2) →
    /// building-a-cnn``.
    pub struct RequirementCycle {
        id: "requirement-cycle",
        category: Consistency,
        summary: "Lessons whose requirements cite each other in a cycle",
    }
}

impl CurriculumRule for RequirementCycle {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Tree
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let g = ctx.graph;
        for cycle in g.requirement_cycles(ctx.curriculum) {
            let Some(first) = cycle.first() else { continue };
            let mut path: Vec<String> = cycle
                .iter()
                .map(|s| ctx.lesson(s.lesson).describe())
                .collect();
            path.push(ctx.lesson(first.lesson).slug.clone());
            let claim = &g.claims[first.claim];
            let mut f = Finding::new(
                Self::META.id,
                claim.file,
                cell_or(claim.source, claim.span),
                format!(
                    "Lessons require each other in a cycle: {}",
                    path.join(" → ")
                ),
            )
            .label(format!(
                "{} requires `{}` from {}",
                ctx.lesson(first.lesson).slug,
                claim.concept.text.trim(),
                ctx.lesson(first.needs).slug
            ));
            for step in &cycle[1..] {
                let c = &g.claims[step.claim];
                f = f.related(
                    c.file,
                    cell_or(c.source, c.span),
                    format!(
                        "{} requires `{}` from {}",
                        ctx.lesson(step.lesson).slug,
                        c.concept.text.trim(),
                        ctx.lesson(step.needs).slug
                    ),
                );
            }
            out.push(f.help("attribute each concept to the lesson that teaches it first; a later lesson cannot be a source"));
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
        assert!(run(&RequirementCycle, &small_course().build()).is_empty());
    }

    #[test]
    fn two_lessons_citing_each_other() {
        let mut t = small_course();
        t.lesson("3.1", "building-a-cnn", |l| {
            l.prereq(
                "Residual connection",
                "INTRODUCED",
                "INTRODUCED",
                "resnets (3.2)",
                "OK",
            )
        });
        let b = t.build();
        let f = run(&RequirementCycle, &b);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "Lessons require each other in a cycle: building-a-cnn (3.1 #1) → resnets (3.2 #2) → building-a-cnn"
        );
        let p = places(&b, &f[0]);
        assert!(p[0].starts_with("t/series-3/module-3-1/lessons/building-a-cnn.md"));
        assert!(p[1].starts_with("t/series-3/module-3-2/lessons/resnets.md"));
    }
}
