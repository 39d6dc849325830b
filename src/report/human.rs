//! The human report: miette graphical diagnostics with the source snippet, a label on every
//! related place (labels in other files are shown as related diagnostics of that file), help
//! and the rule id.

use crate::model::{FileId, SourceMap, Span};
use crate::rules::{Finding, Severity};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::fmt;

/// How to draw.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            width: 100,
        }
    }
}

struct Rendered {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        _ => miette::Severity::Advice,
    }
}

/// Clamp a span to the text and to char boundaries; an empty span covers one character so that
/// the label is drawn.
fn clamp(text: &str, span: Span) -> (usize, usize) {
    let mut s = span.start.min(text.len());
    while s > 0 && !text.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = span.end.clamp(s, text.len());
    while e < text.len() && !text.is_char_boundary(e) {
        e += 1;
    }
    if e == s {
        e = text[s..]
            .chars()
            .next()
            .filter(|c| *c != '\n' && *c != '\r')
            .map(|c| s + c.len_utf8())
            .unwrap_or(s);
    }
    (s, e - s)
}

/// Labels further than this many lines from the primary span get their own snippet.
const NEAR_LINES: usize = 6;

fn named(sources: &SourceMap, file: FileId) -> NamedSource<String> {
    let f = sources.get(file);
    NamedSource::new(f.name.clone(), f.text.clone())
}

fn build(sources: &SourceMap, f: &Finding) -> Rendered {
    let text = &sources.get(f.file).text;
    let (s, len) = clamp(text, f.span);
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        f.label.clone(),
        (s, len),
    )];
    let mut related: Vec<Rendered> = Vec::new();
    let primary_line = sources.get(f.file).line_col(f.span.start).0;
    for l in &f.labels {
        let near = l.file == f.file
            && sources
                .get(l.file)
                .line_col(l.span.start)
                .0
                .abs_diff(primary_line)
                <= NEAR_LINES;
        if near {
            let (s, len) = clamp(text, l.span);
            labels.push(LabeledSpan::new_with_span(
                Some(l.message.clone()),
                (s, len),
            ));
        } else {
            let other = &sources.get(l.file).text;
            let (s, len) = clamp(other, l.span);
            // Group far labels of the same file into one related diagnostic.
            if let Some(r) = related
                .iter_mut()
                .find(|r| r.source.name() == sources.get(l.file).name)
            {
                r.labels.push(LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    (s, len),
                ));
            } else {
                let message = if l.file == f.file {
                    "related place".to_string()
                } else {
                    format!("related: {}", sources.get(l.file).name)
                };
                related.push(Rendered {
                    message,
                    code: None,
                    severity: miette::Severity::Advice,
                    help: None,
                    source: named(sources, l.file),
                    labels: vec![LabeledSpan::new_with_span(
                        Some(l.message.clone()),
                        (s, len),
                    )],
                    related: Vec::new(),
                });
            }
        }
    }
    Rendered {
        message: f.message.clone(),
        code: Some(f.rule.to_string()),
        severity: miette_severity(f.severity),
        help: f.help.clone(),
        source: named(sources, f.file),
        labels,
        related,
    }
}

/// Renders one finding as miette draws it.
pub fn render_finding(sources: &SourceMap, f: &Finding, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1);
    let d = build(sources, f);
    let mut out = String::new();
    if handler.render_report(&mut out, &d).is_err() {
        out = format!("{}: {}\n", f.rule, f.message);
    }
    out
}

/// Renders all findings plus the closing summary line.
pub fn render(
    sources: &SourceMap,
    findings: &[Finding],
    notes: &[String],
    lessons: usize,
    style: Style,
) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&render_finding(sources, f, style));
        out.push('\n');
    }
    for n in notes {
        out.push_str(&format!("note: {n}\n"));
    }
    let c = |s| findings.iter().filter(|f| f.severity == s).count();
    let (e, w, i) = (c(Severity::Error), c(Severity::Warning), c(Severity::Info));
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    out.push_str(&format!(
        "{}: {}, {}, {} in {} ({})\n",
        if e > 0 { "failed" } else { "ok" },
        plural(e, "error"),
        plural(w, "warning"),
        plural(i, "note"),
        plural(sources.files.len(), "file"),
        plural(lessons, "lesson plan"),
    ));
    out
}
