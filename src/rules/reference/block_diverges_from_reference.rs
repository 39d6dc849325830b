//! `block-diverges-from-reference`.

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Instantiates the residual blocks, plain blocks and small CIFAR ResNets a lesson or
    /// notebook defines — when the constructor is recognisable, such as
    /// `(in_channels, out_channels, stride=1)` or `(n)` — in the identity configuration
    /// `(64, 64)` and the projection configuration `(64, 128, stride=2)`, runs them on a meta
    /// tensor `[2, 64, 32, 32]` (a small ResNet with n = 3 on `[2, 3, 32, 32]`), and compares
    /// the output shape with the bundled reference. A different shape, or an error, is
    /// reported at the class, with both shapes.
    ///
    /// Classes with other constructors are not probed; classes defined in an `expect-error`
    /// block are left alone. Settings: `channels`, `size`, `batch`, `networks`.
    ///
    /// ## Why is this bad?
    /// A block that works in the one configuration the lesson happens to call but breaks in
    /// the other (a stride the first conv ignores, a shortcut with no projection) passes every
    /// example in the lesson and fails the learner's first real network.
    ///
    /// ## Example
    /// A block whose `conv1` ignores `stride` gives
    /// `ResidualBlock(64, 128, stride=2) fails on [2, 64, 32, 32]: RuntimeError: The size of tensor a (32) must match the size of tensor b (16) at non-singleton dimension 3; the reference basic block gives [2, 128, 16, 16]`.
    pub struct BlockDivergesFromReference {
        id: "block-diverges-from-reference",
        category: Code,
        summary: "A lesson's residual block or small ResNet gives a different output shape from the reference",
    }
}
