//! comrak → model. (Placeholder signatures; the full parser lands separately.)

use crate::model::{FileId, Lesson, ModulePlan, Record};
use std::path::Path;

/// What kind of document a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Lesson,
    Record,
    ModulePlan,
    Course,
    SeriesPlan,
    SeriesSummary,
    Other,
}

pub fn classify(path: &Path, text: &str) -> DocKind {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match name {
        "record.md" => DocKind::Record,
        "plan.md" => DocKind::ModulePlan,
        "course.md" => DocKind::Course,
        _ if text.contains("## Phase 1") => DocKind::Lesson,
        _ => DocKind::Other,
    }
}

pub fn parse_lesson_at(file: FileId, path: &Path, _text: &str) -> Lesson {
    Lesson {
        file,
        slug: path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string(),
        ..Default::default()
    }
}

pub fn parse_record(file: FileId, _text: &str) -> Record {
    Record {
        file,
        ..Default::default()
    }
}

pub fn parse_module_plan(file: FileId, _text: &str) -> ModulePlan {
    ModulePlan {
        file,
        ..Default::default()
    }
}
