//! `solution-fails-notebook-test`.

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// In a notebook with scaffolded exercises (code cells holding `...` placeholders such as
    /// `self.conv1 = ...  # YOUR CODE HERE`, `raise NotImplementedError`, or a `YOUR CODE HERE`
    /// comment), finds the solution a markdown cell gives (a python fence in a `<details>` block,
    /// or in a cell that says "solution", defining the same class or function), runs it in the
    /// exercise's place, and runs the notebook's own cells after it (the `assert out.shape == …`
    /// test cells). An error that appears only with the solution in place is reported at the
    /// solution's line, with the failing test as a label.
    ///
    /// Exercises without a solution are not run: what they define is opaque, so the test cells
    /// after them can never give a false error.
    ///
    /// ## Why is this bad?
    /// A learner who gives up and reads the solution expects it to pass the notebook's tests;
    /// a solution that fails them (a stride left out of the first conv, a shortcut without its
    /// projection) sends the learner looking for a mistake that is not theirs.
    ///
    /// ## Example
    /// A solution whose `conv1` keeps stride 1 fails the test cell's
    /// `assert out.shape == (2, 128, 16, 16)` with
    /// `AssertionError: out.shape is torch.Size([2, 128, 32, 32]); the test expects (2, 128, 16, 16)`.
    pub struct SolutionFailsNotebookTest {
        id: "solution-fails-notebook-test",
        category: Code,
        summary: "A notebook's solution to an exercise fails the notebook's own tests",
    }
}
