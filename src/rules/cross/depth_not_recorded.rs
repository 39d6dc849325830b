use super::{checkable_sources, claimed_range, range_text, CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::graph::matcher::{key_similarity, show};
use crate::model::curriculum::cell_or;
use crate::model::Depth;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// For every claim of a depth from a Source lesson (Phase 1 `Depth`, Prerequisites Table
    /// `Actual Depth`) whose concept is found in that lesson's record, compares the claimed depth
    /// with the depth the record gives for that lesson. Record cells may be one depth, a range
    /// (`DEVELOPED/APPLIED`), an upgrade across lessons (`INTRODUCED -> APPLIED` with
    /// `a -> b`), or `REINFORCED` (the depth the concept already had).
    ///
    /// ## Why is this bad?
    /// The lesson plan is built on these depths: a concept claimed DEVELOPED gets no
    /// re-explanation. If the record shows the Source lesson only MENTIONED it, the learner
    /// meets a lesson that assumes what they were never taught.
    ///
    /// ## Example
    /// `| Batch normalization | INTRODUCED | training-dynamics (1.3) | … |` when the record row is
    /// `| Batch normalization | MENTIONED | training-dynamics | … |` gives ``Batch normalization`
    /// is claimed INTRODUCED from training-dynamics (1.3); the record shows MENTIONED`` at the
    /// lesson row, with the record row labelled.
    pub struct DepthNotRecorded {
        id: "depth-not-recorded",
        category: Consistency,
        summary: "A claimed depth differs from the depth the Source lesson's record shows",
    }
}

impl CurriculumRule for DepthNotRecorded {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Records
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let g = ctx.graph;
        for (_, claim) in ctx.claims() {
            let Some(claimed) = claimed_range(&claim.depth_cell()) else {
                continue;
            };
            let Some(best) = claim.at_source.filter(|m| m.score >= g.settings.threshold) else {
                continue;
            };
            if checkable_sources(ctx, claim).is_empty() {
                continue;
            }
            // Every fact of the Source lessons that names this concept well enough.
            let key = claim.name.key(claim.qualified);
            let facts: Vec<usize> = g
                .taught
                .iter()
                .enumerate()
                .filter(|(_, t)| claim.sources.iter().any(|s| s.slug == t.slug))
                .filter(|(_, t)| {
                    key_similarity(&key, &t.name.key(claim.qualified)) >= g.settings.threshold
                })
                .map(|(i, _)| i)
                .collect();
            let range_of = |ti: usize| -> Option<(Depth, Depth)> {
                let t = &g.taught[ti];
                match t.depth {
                    Some(r) => Some(r),
                    // REINFORCED: the depth the concept had when reinforced.
                    None => t
                        .lesson
                        .and_then(|l| g.depth_before(t.concept, l + 1))
                        .map(|s| (s.floor, s.deepest)),
                }
            };
            let consistent = facts
                .iter()
                .any(|&ti| range_of(ti).is_none_or(|(lo, hi)| claimed.0 <= hi && lo <= claimed.1));
            if consistent {
                continue;
            }
            let t = &g.taught[best.target];
            let recorded = range_of(best.target)
                .map(range_text)
                .unwrap_or_else(|| "REINFORCED".into());
            let claimed_text = range_text(claimed);
            let name = claim.concept.text.trim();
            let src = ctx
                .curriculum
                .lesson(&t.slug)
                .map(|l| format!("{} ({})", l.slug, l.key))
                .unwrap_or_else(|| t.slug.clone());
            let msg = format!(
                "`{name}` is claimed {claimed_text} from {src}; the record shows {recorded}"
            );
            let f = Finding::new(Self::META.id, claim.file, cell_or(claim.depth, claim.span), msg)
                .label(format!("claims {claimed_text}"))
                .related(
                    t.record,
                    t.row.span,
                    format!(
                        "record: {recorded} in {} (matched `{}`, score {})",
                        t.slug,
                        t.row.concept.text.trim(),
                        show(best.score)
                    ),
                )
                .help("make the lesson's depth match the record, or correct the record if the lesson taught more");
            out.push(f);
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
        assert!(run(&DepthNotRecorded, &small_course().build()).is_empty());
    }

    #[test]
    fn changed_record_row_is_reported_at_both_places() {
        let mut t = small_course();
        t.module("1.3", |mut m| {
            if let Some(rows) = m.record.as_mut() {
                for r in rows.iter_mut() {
                    if r.0 == "Batch normalization" && r.1 == "INTRODUCED" {
                        r.1 = "MENTIONED".into();
                    }
                }
            }
            m
        });
        let b = t.build();
        let f = run(&DepthNotRecorded, &b);
        // The Phase 1 row and the prerequisite row both claim INTRODUCED.
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(
            f[0].message,
            "`Batch normalization` is claimed INTRODUCED from training-dynamics (1.3); the record shows MENTIONED"
        );
        let p = places(&b, &f[0]);
        assert_eq!(
            p,
            [
                "t/series-3/module-3-2/lessons/resnets.md:10",
                "t/series-1/module-1-3/record.md:8"
            ]
        );
        assert_eq!(
            f[0].labels[0].message,
            "record: MENTIONED in training-dynamics (matched `Batch normalization`, score 1.00)"
        );
    }

    #[test]
    fn upgrade_rows_give_each_lesson_its_depth() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.has(
                "Conv-pool-fc architecture pattern",
                "APPLIED",
                "building-a-cnn (3.1)",
            )
        });
        let f = run(&DepthNotRecorded, &t.build());
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .ends_with("from building-a-cnn (3.1); the record shows INTRODUCED"),
            "{}",
            f[0].message
        );
    }
}
