//! The commands behind `main.rs`: each returns the process exit code and prints its output.

use crate::config::{Config, ConfigError};
use crate::lint;
use crate::report::{self, human, Report, Summary};
use crate::rules::{self, Severity};
use crate::workspace::{LoadError, LoadOptions};
use crate::{baseline, changed};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// GitHub Actions annotations (and the job summary when GITHUB_STEP_SUMMARY is set)
    Github,
    /// A summary sized for a pull-request comment
    Markdown,
    /// One self-contained page for reviewers
    Html,
}

/// Output formats of `review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReviewFormat {
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
    /// Report and fail only on findings not recorded in this baseline file.
    pub baseline: Option<PathBuf>,
    /// Record today's findings in this baseline file.
    pub write_baseline: Option<PathBuf>,
    /// Lint only the lessons changed since this git ref, and the lessons they feed.
    pub changed_since: Option<String>,
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

/// Writes a command's output to stdout and flushes it. A reader that stopped reading
/// (`lessonlint … | head`) ends the output quietly; any other write failure is reported and
/// makes the command fail.
pub fn emit(text: &str) -> Result<(), u8> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            Err(EXIT_FAILURE)
        }
    }
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
    let mut outcome = match lint::lint_paths(&paths, &config, &load) {
        Ok(o) => o,
        Err(e) => {
            print_load_error(&e);
            return EXIT_FAILURE;
        }
    };
    let mut notes = std::mem::take(&mut outcome.notes);
    // Counts are of the files read; a --changed-since note says which of them are reported on.
    let ws = &outcome.workspace;
    let files = (0..ws.sources.files.len())
        .filter(|&i| ws.in_scope(crate::model::FileId(i)))
        .count();
    let lessons = ws.scoped_lessons().count();
    // The lesson plans reported on (all of them unless a sub-tree of a curriculum was given).
    let scoped_lessons: Vec<crate::model::Lesson> = match ws.scope {
        Some(_) => ws.scoped_lessons().cloned().collect(),
        None => Vec::new(),
    };
    if let Some(since) = &args.changed_since {
        match select_changed(&paths, since, &outcome, &config) {
            Ok((sel, note)) => {
                outcome.findings.retain(|f| sel.contains(f.file));
                notes.push(note);
            }
            Err(e) => {
                eprintln!("error: --changed-since {since}: {e}");
                return EXIT_FAILURE;
            }
        }
    }
    if let Some(path) = &args.write_baseline {
        return match baseline::write(path, outcome.sources(), &outcome.findings) {
            Ok(n) => {
                eprintln!(
                    "lessonlint: recorded {} in {}",
                    report::plural(n, "finding"),
                    path.display()
                );
                EXIT_OK
            }
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_FAILURE
            }
        };
    }
    if let Some(path) = &args.baseline {
        let b = match baseline::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_FAILURE;
            }
        };
        let sources = &outcome.workspace.sources;
        let applied = baseline::apply(path, &b, sources, &mut outcome.findings);
        notes.push(format!(
            "baseline {}: {} not reported; {} gone (fixed, or the content they point at changed)",
            path.display(),
            report::plural(applied.known, "known finding"),
            if applied.gone == 1 {
                "1 baseline entry".to_string()
            } else {
                format!("{} baseline entries", applied.gone)
            },
        ));
    }
    let sources = outcome.sources();
    let summary = Summary::of(files, lessons, &outcome.findings);
    let rep = Report {
        sources,
        findings: &outcome.findings,
        notes: &notes,
        summary,
        lessons: if outcome.workspace.scope.is_some() {
            &scoped_lessons
        } else {
            &outcome.workspace.lessons
        },
        config: &config,
    };
    let text = match args.format {
        Format::Human => human::render(
            sources,
            &outcome.findings,
            &notes,
            files,
            lessons,
            human::Style {
                color: args.color,
                width: 100,
            },
        ),
        Format::Json => {
            let mut s = report::json::render(sources, &outcome.findings, summary, &notes);
            s.push('\n');
            s
        }
        Format::Sarif => {
            let mut s = report::sarif::render(&rep);
            s.push('\n');
            s
        }
        Format::Github => {
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                if let Err(e) = append(Path::new(&path), &report::github::step_summary(&rep)) {
                    eprintln!(
                        "warning: cannot write the job summary to {}: {e}",
                        Path::new(&path).display()
                    );
                }
            }
            report::github::render(&rep)
        }
        Format::Markdown => report::markdown::render(&rep),
        Format::Html => report::html::render(&rep),
    };
    if let Err(code) = emit(&text) {
        return code;
    }
    let failing = summary.errors > 0 || (args.deny_warnings && summary.warnings > 0);
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}

/// The files a `--changed-since` run reports on, and a note saying which they are.
fn select_changed(
    paths: &[PathBuf],
    since: &str,
    outcome: &lint::LintOutcome,
    config: &Config,
) -> Result<(changed::Selection, String), changed::ChangedError> {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let dir = if first.is_dir() {
        first
    } else {
        first
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    };
    let changed_paths = changed::changed_files(&dir, since)?;
    let sel = changed::select(&outcome.workspace, config, &changed_paths);
    let ws = &outcome.workspace;
    let slug_of = |f: crate::model::FileId| {
        ws.lessons
            .iter()
            .find(|l| l.file == f)
            .map(|l| l.slug.clone())
            .unwrap_or_else(|| ws.sources.get(f).name.clone())
    };
    let changed: Vec<String> = sel.changed.iter().map(|f| slug_of(*f)).collect();
    let deps: Vec<String> = sel
        .dependents
        .iter()
        .map(|(f, via)| format!("{} (from {})", slug_of(*f), via.join(", ")))
        .collect();
    let note = if changed.is_empty() && deps.is_empty() {
        format!("changed since {since}: no file of this run changed")
    } else {
        format!(
            "changed since {since}: {} changed{}{}",
            report::plural(changed.len(), "file"),
            if changed.is_empty() {
                String::new()
            } else {
                format!(" ({})", changed.join(", "))
            },
            if deps.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} fed by them: {}",
                    report::plural(deps.len(), "lesson"),
                    deps.join(", ")
                )
            }
        )
    };
    Ok((sel, note))
}

pub struct ReviewArgs {
    pub paths: Vec<PathBuf>,
    pub format: ReviewFormat,
    pub config: Option<PathBuf>,
    /// Print the next review iteration of this lesson plan.
    pub draft: Option<PathBuf>,
    /// Date of the drafted review (default: today, UTC).
    pub date: Option<String>,
    pub max_file_bytes: u64,
}

/// Lints what `path` needs for its review: the path with its curriculum around it (so that
/// cross-lesson findings count); for a file, also the id of the lesson plan it is.
fn lint_for_review(
    path: &Path,
    config: &Config,
    load: &LoadOptions,
) -> Result<(lint::LintOutcome, Option<crate::model::FileId>), u8> {
    let single = path.is_file();
    let outcome = lint::lint_paths(&[path.to_path_buf()], config, load).map_err(|e| {
        print_load_error(&e);
        EXIT_FAILURE
    })?;
    if !single {
        return Ok((outcome, None));
    }
    let want = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let id = outcome
        .workspace
        .sources
        .files
        .iter()
        .position(|f| std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone()) == want)
        .map(crate::model::FileId);
    Ok((outcome, id))
}

/// `lessonlint review [PATH…]` and `lessonlint review --draft FILE`.
pub fn review(args: ReviewArgs) -> u8 {
    let load = LoadOptions {
        max_file_bytes: args.max_file_bytes,
    };
    if let Some(file) = &args.draft {
        let config = match load_config(args.config.as_deref(), Some(file)) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let date = match &args.date {
            Some(d) if crate::review::is_date(d) => d.clone(),
            Some(d) => {
                eprintln!("error: --date {d}: expected YYYY-MM-DD");
                return EXIT_FAILURE;
            }
            None => crate::review::today(),
        };
        let (outcome, id) = match lint_for_review(file, &config, &load) {
            Ok(x) => x,
            Err(code) => return code,
        };
        let Some(lesson) =
            id.and_then(|id| outcome.workspace.lessons.iter().find(|l| l.file == id))
        else {
            eprintln!("error: {}: not a lesson plan", file.display());
            return EXIT_FAILURE;
        };
        let d = crate::review::draft(outcome.sources(), lesson, &config, &outcome.findings, &date);
        if d.over_limit {
            eprintln!(
                "warning: this would be iteration {} of {}; the house rule allows at most {} iterations",
                d.iteration,
                d.of,
                config.rule("review-iterations-invalid").int("max_iterations")
            );
        }
        let text = match args.format {
            ReviewFormat::Human => report::review::draft_markdown(&d),
            ReviewFormat::Json => {
                let mut s = serde_json::to_string_pretty(&d).unwrap_or_default();
                s.push('\n');
                s
            }
        };
        return match emit(&text) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        };
    }
    let paths = if args.paths.is_empty() {
        vec![default_curriculum()]
    } else {
        args.paths.clone()
    };
    let config = match load_config(args.config.as_deref(), paths.first().map(|p| p.as_path())) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut reviews = Vec::new();
    let mut single = paths.len() == 1 && paths[0].is_file();
    for p in &paths {
        let (outcome, id) = match lint_for_review(p, &config, &load) {
            Ok(x) => x,
            Err(code) => return code,
        };
        for l in outcome.workspace.scoped_lessons() {
            if id.is_some_and(|id| id != l.file) {
                continue;
            }
            reviews.push(crate::review::analyse(
                outcome.sources(),
                l,
                &config,
                &outcome.findings,
            ));
        }
        if p.is_file()
            && id.is_none_or(|id| !outcome.workspace.lessons.iter().any(|l| l.file == id))
        {
            eprintln!("error: {}: not a lesson plan", p.display());
            return EXIT_FAILURE;
        }
    }
    if reviews.len() != 1 {
        single = false;
    }
    let text = match args.format {
        ReviewFormat::Json => report::review::json(&reviews),
        ReviewFormat::Human if single => report::review::lesson_text(&reviews[0]),
        ReviewFormat::Human => report::review::tree_text(&reviews),
    };
    if let Err(code) = emit(&text) {
        return code;
    }
    if reviews.iter().all(|r| r.gate.ready) {
        EXIT_OK
    } else {
        EXIT_FINDINGS
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
        Ok(s) => match emit(&(s + "\n")) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        },
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
    let mut text = String::new();
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
            text.push_str(&serde_json::to_string_pretty(&rows).unwrap_or_default());
            text.push('\n');
        }
        ListFormat::Table => {
            let w = metas.iter().map(|m| m.id.len()).max().unwrap_or(4);
            text.push_str(&format!(
                "{:w$}  {:7}  {:11}  summary\n",
                "rule", "level", "category"
            ));
            for m in &metas {
                let level = config.rule(m.id).level;
                let cat = serde_json::to_value(m.category)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "{:w$}  {:7}  {:11}  {}\n",
                    m.id,
                    level.as_str(),
                    cat,
                    m.summary
                ));
            }
        }
    }
    match emit(&text) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

/// `lessonlint explain RULE`.
pub fn explain(rule: &str) -> u8 {
    match rules::find_meta(rule) {
        Some(m) => {
            let cfg = Config::defaults();
            let s = cfg.rule(m.id);
            let mut text = format!("# {}\n\n{}\n\n", m.id, m.summary);
            text.push_str(&format!("Default level: {}\n", s.level.as_str()));
            if !s.params.is_empty() {
                text.push_str("Settings:\n");
                for (k, v) in &s.params {
                    text.push_str(&format!("  {k}: {v}\n"));
                }
            }
            text.push('\n');
            for line in m.docs.lines() {
                text.push_str(line.strip_prefix(' ').unwrap_or(line));
                text.push('\n');
            }
            match emit(&text) {
                Ok(()) => EXIT_OK,
                Err(code) => code,
            }
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
    // A lesson plan or a sub-tree inside a curriculum: the graph is the curriculum's; a lesson
    // plan given alone shows its own view.
    let mut lesson = args.lesson;
    let root = crate::workspace::curriculum_root_of(&path);
    let read = root.clone().unwrap_or_else(|| path.clone());
    let ws = match crate::workspace::load(std::slice::from_ref(&read), &LoadOptions::default()) {
        Ok(ws) => ws,
        Err(e) => {
            print_load_error(&e);
            return EXIT_FAILURE;
        }
    };
    let curriculum = ws.curriculum();
    if curriculum.lessons.is_empty() {
        eprintln!(
            "error: {}: no curriculum to graph: no `series-N/module-N-M` folders with lesson plans, module plans or records",
            path.display()
        );
        if !curriculum.loose.is_empty() {
            eprintln!("help: a lesson plan on its own has no concept graph; give the curriculum it belongs to (the folder holding course.md or series-N/)");
        }
        return EXIT_FAILURE;
    }
    if path.is_file() && lesson.is_none() && args.concept.is_none() {
        let want = std::fs::canonicalize(&path).ok();
        match curriculum.lessons.iter().find(|l| {
            l.file
                .is_some_and(|f| std::fs::canonicalize(&ws.sources.get(f.file).path).ok() == want)
        }) {
            Some(l) => lesson = Some(l.slug.clone()),
            None => {
                eprintln!(
                    "error: {}: not a lesson plan of the curriculum; give a lesson plan, or the curriculum with --lesson or --concept",
                    path.display()
                );
                return EXIT_FAILURE;
            }
        }
    } else if root.as_ref().is_some_and(|r| r != &path) && path.is_dir() {
        eprintln!(
            "note: {} lies inside the curriculum at {}; this is the graph of the whole curriculum",
            path.display(),
            read.display()
        );
    }
    let g = ConceptGraph::build(&curriculum, &rules::cross::match_settings(&config));
    let opts = GraphOptions {
        format: match args.format {
            GraphFormatArg::Dot => GraphFormat::Dot,
            GraphFormatArg::Mermaid => GraphFormat::Mermaid,
            GraphFormatArg::Json => GraphFormat::Json,
        },
        lesson,
        concept: args.concept,
    };
    match render(&curriculum, &g, &opts) {
        Ok(text) => match emit(&text) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        },
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILURE
        }
    }
}

/// Real interpreters `snippets --oracle` can compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OracleKind {
    Python,
}

/// `lessonlint snippets FILE [--oracle python]`.
pub fn snippets(
    file: &Path,
    oracle: Option<OracleKind>,
    python: &str,
    timeout: u64,
    format: ListFormat,
) -> u8 {
    use crate::oracle::{self, OracleError};
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return EXIT_FAILURE;
        }
    };
    let blocks = match oracle::blocks_of(file, &text) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return EXIT_FAILURE;
        }
    };
    let budget = crate::rules::code::budget(&Config::defaults());
    let ours = oracle::lessonlint_outcomes(&blocks, &budget);
    let name = file.to_string_lossy().replace('\\', "/");
    let notebook = file.extension().is_some_and(|e| e == "ipynb");
    let Some(OracleKind::Python) = oracle else {
        let rows = oracle::compare(&blocks, &ours, &ours);
        let text = match format {
            ListFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
            ListFormat::Table => {
                let at = if notebook { "cell" } else { "line" };
                let mut s = String::new();
                for r in &rows {
                    let verdict = match &r.lessonlint {
                        None => "runs clean".to_string(),
                        Some(e) => format!(
                            "{}: {} (block {}, line {})",
                            e.ty,
                            e.message,
                            e.block + 1,
                            e.line
                        ),
                    };
                    s.push_str(&format!(
                        "{name}: block {} ({at} {}): {verdict}\n",
                        r.block + 1,
                        r.line
                    ));
                }
                s
            }
        };
        return match emit(&text) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        };
    };
    let theirs = match oracle::python_outcomes(
        python,
        &blocks,
        std::time::Duration::from_secs(timeout.max(1)),
    ) {
        Ok(t) => t,
        Err(OracleError::NoPython(e)) => {
            eprintln!("error: cannot run {e}");
            return EXIT_FAILURE;
        }
        Err(OracleError::NoTorch) => {
            eprintln!("error: `{python}` cannot import torch; the oracle needs PyTorch (pip install torch)");
            return EXIT_FAILURE;
        }
        Err(OracleError::Failed(e)) => {
            eprintln!("error: the oracle's run failed: {e}");
            return EXIT_FAILURE;
        }
        Err(OracleError::Timeout(partial)) => {
            let rows = oracle::compare(&blocks, &ours, &partial);
            let _ = emit(&oracle::render(&name, notebook, &rows));
            eprintln!("error: the oracle's run took longer than {timeout} s (--timeout)");
            return EXIT_FAILURE;
        }
    };
    let rows = oracle::compare(&blocks, &ours, &theirs);
    let text = match format {
        ListFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
        ListFormat::Table => oracle::render(&name, notebook, &rows),
    };
    if let Err(code) = emit(&text) {
        return code;
    }
    if rows.iter().all(|r| r.agree) {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

/// `lessonlint reference [MODEL] [--input N,C,H,W]`.
pub fn reference(model: Option<&str>, input: Option<&str>, format: ListFormat) -> u8 {
    use crate::reference::{self, render};
    let text = match model {
        None => {
            if input.is_some() {
                eprintln!("error: --input needs a MODEL");
                return EXIT_FAILURE;
            }
            let rows = match render::summary() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_FAILURE;
                }
            };
            match format {
                ListFormat::Table => render::summary_text(&rows),
                ListFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
            }
        }
        Some(name) => {
            let Some(spec) = reference::find_model(name) else {
                eprintln!("error: unknown model `{name}`");
                let best = reference::MODELS
                    .iter()
                    .map(|m| {
                        (
                            strsim::jaro_winkler(&name.to_ascii_lowercase(), m.name),
                            m.name,
                        )
                    })
                    .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a });
                if best.0 > 0.8 {
                    eprintln!("help: did you mean `{}`?", best.1);
                } else {
                    eprintln!("help: `lessonlint reference` lists every model");
                }
                return EXIT_FAILURE;
            };
            let shape = match input.map(render::parse_input).transpose() {
                Ok(s) => s.unwrap_or_else(|| spec.input.to_vec()),
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_FAILURE;
                }
            };
            let (rows, params, buffers) = match reference::stage_table(spec, Some(&shape)) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!(
                        "error: {} on input {} fails in {}: {}",
                        spec.name,
                        reference::fmt_shape(&shape),
                        e.context,
                        e.message
                    );
                    return EXIT_FAILURE;
                }
            };
            match format {
                ListFormat::Table => render::stage_text(spec, &shape, &rows, params, buffers),
                ListFormat::Json => {
                    serde_json::to_string_pretty(&render::stage_json(
                        spec, &shape, &rows, params, buffers,
                    ))
                    .unwrap_or_default()
                        + "\n"
                }
            }
        }
    };
    match emit(&text) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

/// Severity words accepted on the command line.
pub fn parse_level(s: &str) -> Option<Severity> {
    Severity::parse(s)
}
