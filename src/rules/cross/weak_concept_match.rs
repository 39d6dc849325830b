use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::graph::matcher::show;
use crate::model::curriculum::cell_or;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports claims (Phase 1 and Prerequisites Table rows) that were matched to a record row
    /// only weakly: with a similarity score at or above `threshold` but below `strong`. The
    /// finding shows the record row the claim was matched to and the score, so that a wrong
    /// match can be seen and the names aligned.
    ///
    /// This rule's settings also govern concept matching for every cross-lesson rule:
    /// `threshold` (least score for two names to be one concept), `strong`,
    /// `neutral_qualifiers` (parentheticals that never tell concepts apart, like `(concept)`) and
    /// `stopwords` (words ignored in names). Turning the rule off keeps the settings in force.
    ///
    /// ## Why is this bad?
    /// Concept names are written freely, so matching is by similarity. A weak match may be right
    /// (`Skip connection code pattern` for `Skip/residual connection code pattern`) or wrong;
    /// either way the two files should use one name so that the check is certain.
    ///
    /// ## Example
    /// `| Batch normalisation | INTRODUCED | training-dynamics (1.3) | … |` against the record row
    /// `Batch normalization` gives ``Batch normalisation` matched the record row `Batch
    /// normalization` of training-dynamics only weakly (score 0.88)``.
    pub struct WeakConceptMatch {
        id: "weak-concept-match",
        category: Style,
        summary: "A claim matched its record row only weakly (shows the row and the score)",
    }
}

impl CurriculumRule for WeakConceptMatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Records
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let g = ctx.graph;
        let (lo, hi) = (g.settings.threshold, g.settings.strong);
        for (_, claim) in ctx.claims() {
            let (row, record, slug, score) = match (claim.at_source, claim.concept_match) {
                (Some(m), _) if m.score >= lo => {
                    let t = &g.taught[m.target];
                    (t.row, t.record, t.slug.clone(), m.score)
                }
                (_, Some(m)) => {
                    let c = &g.concepts[m.target];
                    let Some(&t) = c.taught.first() else { continue };
                    let t = &g.taught[t];
                    (t.row, t.record, t.slug.clone(), m.score)
                }
                _ => continue,
            };
            if score >= hi {
                continue;
            }
            let name = claim.concept.text.trim();
            let row_name = row.concept.text.trim();
            out.push(
                Finding::new(
                    Self::META.id,
                    claim.file,
                    cell_or(claim.concept, claim.span),
                    format!(
                        "`{name}` matched the record row `{row_name}` of {slug} only weakly (score {}; certain from {})",
                        show(score),
                        show(hi)
                    ),
                )
                .label(format!("matched with score {}", show(score)))
                .related(record, row.span, format!("matched to this row (score {})", show(score)))
                .help(format!("use one name for the concept in both files (`{row_name}`)")),
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
        assert!(run(&WeakConceptMatch, &small_course().build()).is_empty());
    }

    #[test]
    fn weak_match_shows_row_and_score() {
        let mut t = small_course();
        t.lesson("3.2", "resnets", |l| {
            l.has(
                "Batch normalisation",
                "INTRODUCED",
                "training-dynamics (1.3)",
            )
        });
        let b = t.build();
        let f = run(&WeakConceptMatch, &b);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].message,
            "`Batch normalisation` matched the record row `Batch normalization` of training-dynamics only weakly (score 0.88; certain from 0.92)"
        );
        assert!(places(&b, &f[0])[1].starts_with("t/series-1/module-1-3/record.md:8"));
    }
}
