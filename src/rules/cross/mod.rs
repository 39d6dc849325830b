//! Rules over the whole curriculum: lessons checked against each other, against the module
//! plans and against the records. One file per rule.
//!
//! Every finding is located in the file that makes the claim (usually a lesson row) and labels
//! the place it disagrees with (the record row, the plan row) as a secondary label.

use super::{Finding, RuleMeta, Severity};
use crate::config::{Config, RuleSettings};
use crate::graph::{Claim, ConceptGraph, MatchSettings};
use crate::model::curriculum::{CourseLesson, CourseModule, Curriculum};
use crate::model::{FileId, SourceMap, Span};
use rayon::prelude::*;

mod actual_depth_overstated;
mod actual_depth_understated;
mod concept_not_in_record;
mod consecutive_stretch_in_plans;
mod depth_not_recorded;
mod duplicate_lesson_slug;
mod fading_prerequisite;
mod lesson_plan_missing;
mod load_type_mismatch;
mod previous_load_mismatch;
mod record_entry_missing;
mod requirement_cycle;
mod source_module_mismatch;
mod source_not_earlier;
mod unknown_source_lesson;
mod unplanned_lesson;
mod weak_concept_match;

pub use actual_depth_overstated::ActualDepthOverstated;
pub use actual_depth_understated::ActualDepthUnderstated;
pub use concept_not_in_record::ConceptNotInRecord;
pub use consecutive_stretch_in_plans::ConsecutiveStretchInPlans;
pub use depth_not_recorded::DepthNotRecorded;
pub use duplicate_lesson_slug::DuplicateLessonSlug;
pub use fading_prerequisite::FadingPrerequisite;
pub use lesson_plan_missing::LessonPlanMissing;
pub use load_type_mismatch::LoadTypeMismatch;
pub use previous_load_mismatch::PreviousLoadMismatch;
pub use record_entry_missing::RecordEntryMissing;
pub use requirement_cycle::RequirementCycle;
pub use source_module_mismatch::SourceModuleMismatch;
pub use source_not_earlier::SourceNotEarlier;
pub use unknown_source_lesson::UnknownSourceLesson;
pub use unplanned_lesson::UnplannedLesson;
pub use weak_concept_match::WeakConceptMatch;

/// The rule whose settings hold the concept-matching thresholds.
pub const MATCH_SETTINGS_RULE: &str = "weak-concept-match";

/// What a rule needs from the tree to say anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Lesson plans placed in a tree (module directories).
    Tree,
    /// At least one `record.md`.
    Records,
    /// At least one module `plan.md`.
    Plans,
}

impl Needs {
    fn met(self, cur: &Curriculum) -> bool {
        match self {
            Needs::Tree => !cur.lessons.is_empty(),
            Needs::Records => cur.has_records(),
            Needs::Plans => cur.has_plans(),
        }
    }
    fn missing(self) -> &'static str {
        match self {
            Needs::Tree => "no module directories",
            Needs::Records => "no record.md",
            Needs::Plans => "no module plan.md",
        }
    }
}

/// Everything a curriculum rule may look at.
pub struct CurriculumCtx<'c, 'a> {
    pub sources: &'c SourceMap,
    pub curriculum: &'c Curriculum<'a>,
    pub graph: &'c ConceptGraph<'a>,
    pub settings: &'c RuleSettings,
}

impl<'a> CurriculumCtx<'_, 'a> {
    pub fn lesson(&self, order: usize) -> &CourseLesson<'a> {
        &self.curriculum.lessons[order]
    }
    pub fn module_of(&self, order: usize) -> &CourseModule<'a> {
        self.curriculum.module_of(&self.curriculum.lessons[order])
    }
    /// Display name of a file (`curriculum/series-1/module-1-3/record.md`).
    pub fn file_name(&self, file: FileId) -> &str {
        &self.sources.get(file).name
    }
    /// The claims of every lesson, in course order.
    pub fn claims(&self) -> impl Iterator<Item = (usize, &Claim<'a>)> + '_ {
        self.graph.claims.iter().enumerate()
    }
    /// The best place to point at for a lesson: its plan row, its record block, its file title.
    pub fn lesson_place(&self, l: &CourseLesson) -> Option<(FileId, Span)> {
        let m = self.curriculum.module_of(l);
        if let (Some(row), Some(plan)) = (l.plan_row, m.plan) {
            return Some((plan.file, row.span));
        }
        if let (Some(s), Some(rec)) = (l.summary, m.record) {
            return Some((rec.file, s.span));
        }
        l.file
            .map(|f| (f.file, f.title.as_ref().map(|t| t.span).unwrap_or_default()))
    }
}

/// A check over the whole curriculum.
pub trait CurriculumRule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;
    fn needs(&self) -> Needs;
    fn check(&self, ctx: &CurriculumCtx, out: &mut Vec<Finding>);
}

/// Every curriculum rule, in a stable order.
pub fn all() -> Vec<Box<dyn CurriculumRule>> {
    vec![
        Box::new(UnknownSourceLesson),
        Box::new(SourceModuleMismatch),
        Box::new(SourceNotEarlier),
        Box::new(ConceptNotInRecord),
        Box::new(DepthNotRecorded),
        Box::new(ActualDepthOverstated),
        Box::new(ActualDepthUnderstated),
        Box::new(WeakConceptMatch),
        Box::new(PreviousLoadMismatch),
        Box::new(LoadTypeMismatch),
        Box::new(ConsecutiveStretchInPlans),
        Box::new(FadingPrerequisite),
        Box::new(RequirementCycle),
        Box::new(LessonPlanMissing),
        Box::new(RecordEntryMissing),
        Box::new(UnplannedLesson),
        Box::new(DuplicateLessonSlug),
    ]
}

/// Metadata of every curriculum rule.
pub fn metas() -> Vec<&'static RuleMeta> {
    all().iter().map(|r| r.meta()).collect()
}

/// The concept-matching settings of a configuration.
pub fn match_settings(config: &Config) -> MatchSettings {
    let s = config.rule(MATCH_SETTINGS_RULE);
    MatchSettings {
        threshold: s.float("threshold"),
        strong: s.float("strong"),
        neutral_qualifiers: s.str_list("neutral_qualifiers"),
        stopwords: s.str_list("stopwords"),
    }
}

/// Runs every enabled curriculum rule (in parallel) and applies configured levels. Rules whose
/// needs the tree does not meet are skipped (see [`skipped`]).
pub fn check_curriculum(
    sources: &SourceMap,
    curriculum: &Curriculum,
    graph: &ConceptGraph,
    config: &Config,
) -> Vec<Finding> {
    let rules = all();
    let per_rule: Vec<Vec<Finding>> = rules
        .par_iter()
        .map(|rule| {
            let meta = rule.meta();
            let settings = config.rule(meta.id);
            if settings.level == Severity::Off || !rule.needs().met(curriculum) {
                return Vec::new();
            }
            let ctx = CurriculumCtx {
                sources,
                curriculum,
                graph,
                settings,
            };
            let mut out = Vec::new();
            rule.check(&ctx, &mut out);
            for f in &mut out {
                f.severity = settings.level;
            }
            out
        })
        .collect();
    per_rule.into_iter().flatten().collect()
}

/// The enabled curriculum rules that cannot run on this tree, with the reason.
pub fn skipped(curriculum: &Curriculum, config: &Config) -> Vec<(&'static str, &'static str)> {
    all()
        .iter()
        .filter(|r| config.rule(r.meta().id).level != Severity::Off)
        .filter(|r| !r.needs().met(curriculum))
        .map(|r| (r.meta().id, r.needs().missing()))
        .collect()
}

/// Human notes about the cross-lesson stage: checks skipped and why, claims citing modules
/// outside the files read.
pub fn notes(curriculum: &Curriculum, graph: &ConceptGraph, config: &Config) -> Vec<String> {
    let mut notes = Vec::new();
    let skipped = skipped(curriculum, config);
    if !skipped.is_empty() {
        let mut reasons: Vec<&str> = skipped.iter().map(|(_, r)| *r).collect();
        reasons.sort_unstable();
        reasons.dedup();
        let ids: Vec<&str> = skipped.iter().map(|(id, _)| *id).collect();
        notes.push(format!(
            "cross-lesson checks skipped ({}): {}",
            reasons.join(", "),
            ids.join(", ")
        ));
    }
    let mut outside: Vec<String> = graph
        .claims
        .iter()
        .flat_map(|c| c.sources.iter())
        .filter(|s| curriculum.lesson(&s.slug).is_none())
        .filter_map(|s| s.module)
        .filter(|k| curriculum.module(*k).is_none())
        .map(|k| k.to_string())
        .collect();
    if !outside.is_empty() && curriculum.has_records() {
        outside.sort();
        outside.dedup();
        notes.push(format!(
            "sources in module{} {} lie outside the files read and were not checked",
            if outside.len() == 1 { "" } else { "s" },
            outside.join(", ")
        ));
    }
    notes
}

/// `s` when `n != 1`.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The Source lessons of a claim that exist and whose module has a record to check against.
pub(crate) fn checkable_sources<'c, 'a>(
    ctx: &'c CurriculumCtx<'c, 'a>,
    claim: &Claim,
) -> Vec<&'c CourseLesson<'a>> {
    claim
        .sources
        .iter()
        .filter_map(|s| ctx.curriculum.lesson(&s.slug))
        .filter(|l| ctx.curriculum.module_of(l).record.is_some())
        .collect()
}

/// The depth range a claim's cell states: one depth, `DEVELOPED/APPLIED`, or an upgrade
/// `MENTIONED -> DEVELOPED` (either end). `None` for `NOT TAUGHT` and unknown words.
pub(crate) fn claimed_range(
    cell: &crate::model::DepthCell,
) -> Option<(crate::model::Depth, crate::model::Depth)> {
    use crate::model::DepthCell;
    match cell {
        DepthCell::Level { depth, upper, .. } => Some((*depth, upper.unwrap_or(*depth))),
        DepthCell::Upgrade { from, to } => Some(((*from).min(*to), (*from).max(*to))),
        _ => None,
    }
}

/// `INTRODUCED` or `DEVELOPED/APPLIED`.
pub(crate) fn range_text(r: (crate::model::Depth, crate::model::Depth)) -> String {
    if r.0 == r.1 {
        r.0.to_string()
    } else {
        format!("{}/{}", r.0, r.1)
    }
}

/// `slug (M.N)` list of lessons.
pub(crate) fn lesson_list(ls: &[&CourseLesson]) -> String {
    ls.iter()
        .map(|l| format!("{} ({})", l.slug, l.key))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::*;
    use crate::graph::testkit::Built;

    /// Runs one rule with its shipped default settings over a built tree.
    pub fn run(rule: &dyn CurriculumRule, built: &Built) -> Vec<Finding> {
        let config = Config::defaults();
        let cur = built.curriculum();
        let graph = ConceptGraph::build(&cur, &match_settings(&config));
        let ctx = CurriculumCtx {
            sources: &built.sources,
            curriculum: &cur,
            graph: &graph,
            settings: config.rule(rule.meta().id),
        };
        let mut out = Vec::new();
        rule.check(&ctx, &mut out);
        out
    }

    /// `file:line` of a finding's primary span, and of each label.
    pub fn places(built: &Built, f: &Finding) -> Vec<String> {
        let one = |file: FileId, span: Span| {
            let src = built.sources.get(file);
            format!("{}:{}", src.name, src.line_col(span.start).0)
        };
        std::iter::once(one(f.file, f.span))
            .chain(f.labels.iter().map(|l| one(l.file, l.span)))
            .collect()
    }
}
