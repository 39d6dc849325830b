//! Rules about files as files: found while loading, before any parsing.

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that cannot be read as text: bytes that are not UTF-8, or a file larger
    /// than `--max-file-bytes` (8 MiB by default).
    ///
    /// ## Why is this bad?
    /// A lesson plan that cannot be read is not checked at all; saying so is better than
    /// silently skipping it.
    ///
    /// ## Example
    /// A plan saved as Latin-1 gives `not valid UTF-8: invalid byte 0xE9 at byte 812 (line 14)`.
    pub struct UnreadableFile {
        id: "unreadable-file",
        category: Format,
        summary: "A file cannot be read as UTF-8 text or is too large",
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a file named on the command line that is not a lesson plan, record or module
    /// plan (empty, or with no lesson title and no `## Phase 1` section).
    ///
    /// ## Why is this bad?
    /// Linting the wrong file and reporting "no findings" would be a false all-clear.
    ///
    /// ## Example
    /// `lessonlint lint README.md`.
    pub struct NotALessonPlan {
        id: "not-a-lesson-plan",
        category: Format,
        summary: "A file given as a lesson plan is not one",
    }
}
