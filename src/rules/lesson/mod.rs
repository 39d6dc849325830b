//! Rules over a single lesson plan, one file each.

use super::LessonRule;

mod too_few_misconceptions;

pub use too_few_misconceptions::TooFewMisconceptions;

/// Every lesson rule, in a stable order.
pub fn all() -> Vec<Box<dyn LessonRule>> {
    vec![Box::new(TooFewMisconceptions)]
}
