//! Findings → what people and machines read. The only module that knows miette, colours, JSON
//! or SARIF.

pub mod human;
pub mod json;

use crate::model::SourceMap;
use crate::rules::Finding;

/// A finding's position in line/column terms (1-based; columns in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Line and column of a finding's primary span.
pub fn position(sources: &SourceMap, f: &Finding) -> Position {
    let file = sources.get(f.file);
    let (line, column) = file.line_col(f.span.start);
    let end = if f.span.end > f.span.start {
        f.span.end
    } else {
        f.span.start
    };
    let (end_line, end_column) = file.line_col(end);
    Position {
        line,
        column,
        end_line,
        end_column,
    }
}

/// Counts of a run, by severity.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub lessons: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(files: usize, lessons: usize, findings: &[Finding]) -> Summary {
        use crate::rules::Severity::*;
        let c = |s| findings.iter().filter(|f| f.severity == s).count();
        Summary {
            files,
            lessons,
            errors: c(Error),
            warnings: c(Warning),
            infos: c(Info),
        }
    }
}
