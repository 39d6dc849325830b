//! Hand-built curricula for unit tests: writes small Markdown-like files into a [`SourceMap`] and
//! the model values pointing into them (every cell's span is exact), without the parser.

use crate::model::curriculum::{Curriculum, Documents, ModuleKey};
use crate::model::*;
use std::collections::BTreeMap;

#[derive(Default, Clone)]
pub struct ModuleSpec {
    pub title: String,
    pub plan: Option<Vec<(u32, String, String, String)>>,
    pub plan_extra: Vec<String>,
    pub record: Option<Vec<(String, String, String)>>,
    pub summaries: Vec<(String, String)>,
}

impl ModuleSpec {
    /// A Lesson Sequence row: number, slug, load type, rationale.
    pub fn row(mut self, n: u32, slug: &str, load: &str, rationale: &str) -> Self {
        self.plan.get_or_insert_with(Vec::new).push((
            n,
            slug.into(),
            load.into(),
            rationale.into(),
        ));
        self
    }
    /// A line of free text in the module plan.
    pub fn plan_text(mut self, line: &str) -> Self {
        self.plan.get_or_insert_with(Vec::new);
        self.plan_extra.push(line.into());
        self
    }
    /// A Concept Index row: concept, depth, lesson cell.
    pub fn taught(mut self, concept: &str, depth: &str, lesson: &str) -> Self {
        self.record.get_or_insert_with(Vec::new).push((
            concept.into(),
            depth.into(),
            lesson.into(),
        ));
        self
    }
    /// A `### slug` block with its cognitive load type.
    pub fn summary(mut self, slug: &str, load: &str) -> Self {
        self.record.get_or_insert_with(Vec::new);
        self.summaries.push((slug.into(), load.into()));
        self
    }
}

#[derive(Default, Clone)]
pub struct LessonSpec {
    pub phase1: Vec<[String; 3]>,
    pub prereqs: Vec<[String; 6]>,
    pub previous: Option<String>,
    pub this: Option<String>,
    pub load_lines: Vec<String>,
}

impl LessonSpec {
    pub fn has(mut self, concept: &str, depth: &str, source: &str) -> Self {
        self.phase1
            .push([concept.into(), depth.into(), source.into()]);
        self
    }
    pub fn prereq(
        self,
        concept: &str,
        required: &str,
        actual: &str,
        source: &str,
        status: &str,
    ) -> Self {
        self.prereq_why(concept, required, actual, source, status, "needed")
    }
    pub fn prereq_why(
        mut self,
        concept: &str,
        required: &str,
        actual: &str,
        source: &str,
        status: &str,
        why: &str,
    ) -> Self {
        self.prereqs.push([
            concept.into(),
            required.into(),
            actual.into(),
            source.into(),
            status.into(),
            why.into(),
        ]);
        self
    }
    pub fn previous_load(mut self, load: &str) -> Self {
        self.previous = Some(load.into());
        self
    }
    pub fn this_load(mut self, load: &str) -> Self {
        self.this = Some(load.into());
        self
    }
    pub fn load_note(mut self, line: &str) -> Self {
        self.load_lines.push(line.into());
        self
    }
}

/// A curriculum under construction.
#[derive(Default, Clone)]
pub struct Tree {
    pub modules: BTreeMap<ModuleKey, ModuleSpec>,
    pub lessons: BTreeMap<(ModuleKey, String), LessonSpec>,
    /// Lesson files outside any module directory.
    pub loose: Vec<(String, LessonSpec)>,
}

fn key(m: &str) -> ModuleKey {
    ModuleKey::parse(m).expect("module key like 3.2")
}

impl Tree {
    pub fn module(&mut self, m: &str, f: impl FnOnce(ModuleSpec) -> ModuleSpec) -> &mut Self {
        let spec = self.modules.remove(&key(m)).unwrap_or_default();
        self.modules.insert(key(m), f(spec));
        self
    }
    pub fn lesson(
        &mut self,
        m: &str,
        slug: &str,
        f: impl FnOnce(LessonSpec) -> LessonSpec,
    ) -> &mut Self {
        let k = (key(m), slug.to_string());
        let spec = self.lessons.remove(&k).unwrap_or_default();
        self.lessons.insert(k, f(spec));
        self
    }
    pub fn remove_lesson(&mut self, m: &str, slug: &str) -> &mut Self {
        self.lessons.remove(&(key(m), slug.to_string()));
        self
    }

    pub fn build(&self) -> Built {
        let mut b = Built::default();
        for (k, m) in &self.modules {
            let dir = format!("t/series-{}/module-{}-{}", k.series, k.series, k.module);
            if let Some(rows) = &m.plan {
                let mut w = Writer::default();
                let title = w.line(&format!("# Module {k}: {} — Plan", m.title));
                w.line("");
                w.line("## Lesson Sequence");
                w.line("");
                w.line("| # | Slug | Core Concepts | Type | Rationale |");
                w.line("|---|------|---------------|------|-----------|");
                let mut seq = Vec::new();
                for (n, slug, load, why) in rows {
                    let (cells, span, line) = w.row(&[&n.to_string(), slug, "concepts", load, why]);
                    seq.push(SequenceRow {
                        number: cells[0].clone(),
                        slug: cells[1].clone(),
                        core_concepts: cells[2].clone(),
                        load: cells[3].clone(),
                        rationale: cells[4].clone(),
                        span,
                        line,
                    });
                }
                w.line("");
                for l in &m.plan_extra {
                    w.line(l);
                }
                let text = w.text.clone();
                let file = b
                    .sources
                    .add(SourceFile::new(format!("{dir}/plan.md"), w.text));
                b.plans.push(ModulePlan {
                    file,
                    title: Some(title),
                    module: Some(k.to_string()),
                    sequence: seq,
                    text,
                    table_shape_issues: Vec::new(),
                });
            }
            if let Some(rows) = &m.record {
                let mut w = Writer::default();
                let title = w.line(&format!("# Module {k}: {} — Record", m.title));
                w.line("");
                w.line("## Concept Index");
                w.line("");
                w.line("| Concept | Depth | Lesson | Notes |");
                w.line("|---------|-------|--------|-------|");
                let mut concepts = Vec::new();
                for (c, d, l) in rows {
                    let (cells, span, line) = w.row(&[c, d, l, "notes"]);
                    concepts.push(RecordConceptRow {
                        concept: cells[0].clone(),
                        depth: cells[1].clone(),
                        lesson: cells[2].clone(),
                        notes: cells[3].clone(),
                        span,
                        line,
                    });
                }
                w.line("");
                w.line("## Per-Lesson Summaries");
                let mut lessons = Vec::new();
                for (slug, load) in &m.summaries {
                    w.line("");
                    let h = w.line(&format!("### {slug}"));
                    let slug_cell = Cell::new(slug.clone(), h.span, h.line);
                    let l = w.field("**Cognitive load type:** ", load);
                    lessons.push(RecordLessonSummary {
                        slug: slug_cell,
                        status: None,
                        load: Some(l),
                        span: h.span,
                        line: h.line,
                    });
                }
                let file = b
                    .sources
                    .add(SourceFile::new(format!("{dir}/record.md"), w.text));
                b.records.push(Record {
                    file,
                    title: Some(title),
                    module: Some(k.to_string()),
                    concepts,
                    lessons,
                    table_shape_issues: Vec::new(),
                });
            }
        }
        for ((k, slug), spec) in &self.lessons {
            let path = format!(
                "t/series-{}/module-{}-{}/lessons/{slug}.md",
                k.series, k.series, k.module
            );
            let l = write_lesson(&mut b.sources, path, slug, Some(*k), spec);
            b.lessons.push(l);
        }
        for (slug, spec) in &self.loose {
            let l = write_lesson(&mut b.sources, format!("{slug}.md"), slug, None, spec);
            b.lessons.push(l);
        }
        b
    }
}

fn write_lesson(
    sources: &mut SourceMap,
    path: String,
    slug: &str,
    module: Option<ModuleKey>,
    spec: &LessonSpec,
) -> Lesson {
    let mut w = Writer::default();
    let title = w.line(&format!("# Lesson: {slug}"));
    w.line("");
    let module_field = module.map(|k| w.field("**Module:** ", &k.to_string()));
    w.line("");
    w.line("## Phase 1: Student State");
    w.line("");
    w.line("| Concept | Depth | Source | Notes |");
    w.line("|---------|-------|--------|-------|");
    let mut concepts = Vec::new();
    for [c, d, s] in &spec.phase1 {
        let (cells, span, line) = w.row(&[c, d, s, "notes"]);
        concepts.push(ConceptRow {
            concept: cells[0].clone(),
            depth: cells[1].clone(),
            source: cells[2].clone(),
            notes: cells[3].clone(),
            span,
            line,
        });
    }
    w.line("");
    w.line("## Phase 2: Analyze");
    w.line("");
    w.line("### Prerequisites Table");
    w.line("");
    w.line("| Concept | Required Depth | Actual Depth | Source Lesson | Status | Reasoning |");
    w.line("|---|---|---|---|---|---|");
    let mut prerequisites = Vec::new();
    for p in &spec.prereqs {
        let refs: Vec<&str> = p.iter().map(String::as_str).collect();
        let (cells, span, line) = w.row(&refs);
        prerequisites.push(PrereqRow {
            concept: cells[0].clone(),
            required: cells[1].clone(),
            actual: cells[2].clone(),
            source: cells[3].clone(),
            status: cells[4].clone(),
            reasoning: cells[5].clone(),
            span,
            line,
        });
    }
    w.line("");
    let cognitive_load = if spec.previous.is_some() || spec.this.is_some() {
        let start = w.text.len();
        let line = w.line("### Cognitive Load Assessment").line;
        w.line("");
        let previous = spec
            .previous
            .as_ref()
            .map(|p| w.field("- **Previous lesson load:** ", p));
        let this = spec
            .this
            .as_ref()
            .map(|p| w.field("- **This lesson's load:** ", p));
        for l in &spec.load_lines {
            w.line(l);
        }
        let end = w.text.len();
        Some(CognitiveLoad {
            previous,
            this,
            text: w.text[start..end].to_string(),
            span: Span::new(start, end),
            line,
            ..Default::default()
        })
    } else {
        None
    };
    let file = sources.add(SourceFile::new(path, w.text));
    Lesson {
        file,
        title: Some(title),
        slug: slug.to_string(),
        module: module.map(|k| k.to_string()),
        module_field,
        concepts,
        prerequisites,
        cognitive_load,
        ..Default::default()
    }
}

#[derive(Default)]
struct Writer {
    text: String,
    line: usize,
}

impl Writer {
    fn line(&mut self, s: &str) -> Cell {
        self.line += 1;
        let start = self.text.len();
        self.text.push_str(s);
        let end = self.text.len();
        self.text.push('\n');
        Cell::new(s, Span::new(start, end), self.line)
    }
    /// `prefix value` on one line; the cell covers the value.
    fn field(&mut self, prefix: &str, value: &str) -> Cell {
        let c = self.line(&format!("{prefix}{value}"));
        let start = c.span.start + prefix.len();
        Cell::new(value, Span::new(start, c.span.end), c.line)
    }
    fn row(&mut self, cells: &[&str]) -> (Vec<Cell>, Span, usize) {
        self.line += 1;
        let start = self.text.len();
        let mut out = Vec::new();
        self.text.push('|');
        for c in cells {
            self.text.push(' ');
            let s = self.text.len();
            self.text.push_str(c);
            out.push(Cell::new(*c, Span::new(s, self.text.len()), self.line));
            self.text.push_str(" |");
        }
        let end = self.text.len();
        self.text.push('\n');
        (out, Span::new(start, end), self.line)
    }
}

/// The files of a built tree.
#[derive(Default, Debug)]
pub struct Built {
    pub sources: SourceMap,
    pub lessons: Vec<Lesson>,
    pub records: Vec<Record>,
    pub plans: Vec<ModulePlan>,
}

impl Built {
    pub fn curriculum(&self) -> Curriculum<'_> {
        Curriculum::assemble(Documents {
            sources: &self.sources,
            lessons: &self.lessons,
            records: &self.records,
            plans: &self.plans,
            course: None,
        })
    }
}

/// A small course modelled on the real one: the modules the ResNets lesson builds on.
pub fn small_course() -> Tree {
    let mut t = Tree::default();
    t.module("1.3", |m| {
        m.row(1, "training-dynamics", "STRETCH", "gradient pathologies")
            .row(
                2,
                "overfitting-and-regularization",
                "BUILD",
                "regularisation",
            )
            .taught(
                "Vanishing gradients (quantitative)",
                "DEVELOPED",
                "training-dynamics",
            )
            .taught("Batch normalization", "INTRODUCED", "training-dynamics")
            .taught("He initialization", "DEVELOPED", "training-dynamics")
            .taught("Dropout", "DEVELOPED", "overfitting-and-regularization")
            .taught(
                "Batch normalization",
                "REINFORCED",
                "overfitting-and-regularization",
            )
            .summary("training-dynamics", "STRETCH")
            .summary("overfitting-and-regularization", "BUILD")
    });
    t.module("3.1", |m| {
        m.row(1, "building-a-cnn", "STRETCH", "convolutions")
            .row(2, "mnist-cnn-project", "PROJECT", "apply")
            .taught(
                "Conv-pool-fc architecture pattern",
                "INTRODUCED -> APPLIED",
                "building-a-cnn -> mnist-cnn-project",
            )
            .taught("Global average pooling", "MENTIONED", "building-a-cnn")
            .taught("Batch normalization", "REINFORCED", "mnist-cnn-project")
            .summary("building-a-cnn", "STRETCH")
            .summary("mnist-cnn-project", "PROJECT")
    });
    t.module("3.2", |m| {
        m.row(1, "architecture-evolution", "BUILD", "history")
            .row(2, "resnets", "STRETCH", "skip connections")
            .taught("Degradation problem", "MENTIONED", "architecture-evolution")
            .taught(
                "VGG-16 block structure",
                "DEVELOPED",
                "architecture-evolution",
            )
            .taught("Residual connection", "DEVELOPED", "resnets")
            .summary("architecture-evolution", "BUILD")
            .summary("resnets", "STRETCH")
    });
    for (m, s) in [
        ("1.3", "training-dynamics"),
        ("1.3", "overfitting-and-regularization"),
        ("3.1", "building-a-cnn"),
        ("3.1", "mnist-cnn-project"),
        ("3.2", "architecture-evolution"),
    ] {
        t.lesson(m, s, |l| l);
    }
    t.lesson("3.2", "resnets", |l| {
        l.has(
            "Degradation problem (deeper nets worse)",
            "MENTIONED",
            "architecture-evolution (3.2)",
        )
        .has(
            "Batch normalization",
            "INTRODUCED",
            "training-dynamics (1.3)",
        )
        .has(
            "Conv-pool-fc architecture pattern",
            "APPLIED",
            "mnist-cnn-project (3.1)",
        )
        .has(
            "Global average pooling",
            "MENTIONED",
            "building-a-cnn (3.1)",
        )
        .prereq(
            "Degradation problem",
            "INTRODUCED",
            "MENTIONED",
            "architecture-evolution (3.2)",
            "GAP (small)",
        )
        .prereq(
            "Batch normalization (concept)",
            "INTRODUCED",
            "INTRODUCED",
            "training-dynamics (1.3)",
            "OK",
        )
        .prereq(
            "Batch normalization (PyTorch API)",
            "INTRODUCED",
            "NOT TAUGHT",
            "-",
            "GAP (small)",
        )
        .prereq(
            "Conv-pool-fc architecture pattern",
            "DEVELOPED",
            "APPLIED",
            "mnist-cnn-project (3.1)",
            "OK",
        )
        .prereq(
            "Vanishing gradients",
            "DEVELOPED",
            "DEVELOPED",
            "training-dynamics (1.3)",
            "OK",
        )
        .previous_load("BUILD (architecture-evolution was history)")
        .this_load("STRETCH — three new concepts")
    });
    t
}
