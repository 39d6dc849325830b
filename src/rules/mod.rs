//! Rules: the trait, the finding type they return, and the registry.
//!
//! A rule returns plain [`Finding`]s (rule id, primary span, message, related labels, help);
//! only `report/` knows how they are shown. Adding a rule = one file here + one line in
//! [`registry`] + one `rules/<id>.yaml` + one fixture folder under `tests/fixtures/rules/<id>/`.

use crate::config::{Config, RuleSettings};
use crate::model::{FileId, Lesson, SourceMap, Span};
use serde::Serialize;

pub mod cross;
pub mod file;
pub mod lesson;

/// How serious a finding is. `Off` only appears in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Off,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "allow" | "none" => Some(Severity::Off),
            "info" | "note" => Some(Severity::Info),
            "warn" | "warning" => Some(Severity::Warning),
            "error" | "deny" => Some(Severity::Error),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Off => "off",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary place related to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    #[serde(skip)]
    pub file: FileId,
    #[serde(skip)]
    pub span: Span,
    pub message: String,
}

/// What a rule found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    #[serde(skip)]
    pub file: FileId,
    #[serde(skip)]
    pub span: Span,
    pub message: String,
    /// Text for the primary label (what is wrong here).
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Finding {
    pub fn new(rule: &'static str, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: Severity::Error,
            file,
            span,
            message: message.into(),
            label: None,
            labels: Vec::new(),
            help: None,
        }
    }
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.label = Some(text.into());
        self
    }
    pub fn related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }
}

/// Rule category; the category gives the default level (as in clippy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The file cannot be read as the format says: error.
    Format,
    /// A house rule of pedagogy: error.
    Pedagogy,
    /// Records and cross-lesson consistency: error.
    Consistency,
    /// Review loop and merge gate: error.
    Review,
    /// Code in lessons: error.
    Code,
    /// Stylistic or likely-intended: warning.
    Style,
}

/// Static description of a rule.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleMeta {
    pub id: &'static str,
    pub category: Category,
    pub summary: &'static str,
    /// The rule's doc comment (What it does / Why is this bad? / Example).
    #[serde(skip)]
    pub docs: &'static str,
}

/// Declares a rule struct whose doc comment becomes its documentation.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:literal,
            category: $cat:ident,
            summary: $sum:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $name;
        impl $name {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                id: $id,
                category: $crate::rules::Category::$cat,
                summary: $sum,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}

/// Everything a lesson rule may look at.
pub struct LessonCtx<'a> {
    pub sources: &'a SourceMap,
    pub lesson: &'a Lesson,
    pub settings: &'a RuleSettings,
}

impl LessonCtx<'_> {
    pub fn text(&self) -> &str {
        &self.sources.get(self.lesson.file).text
    }
    pub fn finding(&self, rule: &'static str, span: Span, message: impl Into<String>) -> Finding {
        Finding::new(rule, self.lesson.file, span, message)
    }
}

/// A check over one lesson plan.
pub trait LessonRule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>);
}

/// Every lesson rule, in a stable order.
pub fn lesson_rules() -> Vec<Box<dyn LessonRule>> {
    lesson::all()
}

/// Metadata of every rule the tool knows (lesson, curriculum and code rules).
pub fn all_meta() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = lesson_rules().iter().map(|r| r.meta()).collect();
    v.extend(extra_meta());
    v.sort_by_key(|m| m.id);
    v
}

/// Rules implemented outside the lesson-rule trait (cross-lesson, snippets, suppressions).
pub fn extra_meta() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> =
        vec![&file::UnreadableFile::META, &file::NotALessonPlan::META];
    v.extend(cross::metas());
    v
}

pub fn find_meta(id: &str) -> Option<&'static RuleMeta> {
    all_meta().into_iter().find(|m| m.id == id)
}

/// Runs every enabled lesson rule over one lesson and applies configured levels.
pub fn check_lesson(sources: &SourceMap, lesson: &Lesson, config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in lesson::all() {
        let meta = rule.meta();
        let settings = config.rule(meta.id);
        if settings.level == Severity::Off {
            continue;
        }
        let ctx = LessonCtx {
            sources,
            lesson,
            settings,
        };
        let start = out.len();
        rule.check(&ctx, &mut out);
        for f in &mut out[start..] {
            f.severity = settings.level;
        }
    }
    out
}
