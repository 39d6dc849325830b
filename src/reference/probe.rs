//! Probing the classes a lesson defines: a residual block, a plain block or a small CIFAR
//! ResNet with a recognisable constructor is instantiated the way the reference is, run on a
//! meta tensor, and compared with the reference — output shapes and parameter counts.
//!
//! Recognised constructors (other parameters must have defaults):
//! - blocks: `(in_channels, out_channels, stride=1)` and its spellings (`in_planes, planes`,
//!   `inplanes, planes`, `in_ch, out_ch`, …), or `(channels)` for an identity-only block.
//!   Probed in the identity configuration `(C, C)` on `[N, C, S, S]` and, when it takes a
//!   stride, the projection configuration `(C, 2C, stride=2)` (not when the caller passes the
//!   shortcut in, as torchvision's `downsample=None` does). A class whose name says
//!   "plain" is compared with the plain block (no shortcut); classes named "Bottleneck" are
//!   not probed (the lessons do not develop them).
//! - networks (name says "resnet" or "plain", not "block"): one integer parameter `n`,
//!   `num_blocks`, `blocks_per_stage` or `depth`, probed with n = 3 (depth 20) on
//!   `[N, 3, 32, 32]` against ResNet-20 (option A or B) or plain-20.
//!
//! Anything else is not probed: silence, never a guess.

use super::{Reference, ReferenceError};
use crate::snippets::{ClassInfo, Interp, ParamInfo, Value};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Probe sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProbeSettings {
    /// Channels of the identity configuration (the projection doubles them).
    pub channels: i64,
    /// Height and width of the block's input.
    pub size: i64,
    pub batch: i64,
    /// Probe small networks as well as blocks.
    pub networks: bool,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        ProbeSettings {
            channels: 64,
            size: 32,
            batch: 2,
            networks: true,
        }
    }
}

/// What a class was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    ResidualBlock,
    PlainBlock,
    ResNet,
    PlainNet,
}

impl ProbeKind {
    /// The reference it is compared with, in words.
    pub fn reference_name(self) -> &'static str {
        match self {
            ProbeKind::ResidualBlock => "the reference basic block",
            ProbeKind::PlainBlock => "the reference plain block",
            ProbeKind::ResNet => "the reference ResNet-20",
            ProbeKind::PlainNet => "the reference plain-20",
        }
    }
}

/// A divergence from the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeIssue {
    /// The output shape differs, or the call fails.
    Shape {
        /// `ResidualBlock(64, 128, stride=2)`.
        call: String,
        input: Vec<i64>,
        /// The output shape, or the error in PyTorch's words.
        got: Result<Vec<i64>, String>,
        expected: Vec<i64>,
    },
    /// The parameter count differs from every reference variant.
    Parameters {
        call: String,
        got: i64,
        /// Reference variants and their counts (`option B`, 230,144).
        expected: Vec<(String, i64)>,
        /// Parameters the class has that the closest variant has not, and the reverse.
        extra: Vec<(String, Vec<i64>)>,
        missing: Vec<(String, Vec<i64>)>,
    },
}

/// Where a probed class is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbedClass {
    pub name: String,
    /// Index of the block that defined it, and the `class` line as a byte offset (the block's
    /// `offset` plus the position in its code) and length.
    pub block: usize,
    pub offset: usize,
    pub len: usize,
}

/// A probed class.
#[derive(Debug, Clone)]
pub struct ProbeOutcome {
    pub class: ProbedClass,
    pub kind: ProbeKind,
    pub issues: Vec<ProbeIssue>,
}

const IN_NAMES: &[&str] = &[
    "in_channels",
    "in_planes",
    "inplanes",
    "in_ch",
    "in_c",
    "cin",
    "c_in",
    "channels_in",
    "input_channels",
    "n_in",
    "in_chans",
    "in_filters",
    "inp",
];
const OUT_NAMES: &[&str] = &[
    "out_channels",
    "planes",
    "out_planes",
    "outplanes",
    "out_ch",
    "out_c",
    "cout",
    "c_out",
    "channels_out",
    "output_channels",
    "n_out",
    "out_chans",
    "out_filters",
    "oup",
];
const CHANNEL_NAMES: &[&str] = &["channels", "num_channels", "n_channels", "planes", "c"];
const NET_NAMES: &[&str] = &[
    "n",
    "num_blocks",
    "blocks_per_stage",
    "n_blocks",
    "num_blocks_per_stage",
    "blocks",
    "depth",
    "num_layers",
];

/// How a class is called in a configuration.
#[derive(Debug, Clone)]
enum Shape {
    /// `(in, out, stride=…)`; `stride` tells whether a stride is accepted.
    Block { stride: bool },
    /// `(channels)`.
    Channels,
    /// `(n)` or `(depth)`; the keyword name and whether it is a depth.
    Net { depth: bool, classes: i64 },
}

fn required(p: &[ParamInfo]) -> Vec<&ParamInfo> {
    p.iter()
        .filter(|x| x.default.is_none() && !x.kw_only)
        .collect()
}

fn recognise(c: &ClassInfo, s: &ProbeSettings) -> Option<(ProbeKind, Shape)> {
    if !c.is_module || !c.has_forward {
        return None;
    }
    let params = c.params.as_ref()?;
    if params.iter().any(|p| p.kw_only && p.default.is_none()) {
        return None;
    }
    let name = c.name.to_ascii_lowercase();
    if name.contains("bottleneck") {
        return None;
    }
    let plain = name.contains("plain");
    let req = required(params);
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    // Blocks.
    if let [a, b, rest @ ..] = names.as_slice() {
        if IN_NAMES.contains(a) && OUT_NAMES.contains(b) && req.len() <= 2 {
            let stride = rest.first() == Some(&"stride")
                && params
                    .get(2)
                    .and_then(|p| p.default.as_ref())
                    .and_then(Value::as_int)
                    == Some(1);
            let stride_anywhere = rest.contains(&"stride");
            if stride_anywhere && !stride {
                return None; // a stride, but not `stride=1` right after the channels
            }
            // torchvision's `downsample=None`: the caller builds the projection, so only the
            // identity configuration is the block's own.
            let caller_shortcut = rest
                .iter()
                .any(|n| matches!(*n, "downsample" | "shortcut" | "projection"));
            let stride = stride && !caller_shortcut;
            let kind = if plain {
                ProbeKind::PlainBlock
            } else {
                ProbeKind::ResidualBlock
            };
            return Some((kind, Shape::Block { stride }));
        }
    }
    if let [a] = req.as_slice() {
        if CHANNEL_NAMES.contains(&a.name.as_str()) && names.first() == Some(&a.name.as_str()) {
            if name.contains("net") {
                return None;
            }
            let kind = if plain {
                ProbeKind::PlainBlock
            } else {
                ProbeKind::ResidualBlock
            };
            return Some((kind, Shape::Channels));
        }
    }
    // Networks.
    if !s.networks || name.contains("block") {
        return None;
    }
    if !(name.contains("resnet") || name.contains("plain")) {
        return None;
    }
    let first = params.first()?;
    if !NET_NAMES.contains(&first.name.as_str()) || req.len() > 1 {
        return None;
    }
    if req.len() == 1 && req[0].name != first.name {
        return None;
    }
    let classes = params
        .iter()
        .find(|p| p.name == "num_classes" || p.name == "n_classes" || p.name == "classes")
        .and_then(|p| p.default.as_ref())
        .and_then(Value::as_int)
        .unwrap_or(10);
    let kind = if plain {
        ProbeKind::PlainNet
    } else {
        ProbeKind::ResNet
    };
    Some((
        kind,
        Shape::Net {
            depth: first.name == "depth" || first.name == "num_layers",
            classes,
        },
    ))
}

/// Figures of a reference configuration.
#[derive(Debug, Clone)]
struct RefFigures {
    output: Vec<i64>,
    parameters: i64,
    shapes: Vec<(String, Vec<i64>)>,
}

type RefKey = (String, Vec<i64>);

fn reference_figures(expr: &str, input: &[i64]) -> Result<RefFigures, ReferenceError> {
    static CACHE: OnceLock<Mutex<HashMap<RefKey, RefFigures>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (expr.to_string(), input.to_vec());
    if let Some(f) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(f);
    }
    let mut r = Reference::load()?;
    let m = r.eval(expr)?;
    let output = r.interp().forward(&m, input).map_err(|d| ReferenceError {
        context: expr.to_string(),
        message: d.message,
    })?;
    let f = RefFigures {
        output,
        parameters: r.parameters(&m).unwrap_or(0),
        shapes: shapes_of(r.interp(), &m),
    };
    if let Ok(mut c) = cache.lock() {
        c.insert(key, f.clone());
    }
    Ok(f)
}

fn shapes_of(interp: &Interp, m: &Value) -> Vec<(String, Vec<i64>)> {
    interp
        .named_parameter_shapes(m)
        .unwrap_or_default()
        .into_iter()
        .map(|(n, s)| (n, s.into_iter().map(|d| d.unwrap_or(-1)).collect()))
        .collect()
}

/// One configuration to probe.
struct Config {
    call: String,
    args: Vec<Value>,
    kwargs: Vec<(&'static str, Value)>,
    input: Vec<i64>,
    /// Reference variants: (name, Python expression).
    references: Vec<(&'static str, String)>,
}

fn configs(kind: ProbeKind, shape: &Shape, class: &str, s: &ProbeSettings) -> Vec<Config> {
    let c = s.channels;
    let input = vec![s.batch, c, s.size, s.size];
    let block_ref = |cin: i64, cout: i64, stride: i64| -> Vec<(&'static str, String)> {
        match kind {
            ProbeKind::PlainBlock => {
                vec![("plain", format!("PlainBlock({cin}, {cout}, {stride})"))]
            }
            _ if cin == cout && stride == 1 => {
                vec![(
                    "identity",
                    format!("CifarBasicBlock({cin}, {cout}, {stride})"),
                )]
            }
            _ => vec![
                (
                    "1x1 projection shortcut",
                    format!("CifarBasicBlock({cin}, {cout}, {stride}, 'B')"),
                ),
                (
                    "zero-padding shortcut",
                    format!("CifarBasicBlock({cin}, {cout}, {stride}, 'A')"),
                ),
            ],
        }
    };
    match shape {
        Shape::Channels => vec![Config {
            call: format!("{class}({c})"),
            args: vec![Value::Int(c)],
            kwargs: vec![],
            input,
            references: block_ref(c, c, 1),
        }],
        Shape::Block { stride } => {
            let mut v = vec![Config {
                call: format!("{class}({c}, {c})"),
                args: vec![Value::Int(c), Value::Int(c)],
                kwargs: vec![],
                input: input.clone(),
                references: block_ref(c, c, 1),
            }];
            if *stride {
                v.push(Config {
                    call: format!("{class}({c}, {}, stride=2)", 2 * c),
                    args: vec![Value::Int(c), Value::Int(2 * c)],
                    kwargs: vec![("stride", Value::Int(2))],
                    input,
                    references: block_ref(c, 2 * c, 2),
                });
            }
            v
        }
        Shape::Net { depth, classes } => {
            let arg = if *depth { 20 } else { 3 };
            let references = match kind {
                ProbeKind::PlainNet => vec![("plain-20", format!("plain_net(20, {classes})"))],
                _ => vec![
                    (
                        "option A (zero-padding shortcuts)",
                        format!("cifar_resnet(20, 'A', {classes})"),
                    ),
                    (
                        "option B (1x1 projection shortcuts)",
                        format!("cifar_resnet(20, 'B', {classes})"),
                    ),
                ],
            };
            vec![Config {
                call: format!("{class}({arg})"),
                args: vec![Value::Int(arg)],
                kwargs: vec![],
                input: vec![s.batch, 3, 32, 32],
                references,
            }]
        }
    }
}

fn diag_text(d: &crate::snippets::SnippetDiag) -> String {
    if d.error_type.is_empty() {
        d.message.clone()
    } else {
        format!("{}: {}", d.error_type, d.message)
    }
}

/// Multiset difference of parameters: what `a` has that `b` has not. Same name and shape
/// cancel first, then same shape.
fn shape_diff(a: &[(String, Vec<i64>)], b: &[(String, Vec<i64>)]) -> Vec<(String, Vec<i64>)> {
    let mut used = vec![false; b.len()];
    let mut left: Vec<&(String, Vec<i64>)> = Vec::new();
    for p in a {
        match b.iter().enumerate().position(|(i, q)| !used[i] && q == p) {
            Some(i) => used[i] = true,
            None => left.push(p),
        }
    }
    let mut out = Vec::new();
    for p in left {
        match b
            .iter()
            .enumerate()
            .position(|(i, q)| !used[i] && q.1 == p.1)
        {
            Some(i) => used[i] = true,
            None => out.push(p.clone()),
        }
    }
    out
}

/// Probes every recognised class. `skip(block)` tells which blocks' classes to leave alone
/// (blocks that are expected to fail). Runs on the caller's thread, which must be the
/// interpreter's big-stack thread.
pub fn probe_classes(
    interp: &mut Interp,
    settings: &ProbeSettings,
    skip: impl Fn(usize) -> bool,
) -> Vec<ProbeOutcome> {
    let mut out = Vec::new();
    for class in interp.user_classes() {
        if skip(class.block) {
            continue;
        }
        let Some((kind, shape)) = recognise(&class, settings) else {
            continue;
        };
        let mut issues = Vec::new();
        for cfg in configs(kind, &shape, &class.name, settings) {
            let refs: Vec<(&str, RefFigures)> = cfg
                .references
                .iter()
                .filter_map(|(n, e)| reference_figures(e, &cfg.input).ok().map(|f| (*n, f)))
                .collect();
            let Some((_, first)) = refs.first() else {
                continue;
            };
            let expected = first.output.clone();
            let model = match interp.call_global(&class.name, &cfg.args, &cfg.kwargs) {
                Ok(m) => m,
                Err(d) => {
                    issues.push(ProbeIssue::Shape {
                        call: cfg.call.clone(),
                        input: cfg.input.clone(),
                        got: Err(diag_text(&d)),
                        expected,
                    });
                    continue;
                }
            };
            if model.is_opaque() {
                continue;
            }
            let got = match interp.forward_shapes(&model, &cfg.input) {
                Ok(shapes) => match shapes.as_slice() {
                    [one] if one.iter().all(Option::is_some) => {
                        Ok(one.iter().flatten().copied().collect::<Vec<i64>>())
                    }
                    _ => continue, // opaque or several outputs: nothing to compare
                },
                Err(d) => Err(diag_text(&d)),
            };
            if got.as_ref() != Ok(&expected) {
                issues.push(ProbeIssue::Shape {
                    call: cfg.call.clone(),
                    input: cfg.input.clone(),
                    got,
                    expected,
                });
                continue;
            }
            let Some(count) = interp.param_count(&model) else {
                continue;
            };
            if refs.iter().any(|(_, f)| f.parameters == count) {
                continue;
            }
            let mine = shapes_of(interp, &model);
            // The closest variant explains the difference.
            let (_, closest) = refs
                .iter()
                .min_by_key(|(_, f)| (f.parameters - count).abs())
                .unwrap_or(&refs[0]);
            issues.push(ProbeIssue::Parameters {
                call: cfg.call.clone(),
                got: count,
                expected: refs
                    .iter()
                    .map(|(n, f)| (n.to_string(), f.parameters))
                    .collect(),
                extra: shape_diff(&mine, &closest.shapes),
                missing: shape_diff(&closest.shapes, &mine),
            });
        }
        out.push(ProbeOutcome {
            class: ProbedClass {
                name: class.name,
                block: class.block,
                offset: class.offset,
                len: class.len,
            },
            kind,
            issues,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snippets::{blocks_from_markdown, check_blocks_with, Budget};

    fn probe(code: &str) -> Vec<ProbeOutcome> {
        let md = format!("```python\n{code}```\n");
        let blocks = blocks_from_markdown(&md);
        let (diags, out) = check_blocks_with(&blocks, &Budget::default(), |interp, _| {
            probe_classes(interp, &ProbeSettings::default(), |_| false)
        });
        assert!(diags.is_empty(), "{diags:?}");
        out.unwrap_or_default()
    }

    const GOOD: &str = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\nclass ResidualBlock(nn.Module):\n    def __init__(self, in_channels, out_channels, stride=1):\n        super().__init__()\n        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)\n        self.bn1 = nn.BatchNorm2d(out_channels)\n        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)\n        self.bn2 = nn.BatchNorm2d(out_channels)\n        self.shortcut = nn.Sequential()\n        if stride != 1 or in_channels != out_channels:\n            self.shortcut = nn.Sequential(\n                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),\n                nn.BatchNorm2d(out_channels),\n            )\n\n    def forward(self, x):\n        out = F.relu(self.bn1(self.conv1(x)))\n        out = self.bn2(self.conv2(out))\n        return F.relu(out + self.shortcut(x))\n";

    #[test]
    fn a_correct_block_matches() {
        let out = probe(GOOD);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, ProbeKind::ResidualBlock);
        assert!(out[0].issues.is_empty(), "{:?}", out[0].issues);
    }

    #[test]
    fn a_missing_stride_is_a_shape_divergence() {
        let bad = GOOD.replace(
            "nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)",
            "nn.Conv2d(in_channels, out_channels, 3, 1, 1, bias=False)",
        );
        let out = probe(&bad);
        assert_eq!(out[0].issues.len(), 1);
        match &out[0].issues[0] {
            ProbeIssue::Shape {
                call,
                got,
                expected,
                ..
            } => {
                assert_eq!(call, "ResidualBlock(64, 128, stride=2)");
                assert_eq!(expected, &vec![2, 128, 16, 16]);
                assert_eq!(
                    got.as_ref().unwrap_err(),
                    "RuntimeError: The size of tensor a (32) must match the size of tensor b (16) at non-singleton dimension 3"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn conv_biases_are_a_parameter_divergence_explained() {
        let bad = GOOD.replace(", bias=False)\n        self.bn1", ")\n        self.bn1");
        let out = probe(&bad);
        match &out[0].issues[..] {
            [ProbeIssue::Parameters {
                call,
                got,
                expected,
                extra,
                missing,
            }, ..] => {
                assert_eq!(call, "ResidualBlock(64, 64)");
                assert_eq!(*got, 74_048);
                assert_eq!(expected, &vec![("identity".to_string(), 73_984)]);
                assert_eq!(extra, &vec![("conv1.bias".to_string(), vec![64])]);
                assert!(missing.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn torchvision_blocks_get_their_shortcut_from_the_caller() {
        let code = format!(
            "import torch\nimport torch.nn as nn\n{}",
            crate::reference::SOURCES[0]
                .1
                .split("class Bottleneck")
                .next()
                .unwrap()
        );
        let code = code.replace("import torch\nimport torch.nn as nn\n\n", "");
        let out = probe(&code);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].class.name, "BasicBlock");
        assert!(out[0].issues.is_empty(), "{:?}", out[0].issues);
    }

    #[test]
    fn small_resnets_and_unrecognised_signatures() {
        let code = format!(
            "{GOOD}\nclass SmallResNet(nn.Module):\n    def __init__(self, n, num_classes=10):\n        super().__init__()\n        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())\n        layers = []\n        cin = 16\n        for i, c in enumerate([16, 32, 64]):\n            for j in range(n):\n                s = 2 if (j == 0 and i > 0) else 1\n                layers.append(ResidualBlock(cin, c, s))\n                cin = c\n        self.layers = nn.Sequential(*layers)\n        self.pool = nn.AdaptiveAvgPool2d(1)\n        self.fc = nn.Linear(64, num_classes)\n\n    def forward(self, x):\n        x = self.layers(self.stem(x))\n        return self.fc(torch.flatten(self.pool(x), 1))\n\nclass Other(nn.Module):\n    def __init__(self, a, b, c):\n        super().__init__()\n    def forward(self, x):\n        return x\n"
        );
        let out = probe(&code);
        let kinds: Vec<(String, ProbeKind, usize)> = out
            .iter()
            .map(|o| (o.class.name.clone(), o.kind, o.issues.len()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("ResidualBlock".to_string(), ProbeKind::ResidualBlock, 0),
                ("SmallResNet".to_string(), ProbeKind::ResNet, 0),
            ]
        );
    }
}
