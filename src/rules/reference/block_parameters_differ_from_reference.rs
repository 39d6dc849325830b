//! `block-parameters-differ-from-reference`.

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// For the classes `block-diverges-from-reference` probes, compares the parameter count in
    /// each configuration with the reference (for projections, either the 1x1-conv + BN
    /// shortcut or the zero-padding shortcut), and names both numbers and the parameters that
    /// make the difference.
    ///
    /// ## Why is this bad?
    /// A count that differs from the reference usually means a redundant conv bias before
    /// BatchNorm or a projection shortcut without its BatchNorm — harmless to train, but the
    /// numbers the lesson quotes and the code it ships no longer agree with ResNet's.
    ///
    /// ## Example
    /// `nn.Conv2d(in_channels, out_channels, 3, stride, 1)` (bias on) before `BatchNorm2d` gives
    /// `ResidualBlock(64, 64) has 74,048 parameters; the reference basic block has 73,984 (this block also has conv1.bias [64])`.
    pub struct BlockParametersDifferFromReference {
        id: "block-parameters-differ-from-reference",
        category: Style,
        summary: "A lesson's residual block has a different parameter count from the reference",
    }
}
