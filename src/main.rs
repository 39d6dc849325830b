//! `lessonlint`: clap → library → render → exit code (0 clean, 1 findings, 2 usage/config/IO).

use clap::{Parser, Subcommand, ValueEnum};
use lessonlint::cli;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "lessonlint",
    version,
    about = "Lint course curricula: lesson plans, records, module plans and their PyTorch code",
    after_help = "Exit codes: 0 no errors, 1 errors (or warnings with --deny-warnings), 2 usage, configuration or I/O failure."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, Debug, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Lint lesson plans, records and module plans (files or directories; default: the bundled curriculum/)
    Lint {
        paths: Vec<PathBuf>,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = cli::Format::Human)]
        format: cli::Format,
        /// Configuration file (default: the nearest lessonlint.yaml above the first path)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Exit 1 on warnings too
        #[arg(long)]
        deny_warnings: bool,
        /// Colour in the human report
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Largest file to read, in bytes
        #[arg(long, default_value_t = lessonlint::workspace::DEFAULT_MAX_FILE_BYTES)]
        max_file_bytes: u64,
        /// Report and fail only on findings that are not in this baseline file
        #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
        baseline: Option<PathBuf>,
        /// Record today's findings in FILE (by fingerprint) and exit 0
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<PathBuf>,
        /// Lint only the lessons changed since a git ref, and the lessons whose prerequisites they feed
        #[arg(long, value_name = "REF")]
        changed_since: Option<String>,
    },
    /// Review status: each lesson's review timeline, open findings and merge gate (a table for a tree); or draft the next review
    Review {
        /// Lesson plans or curriculum directories (default: the bundled curriculum/)
        paths: Vec<PathBuf>,
        #[arg(long, short = 'f', value_enum, default_value_t = cli::ReviewFormat::Human)]
        format: cli::ReviewFormat,
        /// Configuration file (default: the nearest lessonlint.yaml above the first path)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Print the next review iteration of FILE in the house format, from lessonlint's findings (the file is not changed)
        #[arg(long, value_name = "FILE", conflicts_with = "paths")]
        draft: Option<PathBuf>,
        /// Date of the drafted review, YYYY-MM-DD (default: today, UTC)
        #[arg(long, requires = "draft")]
        date: Option<String>,
        /// Largest file to read, in bytes
        #[arg(long, default_value_t = lessonlint::workspace::DEFAULT_MAX_FILE_BYTES)]
        max_file_bytes: u64,
    },
    /// Print the parsed model of a lesson plan
    Inspect {
        file: PathBuf,
        #[arg(long, short = 'f', value_enum, default_value_t = cli::InspectFormat::Json)]
        format: cli::InspectFormat,
    },
    /// List every rule with its level and summary
    Rules {
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long, short = 'f', value_enum, default_value_t = cli::ListFormat::Table)]
        format: cli::ListFormat,
    },
    /// Show a rule's documentation
    Explain { rule: String },
    /// Export the concept graph of a curriculum tree (default: the bundled curriculum/)
    Graph {
        path: Option<PathBuf>,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = cli::GraphFormatArg::Dot)]
        format: cli::GraphFormatArg,
        /// Only this lesson's prerequisites: required vs recorded depth, gaps highlighted
        #[arg(long, value_name = "SLUG", conflicts_with = "concept")]
        lesson: Option<String>,
        /// Only this concept's depth history across lessons
        #[arg(long, value_name = "NAME")]
        concept: Option<String>,
        /// Configuration file (default: the nearest lessonlint.yaml above the path)
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// The checked Python blocks of a lesson plan or notebook and lessonlint's verdict on each; with --oracle python, also run under a real python3 with PyTorch and report every disagreement
    Snippets {
        file: PathBuf,
        /// Run the blocks under a real interpreter and compare (needs python3 with torch)
        #[arg(long, value_enum)]
        oracle: Option<cli::OracleKind>,
        /// The Python executable for --oracle python
        #[arg(long, default_value = "python3")]
        python: String,
        /// Seconds the oracle's run may take
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = cli::ListFormat::Table)]
        format: cli::ListFormat,
    },
    /// The bundled reference models: a stage table of MODEL, or every model's parameters and buffers
    Reference {
        /// Model name (resnet18 … resnet152, resnext50_32x4d, wide_resnet50_2, vgg16, resnet20 … resnet1202, resnet20_b, plain20 … plain110)
        model: Option<String>,
        /// Input shape N,C,H,W (default: 1,3,224,224 for ImageNet models, 1,3,32,32 for CIFAR)
        #[arg(long, value_name = "N,C,H,W")]
        input: Option<String>,
        /// Output format
        #[arg(long, short = 'f', value_enum, default_value_t = cli::ListFormat::Table)]
        format: cli::ListFormat,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Lint {
            paths,
            format,
            config,
            deny_warnings,
            color,
            max_file_bytes,
            baseline,
            write_baseline,
            changed_since,
        } => {
            let color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::env::var_os("NO_COLOR").is_none()
                        && std::io::IsTerminal::is_terminal(&std::io::stdout())
                }
            };
            cli::lint(cli::LintArgs {
                paths,
                format,
                config,
                deny_warnings,
                color,
                max_file_bytes,
                baseline,
                write_baseline,
                changed_since,
            })
        }
        Command::Review {
            paths,
            format,
            config,
            draft,
            date,
            max_file_bytes,
        } => cli::review(cli::ReviewArgs {
            paths,
            format,
            config,
            draft,
            date,
            max_file_bytes,
        }),
        Command::Inspect { file, format } => cli::inspect(&file, format),
        Command::Rules { config, format } => cli::rules(config.as_deref(), format),
        Command::Explain { rule } => cli::explain(&rule),
        Command::Graph {
            path,
            format,
            lesson,
            concept,
            config,
        } => cli::graph(cli::GraphArgs {
            path,
            format,
            lesson,
            concept,
            config,
        }),
        Command::Snippets {
            file,
            oracle,
            python,
            timeout,
            format,
        } => cli::snippets(&file, oracle, &python, timeout, format),
        Command::Reference {
            model,
            input,
            format,
        } => cli::reference(model.as_deref(), input.as_deref(), format),
    };
    ExitCode::from(code)
}
