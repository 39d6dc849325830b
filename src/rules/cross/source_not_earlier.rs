use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::cell_or;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that every Source lesson comes before the lesson citing it in course order
    /// (series, module, then the `#` of the module plan's Lesson Sequence).
    ///
    /// ## Why is this bad?
    /// A learner cannot already know what a later lesson will teach. A source that comes after
    /// the citing lesson (or is the lesson itself) means the plan assumes knowledge the learner
    /// does not have yet, or the lessons were reordered without updating the plan.
    ///
    /// ## Example
    /// In `resnets` (3.2 #2), `| Fine-tuning | INTRODUCED | transfer-learning (3.2) | … |` where
    /// `transfer-learning` is 3.2 #3 gives ``Source lesson `transfer-learning` (3.2 #3) comes
    /// after `resnets` (3.2 #2)``.
    pub struct SourceNotEarlier {
        id: "source-not-earlier",
        category: Consistency,
        summary: "A Source lesson comes after (or is) the lesson citing it",
    }
}

impl CurriculumRule for SourceNotEarlier {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Tree
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        for (_, claim) in ctx.claims() {
            let me = ctx.lesson(claim.lesson);
            for s in &claim.sources {
                let Some(src) = ctx.curriculum.lesson(&s.slug) else {
                    continue;
                };
                if src.order < me.order {
                    continue;
                }
                let (msg, label) = if src.order == me.order {
                    (
                        format!(
                            "`{}` cites itself as the Source of `{}`",
                            me.slug,
                            claim.concept.text.trim()
                        ),
                        "this lesson".to_string(),
                    )
                } else {
                    (
                        format!(
                            "Source lesson `{}` ({}) comes after `{}` ({})",
                            src.slug,
                            src.position(),
                            me.slug,
                            me.position()
                        ),
                        format!("a later lesson ({})", src.position()),
                    )
                };
                let mut f = Finding::new(Self::META.id, claim.file, cell_or(claim.source, claim.span), msg)
                    .label(label)
                    .help("cite the earlier lesson that taught the concept, or mark it as a gap this lesson resolves");
                if let Some((file, span)) = ctx.lesson_place(src) {
                    f = f.related(
                        file,
                        span,
                        format!("`{}` is lesson {}", src.slug, src.position()),
                    );
                }
                if src.order != me.order {
                    if let Some((file, span)) = ctx.lesson_place(me) {
                        f = f.related(
                            file,
                            span,
                            format!("`{}` is lesson {}", me.slug, me.position()),
                        );
                    }
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
        assert!(run(&SourceNotEarlier, &small_course().build()).is_empty());
    }

    #[test]
    fn later_and_self_sources() {
        let mut t = small_course();
        t.lesson("3.1", "building-a-cnn", |l| {
            l.has("Residual connection", "DEVELOPED", "resnets (3.2)")
                .has("Convolution", "DEVELOPED", "building-a-cnn (3.1)")
        });
        let f = run(&SourceNotEarlier, &t.build());
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(
            f[0].message,
            "Source lesson `resnets` (3.2 #2) comes after `building-a-cnn` (3.1 #1)"
        );
        assert_eq!(f[0].labels.len(), 2);
        assert_eq!(
            f[1].message,
            "`building-a-cnn` cites itself as the Source of `Convolution`"
        );
    }
}
