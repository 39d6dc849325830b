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
            })
        }
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
    };
    ExitCode::from(code)
}
