//! Rules backed by the bundled reference models (`crate::reference`), and the checks of
//! notebooks: figures in prose and tables checked against the reference, lesson classes
//! probed against it, notebooks' code cells run in order with their exercises and solutions.
//! One file per rule; `notebook` drives the notebook runs.

use crate::config::Config;
use crate::model::{FileId, Lesson, SourceMap, Span};
use crate::notebook::{self, CellKind};
use crate::reference::claims;
use crate::reference::probe::{self, ProbeIssue, ProbeKind, ProbeOutcome, ProbeSettings};
use crate::reference::{fmt_shape, thousands};
use crate::rules::{Finding, RuleMeta, Severity};
use crate::snippets::{self, Block, Budget, DiagKind, Mode, SnippetDiag};
use std::ops::Range;

mod block_diverges_from_reference;
mod block_parameters_differ_from_reference;
mod layer_claim_contradicts_reference;
mod malformed_notebook;
mod notebook_run;
mod parameter_claim_contradicts_reference;
mod solution_fails_notebook_test;

pub use block_diverges_from_reference::BlockDivergesFromReference;
pub use block_parameters_differ_from_reference::BlockParametersDifferFromReference;
pub use layer_claim_contradicts_reference::LayerClaimContradictsReference;
pub use malformed_notebook::MalformedNotebook;
pub use parameter_claim_contradicts_reference::ParameterClaimContradictsReference;
pub use solution_fails_notebook_test::SolutionFailsNotebookTest;

/// All rule metadata of this module.
pub fn metas() -> Vec<&'static RuleMeta> {
    vec![
        &BlockDivergesFromReference::META,
        &BlockParametersDifferFromReference::META,
        &LayerClaimContradictsReference::META,
        &MalformedNotebook::META,
        &ParameterClaimContradictsReference::META,
        &SolutionFailsNotebookTest::META,
    ]
}

fn level(config: &Config, id: &str) -> Severity {
    config.rule(id).level
}

/// Probe sizes from the configuration of `block-diverges-from-reference`.
pub fn probe_settings(config: &Config) -> ProbeSettings {
    let s = config.rule(BlockDivergesFromReference::META.id);
    ProbeSettings {
        channels: s.int("channels").clamp(1, 4096),
        size: s.int("size").clamp(1, 1024),
        batch: s.int("batch").clamp(1, 1024),
        networks: s.bool("networks"),
    }
}

fn probing_on(config: &Config) -> bool {
    level(config, BlockDivergesFromReference::META.id) != Severity::Off
        || level(config, BlockParametersDifferFromReference::META.id) != Severity::Off
}

// ---------------------------------------------------------------------------------------------
// Claims

/// Cheap test before scanning: does the text name anything the reference knows?
fn mentions_known(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "resnet", "vgg", "plain-", "plain_", "conv2d(", "linear(", "wrn-",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

/// Figures in a Markdown text checked against the reference. `span_of` maps a byte range of
/// `text` to the finding's span in the file.
pub fn claim_findings(
    file: FileId,
    text: &str,
    span_of: impl Fn(Range<usize>) -> (Span, Option<String>),
    config: &Config,
) -> Vec<Finding> {
    let p_level = level(config, ParameterClaimContradictsReference::META.id);
    let l_level = level(config, LayerClaimContradictsReference::META.id);
    if (p_level == Severity::Off && l_level == Severity::Off) || !mentions_known(text) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in claims::find(text) {
        let Ok(Some(m)) = claims::check(&c) else {
            continue;
        };
        let (rule, lvl) = if m.parameters {
            (ParameterClaimContradictsReference::META.id, p_level)
        } else {
            (LayerClaimContradictsReference::META.id, l_level)
        };
        if lvl == Severity::Off {
            continue;
        }
        let (span, note) = span_of(c.span.clone());
        let label = match note {
            Some(n) => format!("{} ({n})", m.label),
            None => m.label,
        };
        let mut f = Finding::new(rule, file, span, m.message)
            .label(label)
            .help(m.help);
        if c.mention.span.end <= c.span.start || c.mention.span.start >= c.span.end {
            let (mspan, _) = span_of(c.mention.span.clone());
            f = f.related(file, mspan, "the model named here");
        }
        f.severity = lvl;
        out.push(f);
    }
    out
}

/// Figures in a whole Markdown file (a lesson, a record, a module plan).
pub fn check_file_claims(sources: &SourceMap, file: FileId, config: &Config) -> Vec<Finding> {
    let text = &sources.get(file).text;
    claim_findings(file, text, |r| (Span::new(r.start, r.end), None), config)
}

// ---------------------------------------------------------------------------------------------
// Probing

fn probe_help(kind: ProbeKind, projection: bool) -> &'static str {
    match (kind, projection) {
        (ProbeKind::ResidualBlock, true) => "in the projection configuration the first conv takes the stride, and the shortcut needs a 1x1 conv with the same stride (and a BatchNorm) so that it matches the output's shape",
        (ProbeKind::ResidualBlock, false) => "with equal channels and stride 1 a residual block returns a tensor of its input's shape, so that x can be added",
        (ProbeKind::PlainBlock, _) => "a plain block is the residual block without its shortcut: conv (with the stride), BN, ReLU, conv, BN, ReLU",
        (ProbeKind::ResNet, _) | (ProbeKind::PlainNet, _) => "a CIFAR ResNet with n = 3 maps [N, 3, 32, 32] to [N, 10]: a 3x3 stem conv to 16 channels, three stages of n blocks at 16, 32 and 64 channels (stride 2 at the start of the last two), global average pooling, Linear(64, 10)",
    }
}

fn fmt_params(ps: &[(String, Vec<i64>)]) -> String {
    let shown: Vec<String> = ps
        .iter()
        .take(4)
        .map(|(n, s)| format!("{n} {}", fmt_shape(s)))
        .collect();
    let more = if ps.len() > 4 {
        format!(" and {} more", ps.len() - 4)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

/// Findings for probed classes. `place` maps a class's offset and length to its span and a
/// location note ("cell 3, line 1") where one helps.
pub fn probe_findings(
    file: FileId,
    outcomes: &[ProbeOutcome],
    place: impl Fn(usize, usize) -> Option<(Span, Option<String>)>,
    config: &Config,
) -> Vec<Finding> {
    let shape_level = level(config, BlockDivergesFromReference::META.id);
    let param_level = level(config, BlockParametersDifferFromReference::META.id);
    let mut out = Vec::new();
    for o in outcomes {
        let Some((span, note)) = place(o.class.offset, o.class.len) else {
            continue;
        };
        let reference = o.kind.reference_name();
        let label = |what: &str| match &note {
            Some(n) => format!("{what} ({n})"),
            None => what.to_string(),
        };
        for issue in &o.issues {
            let (rule, lvl, message, lab, help) = match issue {
                ProbeIssue::Shape {
                    call,
                    input,
                    got,
                    expected,
                } => {
                    let message = match got {
                        Ok(shape) => format!(
                            "{call} maps {} to {}; {reference} gives {}",
                            fmt_shape(input),
                            fmt_shape(shape),
                            fmt_shape(expected)
                        ),
                        Err(e) => format!(
                            "{call} fails on {}: {e}; {reference} gives {}",
                            fmt_shape(input),
                            fmt_shape(expected)
                        ),
                    };
                    (
                        BlockDivergesFromReference::META.id,
                        shape_level,
                        message,
                        label(&format!("probed as {call}")),
                        probe_help(o.kind, call.contains("stride=2")).to_string(),
                    )
                }
                ProbeIssue::Parameters {
                    call,
                    got,
                    expected,
                    extra,
                    missing,
                } => {
                    let refs = match expected.as_slice() {
                        [(_, n)] => thousands(*n),
                        many => many
                            .iter()
                            .map(|(v, n)| format!("{} with a {v}", thousands(*n)))
                            .collect::<Vec<_>>()
                            .join(", "),
                    };
                    let mut why = Vec::new();
                    if !extra.is_empty() {
                        why.push(format!("this class also has {}", fmt_params(extra)));
                    }
                    if !missing.is_empty() {
                        why.push(format!("it lacks {}", fmt_params(missing)));
                    }
                    let why = if why.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", why.join("; "))
                    };
                    let conv_bias = extra
                        .iter()
                        .any(|(n, s)| n.ends_with(".bias") && s.len() == 1);
                    let help = if conv_bias {
                        "a convolution followed by BatchNorm needs no bias: write bias=False (BatchNorm's own shift replaces it)"
                    } else {
                        "compare the layers with the reference block: `lessonlint reference resnet20_b` shows the CIFAR ResNet with projection shortcuts"
                    };
                    (
                        BlockParametersDifferFromReference::META.id,
                        param_level,
                        format!(
                            "{call} has {} parameters; {reference} has {refs}{why}",
                            thousands(*got)
                        ),
                        label(&format!("probed as {call}")),
                        help.to_string(),
                    )
                }
            };
            if lvl == Severity::Off {
                continue;
            }
            let mut f = Finding::new(rule, file, span, message)
                .label(lab)
                .help(help);
            f.severity = lvl;
            out.push(f);
        }
    }
    out
}

/// The code range of the top-level statement holding a class (by its `class` line offset).
fn class_range(blocks: &[Block], off: usize) -> Option<Range<usize>> {
    let b = blocks
        .iter()
        .rev()
        .find(|b| b.offset <= off && off <= b.offset + b.code.len())?;
    let pos = off - b.offset;
    let seg = snippets::segments(&b.code)?
        .into_iter()
        .find(|s| s.start <= pos && pos < s.end)?;
    Some(b.offset + seg.start..b.offset + seg.end)
}

/// Drops the shape divergences of classes whose own code already failed in the run (the error
/// is reported where it happens; the probe would repeat it), or that lie in `blamed` ranges.
fn without_reported(
    mut outcomes: Vec<ProbeOutcome>,
    blocks: &[Block],
    diags: &[SnippetDiag],
    blamed: &[Range<usize>],
) -> Vec<ProbeOutcome> {
    for o in &mut outcomes {
        let Some(range) = class_range(blocks, o.class.offset) else {
            continue;
        };
        let failed = diags.iter().any(|d| {
            d.kind == DiagKind::Runtime
                && (range.contains(&d.offset)
                    || d.traceback.iter().any(|f| range.contains(&f.offset)))
        }) || blamed
            .iter()
            .any(|r| r.start < range.end && range.start < r.end);
        if failed {
            o.issues.retain(|i| !matches!(i, ProbeIssue::Shape { .. }));
        }
    }
    outcomes
}

/// The reference checks of one lesson plan: figures in its text, and its classes probed.
pub fn check_lesson(
    sources: &SourceMap,
    lesson: &Lesson,
    config: &Config,
    budget: &Budget,
) -> Vec<Finding> {
    let mut out = check_file_claims(sources, lesson.file, config);
    if !probing_on(config) {
        return out;
    }
    let (blocks, _) = crate::rules::code::lesson_blocks(lesson);
    if !blocks.iter().any(|b| b.code.contains("class ")) {
        return out;
    }
    let settings = probe_settings(config);
    let skip: Vec<bool> = blocks.iter().map(|b| b.mode == Mode::ExpectError).collect();
    let (diags, outcomes) = snippets::check_blocks_with(&blocks, budget, |interp, _| {
        probe::probe_classes(interp, &settings, |b| skip.get(b).copied().unwrap_or(true))
    });
    let file = sources.get(lesson.file);
    let outcomes = without_reported(outcomes.unwrap_or_default(), &blocks, &diags, &[]);
    out.extend(probe_findings(
        lesson.file,
        &outcomes,
        |off, len| {
            let b = blocks
                .iter()
                .rev()
                .find(|b| b.offset <= off && off <= b.offset + b.code.len())?;
            let s = crate::rules::code::to_file(file, b, off);
            Some((
                Span::new(s, crate::rules::code::to_file(file, b, off + len).max(s)),
                None,
            ))
        },
        config,
    ));
    out
}

/// The blocks lessonlint runs for a notebook: the solution view when some exercise has a
/// solution, else the learner view (exercises as `Mode::Opaque` blocks).
pub fn notebook_blocks(nb: &notebook::Notebook) -> Vec<Block> {
    let layout = notebook_run::layout(nb, true);
    let pieces = notebook_run::with_solutions(&layout).unwrap_or(layout.learner);
    notebook_run::Run::new(pieces).blocks()
}

/// The checks of one notebook: malformed JSON, figures in markdown cells, code cells in
/// order (exercises opaque, solutions run against the notebook's tests), classes probed.
pub fn check_notebook(
    sources: &SourceMap,
    id: FileId,
    config: &Config,
    budget: &Budget,
) -> Vec<Finding> {
    let file = sources.get(id);
    let nb = match notebook::parse(&file.text) {
        Ok(nb) => nb,
        Err(e) => {
            let lvl = level(config, MalformedNotebook::META.id);
            if lvl == Severity::Off {
                return Vec::new();
            }
            let mut f = Finding::new(MalformedNotebook::META.id, id, e.span, e.message)
                .label("the notebook cannot be read from here")
                .help("Jupyter reads notebooks as JSON (nbformat 4): fix the file, or re-save it from Jupyter");
            f.severity = lvl;
            return vec![f];
        }
    };
    let mut out = Vec::new();
    for cell in nb.cells.iter().filter(|c| c.kind == CellKind::Markdown) {
        out.extend(claim_findings(
            id,
            &cell.text,
            |r| {
                let note = format!("cell {}, line {}", cell.number(), cell.line_of(r.start));
                (cell.span_of(r.start, r.end), Some(note))
            },
            config,
        ));
    }
    if !nb.is_python() {
        return out;
    }
    let need_marker = config
        .rule(SolutionFailsNotebookTest::META.id)
        .bool("solutions_need_marker");
    let layout = notebook_run::layout(&nb, need_marker);
    let with = notebook_run::with_solutions(&layout);
    let probe_on = probing_on(config);
    let settings = probe_settings(config);
    let learner = notebook_run::Run::new(layout.learner.clone());
    let probe_learner = probe_on && with.is_none();
    let skip_of = |run: &notebook_run::Run| -> Vec<bool> {
        run.pieces.iter().map(|p| p.mode != Mode::Check).collect()
    };
    let skip_a = skip_of(&learner);
    let (diags, probes) = notebook_run::execute(&learner, budget, |interp| {
        if probe_learner {
            probe::probe_classes(interp, &settings, |b| {
                skip_a.get(b).copied().unwrap_or(true)
            })
        } else {
            Vec::new()
        }
    });
    let mapped = notebook_run::Mapped {
        nb: &nb,
        run: &learner,
    };
    let learner_findings = notebook_run::learner_findings(id, &mapped, &diags, config);
    out.extend(learner_findings.iter().cloned());
    let place_in = |m: &notebook_run::Mapped, off: usize, len: usize| {
        m.class_place(off, len)
            .map(|p| (p.span, Some(notebook_run::where_(&p))))
    };
    if let Some(pieces) = with {
        let run = notebook_run::Run::new(pieces);
        let skip_b = skip_of(&run);
        let (diags_b, probes_b) = notebook_run::execute(&run, budget, |interp| {
            if probe_on {
                probe::probe_classes(interp, &settings, |b| {
                    skip_b.get(b).copied().unwrap_or(true)
                })
            } else {
                Vec::new()
            }
        });
        let mb = notebook_run::Mapped { nb: &nb, run: &run };
        let (solution, blamed) =
            notebook_run::solution_findings(id, &learner_findings, &mb, &diags_b, config);
        out.extend(solution);
        let blamed: Vec<Range<usize>> = blamed.iter().map(|&p| run.range_of(p)).collect();
        let probes_b = without_reported(
            probes_b.unwrap_or_default(),
            &run.blocks(),
            &diags_b,
            &blamed,
        );
        out.extend(probe_findings(
            id,
            &probes_b,
            |o, l| place_in(&mb, o, l),
            config,
        ));
    } else {
        let probes = without_reported(probes.unwrap_or_default(), &learner.blocks(), &diags, &[]);
        out.extend(probe_findings(
            id,
            &probes,
            |o, l| place_in(&mapped, o, l),
            config,
        ));
    }
    out
}
