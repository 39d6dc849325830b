//! The commands behind `main.rs`: each returns the process exit code and prints its output.

use crate::config::{Config, ConfigError};
use crate::lint;
use crate::report::{self, human, Summary};
use crate::rules::{self, Severity};
use crate::workspace::{LoadError, LoadOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Output formats of `inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InspectFormat {
    Json,
}

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

pub struct LintArgs {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub config: Option<PathBuf>,
    pub deny_warnings: bool,
    pub color: bool,
    pub max_file_bytes: u64,
}

/// Exit codes.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_FAILURE: u8 = 2;

/// The bundled curriculum: `./curriculum` when run from a checkout, else the one beside the
/// sources the binary was built from.
pub fn default_curriculum() -> PathBuf {
    let local = PathBuf::from("curriculum");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("curriculum")
}

fn print_config_error(e: &ConfigError) {
    use crate::model::{FileId, SourceFile, SourceMap};
    use crate::rules::Finding;
    if e.text.is_empty() {
        eprintln!("error: {}", e.message);
        return;
    }
    let mut sources = SourceMap::default();
    sources.add(SourceFile::new(&e.path, e.text.clone()));
    let mut f = Finding::new("config", FileId(0), e.span, e.message.clone()).label("here");
    if let Some(h) = &e.help {
        f = f.help(h.clone());
    }
    eprint!(
        "{}",
        human::render_finding(&sources, &f, human::Style::default())
    );
}

/// Loads the configuration for a run: `--config`, else the nearest `lessonlint.yaml`.
pub fn load_config(explicit: Option<&Path>, first_path: Option<&Path>) -> Result<Config, u8> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => first_path.and_then(Config::discover),
    };
    match path {
        None => Ok(Config::defaults()),
        Some(p) => Config::load(&p).map_err(|e| {
            print_config_error(&e);
            EXIT_FAILURE
        }),
    }
}

fn print_load_error(e: &LoadError) {
    eprintln!("error: {e}");
    if let LoadError::Empty(_) = e {
        eprintln!("help: lessonlint reads lesson plans (`lessons/*.md`), `record.md`, `plan.md` and `.ipynb` notebooks");
    }
}

/// `lessonlint lint`.
pub fn lint(args: LintArgs) -> u8 {
    let paths = if args.paths.is_empty() {
        vec![default_curriculum()]
    } else {
        args.paths
    };
    let config = match load_config(args.config.as_deref(), paths.first().map(|p| p.as_path())) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let load = LoadOptions {
        max_file_bytes: args.max_file_bytes,
    };
    let outcome = match lint::lint_paths(&paths, &config, &load) {
        Ok(o) => o,
        Err(e) => {
            print_load_error(&e);
            return EXIT_FAILURE;
        }
    };
    let sources = outcome.sources();
    let summary = Summary::of(
        sources.files.len(),
        outcome.workspace.lessons.len(),
        &outcome.findings,
    );
    let text = match args.format {
        Format::Human => human::render(
            sources,
            &outcome.findings,
            &outcome.notes,
            outcome.workspace.lessons.len(),
            human::Style {
                color: args.color,
                width: 100,
            },
        ),
        Format::Json => {
            let mut s = report::json::render(sources, &outcome.findings, summary, &outcome.notes);
            s.push('\n');
            s
        }
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).is_err() {
        return EXIT_FAILURE;
    }
    let failing = summary.errors > 0 || (args.deny_warnings && summary.warnings > 0);
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// `lessonlint inspect FILE`.
pub fn inspect(file: &Path, _format: InspectFormat) -> u8 {
    let ws = match crate::workspace::load(&[file.to_path_buf()], &LoadOptions::default()) {
        Ok(ws) => ws,
        Err(e) => {
            print_load_error(&e);
            return EXIT_FAILURE;
        }
    };
    if let Some(f) = ws.file_findings.first() {
        eprint!(
            "{}",
            human::render_finding(&ws.sources, f, human::Style::default())
        );
        return EXIT_FAILURE;
    }
    let value = if let Some(l) = ws.lessons.first() {
        serde_json::to_value(l)
    } else if let Some(r) = ws.records.first() {
        serde_json::to_value(r)
    } else if let Some(p) = ws.plans.first() {
        serde_json::to_value(p)
    } else {
        eprintln!(
            "error: {}: not a lesson plan, record or module plan",
            file.display()
        );
        return EXIT_FAILURE;
    };
    match value.and_then(|v| serde_json::to_string_pretty(&v)) {
        Ok(s) => {
            println!("{s}");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILURE
        }
    }
}

/// `lessonlint rules`.
pub fn rules(config: Option<&Path>, format: ListFormat) -> u8 {
    let config = match load_config(config, None) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let metas = rules::all_meta();
    match format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = metas
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id,
                        "category": m.category,
                        "level": config.rule(m.id).level.as_str(),
                        "summary": m.summary,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            );
        }
        ListFormat::Table => {
            let w = metas.iter().map(|m| m.id.len()).max().unwrap_or(4);
            println!("{:w$}  {:7}  {:11}  summary", "rule", "level", "category");
            for m in &metas {
                let level = config.rule(m.id).level;
                let cat = serde_json::to_value(m.category)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                println!(
                    "{:w$}  {:7}  {:11}  {}",
                    m.id,
                    level.as_str(),
                    cat,
                    m.summary
                );
            }
        }
    }
    EXIT_OK
}

/// `lessonlint explain RULE`.
pub fn explain(rule: &str) -> u8 {
    match rules::find_meta(rule) {
        Some(m) => {
            let cfg = Config::defaults();
            let s = cfg.rule(m.id);
            println!("# {}\n\n{}\n", m.id, m.summary);
            println!("Default level: {}", s.level.as_str());
            if !s.params.is_empty() {
                let params: Vec<String> = s
                    .params
                    .iter()
                    .map(|(k, v)| format!("{k} = {v:?}"))
                    .collect();
                println!("Settings: {}", params.join(", "));
            }
            println!();
            for line in m.docs.lines() {
                println!("{}", line.strip_prefix(' ').unwrap_or(line));
            }
            EXIT_OK
        }
        None => {
            let ids: Vec<&str> = rules::all_meta().iter().map(|m| m.id).collect();
            let best = ids
                .iter()
                .map(|i| (strsim::jaro_winkler(i, rule), *i))
                .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a });
            eprintln!("error: unknown rule `{rule}`");
            if best.0 > 0.8 {
                eprintln!("help: did you mean `{}`?", best.1);
            } else {
                eprintln!("help: `lessonlint rules` lists every rule");
            }
            EXIT_FAILURE
        }
    }
}

/// Output formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormatArg {
    Dot,
    Mermaid,
    Json,
}

pub struct GraphArgs {
    pub path: Option<PathBuf>,
    pub format: GraphFormatArg,
    pub lesson: Option<String>,
    pub concept: Option<String>,
    pub config: Option<PathBuf>,
}

/// `lessonlint graph [PATH]`.
pub fn graph(args: GraphArgs) -> u8 {
    use crate::graph::{render, ConceptGraph, GraphFormat, GraphOptions};
    let path = args.path.unwrap_or_else(default_curriculum);
    let config = match load_config(args.config.as_deref(), Some(&path)) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let ws = match crate::workspace::load(std::slice::from_ref(&path), &LoadOptions::default()) {
        Ok(ws) => ws,
        Err(e) => {
            print_load_error(&e);
            return EXIT_FAILURE;
        }
    };
    let curriculum = ws.curriculum();
    let g = ConceptGraph::build(&curriculum, &rules::cross::match_settings(&config));
    let opts = GraphOptions {
        format: match args.format {
            GraphFormatArg::Dot => GraphFormat::Dot,
            GraphFormatArg::Mermaid => GraphFormat::Mermaid,
            GraphFormatArg::Json => GraphFormat::Json,
        },
        lesson: args.lesson,
        concept: args.concept,
    };
    match render(&curriculum, &g, &opts) {
        Ok(text) => {
            if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
                return EXIT_FAILURE;
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILURE
        }
    }
}

/// Severity words accepted on the command line.
pub fn parse_level(s: &str) -> Option<Severity> {
    Severity::parse(s)
}
