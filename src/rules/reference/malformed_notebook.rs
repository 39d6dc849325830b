//! `malformed-notebook`.

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `.ipynb` file that is not valid JSON or not a Jupyter notebook (no `cells`
    /// list, a cell without `cell_type`, a `source` that is not text), at the place the reading
    /// stopped.
    ///
    /// ## Why is this bad?
    /// Jupyter and Colab refuse to open such a file, and none of its code is checked; a
    /// notebook broken by a merge conflict or a hand edit should be caught before a learner
    /// opens it.
    ///
    /// ## Example
    /// A missing comma between two cells gives `invalid JSON: expected `,` or `]``, at the
    /// second cell's opening brace.
    pub struct MalformedNotebook {
        id: "malformed-notebook",
        category: Format,
        summary: "A notebook file is not valid JSON or not a Jupyter notebook",
    }
}
