//! Whole-tree lint of a generated course: 1,000 lesson plans in 200 modules (20 series of 10
//! modules of 5 lessons), each module with its plan and its record, every lesson tracing a
//! dozen prerequisites to the records of earlier lessons. All rules run, cross-lesson ones
//! included.
//!
//! `cargo bench --bench course` (release build). Arguments: the number of modules (default
//! 200) and `--keep DIR` to write the course to DIR and leave it there.
//!
//! The lesson text is the bundled `transfer-learning` plan with its header, Phase 1 table,
//! Prerequisites Table and load lines generated, so every file is a realistic, full-size plan.

use lessonlint::config::Config;
use lessonlint::graph::ConceptGraph;
use lessonlint::lint::{check_cross, lint_paths};
use lessonlint::rules::cross::match_settings;
use lessonlint::workspace::{load, LoadOptions};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const LESSONS_PER_MODULE: usize = 5;
const MODULES_PER_SERIES: usize = 10;
const CONCEPTS_PER_LESSON: usize = 4;
const PREREQS_PER_LESSON: usize = 12;
const LOADS: [&str; LESSONS_PER_MODULE] = ["BUILD", "STRETCH", "BUILD", "CONSOLIDATE", "PROJECT"];
/// Depth of each of a lesson's new concepts.
const DEPTHS: [&str; CONCEPTS_PER_LESSON] = ["DEVELOPED", "APPLIED", "DEVELOPED", "INTRODUCED"];

const ADJECTIVES: [&str; 31] = [
    "sparse",
    "dense",
    "recurrent",
    "residual",
    "stochastic",
    "adaptive",
    "causal",
    "gated",
    "convolutional",
    "normalised",
    "weighted",
    "shared",
    "latent",
    "masked",
    "pooled",
    "dilated",
    "bidirectional",
    "contrastive",
    "generative",
    "variational",
    "quantised",
    "pruned",
    "distilled",
    "augmented",
    "regularised",
    "scheduled",
    "attentive",
    "hierarchical",
    "spectral",
    "graph",
    "temporal",
];
const NOUNS: [&str; 29] = [
    "embedding",
    "attention",
    "kernel",
    "gradient",
    "encoder",
    "decoder",
    "optimizer",
    "tokenizer",
    "activation",
    "estimator",
    "sampler",
    "objective",
    "projection",
    "transform",
    "buffer",
    "schedule",
    "critic",
    "policy",
    "memory",
    "filter",
    "pooling",
    "classifier",
    "regressor",
    "autoencoder",
    "discriminator",
    "generator",
    "mixture",
    "ensemble",
    "prior",
];

fn concept_name(c: usize) -> String {
    format!(
        "{} {} {}",
        ADJECTIVES[c % ADJECTIVES.len()],
        NOUNS[(c / ADJECTIVES.len()) % NOUNS.len()],
        c
    )
}

struct Lesson {
    slug: String,
    key: (usize, usize),
    load: &'static str,
}

fn key_str(k: (usize, usize)) -> String {
    format!("{}.{}", k.0, k.1)
}

/// A deterministic pseudo-random sequence (64-bit LCG).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn replace_table_body(text: &str, header: &str, rows: &str) -> String {
    let start = text.find(header).expect("template table") + header.len();
    // Skip the delimiter row.
    let body = start + text[start..].find('\n').expect("delimiter") + 1;
    let end = body + text[body..].find("\n\n").expect("table end") + 1;
    format!("{}{}{}", &text[..body], rows, &text[end..])
}

fn replace_line(text: &str, prefix: &str, line: &str) -> String {
    let start = text.find(prefix).expect("template line");
    let end = start + text[start..].find('\n').expect("line end");
    format!("{}{}{}", &text[..start], line, &text[end..])
}

fn generate(root: &Path, modules: usize) -> usize {
    let template_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("curriculum/series-3/module-3-2/lessons/transfer-learning.md");
    let template = std::fs::read_to_string(&template_path).expect("template lesson");
    let mut lessons: Vec<Lesson> = Vec::new();
    for m in 0..modules {
        let key = (m / MODULES_PER_SERIES + 1, m % MODULES_PER_SERIES + 1);
        for (j, load) in LOADS.iter().enumerate() {
            lessons.push(Lesson {
                slug: format!("lesson-{}-{}-{}", key.0, key.1, j + 1),
                key,
                load,
            });
        }
    }
    let mut rng = Lcg(42);
    for m in 0..modules {
        let key = lessons[m * LESSONS_PER_MODULE].key;
        let dir = root.join(format!("series-{}/module-{}-{}", key.0, key.0, key.1));
        std::fs::create_dir_all(dir.join("lessons")).expect("mkdir");
        let k = key_str(key);
        let mut plan = format!(
            "# Module {k}: Module {k} — Plan\n\n**Goal:** Generated module.\n\n## Lesson Sequence\n\n| # | Slug | Core Concepts | Type | Rationale |\n|---|------|---------------|------|-----------|\n"
        );
        let mut record = format!(
            "# Module {k}: Module {k} — Record\n\n**Status:** Complete\n\n## Concept Index\n\n| Concept | Depth | Lesson | Notes |\n|---------|-------|--------|-------|\n"
        );
        let mut summaries = String::from("\n## Per-Lesson Summaries\n");
        for j in 0..LESSONS_PER_MODULE {
            let i = m * LESSONS_PER_MODULE + j;
            let l = &lessons[i];
            writeln!(
                plan,
                "| {} | {} | {} | {} | Generated |",
                j + 1,
                l.slug,
                concept_name(i * CONCEPTS_PER_LESSON),
                l.load
            )
            .ok();
            for (c, depth) in DEPTHS.iter().enumerate() {
                writeln!(
                    record,
                    "| {} | {depth} | {} | Taught with two examples |",
                    concept_name(i * CONCEPTS_PER_LESSON + c),
                    l.slug
                )
                .ok();
            }
            if i > 0 {
                // Each lesson uses one concept of the lesson before it again.
                writeln!(
                    record,
                    "| {} | REINFORCED | {} | Used again |",
                    concept_name((i - 1) * CONCEPTS_PER_LESSON),
                    l.slug
                )
                .ok();
            }
            write!(
                summaries,
                "\n### {}\n\n**Status:** Built\n**Cognitive load type:** {}\n\n- **What was taught:** generated.\n",
                l.slug, l.load
            )
            .ok();

            // The lesson plan.
            let mut picked: Vec<(usize, usize)> = Vec::new();
            let mut tries = 0;
            while picked.len() < PREREQS_PER_LESSON.min(i * CONCEPTS_PER_LESSON) && tries < 200 {
                tries += 1;
                let c = rng.next(CONCEPTS_PER_LESSON);
                // INTRODUCED concepts come from the last three lessons (they fade after that).
                let window = if DEPTHS[c] == "INTRODUCED" { 3 } else { 40 };
                let back = 1 + rng.next(window.min(i));
                let s = i - back;
                if !picked.contains(&(s, c)) {
                    picked.push((s, c));
                }
            }
            let mut phase1 =
                String::from("| Python functions and lists | APPLIED | - | Assumed background |\n");
            let mut prereqs = String::from(
                "| Python functions and lists | INTRODUCED | APPLIED | - | OK | Assumed background |\n",
            );
            for &(s, c) in &picked {
                let src = &lessons[s];
                let name = concept_name(s * CONCEPTS_PER_LESSON + c);
                let source = format!("{} ({})", src.slug, key_str(src.key));
                writeln!(
                    phase1,
                    "| {name} | {} | {source} | From the record |",
                    DEPTHS[c]
                )
                .ok();
                writeln!(
                    prereqs,
                    "| {name} | INTRODUCED | {} | {source} | OK | Needed for the new idea |",
                    DEPTHS[c]
                )
                .ok();
            }
            prereqs.push_str("| requires_grad flag on parameters | INTRODUCED | NOT TAUGHT | - | GAP (small) | Freezing is setting it to False |\n");
            let previous = if i == 0 {
                "none (first lesson)".to_string()
            } else {
                format!("{} ({})", lessons[i - 1].load, lessons[i - 1].slug)
            };
            let mut text = template.clone();
            text = replace_line(&text, "# Lesson:", &format!("# Lesson: {}", l.slug));
            text = replace_line(
                &text,
                "**Module:**",
                &format!("**Module:** {k} — Module {k}"),
            );
            text = replace_line(
                &text,
                "**Position:**",
                &format!("**Position:** Lesson {} of {LESSONS_PER_MODULE}", j + 1),
            );
            text = replace_line(&text, "**Slug:**", &format!("**Slug:** `{}`", l.slug));
            text = replace_table_body(&text, "| Concept | Depth | Source | Notes |\n", &phase1);
            text = replace_table_body(
                &text,
                "| Concept | Required Depth | Actual Depth | Source Lesson | Status | Reasoning |\n",
                &prereqs,
            );
            text = replace_line(
                &text,
                "- **Previous lesson load:**",
                &format!("- **Previous lesson load:** {previous}"),
            );
            text = replace_line(
                &text,
                "- **This lesson's load:**",
                &format!("- **This lesson's load:** {} — generated", l.load),
            );
            std::fs::write(dir.join("lessons").join(format!("{}.md", l.slug)), text)
                .expect("write lesson");
        }
        std::fs::write(dir.join("plan.md"), plan).expect("write plan");
        record.push_str(&summaries);
        std::fs::write(dir.join("record.md"), record).expect("write record");
    }
    lessons.len()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let modules: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(200);
    let keep = args
        .iter()
        .position(|a| a == "--keep")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let root = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("lessonlint-course-{}", std::process::id()))
    });
    let _ = std::fs::remove_dir_all(&root);
    let t0 = Instant::now();
    let n = generate(&root, modules);
    let gen = t0.elapsed();
    let paths = vec![root.clone()];
    let config = Config::defaults();
    let opts = LoadOptions::default();
    let _ = lint_paths(&paths, &config, &opts); // warm the file cache
    let runs = 3;
    let (mut best, mut best_load, mut best_cross, mut best_graph) =
        (f64::MAX, f64::MAX, f64::MAX, f64::MAX);
    let mut summary = String::new();
    for _ in 0..runs {
        let t = Instant::now();
        let o = lint_paths(&paths, &config, &opts).expect("lint");
        best = best.min(t.elapsed().as_secs_f64());
        let count = |s| o.findings.iter().filter(|f| f.severity == s).count();
        use lessonlint::rules::Severity::*;
        summary = format!(
            "{} errors, {} warnings, {} notes",
            count(Error),
            count(Warning),
            count(Info)
        );
        let t = Instant::now();
        let ws = load(&paths, &opts).expect("load");
        best_load = best_load.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let _ = check_cross(&ws, &config);
        best_cross = best_cross.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let cur = ws.curriculum();
        let g = ConceptGraph::build(&cur, &match_settings(&config));
        best_graph = best_graph.min(t.elapsed().as_secs_f64());
        drop(g);
    }
    println!(
        "course: {n} lessons in {modules} modules with records (generated in {:.0} ms)",
        gen.as_secs_f64() * 1000.0
    );
    println!(
        "whole-tree lint, all rules: {:.0} ms (best of {runs}; read + parse {:.0} ms, cross-lesson stage {:.0} ms of which curriculum + concept graph {:.0} ms), {summary}, {} threads",
        best * 1000.0,
        best_load * 1000.0,
        best_cross * 1000.0,
        best_graph * 1000.0,
        rayon::current_num_threads()
    );
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    } else {
        println!("course kept in {}", root.display());
    }
}
