//! Graph export: DOT, Mermaid and JSON.
use super::ConceptGraph;
use crate::model::curriculum::Curriculum;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, Clone)]
pub struct GraphOptions {
    pub format: GraphFormat,
    pub lesson: Option<String>,
    pub concept: Option<String>,
}

pub fn render(_c: &Curriculum, _g: &ConceptGraph, _o: &GraphOptions) -> Result<String, String> {
    Err("todo".into())
}
