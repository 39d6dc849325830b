//! Rules over a single lesson plan, one file each.

use super::LessonRule;
use crate::model::{Lesson, Span};

mod actual_depth_differs_from_phase1;
mod checklist_claim_contradicts_tables;
mod consecutive_stretch_without_mitigation;
mod finding_missing_field;
mod fixes_not_verified;
mod gap_without_resolution;
mod latest_verdict_not_pass;
mod misconception_incomplete;
mod missing_section;
mod new_concept_count_mismatch;
mod resolution_without_gap;
mod review_dates_backwards;
mod review_iterations_invalid;
mod review_summary_miscounted;
pub(crate) mod review_util;
mod status_contradicts_depths;
mod stray_table_row;
mod table_row_shape;
mod too_few_examples;
mod too_few_misconceptions;
mod too_few_modalities;
mod too_many_new_concepts;
mod unknown_vocabulary_word;
mod unticked_checklist_item;
mod verdict_contradicts_findings;

/// Every lesson rule, in a stable order.
pub fn all() -> Vec<Box<dyn LessonRule>> {
    vec![
        Box::new(actual_depth_differs_from_phase1::ActualDepthDiffersFromPhase1),
        Box::new(checklist_claim_contradicts_tables::ChecklistClaimContradictsTables),
        Box::new(consecutive_stretch_without_mitigation::ConsecutiveStretchWithoutMitigation),
        Box::new(finding_missing_field::FindingMissingField),
        Box::new(fixes_not_verified::FixesNotVerified),
        Box::new(gap_without_resolution::GapWithoutResolution),
        Box::new(latest_verdict_not_pass::LatestVerdictNotPass),
        Box::new(misconception_incomplete::MisconceptionIncomplete),
        Box::new(missing_section::MissingSection),
        Box::new(new_concept_count_mismatch::NewConceptCountMismatch),
        Box::new(resolution_without_gap::ResolutionWithoutGap),
        Box::new(review_dates_backwards::ReviewDatesBackwards),
        Box::new(review_iterations_invalid::ReviewIterationsInvalid),
        Box::new(review_summary_miscounted::ReviewSummaryMiscounted),
        Box::new(status_contradicts_depths::StatusContradictsDepths),
        Box::new(stray_table_row::StrayTableRow),
        Box::new(table_row_shape::TableRowShape),
        Box::new(too_few_examples::TooFewExamples),
        Box::new(too_few_misconceptions::TooFewMisconceptions),
        Box::new(too_few_modalities::TooFewModalities),
        Box::new(too_many_new_concepts::TooManyNewConcepts),
        Box::new(unknown_vocabulary_word::UnknownVocabularyWord),
        Box::new(unticked_checklist_item::UntickedChecklistItem),
        Box::new(verdict_contradicts_findings::VerdictContradictsFindings),
    ]
}

/// Span of the first heading whose lower-cased text starts with `prefix`, else the title, else
/// the start of the file.
pub(crate) fn heading_span(lesson: &Lesson, prefix: &str) -> Span {
    lesson
        .headings
        .iter()
        .find(|h| h.text.to_ascii_lowercase().starts_with(prefix))
        .map(|h| h.span)
        .unwrap_or_else(|| title_span(lesson))
}

/// Span of the title, else the start of the file.
pub(crate) fn title_span(lesson: &Lesson) -> Span {
    lesson.title.as_ref().map(|t| t.span).unwrap_or_default()
}

/// `n word` or `n words`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The gap rows of the prerequisites (status GAP or MISSING).
pub(crate) fn gap_prereqs(lesson: &Lesson) -> impl Iterator<Item = &crate::model::PrereqRow> {
    lesson
        .prerequisites
        .iter()
        .filter(|p| crate::model::PrereqStatus::parse(&p.status.text).is_gap())
}

/// Whether a gap resolution row names a prerequisite: by concept similarity, or by every word of
/// the gap name appearing in the prerequisite's concept and reasoning.
pub(crate) fn gap_matches(gap: &str, prereq: &crate::model::PrereqRow, threshold: f64) -> bool {
    crate::model::names::similarity(gap, &prereq.concept.text) >= threshold
        || crate::model::names::words_within(
            gap,
            &format!("{} {}", prereq.concept.text, prereq.reasoning.text),
        )
}

/// Whether a heading starting with `prefix` (lower-case) exists.
pub(crate) fn has_section(lesson: &Lesson, prefix: &str) -> bool {
    lesson
        .headings
        .iter()
        .any(|h| h.text.to_ascii_lowercase().starts_with(prefix))
}

/// Whether the table row on `line` has the wrong number of cells: its cells are read from the
/// wrong columns, so checks of their content would only echo `table-row-shape`.
pub(crate) fn malformed_row(lesson: &Lesson, line: usize) -> bool {
    lesson.table_shape_issues.iter().any(|t| t.line == line)
}
