//! `layer-claim-contradicts-reference`.

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Finds layer and block counts written right after a model the reference knows —
    /// "ResNet-18 (8 basic blocks)", "ResNet-50 has 16 bottleneck blocks", "VGG-16's 13 conv
    /// layers", a "Layers" or "Blocks" table column — and FC layer shapes ("VGG's
    /// 25,088-to-4,096 FC layer"), and checks them against the reference. Counts about a part
    /// ("2 layers per block", "the last 3 layers of ResNet-50") are not model claims and are
    /// not checked.
    ///
    /// ## Why is this bad?
    /// The depth and block structure are what a lesson on ResNets teaches; a wrong count (or
    /// basic blocks where the model has bottlenecks) contradicts the code the learner will read.
    ///
    /// ## Example
    /// "ResNet-34 (18 basic blocks)" gives `the text gives ResNet-34 18 basic blocks; it has 16`.
    pub struct LayerClaimContradictsReference {
        id: "layer-claim-contradicts-reference",
        category: Consistency,
        summary: "A layer or block count written beside a known model disagrees with the reference",
    }
}
