//! Records, module plans and document classification.

use crate::model::{FileId, ModulePlan, Record};
use std::path::Path;

/// What kind of curriculum document a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum DocKind {
    Lesson,
    Record,
    ModulePlan,
    Course,
    SeriesPlan,
    SeriesSummary,
    Other,
}

/// Classify a document by its file name, directory and content.
pub fn classify(_path: &Path, _text: &str) -> DocKind {
    DocKind::Other
}

/// Parse a module's `record.md`.
pub fn parse_record(file: FileId, _text: &str) -> Record {
    Record {
        file,
        ..Record::default()
    }
}

/// Parse a module's `plan.md`.
pub fn parse_module_plan(file: FileId, text: &str) -> ModulePlan {
    ModulePlan {
        file,
        text: text.to_string(),
        ..ModulePlan::default()
    }
}
