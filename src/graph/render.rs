//! Graph export: Graphviz DOT, Mermaid (renders on GitHub) and JSON.
//!
//! Three views:
//! - the whole course: lessons grouped by module, concepts, "taught" edges (solid, with the
//!   recorded depth) and "requires" edges (dashed, with the required or claimed depth);
//! - `--lesson SLUG`: the lesson's prerequisites with required vs recorded depth, each linked to
//!   the lesson whose record gives that depth; gaps highlighted (red: a gap the row calls OK;
//!   amber: a gap the row declares; green: recorded ≥ required);
//! - `--concept NAME`: the concept's depth history across lessons in course order.

use super::{ClaimKind, ConceptGraph, Match};
use crate::graph::matcher::show;
use crate::model::curriculum::{CourseLesson, Curriculum, ModuleKey};
use crate::model::{Depth, DepthCell, PrereqStatus};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Output format of `lessonlint graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

/// What to render.
#[derive(Debug, Clone)]
pub struct GraphOptions {
    pub format: GraphFormat,
    /// Only this lesson's prerequisites.
    pub lesson: Option<String>,
    /// Only this concept's depth history.
    pub concept: Option<String>,
}

/// Renders the graph. Errors name what could not be found (an unknown slug or concept).
pub fn render(cur: &Curriculum, g: &ConceptGraph, opts: &GraphOptions) -> Result<String, String> {
    match (&opts.lesson, &opts.concept) {
        (Some(_), Some(_)) => Err("--lesson and --concept cannot be combined".into()),
        (Some(slug), None) => {
            let v = lesson_view(cur, g, slug)?;
            Ok(match opts.format {
                GraphFormat::Dot => lesson_dot(cur, &v),
                GraphFormat::Mermaid => lesson_mermaid(cur, &v),
                GraphFormat::Json => to_json(lesson_json(cur, &v)),
            })
        }
        (None, Some(name)) => {
            let v = concept_view(cur, g, name)?;
            Ok(match opts.format {
                GraphFormat::Dot => concept_dot(&v),
                GraphFormat::Mermaid => concept_mermaid(&v),
                GraphFormat::Json => to_json(concept_json(&v)),
            })
        }
        (None, None) => Ok(match opts.format {
            GraphFormat::Dot => course_dot(cur, g),
            GraphFormat::Mermaid => course_mermaid(cur, g),
            GraphFormat::Json => to_json(course_json(cur, g)),
        }),
    }
}

fn to_json(v: Value) -> String {
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------------------
// Escaping

/// A DOT double-quoted string (with `\n` line breaks).
fn dq(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Mermaid quoted label (`"…"`), with `<br/>` line breaks and entity codes for the
/// characters Mermaid would read as syntax or HTML.
fn mq(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' => out.push_str("<br/>"),
            '\r' => {}
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Shortens long concept names for node labels.
fn short(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out = out.trim_end().to_string();
    out.push('…');
    out
}

fn depth_fill(d: Option<Depth>) -> &'static str {
    match d {
        Some(Depth::Mentioned) => "#eeeeee",
        Some(Depth::Introduced) => "#d6e9f8",
        Some(Depth::Developed) => "#b7dfb9",
        Some(Depth::Applied) => "#7cc47f",
        None => "#ffffff",
    }
}

fn module_title(cur: &Curriculum, key: ModuleKey) -> String {
    match cur.module(key).and_then(|m| m.title()) {
        Some(t) => format!("{key} {t}"),
        None => format!("Module {key}"),
    }
}

fn lesson_label(l: &CourseLesson) -> String {
    match l.load {
        Some(load) => format!("{}\n{} · {}", l.slug, l.position(), load.as_str()),
        None => format!("{}\n{}", l.slug, l.position()),
    }
}

// ---------------------------------------------------------------------------------------------
// The lesson view

/// Whether a prerequisite is met by the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Recorded depth ≥ required depth.
    Met,
    /// Below the requirement, and the row declares the gap.
    DeclaredGap,
    /// Below the requirement (or never recorded), and the row says OK.
    Gap,
    /// The required depth cannot be read.
    Unchecked,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::DeclaredGap => "declared gap",
            Verdict::Gap => "gap",
            Verdict::Unchecked => "unchecked",
        }
    }
    fn colors(self) -> (&'static str, &'static str) {
        match self {
            Verdict::Met => ("#d4edda", "#2e7d32"),
            Verdict::DeclaredGap => ("#fff3cd", "#b26a00"),
            Verdict::Gap => ("#f8d7da", "#c62828"),
            Verdict::Unchecked => ("#f0f0f0", "#777777"),
        }
    }
    fn class(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::DeclaredGap => "declared",
            Verdict::Gap => "gap",
            Verdict::Unchecked => "unchecked",
        }
    }
}

struct Recorded {
    depth: Depth,
    lesson: usize,
    record_file: String,
    line: usize,
    row_concept: String,
    score: f64,
}

struct Prereq {
    concept: String,
    required: String,
    required_depth: Option<Depth>,
    actual: String,
    status: String,
    source: String,
    line: usize,
    recorded: Option<Recorded>,
    verdict: Verdict,
}

struct LessonView {
    lesson: usize,
    file: Option<String>,
    prereqs: Vec<Prereq>,
    /// Whether the rows are Phase 1 rows (the lesson has no Prerequisites Table).
    from_phase1: bool,
}

fn find_lesson<'c, 'a>(
    cur: &'c Curriculum<'a>,
    slug: &str,
) -> Result<&'c CourseLesson<'a>, String> {
    cur.lesson(slug).ok_or_else(|| {
        let best = cur
            .lessons
            .iter()
            .map(|l| (strsim::jaro_winkler(&l.slug, slug), l.slug.as_str()))
            .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a });
        if best.0 > 0.8 {
            format!(
                "no lesson `{slug}` in the curriculum; did you mean `{}`?",
                best.1
            )
        } else if cur.lessons.is_empty() {
            format!("no lesson `{slug}`: the files read hold no curriculum tree")
        } else {
            format!("no lesson `{slug}` in the curriculum")
        }
    })
}

fn lesson_view(cur: &Curriculum, g: &ConceptGraph, slug: &str) -> Result<LessonView, String> {
    let l = find_lesson(cur, slug)?;
    let claims: Vec<usize> = g.lesson_claims[l.order].clone();
    let has_prereqs = claims
        .iter()
        .any(|&c| g.claims[c].kind == ClaimKind::Prerequisite);
    let want = if has_prereqs {
        ClaimKind::Prerequisite
    } else {
        ClaimKind::StudentState
    };
    let mut prereqs = Vec::new();
    for &ci in &claims {
        let c = &g.claims[ci];
        if c.kind != want {
            continue;
        }
        let required_cell = c.required.unwrap_or(c.depth);
        let required_depth = DepthCell::parse(&required_cell.text).floor();
        let recorded = c.concept_match.and_then(|Match { target, score }| {
            let s = g.depth_before(target, l.order)?;
            let t = &g.taught[s.deepest_at];
            Some(Recorded {
                depth: s.deepest,
                lesson: t.lesson?,
                record_file: cur.file_name(t.record).to_string(),
                line: t.row.line,
                row_concept: t.row.concept.text.trim().to_string(),
                score,
            })
        });
        let declared = c
            .status
            .map(|s| PrereqStatus::parse(&s.text).is_gap())
            .unwrap_or(false);
        let verdict = match (required_depth, &recorded) {
            (None, _) => Verdict::Unchecked,
            (Some(r), Some(rec)) if rec.depth >= r => Verdict::Met,
            _ if declared => Verdict::DeclaredGap,
            _ => Verdict::Gap,
        };
        prereqs.push(Prereq {
            concept: c.concept.text.trim().to_string(),
            required: required_cell.text.trim().to_string(),
            required_depth,
            actual: c.depth.text.trim().to_string(),
            status: c
                .status
                .map(|s| s.text.trim().to_string())
                .unwrap_or_default(),
            source: c.source.text.trim().to_string(),
            line: c.line,
            recorded,
            verdict,
        });
    }
    Ok(LessonView {
        lesson: l.order,
        file: l.file.map(|f| cur.file_name(f.file).to_string()),
        prereqs,
        from_phase1: !has_prereqs,
    })
}

fn prereq_label(p: &Prereq) -> String {
    let mut s = short(&p.concept, 48);
    let rec = match &p.recorded {
        Some(r) => r.depth.to_string(),
        None => "not recorded".into(),
    };
    let req = p
        .required_depth
        .map(|d| d.to_string())
        .unwrap_or_else(|| p.required.clone());
    write!(s, "\nneeds {req} · recorded {rec}").ok();
    if let Some(r) = &p.recorded {
        if r.score < 1.0 {
            write!(s, "\n≈ {} ({})", short(&r.row_concept, 40), show(r.score)).ok();
        }
    }
    s
}

fn lesson_dot(cur: &Curriculum, v: &LessonView) -> String {
    let me = &cur.lessons[v.lesson];
    let mut s = String::new();
    let title = if v.from_phase1 {
        format!(
            "Student state of {} (no Prerequisites Table): claimed vs recorded depth",
            me.describe()
        )
    } else {
        format!(
            "Prerequisites of {}: required vs recorded depth",
            me.describe()
        )
    };
    writeln!(s, "digraph {} {{", dq(&me.slug)).ok();
    writeln!(
        s,
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, label={}, nodesep=0.2, ranksep=1.1];",
        dq(&title)
    )
    .ok();
    writeln!(s, "  node [fontname=\"Helvetica\", fontsize=10];").ok();
    writeln!(
        s,
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];"
    )
    .ok();
    let mut by_module: BTreeMap<ModuleKey, BTreeSet<usize>> = BTreeMap::new();
    for p in &v.prereqs {
        if let Some(r) = &p.recorded {
            by_module
                .entry(cur.lessons[r.lesson].key)
                .or_default()
                .insert(r.lesson);
        }
    }
    for (key, lessons) in &by_module {
        writeln!(s, "  subgraph \"cluster_{}_{}\" {{", key.series, key.module).ok();
        writeln!(
            s,
            "    label={}; style=\"rounded\"; color=\"#aaaaaa\"; fontcolor=\"#555555\";",
            dq(&module_title(cur, *key))
        )
        .ok();
        for &l in lessons {
            writeln!(
                s,
                "    L{l} [label={}, shape=box, style=\"rounded\"];",
                dq(&lesson_label(&cur.lessons[l]))
            )
            .ok();
        }
        writeln!(s, "  }}").ok();
    }
    writeln!(
        s,
        "  T [label={}, shape=box, style=\"rounded,filled,bold\", fillcolor=\"#dbe9f6\"];",
        dq(&lesson_label(me))
    )
    .ok();
    for (i, p) in v.prereqs.iter().enumerate() {
        let (fill, stroke) = p.verdict.colors();
        let pen = if p.verdict == Verdict::Gap { 2 } else { 1 };
        writeln!(
            s,
            "  P{i} [label={}, shape=box, style=\"filled\", fillcolor=\"{fill}\", color=\"{stroke}\", penwidth={pen}, tooltip={}];",
            dq(&prereq_label(p)),
            dq(&format!("{}: line {} · {}", p.verdict.as_str(), p.line, p.status))
        )
        .ok();
        if let Some(r) = &p.recorded {
            writeln!(
                s,
                "  L{} -> P{i} [label={}, tooltip={}];",
                r.lesson,
                dq(&r.depth.to_string()),
                dq(&format!("{}:{}", r.record_file, r.line))
            )
            .ok();
        }
        let need = p
            .required_depth
            .map(|d| format!("needs {d}"))
            .unwrap_or_else(|| "needs".into());
        writeln!(s, "  P{i} -> T [label={}, color=\"{stroke}\"];", dq(&need)).ok();
    }
    if !v.prereqs.is_empty() {
        writeln!(s, "  subgraph cluster_legend {{").ok();
        writeln!(
            s,
            "    label=\"Legend\"; style=\"rounded\"; color=\"#cccccc\"; fontcolor=\"#777777\";"
        )
        .ok();
        for (id, verdict, text) in [
            ("met", Verdict::Met, "recorded ≥ required"),
            ("declared", Verdict::DeclaredGap, "gap the plan declares"),
            ("gap", Verdict::Gap, "gap the plan calls OK"),
        ] {
            let (fill, stroke) = verdict.colors();
            writeln!(
                s,
                "    legend_{id} [label={}, shape=box, style=\"filled\", fillcolor=\"{fill}\", color=\"{stroke}\", fontsize=9];",
                dq(text)
            )
            .ok();
        }
        writeln!(
            s,
            "    legend_met -> legend_declared -> legend_gap [style=invis];"
        )
        .ok();
        writeln!(s, "  }}").ok();
    }
    writeln!(s, "}}").ok();
    s
}

fn lesson_mermaid(cur: &Curriculum, v: &LessonView) -> String {
    let me = &cur.lessons[v.lesson];
    let mut s = String::new();
    writeln!(s, "---").ok();
    writeln!(
        s,
        "title: {}",
        if v.from_phase1 {
            format!("Student state of {}", me.describe())
        } else {
            format!("Prerequisites of {}", me.describe())
        }
    )
    .ok();
    writeln!(s, "---").ok();
    writeln!(s, "flowchart LR").ok();
    let mut by_module: BTreeMap<ModuleKey, BTreeSet<usize>> = BTreeMap::new();
    for p in &v.prereqs {
        if let Some(r) = &p.recorded {
            by_module
                .entry(cur.lessons[r.lesson].key)
                .or_default()
                .insert(r.lesson);
        }
    }
    for (key, lessons) in &by_module {
        writeln!(
            s,
            "  subgraph M{}_{}[{}]",
            key.series,
            key.module,
            mq(&module_title(cur, *key))
        )
        .ok();
        for &l in lessons {
            writeln!(s, "    L{l}({})", mq(&lesson_label(&cur.lessons[l]))).ok();
        }
        writeln!(s, "  end").ok();
    }
    writeln!(s, "  T({})", mq(&lesson_label(me))).ok();
    for (i, p) in v.prereqs.iter().enumerate() {
        writeln!(s, "  P{i}[{}]", mq(&prereq_label(p))).ok();
        if let Some(r) = &p.recorded {
            writeln!(s, "  L{} -->|{}| P{i}", r.lesson, mq(&r.depth.to_string())).ok();
        }
        let need = p
            .required_depth
            .map(|d| format!("needs {d}"))
            .unwrap_or_else(|| "needs".into());
        writeln!(s, "  P{i} -->|{}| T", mq(&need)).ok();
    }
    for verdict in [
        Verdict::Met,
        Verdict::DeclaredGap,
        Verdict::Gap,
        Verdict::Unchecked,
    ] {
        let ids: Vec<String> = v
            .prereqs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.verdict == verdict)
            .map(|(i, _)| format!("P{i}"))
            .collect();
        if !ids.is_empty() {
            writeln!(s, "  class {} {}", ids.join(","), verdict.class()).ok();
        }
    }
    for verdict in [
        Verdict::Met,
        Verdict::DeclaredGap,
        Verdict::Gap,
        Verdict::Unchecked,
    ] {
        let (fill, stroke) = verdict.colors();
        writeln!(
            s,
            "  classDef {} fill:{fill},stroke:{stroke},color:#222222",
            verdict.class()
        )
        .ok();
    }
    writeln!(s, "  style T fill:#dbe9f6,stroke:#1f4e79,stroke-width:2px").ok();
    s
}

fn lesson_json(cur: &Curriculum, v: &LessonView) -> Value {
    let me = &cur.lessons[v.lesson];
    let prereqs: Vec<Value> = v
        .prereqs
        .iter()
        .map(|p| {
            let recorded = p.recorded.as_ref().map(|r| {
                let l = &cur.lessons[r.lesson];
                json!({
                    "depth": r.depth,
                    "lesson": l.slug,
                    "module": l.key.to_string(),
                    "position": l.position(),
                    "record_row": { "file": r.record_file, "line": r.line, "concept": r.row_concept },
                    "score": (r.score * 100.0).round() / 100.0,
                })
            });
            json!({
                "concept": p.concept,
                "line": p.line,
                "required": p.required,
                "actual": p.actual,
                "status": p.status,
                "source": p.source,
                "recorded": recorded,
                "verdict": p.verdict.as_str(),
            })
        })
        .collect();
    json!({
        "lesson": {
            "slug": me.slug,
            "module": me.key.to_string(),
            "position": me.position(),
            "file": v.file,
            "load": me.load.map(|l| l.as_str()),
        },
        "rows": if v.from_phase1 { "student_state" } else { "prerequisites" },
        "prerequisites": prereqs,
    })
}

// ---------------------------------------------------------------------------------------------
// The concept view

struct Step {
    lesson: usize,
    lines: Vec<String>,
    /// Deepest recorded depth after this lesson.
    depth_after: Option<Depth>,
    taught: Option<Depth>,
    requires_gap: bool,
    json: Vec<Value>,
}

struct ConceptView {
    name: String,
    query: String,
    score: f64,
    recorded: bool,
    steps: Vec<Step>,
    lesson_labels: Vec<String>,
}

fn concept_view(cur: &Curriculum, g: &ConceptGraph, name: &str) -> Result<ConceptView, String> {
    let m = g
        .find_concept(name)
        .filter(|m| m.score >= g.settings.threshold)
        .ok_or_else(|| match g.find_concept(name) {
            Some(b) => format!(
                "no concept matches `{name}`; the closest is `{}` (score {})",
                g.concepts[b.target].name,
                show(b.score)
            ),
            None => format!("no concept matches `{name}`: the curriculum records no concepts"),
        })?;
    let c = &g.concepts[m.target];
    let mut by_lesson: BTreeMap<usize, Step> = BTreeMap::new();
    let step = |by: &mut BTreeMap<usize, Step>, l: usize| -> usize {
        by.entry(l).or_insert_with(|| Step {
            lesson: l,
            lines: Vec::new(),
            depth_after: None,
            taught: None,
            requires_gap: false,
            json: Vec::new(),
        });
        l
    };
    for &t in &c.taught {
        let f = &g.taught[t];
        let Some(l) = f.lesson else { continue };
        step(&mut by_lesson, l);
        let s = by_lesson.get_mut(&l).expect("inserted");
        let what = if f.is_reinforcement() {
            "reinforced".to_string()
        } else {
            format!("taught {}", f.depth_text())
        };
        if f.row.concept.text.trim() != c.name {
            s.lines
                .push(format!("{what} as “{}”", short(&f.row.concept.text, 36)));
        } else {
            s.lines.push(what.clone());
        }
        if let Some((_, hi)) = f.depth {
            s.taught = s.taught.max(Some(hi));
        }
        s.json.push(json!({
            "event": if f.is_reinforcement() { "reinforced" } else { "taught" },
            "depth": f.depth.map(|(lo, hi)| if lo == hi { lo.to_string() } else { format!("{lo}/{hi}") }),
            "record_row": { "file": cur.file_name(f.record), "line": f.row.line, "concept": f.row.concept.text.trim() },
        }));
    }
    for &ci in &c.claimed {
        let cl = &g.claims[ci];
        step(&mut by_lesson, cl.lesson);
        let before = g.depth_before(m.target, cl.lesson).map(|s| s.deepest);
        let s = by_lesson.get_mut(&cl.lesson).expect("inserted");
        match cl.kind {
            ClaimKind::Prerequisite => {
                let req = cl.required_cell().and_then(|d| d.floor());
                let req_text = req.map(|d| d.to_string()).unwrap_or_else(|| {
                    cl.required
                        .map(|r| r.text.trim().to_string())
                        .unwrap_or_default()
                });
                let has = before
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "nothing recorded".into());
                s.lines.push(format!("needs {req_text} (has {has})"));
                if req.is_some_and(|r| before.is_none_or(|b| b < r)) {
                    s.requires_gap = true;
                }
                s.json.push(json!({
                    "event": "requires",
                    "required": cl.required.map(|r| r.text.trim()),
                    "actual": cl.depth.text.trim(),
                    "recorded_before": before,
                    "row": { "file": cur.file_name(cl.file), "line": cl.line, "concept": cl.concept.text.trim() },
                }));
            }
            ClaimKind::StudentState => {
                s.json.push(json!({
                    "event": "student_state",
                    "depth": cl.depth.text.trim(),
                    "recorded_before": before,
                    "row": { "file": cur.file_name(cl.file), "line": cl.line, "concept": cl.concept.text.trim() },
                }));
            }
        }
    }
    let mut steps: Vec<Step> = by_lesson.into_values().collect();
    for s in &mut steps {
        s.depth_after = g.depth_before(m.target, s.lesson + 1).map(|d| d.deepest);
        if s.lines.is_empty() {
            // Only Phase 1 mentions: say what the lesson assumes.
            s.lines.push(match s.depth_after {
                Some(d) => format!("assumes {d}"),
                None => "assumes it".into(),
            });
        }
    }
    let lesson_labels = steps
        .iter()
        .map(|s| {
            let l = &cur.lessons[s.lesson];
            format!("{}\n{}\n{}", l.slug, l.position(), s.lines.join("\n"))
        })
        .collect();
    Ok(ConceptView {
        name: c.name.clone(),
        query: name.to_string(),
        score: m.score,
        recorded: c.recorded,
        steps,
        lesson_labels,
    })
}

fn concept_title(v: &ConceptView) -> String {
    let mut t = format!("Depth history of `{}`", v.name);
    if v.score < 1.0 {
        write!(t, " (matched “{}”, score {})", v.query, show(v.score)).ok();
    }
    if !v.recorded {
        t.push_str(" — in no record");
    }
    t
}

fn concept_dot(v: &ConceptView) -> String {
    let mut s = String::new();
    writeln!(s, "digraph concept {{").ok();
    writeln!(
        s,
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, label={}];",
        dq(&concept_title(v))
    )
    .ok();
    writeln!(
        s,
        "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\"];"
    )
    .ok();
    writeln!(
        s,
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];"
    )
    .ok();
    for (i, st) in v.steps.iter().enumerate() {
        let (fill, stroke) = if st.requires_gap {
            ("#f8d7da", "#c62828")
        } else {
            (depth_fill(st.taught.or(st.depth_after)), "#555555")
        };
        writeln!(
            s,
            "  S{i} [label={}, fillcolor=\"{fill}\", color=\"{stroke}\"];",
            dq(&v.lesson_labels[i])
        )
        .ok();
    }
    for i in 1..v.steps.len() {
        let label = v.steps[i - 1]
            .depth_after
            .map(|d| d.to_string())
            .unwrap_or_else(|| "not taught yet".into());
        writeln!(s, "  S{} -> S{i} [label={}];", i - 1, dq(&label)).ok();
    }
    writeln!(s, "}}").ok();
    s
}

fn concept_mermaid(v: &ConceptView) -> String {
    let mut s = String::new();
    writeln!(s, "---").ok();
    writeln!(s, "title: {}", concept_title(v).replace('`', "")).ok();
    writeln!(s, "---").ok();
    writeln!(s, "flowchart LR").ok();
    for (i, st) in v.steps.iter().enumerate() {
        writeln!(s, "  S{i}({})", mq(&v.lesson_labels[i])).ok();
        let (fill, stroke) = if st.requires_gap {
            ("#f8d7da", "#c62828")
        } else {
            (depth_fill(st.taught.or(st.depth_after)), "#555555")
        };
        writeln!(s, "  style S{i} fill:{fill},stroke:{stroke},color:#222222").ok();
    }
    for i in 1..v.steps.len() {
        let label = v.steps[i - 1]
            .depth_after
            .map(|d| d.to_string())
            .unwrap_or_else(|| "not taught yet".into());
        writeln!(s, "  S{} -->|{}| S{i}", i - 1, mq(&label)).ok();
    }
    s
}

fn concept_json(v: &ConceptView) -> Value {
    json!({
        "concept": v.name,
        "query": v.query,
        "score": (v.score * 100.0).round() / 100.0,
        "recorded": v.recorded,
        "history": v.steps.iter().enumerate().map(|(i, st)| {
            let label = &v.lesson_labels[i];
            let mut parts = label.splitn(3, '\n');
            let slug = parts.next().unwrap_or_default();
            let position = parts.next().unwrap_or_default();
            json!({
                "lesson": slug,
                "position": position,
                "depth_after": st.depth_after,
                "events": st.json,
            })
        }).collect::<Vec<_>>(),
    })
}

// ---------------------------------------------------------------------------------------------
// The whole course

/// One edge per (lesson, concept, kind): several claims of a lesson about one concept merge.
/// `(lesson, concept, label)`.
type EdgeList = Vec<(usize, usize, String)>;

fn course_edges(g: &ConceptGraph) -> (EdgeList, EdgeList) {
    let mut taught: BTreeMap<(usize, usize), BTreeSet<String>> = BTreeMap::new();
    for t in &g.taught {
        if let Some(l) = t.lesson {
            taught
                .entry((l, t.concept))
                .or_default()
                .insert(t.depth_text());
        }
    }
    let mut requires: BTreeMap<(usize, usize), BTreeSet<String>> = BTreeMap::new();
    for c in &g.claims {
        let label = match c.kind {
            ClaimKind::Prerequisite => c
                .required_cell()
                .and_then(|d| d.floor())
                .map(|d| format!("needs {d}")),
            ClaimKind::StudentState => None,
        };
        let e = requires.entry((c.lesson, c.node)).or_default();
        if let Some(l) = label {
            e.insert(l);
        }
    }
    let flat = |m: BTreeMap<(usize, usize), BTreeSet<String>>| {
        m.into_iter()
            .map(|((l, c), set)| (l, c, set.into_iter().collect::<Vec<_>>().join(", ")))
            .collect::<Vec<_>>()
    };
    (flat(taught), flat(requires))
}

fn course_dot(cur: &Curriculum, g: &ConceptGraph) -> String {
    let mut s = String::new();
    writeln!(s, "digraph curriculum {{").ok();
    writeln!(
        s,
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, label={}, ranksep=1.2];",
        dq(&format!(
            "Concept graph: {} lessons, {} concepts (solid: taught at depth; dashed: required)",
            cur.lessons.len(),
            g.concepts.len()
        ))
    )
    .ok();
    writeln!(s, "  node [fontname=\"Helvetica\", fontsize=10];").ok();
    writeln!(
        s,
        "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];"
    )
    .ok();
    for m in &cur.modules {
        writeln!(
            s,
            "  subgraph \"cluster_{}_{}\" {{",
            m.key.series, m.key.module
        )
        .ok();
        writeln!(
            s,
            "    label={}; style=\"rounded\"; color=\"#aaaaaa\"; fontcolor=\"#555555\";",
            dq(&module_title(cur, m.key))
        )
        .ok();
        for &l in &m.lessons {
            writeln!(
                s,
                "    L{l} [label={}, shape=box, style=\"rounded,filled\", fillcolor=\"#dbe9f6\"];",
                dq(&lesson_label(&cur.lessons[l]))
            )
            .ok();
        }
        writeln!(s, "  }}").ok();
    }
    for (i, c) in g.concepts.iter().enumerate() {
        let style = if c.recorded {
            "filled"
        } else {
            "filled,dashed"
        };
        let fill = if c.recorded { "#ffffff" } else { "#f8d7da" };
        writeln!(
            s,
            "  C{i} [label={}, shape=ellipse, style=\"{style}\", fillcolor=\"{fill}\"];",
            dq(&short(&c.name, 40))
        )
        .ok();
    }
    let order: Vec<usize> = (0..cur.lessons.len()).collect();
    for w in order.windows(2) {
        writeln!(
            s,
            "  L{} -> L{} [color=\"#1f4e79\", penwidth=2, arrowhead=none];",
            w[0], w[1]
        )
        .ok();
    }
    let (taught, requires) = course_edges(g);
    for (l, c, label) in taught {
        writeln!(s, "  L{l} -> C{c} [label={}];", dq(&label)).ok();
    }
    for (l, c, label) in requires {
        writeln!(
            s,
            "  C{c} -> L{l} [style=dashed, color=\"#999999\", label={}];",
            dq(&label)
        )
        .ok();
    }
    writeln!(s, "}}").ok();
    s
}

fn course_mermaid(cur: &Curriculum, g: &ConceptGraph) -> String {
    let mut s = String::new();
    writeln!(s, "flowchart LR").ok();
    for m in &cur.modules {
        writeln!(
            s,
            "  subgraph M{}_{}[{}]",
            m.key.series,
            m.key.module,
            mq(&module_title(cur, m.key))
        )
        .ok();
        for &l in &m.lessons {
            writeln!(s, "    L{l}({})", mq(&lesson_label(&cur.lessons[l]))).ok();
        }
        writeln!(s, "  end").ok();
    }
    for (i, c) in g.concepts.iter().enumerate() {
        writeln!(s, "  C{i}[{}]", mq(&short(&c.name, 40))).ok();
    }
    let (taught, requires) = course_edges(g);
    for (l, c, label) in taught {
        writeln!(s, "  L{l} -->|{}| C{c}", mq(&label)).ok();
    }
    for (l, c, label) in requires {
        if label.is_empty() {
            writeln!(s, "  C{c} -.-> L{l}").ok();
        } else {
            writeln!(s, "  C{c} -.->|{}| L{l}", mq(&label)).ok();
        }
    }
    let unrecorded: Vec<String> = g
        .concepts
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.recorded)
        .map(|(i, _)| format!("C{i}"))
        .collect();
    if !unrecorded.is_empty() {
        writeln!(s, "  class {} unrecorded", unrecorded.join(",")).ok();
        writeln!(
            s,
            "  classDef unrecorded fill:#f8d7da,stroke:#c62828,stroke-dasharray:4 3"
        )
        .ok();
    }
    s
}

fn course_json(cur: &Curriculum, g: &ConceptGraph) -> Value {
    let lessons: Vec<Value> = cur
        .lessons
        .iter()
        .map(|l| {
            json!({
                "id": format!("L{}", l.order),
                "slug": l.slug,
                "module": l.key.to_string(),
                "seq": l.seq,
                "order": l.order,
                "load": l.load.map(|x| x.as_str()),
                "file": l.file.map(|f| cur.file_name(f.file)),
            })
        })
        .collect();
    let concepts: Vec<Value> = g
        .concepts
        .iter()
        .enumerate()
        .map(|(i, c)| json!({ "id": format!("C{i}"), "name": c.name, "recorded": c.recorded }))
        .collect();
    let mut edges: Vec<Value> = Vec::new();
    for t in &g.taught {
        let Some(l) = t.lesson else { continue };
        edges.push(json!({
            "kind": "taught",
            "lesson": format!("L{l}"),
            "concept": format!("C{}", t.concept),
            "depth": t.depth_text(),
            "record_row": { "file": cur.file_name(t.record), "line": t.row.line, "concept": t.row.concept.text.trim() },
        }));
    }
    for c in &g.claims {
        edges.push(json!({
            "kind": "requires",
            "table": c.kind,
            "lesson": format!("L{}", c.lesson),
            "concept": format!("C{}", c.node),
            "required": c.required.map(|r| r.text.trim()),
            "claimed": c.depth.text.trim(),
            "row": { "file": cur.file_name(c.file), "line": c.line, "concept": c.concept.text.trim() },
            "match_score": c.concept_match.map(|m| (m.score * 100.0).round() / 100.0),
        }));
    }
    json!({ "lessons": lessons, "concepts": concepts, "edges": edges })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{matcher::test_settings, testkit::small_course};

    fn opts(format: GraphFormat, lesson: Option<&str>, concept: Option<&str>) -> GraphOptions {
        GraphOptions {
            format,
            lesson: lesson.map(String::from),
            concept: concept.map(String::from),
        }
    }

    #[test]
    fn lesson_view_marks_gaps() {
        let b = small_course().build();
        let cur = b.curriculum();
        let g = ConceptGraph::build(&cur, &test_settings());
        let j = render(&cur, &g, &opts(GraphFormat::Json, Some("resnets"), None)).unwrap();
        let v: Value = serde_json::from_str(&j).unwrap();
        let rows = v["prerequisites"].as_array().unwrap();
        let verdict = |c: &str| {
            rows.iter()
                .find(|r| r["concept"] == c)
                .map(|r| r["verdict"].as_str().unwrap().to_string())
                .unwrap()
        };
        assert_eq!(verdict("Batch normalization (concept)"), "met");
        assert_eq!(verdict("Degradation problem"), "declared gap");
        assert_eq!(verdict("Batch normalization (PyTorch API)"), "declared gap");
        let dot = render(&cur, &g, &opts(GraphFormat::Dot, Some("resnets"), None)).unwrap();
        assert!(dot.starts_with("digraph \"resnets\" {"));
        assert!(dot.contains("cluster_1_3"));
        let mer = render(&cur, &g, &opts(GraphFormat::Mermaid, Some("resnets"), None)).unwrap();
        assert!(mer.contains("flowchart LR"));
        assert!(!mer.contains("\"Batch normalization (PyTorch API)\nneeds"));
    }

    #[test]
    fn unknown_lesson_and_concept_are_errors() {
        let b = small_course().build();
        let cur = b.curriculum();
        let g = ConceptGraph::build(&cur, &test_settings());
        let e = render(&cur, &g, &opts(GraphFormat::Dot, Some("resnet"), None)).unwrap_err();
        assert_eq!(
            e,
            "no lesson `resnet` in the curriculum; did you mean `resnets`?"
        );
        let e = render(
            &cur,
            &g,
            &opts(GraphFormat::Dot, None, Some("Transformers")),
        )
        .unwrap_err();
        assert!(e.starts_with("no concept matches `Transformers`"), "{e}");
    }

    #[test]
    fn concept_history_in_course_order() {
        let b = small_course().build();
        let cur = b.curriculum();
        let g = ConceptGraph::build(&cur, &test_settings());
        let j = render(
            &cur,
            &g,
            &opts(GraphFormat::Json, None, Some("batch normalization")),
        )
        .unwrap();
        let v: Value = serde_json::from_str(&j).unwrap();
        let lessons: Vec<&str> = v["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["lesson"].as_str().unwrap())
            .collect();
        assert_eq!(
            lessons,
            [
                "training-dynamics",
                "overfitting-and-regularization",
                "mnist-cnn-project",
                "resnets"
            ]
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(dq("a \"b\"\\c\nd"), "\"a \\\"b\\\"\\\\c\\nd\"");
        assert_eq!(
            mq("p(x|y) <b> \"q\" #1"),
            "\"p(x|y) #lt;b#gt; #quot;q#quot; #35;1\""
        );
    }
}
