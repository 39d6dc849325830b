use super::{checkable_sources, claimed_range, lesson_list, CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::graph::matcher::show;
use crate::model::curriculum::cell_or;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// For every row of a lesson's Phase 1 concept table and Prerequisites Table that cites a
    /// Source lesson and claims a depth, looks for the concept among the record rows of that
    /// lesson (module `record.md`, Concept Index). Names are matched after normalisation (case,
    /// punctuation, parentheticals, plurals) by similarity; the threshold is `threshold` in
    /// `rules/weak-concept-match.yaml`.
    ///
    /// ## Why is this bad?
    /// The records are the account of what each lesson actually taught. A claim that the
    /// learner knows a concept from a lesson whose record does not hold it is unverified: the
    /// lesson may never have taught it, or taught it under a name nobody will find.
    ///
    /// ## Example
    /// `| Batch normalization | INTRODUCED | training-dynamics (1.3) | … |` when the record of
    /// module 1.3 has no row for it under `training-dynamics` gives ``Batch normalization` is not
    /// in the record of training-dynamics (1.3)`` with a label on the closest record row and its
    /// score.
    pub struct ConceptNotInRecord {
        id: "concept-not-in-record",
        category: Consistency,
        summary: "A claimed concept is not in the record of its Source lesson",
    }
}

impl CurriculumRule for ConceptNotInRecord {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Records
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let g = ctx.graph;
        for (_, claim) in ctx.claims() {
            if claimed_range(&claim.depth_cell()).is_none() {
                continue;
            }
            let srcs = checkable_sources(ctx, claim);
            if srcs.is_empty() {
                continue;
            }
            if claim
                .at_source
                .is_some_and(|m| m.score >= g.settings.threshold)
            {
                continue;
            }
            let name = claim.concept.text.trim();
            let mut msg = format!("`{name}` is not in the record of {}", lesson_list(&srcs));
            if let Some(m) = claim.concept_match {
                let c = &g.concepts[m.target];
                let elsewhere: Vec<String> = c
                    .taught
                    .iter()
                    .map(|&t| &g.taught[t])
                    .filter(|t| t.lesson.is_some_and(|l| l < claim.lesson))
                    .map(|t| format!("{} ({}) at {}", t.slug, t.module, t.depth_text()))
                    .collect();
                if !elsewhere.is_empty() {
                    msg.push_str(&format!(
                        "; the records have it from {}",
                        elsewhere.join(", ")
                    ));
                }
            }
            let mut f = Finding::new(
                Self::META.id,
                claim.file,
                cell_or(claim.concept, claim.span),
                msg,
            )
            .label("no matching record row");
            match claim.at_source {
                Some(m) => {
                    let t = &g.taught[m.target];
                    f = f.related(
                        t.record,
                        t.row.span,
                        format!(
                            "closest row for {}: `{}` (score {}, below {})",
                            t.slug,
                            t.row.concept.text.trim(),
                            show(m.score),
                            show(g.settings.threshold)
                        ),
                    );
                }
                None => {
                    let src = srcs[0];
                    let m = ctx.curriculum.module_of(src);
                    if let Some(rec) = m.record {
                        let span = src
                            .summary
                            .map(|s| s.span)
                            .or(rec.title.as_ref().map(|t| t.span))
                            .unwrap_or_default();
                        f = f.related(
                            rec.file,
                            span,
                            format!(
                                "the record of module {} has no Concept Index row for {}",
                                m.key, src.slug
                            ),
                        );
                    }
                }
            }
            out.push(f.help(
                "add the concept to the Source lesson's record, use the record's name for it, or cite the lesson that taught it",
            ));
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
        assert!(run(&ConceptNotInRecord, &small_course().build()).is_empty());
    }

    #[test]
    fn concept_missing_from_source_record() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.has("Dropout", "DEVELOPED", "training-dynamics (1.3)")
                .has(
                    "Learning rate warmup",
                    "INTRODUCED",
                    "training-dynamics (1.3)",
                )
        });
        let b = t.build();
        let f = run(&ConceptNotInRecord, &b);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(
            f[0].message,
            "`Dropout` is not in the record of training-dynamics (1.3); the records have it from overfitting-and-regularization (1.3) at DEVELOPED"
        );
        let p = places(&b, &f[0]);
        assert!(p[0].starts_with("t/series-3/module-3-2/lessons/resnets.md"));
        assert!(p[1].starts_with("t/series-1/module-1-3/record.md"), "{p:?}");
        assert!(f[0].labels[0]
            .message
            .starts_with("closest row for training-dynamics"));
    }

    #[test]
    fn not_taught_rows_and_free_sources_are_not_claims() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.has("Transfer learning", "NOT TAUGHT", "-").has(
                "Python",
                "DEVELOPED",
                "assumed background",
            )
        });
        assert!(run(&ConceptNotInRecord, &t.build()).is_empty());
    }
}
