use super::{CurriculumCtx, CurriculumRule, Needs};
use crate::declare_rule;
use crate::graph::ClaimKind;
use crate::model::curriculum::cell_or;
use crate::model::Depth;
use crate::rules::{Finding, RuleMeta};

declare_rule! {
    /// ## What it does
    /// For each Prerequisites Table row, finds the concept's depth in the records before this
    /// lesson. When that depth is one of `depths` (INTRODUCED by default) and the last lesson
    /// that taught, reinforced or required it (`count_requirements_as_use`) lies more than
    /// `max_gap` lessons back (3 by default), the concept is fading. The row is reported unless
    /// it says so: a GAP status, or one of `acknowledged_by` in its cells.
    ///
    /// ## Why is this bad?
    /// A concept met once at INTRODUCED and unused for several lessons is mostly gone. A plan
    /// that counts it as known (status OK) builds on something the learner no longer has; the
    /// house rule asks for a refresher.
    ///
    /// ## Example
    /// `| Batch normalization | INTRODUCED | INTRODUCED | training-dynamics (1.3) | OK | … |` in a
    /// lesson 7 lessons after training-dynamics gives ``Batch normalization` was last taught at
    /// INTRODUCED in training-dynamics (1.3 #1), 7 lessons before resnets, and not used since``.
    pub struct FadingPrerequisite {
        id: "fading-prerequisite",
        category: Pedagogy,
        summary: "A prerequisite last taught at INTRODUCED long ago and not reinforced since",
    }
}

impl CurriculumRule for FadingPrerequisite {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn needs(&self) -> Needs {
        Needs::Records
    }
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>) {
        let g = ctx.graph;
        let max_gap = ctx.settings.int("max_gap").max(0) as usize;
        let depths: Vec<Depth> = ctx
            .settings
            .str_list("depths")
            .iter()
            .filter_map(|d| Depth::from_word(d))
            .collect();
        let ack: Vec<String> = ctx
            .settings
            .str_list("acknowledged_by")
            .iter()
            .map(|w| w.to_lowercase())
            .collect();
        let by_requirements = ctx.settings.bool("count_requirements_as_use");
        for (_, claim) in ctx.claims() {
            if claim.kind != ClaimKind::Prerequisite {
                continue;
            }
            let Some(m) = claim.concept_match else {
                continue;
            };
            let Some(state) = g.depth_before(m.target, claim.lesson) else {
                continue;
            };
            if !depths.contains(&state.deepest) {
                continue;
            }
            let last_fact = &g.taught[state.last];
            let Some(mut last) = last_fact.lesson else {
                continue;
            };
            let mut last_by_claim = None;
            if by_requirements {
                for &ci in &g.concepts[m.target].claimed {
                    let other = &g.claims[ci];
                    if other.kind == ClaimKind::Prerequisite
                        && other.lesson > last
                        && other.lesson < claim.lesson
                    {
                        last = other.lesson;
                        last_by_claim = Some(ci);
                    }
                }
            }
            let gap = claim.lesson - last;
            if gap <= max_gap {
                continue;
            }
            if claim
                .status
                .is_some_and(|s| crate::model::PrereqStatus::parse(&s.text).is_gap())
            {
                continue;
            }
            let text = format!(
                "{} {} {}",
                claim.depth.text,
                claim.status.map(|s| s.text.as_str()).unwrap_or(""),
                claim.notes.text
            )
            .to_lowercase();
            if ack
                .iter()
                .any(|w| !w.is_empty() && text.contains(w.as_str()))
            {
                continue;
            }
            let me = ctx.lesson(claim.lesson);
            let last_l = ctx.lesson(last);
            let name = claim.concept.text.trim();
            let taught_at = ctx.lesson(last_fact.lesson.unwrap_or(last)).position();
            let msg = match last_by_claim {
                None => format!(
                    "`{name}` was last taught at {} in {} ({taught_at}), {gap} lessons before {}, and not used since; a concept unused for more than {max_gap} lessons is fading",
                    state.deepest, last_fact.slug, me.slug
                ),
                Some(_) => format!(
                    "`{name}` is at {} and was last used by {} {gap} lessons before {}; a concept unused for more than {max_gap} lessons is fading",
                    state.deepest, last_l.describe(), me.slug
                ),
            };
            let mut f = Finding::new(Self::META.id, claim.file, cell_or(claim.concept, claim.span), msg)
                .label(format!("{gap} lessons since last use"))
                .related(
                    last_fact.record,
                    last_fact.row.span,
                    format!("last recorded: {} in {}", last_fact.depth_text(), last_fact.slug),
                )
                .help("plan a brief refresher and mark the row as a GAP (fading), or reinforce the concept in a lesson in between");
            if let Some(ci) = last_by_claim {
                let c = &g.claims[ci];
                f = f.related(c.file, c.span, format!("last required by {}", last_l.slug));
            }
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
        assert!(run(&FadingPrerequisite, &small_course().build()).is_empty());
    }

    fn without_reinforcement() -> crate::graph::testkit::Tree {
        let mut t = small_course();
        for m in ["1.3", "3.1"] {
            t.module(m, |mut m| {
                if let Some(rows) = m.record.as_mut() {
                    rows.retain(|r| r.1 != "REINFORCED");
                }
                m
            });
        }
        t
    }

    #[test]
    fn introduced_long_ago_and_unused() {
        let b = without_reinforcement().build();
        let f = run(&FadingPrerequisite, &b);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(
            f[0].message,
            "`Batch normalization (concept)` was last taught at INTRODUCED in training-dynamics (1.3 #1), 5 lessons before resnets, and not used since; a concept unused for more than 3 lessons is fading"
        );
        assert!(places(&b, &f[0])[1].starts_with("t/series-1/module-1-3/record.md:8"));
    }

    #[test]
    fn acknowledged_or_used_in_between() {
        let mut t = without_reinforcement();
        t.lesson("3.2", "resnets", |mut l| {
            for p in l.prereqs.iter_mut() {
                if p[0] == "Batch normalization (concept)" {
                    p[5] = "fading; a recap opens the BN section".into();
                }
            }
            l
        });
        assert!(run(&FadingPrerequisite, &t.build()).is_empty());
        let mut u = without_reinforcement();
        u.lesson("3.1", "mnist-cnn-project", |l| {
            l.prereq(
                "Batch normalization",
                "INTRODUCED",
                "INTRODUCED",
                "training-dynamics (1.3)",
                "OK",
            )
        });
        // mnist-cnn-project (index 3) used it; resnets is index 5: 2 lessons later.
        assert!(run(&FadingPrerequisite, &u.build()).is_empty());
    }
}
