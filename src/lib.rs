//! lessonlint: a linter and review pipeline for course curricula.
//!
//! Dependency direction: `model` ← `parse` ← `graph`/`snippets` ← `rules` ← `report` ← `main`.

pub mod baseline;
pub mod changed;
pub mod cli;
pub mod config;
pub mod graph;
pub mod lint;
pub mod model;
pub mod notebook;
pub mod oracle;
pub mod parse;
pub mod reference;
pub mod report;
pub mod review;
pub mod rules;
pub mod snippets;
pub mod suppress;
pub mod workspace;
