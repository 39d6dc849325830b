//! A small picture of each lesson's prerequisites: source lesson → concept → lesson, each
//! concept coloured by the row's Status (OK, GAP, MISSING). Drawn as Mermaid for Markdown
//! surfaces (the GitHub step summary) and as an inline SVG for the HTML report.

use crate::changed::source_slugs;
use crate::model::{Lesson, PrereqStatus};
use std::collections::BTreeMap;
use std::fmt::Write;

/// How a prerequisite row's Status reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    Ok,
    Gap,
    Missing,
    Unknown,
}

impl StatusClass {
    pub fn of(text: &str) -> StatusClass {
        match PrereqStatus::parse(text) {
            PrereqStatus::Ok => StatusClass::Ok,
            PrereqStatus::Gap { .. } => StatusClass::Gap,
            PrereqStatus::Missing => StatusClass::Missing,
            PrereqStatus::Unknown { .. } => StatusClass::Unknown,
        }
    }
    pub fn class(self) -> &'static str {
        match self {
            StatusClass::Ok => "ok",
            StatusClass::Gap => "gap",
            StatusClass::Missing => "missing",
            StatusClass::Unknown => "unknown",
        }
    }
    /// (fill, stroke, text) colours.
    pub fn colours(self) -> (&'static str, &'static str, &'static str) {
        match self {
            StatusClass::Ok => ("#dcfce7", "#16a34a", "#14532d"),
            StatusClass::Gap => ("#fef3c7", "#d97706", "#78350f"),
            StatusClass::Missing => ("#fee2e2", "#dc2626", "#7f1d1d"),
            StatusClass::Unknown => ("#f3f4f6", "#6b7280", "#1f2937"),
        }
    }
}

const LESSON_COLOURS: (&str, &str, &str) = ("#dbeafe", "#2563eb", "#1e3a8a");

/// One prerequisite edge of a lesson.
#[derive(Debug, Clone)]
pub struct Prereq {
    pub concept: String,
    pub required: String,
    pub actual: String,
    pub status: String,
    pub class: StatusClass,
    /// Lessons named in the Source cell.
    pub sources: Vec<String>,
}

/// The prerequisites of a lesson as drawn.
pub fn prerequisites(lesson: &Lesson) -> Vec<Prereq> {
    lesson
        .prerequisites
        .iter()
        .map(|p| Prereq {
            concept: p.concept.text.clone(),
            required: p.required.text.clone(),
            actual: p.actual.text.clone(),
            status: p.status.text.clone(),
            class: StatusClass::of(&p.status.text),
            sources: source_slugs(&p.source.text),
        })
        .collect()
}

fn mermaid_text(s: &str, max: usize) -> String {
    let s = truncate(s, max);
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Most edges drawn in one Mermaid graph (renderers refuse very large graphs).
pub const MAX_MERMAID_EDGES: usize = 300;

/// A Mermaid flowchart of the prerequisites of `lessons` (source lesson → concept → lesson).
/// Returns `None` when none of them has a prerequisite row.
pub fn mermaid(lessons: &[&Lesson]) -> Option<String> {
    if lessons.iter().all(|l| l.prerequisites.is_empty()) {
        return None;
    }
    let mut out = String::from("flowchart LR\n");
    for class in [
        StatusClass::Ok,
        StatusClass::Gap,
        StatusClass::Missing,
        StatusClass::Unknown,
    ] {
        let (fill, stroke, text) = class.colours();
        let _ = writeln!(
            out,
            "  classDef {} fill:{fill},stroke:{stroke},color:{text}",
            class.class()
        );
    }
    let (fill, stroke, text) = LESSON_COLOURS;
    let _ = writeln!(
        out,
        "  classDef lesson fill:{fill},stroke:{stroke},color:{text},font-weight:bold"
    );
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut lesson_id = |slug: &str, out: &mut String| -> String {
        let n = ids.len();
        let id = *ids.entry(slug.to_string()).or_insert(n);
        if id == n {
            let _ = writeln!(out, "  L{id}[\"{}\"]:::lesson", mermaid_text(slug, 40));
        }
        format!("L{id}")
    };
    let mut edges = 0usize;
    let mut truncated = false;
    'lessons: for (li, l) in lessons.iter().enumerate() {
        let target = lesson_id(&l.slug, &mut out);
        for (pi, p) in prerequisites(l).iter().enumerate() {
            if edges + 1 + p.sources.len() > MAX_MERMAID_EDGES {
                truncated = true;
                break 'lessons;
            }
            let cid = format!("C{li}_{pi}");
            let depth = if p.required.is_empty() && p.actual.is_empty() {
                String::new()
            } else {
                format!(
                    "<br/>{} / {}",
                    mermaid_text(&p.required, 24),
                    mermaid_text(&p.actual, 24)
                )
            };
            let _ = writeln!(
                out,
                "  {cid}[\"{}{depth}<br/>{}\"]:::{}",
                mermaid_text(&p.concept, 48),
                mermaid_text(&p.status, 24),
                p.class.class()
            );
            for s in &p.sources {
                let sid = lesson_id(s, &mut out);
                let _ = writeln!(out, "  {sid} --> {cid}");
                edges += 1;
            }
            let _ = writeln!(out, "  {cid} --> {target}");
            edges += 1;
        }
    }
    if truncated {
        let _ = writeln!(out, "  more[\"… graph cut at {MAX_MERMAID_EDGES} edges\"]");
    }
    Some(out)
}

/// Escapes text for XML/HTML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Width in pixels that a label of `chars` characters takes at 12px sans-serif (an estimate
/// generous enough for wide letters).
fn text_width(chars: usize) -> usize {
    chars * 7 + 16
}

/// An inline SVG of one lesson's prerequisites: source lessons on the left, the concepts in the
/// middle coloured by Status, the lesson on the right. `None` when it has no prerequisite row.
pub fn svg(lesson: &Lesson) -> Option<String> {
    let prereqs = prerequisites(lesson);
    if prereqs.is_empty() {
        return None;
    }
    const ROW: usize = 34;
    const BOX_H: usize = 24;
    const GAP: usize = 60;
    const PAD: usize = 8;
    // Source lessons, in order of first use.
    let mut sources: Vec<String> = Vec::new();
    for p in &prereqs {
        for s in &p.sources {
            if !sources.contains(s) {
                sources.push(s.clone());
            }
        }
    }
    let concept_label = |p: &Prereq| {
        let depth = if p.required.is_empty() && p.actual.is_empty() {
            String::new()
        } else {
            format!(" ({} / {})", p.required.trim(), p.actual.trim())
        };
        truncate(&format!("{}{depth}", p.concept.trim()), 60)
    };
    let src_w = sources
        .iter()
        .map(|s| text_width(truncate(s, 32).chars().count()))
        .max()
        .unwrap_or(0);
    let con_w = prereqs
        .iter()
        .map(|p| text_width(concept_label(p).chars().count()))
        .max()
        .unwrap_or(100);
    let lesson_label = truncate(&lesson.slug, 40);
    let les_w = text_width(lesson_label.chars().count());
    let x_src = PAD;
    let x_con = if sources.is_empty() {
        PAD
    } else {
        PAD + src_w + GAP
    };
    let x_les = x_con + con_w + GAP;
    let width = x_les + les_w + PAD;
    let rows = prereqs.len().max(sources.len());
    let height = rows * ROW + 2 * PAD;
    let y_of = |i: usize, n: usize| -> usize {
        // Centre a column of n boxes in the height.
        let col_h = n * ROW;
        PAD + (rows * ROW - col_h) / 2 + i * ROW + (ROW - BOX_H) / 2
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"concept-graph\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Prerequisites of {}\">",
        xml_escape(&lesson.slug)
    );
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#6b7280\"/></marker></defs>");
    let les_y = y_of(0, 1);
    let mid = BOX_H / 2;
    // Edges first, so boxes are drawn over them.
    for (i, p) in prereqs.iter().enumerate() {
        let cy = y_of(i, prereqs.len()) + mid;
        for s in &p.sources {
            if let Some(si) = sources.iter().position(|x| x == s) {
                let sy = y_of(si, sources.len()) + mid;
                let _ = write!(
                    out,
                    "<line x1=\"{}\" y1=\"{sy}\" x2=\"{x_con}\" y2=\"{cy}\" stroke=\"#9ca3af\" stroke-width=\"1\" marker-end=\"url(#arrow)\"/>",
                    x_src + src_w
                );
            }
        }
        let (_, stroke, _) = p.class.colours();
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{cy}\" x2=\"{x_les}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>",
            x_con + con_w,
            les_y + mid
        );
    }
    let rect = |out: &mut String,
                x: usize,
                y: usize,
                w: usize,
                colours: (&str, &str, &str),
                label: &str,
                title: &str,
                class: &str| {
        let (fill, stroke, text) = colours;
        let _ = write!(
            out,
            "<g class=\"{class}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{BOX_H}\" rx=\"4\" fill=\"{fill}\" stroke=\"{stroke}\"/><text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"12\" fill=\"{text}\">{}</text></g>",
            xml_escape(title),
            x + 8,
            y + 16,
            xml_escape(label)
        );
    };
    for (i, s) in sources.iter().enumerate() {
        rect(
            &mut out,
            x_src,
            y_of(i, sources.len()),
            src_w,
            ("#ffffff", "#9ca3af", "#374151"),
            &truncate(s, 32),
            s,
            "source",
        );
    }
    for (i, p) in prereqs.iter().enumerate() {
        let title = format!(
            "{} — required {}, actual {}, status {}",
            p.concept.trim(),
            p.required.trim(),
            p.actual.trim(),
            p.status.trim()
        );
        rect(
            &mut out,
            x_con,
            y_of(i, prereqs.len()),
            con_w,
            p.class.colours(),
            &concept_label(p),
            &title,
            &format!("concept {}", p.class.class()),
        );
    }
    rect(
        &mut out,
        x_les,
        les_y,
        les_w,
        LESSON_COLOURS,
        &lesson_label,
        &lesson.slug,
        "lesson",
    );
    out.push_str("</svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cell, PrereqRow, Span};

    fn row(concept: &str, source: &str, status: &str) -> PrereqRow {
        let c = |t: &str| Cell::new(t, Span::default(), 1);
        PrereqRow {
            concept: c(concept),
            required: c("INTRODUCED"),
            actual: c("MENTIONED"),
            source: c(source),
            status: c(status),
            reasoning: c(""),
            span: Span::default(),
            line: 1,
        }
    }

    fn lesson() -> Lesson {
        Lesson {
            slug: "resnets".into(),
            prerequisites: vec![
                row(
                    "Degradation problem",
                    "architecture-evolution (3.2)",
                    "GAP (small)",
                ),
                row("He \"init\" <x>", "training-dynamics (1.3)", "OK"),
                row("CrossEntropyLoss", "-", "MISSING"),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn mermaid_links_sources_concepts_and_lesson() {
        let l = lesson();
        let m = mermaid(&[&l]).expect("graph");
        assert!(m.starts_with("flowchart LR\n"));
        assert!(m.contains("L0[\"resnets\"]:::lesson"));
        assert!(m.contains("L1[\"architecture-evolution\"]:::lesson"));
        assert!(m.contains("L1 --> C0_0"));
        assert!(m.contains("C0_0 --> L0"));
        assert!(m.contains(":::gap"));
        assert!(m.contains(":::missing"));
        assert!(m.contains("He #quot;init#quot; #lt;x#gt;"));
        assert!(!m.contains("L3"), "a `-` source is not a lesson:\n{m}");
    }

    #[test]
    fn svg_is_self_contained_and_escaped() {
        let s = svg(&lesson()).expect("svg");
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(s.contains("He &quot;init&quot; &lt;x&gt;"));
        assert_eq!(s.matches("class=\"concept ").count(), 3);
        assert!(s.contains("class=\"concept missing\""));
        assert!(!s.contains("href"));
        assert!(svg(&Lesson::default()).is_none());
    }
}
