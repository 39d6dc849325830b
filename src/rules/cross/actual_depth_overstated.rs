use super::{claimed_range, CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::graph::{matcher::show, ClaimKind};
use crate::model::curriculum::cell_or;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares each Prerequisites Table row's `Actual Depth` with the deepest depth the records
    /// show for the concept in all lessons before this one (course order), and reports rows
    /// claiming more than that — including concepts no earlier lesson records at all.
    ///
    /// ## Why is this bad?
    /// An overstated actual depth hides a gap: the row says OK, so the lesson plans no
    /// resolution, and the learner arrives without the depth the lesson relies on.
    ///
    /// ## Example
    /// `| Batch normalization | DEVELOPED | DEVELOPED | training-dynamics (1.3) | OK | … |` when
    /// the records before this lesson show it at most INTRODUCED gives ``Actual Depth of `Batch
    /// normalization` is DEVELOPED, but the deepest recorded before resnets (3.2 #2) is
    /// INTRODUCED`` with the record row labelled.
    pub struct ActualDepthOverstated {
        id: "actual-depth-overstated",
        category: Consistency,
        summary: "An Actual Depth is deeper than any depth recorded before the lesson",
    }
}

impl CurriculumRule for ActualDepthOverstated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Records
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let g = ctx.graph;
        for (_, claim) in ctx.claims() {
            if claim.kind != ClaimKind::Prerequisite {
                continue;
            }
            let (Some(actual), Some(m)) = (claimed_range(&claim.depth_cell()), claim.concept_match)
            else {
                continue;
            };
            let me = ctx.lesson(claim.lesson);
            let name = claim.concept.text.trim();
            match g.depth_before(m.target, claim.lesson) {
                Some(state) if actual.0 > state.deepest => {
                    let t = &g.taught[state.deepest_at];
                    let at = ctx
                        .curriculum
                        .lesson(&t.slug)
                        .map(|l| l.position())
                        .unwrap_or_default();
                    out.push(
                        Finding::new(
                            Self::META.id,
                            claim.file,
                            cell_or(claim.depth, claim.span),
                            format!(
                                "Actual Depth of `{name}` is {}, but the deepest recorded before {} is {} ({}, {at})",
                                actual.0,
                                me.describe(),
                                state.deepest,
                                t.slug
                            ),
                        )
                        .label(format!("claims {}", actual.0))
                        .related(
                            t.record,
                            t.row.span,
                            format!(
                                "deepest record: {} in {} (matched `{}`, score {})",
                                state.deepest,
                                t.slug,
                                t.row.concept.text.trim(),
                                show(m.score)
                            ),
                        )
                        .help(format!(
                            "set Actual Depth to {} and plan a resolution for the gap, or record where the concept was deepened",
                            state.deepest
                        )),
                    );
                }
                Some(_) => {}
                None => {
                    // Recorded only in this lesson or later ones.
                    let c = &g.concepts[m.target];
                    let Some(&first) = c.taught.iter().find(|&&t| g.taught[t].lesson.is_some())
                    else {
                        continue;
                    };
                    let t = &g.taught[first];
                    let Some(l) = t.lesson.map(|l| ctx.lesson(l)) else {
                        continue;
                    };
                    let when = if l.order == claim.lesson {
                        "by this lesson itself".to_string()
                    } else {
                        format!("first by {}", l.describe())
                    };
                    out.push(
                        Finding::new(
                            Self::META.id,
                            claim.file,
                            cell_or(claim.depth, claim.span),
                            format!(
                                "Actual Depth of `{name}` is {}, but no lesson before {} records it; it is recorded {when}",
                                actual.0,
                                me.describe()
                            ),
                        )
                        .label(format!("claims {}", actual.0))
                        .related(t.record, t.row.span, format!("recorded at {} in {} (score {})", t.depth_text(), t.slug, show(m.score)))
                        .help("set Actual Depth to NOT TAUGHT and resolve the gap in this lesson"),
                    );
                }
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
        assert!(run(&ActualDepthOverstated, &small_course().build()).is_empty());
    }

    #[test]
    fn deeper_than_recorded() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.prereq(
                "He initialization",
                "DEVELOPED",
                "APPLIED",
                "training-dynamics (1.3)",
                "OK",
            )
            .prereq("Residual connection", "INTRODUCED", "INTRODUCED", "-", "OK")
        });
        let b = t.build();
        let f = run(&ActualDepthOverstated, &b);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(
            f[0].message,
            "Actual Depth of `He initialization` is APPLIED, but the deepest recorded before resnets (3.2 #2) is DEVELOPED (training-dynamics, 1.3 #1)"
        );
        assert!(places(&b, &f[0])[1].starts_with("t/series-1/module-1-3/record.md"));
        assert_eq!(
            f[1].message,
            "Actual Depth of `Residual connection` is INTRODUCED, but no lesson before resnets (3.2 #2) records it; it is recorded by this lesson itself"
        );
    }
}
