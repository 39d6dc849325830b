use super::{claimed_range, CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::graph::{matcher::show, ClaimKind};
use crate::model::curriculum::cell_or;
use crate::model::DepthCell;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares each Prerequisites Table row's `Actual Depth` with the deepest depth the records
    /// show for the concept in the lessons before this one, and reports rows claiming less
    /// (including `NOT TAUGHT` for a recorded concept). Rows whose depth, status or reasoning
    /// uses one of `exempt_words` (by default `fading`) are left alone: a fading concept is
    /// legitimately rated below its recorded depth.
    ///
    /// ## Why is this bad?
    /// An understated depth wastes the learner's time on re-teaching and breaks the chain of
    /// records: the plan no longer says what the learner actually brings. It often means the
    /// plan was written from the curriculum outline rather than from the records.
    ///
    /// ## Example
    /// `| Conv-pool-fc pattern | DEVELOPED | INTRODUCED | building-a-cnn (3.1) | OK | … |` when
    /// mnist-cnn-project recorded it APPLIED gives ``Actual Depth of `Conv-pool-fc pattern` is
    /// INTRODUCED, but the records before resnets (3.2 #2) show APPLIED``.
    pub struct ActualDepthUnderstated {
        id: "actual-depth-understated",
        category: Consistency,
        summary: "An Actual Depth is shallower than the depth recorded before the lesson",
    }
}

impl CurriculumRule for ActualDepthUnderstated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Records
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let g = ctx.graph;
        let exempt: Vec<String> = ctx
            .settings
            .str_list("exempt_words")
            .iter()
            .map(|w| w.to_lowercase())
            .collect();
        for (_, claim) in ctx.claims() {
            if claim.kind != ClaimKind::Prerequisite {
                continue;
            }
            let Some(m) = claim.concept_match else {
                continue;
            };
            let cell = claim.depth_cell();
            let actual = match &cell {
                DepthCell::NotTaught => None,
                c => match claimed_range(c) {
                    Some(r) => Some(r),
                    None => continue,
                },
            };
            let Some(state) = g.depth_before(m.target, claim.lesson) else {
                continue;
            };
            let below = match actual {
                Some((_, hi)) => hi < state.floor,
                None => true,
            };
            if !below {
                continue;
            }
            let text = format!(
                "{} {} {}",
                claim.depth.text,
                claim.status.map(|s| s.text.as_str()).unwrap_or(""),
                claim.notes.text
            )
            .to_lowercase();
            if exempt
                .iter()
                .any(|w| !w.is_empty() && text.contains(w.as_str()))
            {
                continue;
            }
            let me = ctx.lesson(claim.lesson);
            let t = &g.taught[state.deepest_at];
            let written = match actual {
                Some((_, hi)) => hi.to_string(),
                None => claim.depth.text.trim().to_string(),
            };
            out.push(
                Finding::new(
                    Self::META.id,
                    claim.file,
                    cell_or(claim.depth, claim.span),
                    format!(
                        "Actual Depth of `{}` is {written}, but the records before {} show {} ({}, {})",
                        claim.concept.text.trim(),
                        me.describe(),
                        state.deepest,
                        t.slug,
                        t.module
                    ),
                )
                .label(format!("says {written}"))
                .related(
                    t.record,
                    t.row.span,
                    format!(
                        "record: {} in {} (matched `{}`, score {})",
                        t.depth_text(),
                        t.slug,
                        t.row.concept.text.trim(),
                        show(m.score)
                    ),
                )
                .help(format!(
                    "set Actual Depth to {} (and Source to {}), or say why the concept is fading",
                    state.deepest, t.slug
                )),
            );
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
        assert!(run(&ActualDepthUnderstated, &small_course().build()).is_empty());
    }

    #[test]
    fn shallower_than_recorded_unless_fading() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.prereq(
                "He initialization",
                "INTRODUCED",
                "INTRODUCED",
                "training-dynamics (1.3)",
                "OK",
            )
            .prereq("Dropout", "INTRODUCED", "NOT TAUGHT", "-", "GAP (small)")
            .prereq_why(
                "Global average pooling",
                "MENTIONED",
                "-",
                "-",
                "OK",
                "fading since 3.1",
            )
        });
        let f = run(&ActualDepthUnderstated, &t.build());
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(
            f[0].message,
            "Actual Depth of `He initialization` is INTRODUCED, but the records before resnets (3.2 #2) show DEVELOPED (training-dynamics, 1.3)"
        );
        assert!(f[1]
            .message
            .starts_with("Actual Depth of `Dropout` is NOT TAUGHT"));
    }
}
