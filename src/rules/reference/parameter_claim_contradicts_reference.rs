//! `parameter-claim-contradicts-reference`.

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds parameter counts written beside a model the reference knows — in prose
    /// ("ResNet-152 … 60M parameters", "VGG's FC layers hold 100M+ parameters") and in tables
    /// with a parameters column — and checks them against the reference's exact count, with the
    /// tolerance the written rounding implies: "60M" accepts 55M to 70M, "60.2M" accepts
    /// 60.15M to 60.3M, "25,557,032" is exact; "about" widens by one step, "over" and "100M+"
    /// are lower bounds. Layers written as code (`Conv2d(3, 64, 3)`) are counted too.
    ///
    /// A count bound to a part of the model ("ResNet-50's first conv has 9,408 parameters") is
    /// not checked unless the part is its FC layers; a sentence naming two models without
    /// saying which figure is whose is not checked.
    ///
    /// ## Why is this bad?
    /// Parameter counts are the numbers learners quote and compare; a lesson that says
    /// ResNet-152 has 50M parameters teaches a wrong fact with the authority of the course.
    ///
    /// ## Example
    /// "ResNet-50 has 23M parameters" gives
    /// `the text gives ResNet-50 23M parameters; the reference ResNet-50 has 25,557,032 (25.6M)`.
    pub struct ParameterClaimContradictsReference {
        id: "parameter-claim-contradicts-reference",
        category: Consistency,
        summary: "A parameter count written beside a known model disagrees with the reference",
    }
}
