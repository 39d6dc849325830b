use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::model::curriculum::cell_or;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that every lesson named in a Source cell (Phase 1 concept table and Prerequisites
    /// Table) exists in the curriculum: in a module plan's Lesson Sequence, as a lesson plan file,
    /// or as a block of a module record.
    ///
    /// ## Why is this bad?
    /// A claim about what the learner knows is only worth something if it can be traced to the
    /// lesson that taught it. A source that does not exist (a typo, a renamed or dropped lesson)
    /// cannot be checked, and the claim silently goes unverified.
    ///
    /// Sources naming a module outside the files read (linting one module of a course) are not
    /// reported; the run notes them instead.
    ///
    /// ## Example
    /// `| Batch normalization | INTRODUCED | training-dynamic (1.3) | … |` gives
    /// ``Source lesson `training-dynamic` does not exist: module 1.3 has training-dynamics,
    /// overfitting-and-regularization`` with the help ``did you mean `training-dynamics`?``.
    pub struct UnknownSourceLesson {
        id: "unknown-source-lesson",
        category: Consistency,
        summary: "A Source cell names a lesson that is not in the curriculum",
    }
}

impl CurriculumRule for UnknownSourceLesson {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Plans
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let min = ctx.settings.float("suggest_min_similarity");
        let cur = ctx.curriculum;
        for (_, claim) in ctx.claims() {
            for s in &claim.sources {
                if cur.lesson(&s.slug).is_some() {
                    continue;
                }
                let module = s.module.and_then(|k| cur.module(k));
                if s.module.is_some() && module.is_none() {
                    // The named module was not read: nothing to check against.
                    continue;
                }
                let mut msg = format!("Source lesson `{}` does not exist", s.slug);
                let mut f;
                match module {
                    Some(m) => {
                        let slugs: Vec<&str> = m
                            .lessons
                            .iter()
                            .map(|&i| cur.lessons[i].slug.as_str())
                            .collect();
                        if slugs.is_empty() {
                            msg.push_str(&format!(": module {} has no lessons", m.key));
                        } else {
                            msg.push_str(&format!(": module {} has {}", m.key, slugs.join(", ")));
                        }
                        f = Finding::new(
                            Self::META.id,
                            claim.file,
                            cell_or(claim.source, claim.span),
                            msg,
                        )
                        .label("no such lesson");
                        if let Some(plan) = m.plan {
                            let span = plan
                                .sequence
                                .first()
                                .map(|r| r.span)
                                .or(plan.title.as_ref().map(|t| t.span))
                                .unwrap_or_default();
                            f = f.related(
                                plan.file,
                                span,
                                format!("the Lesson Sequence of module {}", m.key),
                            );
                        }
                    }
                    None => {
                        msg.push_str(" in any module plan or record");
                        f = Finding::new(
                            Self::META.id,
                            claim.file,
                            cell_or(claim.source, claim.span),
                            msg,
                        )
                        .label("no such lesson");
                    }
                }
                let best = cur
                    .lessons
                    .iter()
                    .map(|l| (strsim::jaro_winkler(&l.slug, &s.slug), l))
                    .filter(|(score, _)| *score >= min)
                    .fold(
                        None::<(f64, &crate::model::curriculum::CourseLesson)>,
                        |acc, x| match acc {
                            Some(a) if a.0 >= x.0 => Some(a),
                            _ => Some(x),
                        },
                    );
                f = match best {
                    Some((_, l)) => {
                        if let Some((file, span)) = ctx.lesson_place(l) {
                            f = f.related(file, span, format!("`{}` is lesson {}", l.slug, l.position()));
                        }
                        f.help(format!("did you mean `{} ({})`?", l.slug, l.key))
                    }
                    None => f.help("cite the lesson that taught the concept as `slug (M.N)`, or `-` if no lesson did"),
                };
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
        assert!(run(&UnknownSourceLesson, &small_course().build()).is_empty());
    }

    #[test]
    fn typo_in_source_is_reported_with_suggestion() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.has("He initialization", "DEVELOPED", "training-dynamic (1.3)")
        });
        let b = t.build();
        let f = run(&UnknownSourceLesson, &b);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].message,
            "Source lesson `training-dynamic` does not exist: module 1.3 has training-dynamics, overfitting-and-regularization"
        );
        assert_eq!(
            f[0].help.as_deref(),
            Some("did you mean `training-dynamics (1.3)`?")
        );
        let p = places(&b, &f[0]);
        assert!(
            p[0].starts_with("t/series-3/module-3-2/lessons/resnets.md:"),
            "{p:?}"
        );
        assert!(p[1].starts_with("t/series-1/module-1-3/plan.md:"), "{p:?}");
    }

    #[test]
    fn modules_outside_the_tree_are_not_reported() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.has("ReLU", "DEVELOPED", "activation-functions (1.2)")
        });
        assert!(run(&UnknownSourceLesson, &t.build()).is_empty());
    }
}
