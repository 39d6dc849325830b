use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::cell_or;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks the module number written beside a Source lesson (`training-dynamics (1.3)`)
    /// against the module the lesson lives in.
    ///
    /// ## Why is this bad?
    /// The module number is how a reader finds the record to check the claim against. A wrong
    /// number sends them to the wrong record, and usually means the claim was copied from an
    /// older plan of the course.
    ///
    /// ## Example
    /// `| Dropout | DEVELOPED | overfitting-and-regularization (1.2) | … |` when the lesson is in
    /// module 1.3 gives ``Source `overfitting-and-regularization (1.2)`: the lesson is in module
    /// 1.3, not 1.2``.
    pub struct SourceModuleMismatch {
        id: "source-module-mismatch",
        category: Consistency,
        summary: "A Source cell gives the wrong module number for its lesson",
    }
}

impl CurriculumRule for SourceModuleMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Tree
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        for (_, claim) in ctx.claims() {
            for s in &claim.sources {
                let (Some(k), Some(l)) = (s.module, ctx.curriculum.lesson(&s.slug)) else {
                    continue;
                };
                if k == l.key {
                    continue;
                }
                let written = s.module_text.clone().unwrap_or_else(|| k.to_string());
                let mut f = Finding::new(
                    Self::META.id,
                    claim.file,
                    cell_or(claim.source, claim.span),
                    format!(
                        "Source `{} ({written})`: the lesson is in module {}, not {written}",
                        s.slug, l.key
                    ),
                )
                .label(format!("says module {written}"))
                .help(format!("write `{} ({})`", s.slug, l.key));
                if let Some((file, span)) = ctx.lesson_place(l) {
                    f = f.related(
                        file,
                        span,
                        format!("`{}` is lesson {}", l.slug, l.position()),
                    );
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
    use crate::rules::cross::test_util::{places, run};

    #[test]
    fn clean_course_passes() {
        assert!(run(&SourceModuleMismatch, &small_course().build()).is_empty());
    }

    #[test]
    fn wrong_module_number() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.has(
                "Dropout",
                "DEVELOPED",
                "overfitting-and-regularization (1.2)",
            )
        });
        let b = t.build();
        let f = run(&SourceModuleMismatch, &b);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "Source `overfitting-and-regularization (1.2)`: the lesson is in module 1.3, not 1.2"
        );
        let p = places(&b, &f[0]);
        assert_eq!(p[1], "t/series-1/module-1-3/plan.md:8");
    }
}
