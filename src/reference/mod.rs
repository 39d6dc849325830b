//! The bundled reference: the ResNet family the lessons talk about, written once in
//! PyTorch-style Python (`py/*.py`, compiled into the binary) and run by lessonlint's own shape
//! interpreter, so every figure comes from the same code path that checks lesson code.
//!
//! - [`models`]: the registry (`resnet18` … `resnet152`, ResNeXt and Wide ResNet, the CIFAR
//!   ResNets with option-A and option-B shortcuts, their plain counterparts, `vgg16`).
//! - [`Reference`]: an interpreter with the reference sources loaded; builds a model, counts
//!   parameters and buffers, walks its stages on an input shape.
//! - [`figures`]: the per-model figures the claim rules need, computed once per process and
//!   only for the models a file mentions.
//! - [`claims`]: parameter and layer counts written beside a model name, and their check.
//! - [`probe`]: instantiating a lesson's own residual block or small ResNet and comparing it
//!   with the reference.

pub mod claims;
pub mod figures;
pub mod probe;
pub mod render;

use crate::snippets::{self, Budget, Interp, SnippetDiag, Value};
use std::fmt;

/// The Python sources of the reference, in load order.
pub const SOURCES: &[(&str, &str)] = &[
    ("resnet.py", include_str!("py/resnet.py")),
    ("cifar.py", include_str!("py/cifar.py")),
    ("vgg.py", include_str!("py/vgg.py")),
    ("describe.py", include_str!("py/describe.py")),
];

/// The kind of network, which decides the default input and the reference block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// ImageNet ResNets (torchvision): 224×224 inputs, 1000 classes.
    ImagenetResnet,
    /// VGG (torchvision).
    Vgg,
    /// CIFAR-10 ResNets (He et al. 2016, section 4.2): 32×32 inputs, 10 classes.
    CifarResnet,
    /// CIFAR-10 plain networks: the CIFAR ResNet without shortcuts.
    CifarPlain,
}

/// One reference model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelSpec {
    /// Registry name (`resnet50`), as torchvision spells it where torchvision has it.
    pub name: &'static str,
    /// Name as written in prose (`ResNet-50`).
    pub title: &'static str,
    pub family: Family,
    /// Python expression that builds it with the reference sources loaded.
    pub ctor: &'static str,
    /// Default input `[N, C, H, W]`.
    pub input: [i64; 4],
    /// What it is, in a few words.
    pub description: &'static str,
    /// ImageNet acc@1 / acc@5 of torchvision's V1 weights, where published.
    pub accuracy: Option<(f64, f64)>,
    /// Depth as the paper counts it (weighted layers on the main path).
    pub depth: usize,
}

const IMAGENET: [i64; 4] = [1, 3, 224, 224];
const CIFAR: [i64; 4] = [1, 3, 32, 32];

macro_rules! spec {
    ($name:literal, $title:literal, $fam:ident, $ctor:literal, $input:expr, $depth:literal, $acc:expr, $desc:literal) => {
        ModelSpec {
            name: $name,
            title: $title,
            family: Family::$fam,
            ctor: $ctor,
            input: $input,
            description: $desc,
            accuracy: $acc,
            depth: $depth,
        }
    };
}

/// Every reference model, in the order tables list them.
pub const MODELS: &[ModelSpec] = &[
    spec!(
        "resnet18",
        "ResNet-18",
        ImagenetResnet,
        "resnet18()",
        IMAGENET,
        18,
        Some((69.758, 89.078)),
        "basic blocks [2, 2, 2, 2]"
    ),
    spec!(
        "resnet34",
        "ResNet-34",
        ImagenetResnet,
        "resnet34()",
        IMAGENET,
        34,
        Some((73.314, 91.420)),
        "basic blocks [3, 4, 6, 3]"
    ),
    spec!(
        "resnet50",
        "ResNet-50",
        ImagenetResnet,
        "resnet50()",
        IMAGENET,
        50,
        Some((76.130, 92.862)),
        "bottlenecks [3, 4, 6, 3]"
    ),
    spec!(
        "resnet101",
        "ResNet-101",
        ImagenetResnet,
        "resnet101()",
        IMAGENET,
        101,
        Some((77.374, 93.546)),
        "bottlenecks [3, 4, 23, 3]"
    ),
    spec!(
        "resnet152",
        "ResNet-152",
        ImagenetResnet,
        "resnet152()",
        IMAGENET,
        152,
        Some((78.312, 94.046)),
        "bottlenecks [3, 8, 36, 3]"
    ),
    spec!(
        "resnext50_32x4d",
        "ResNeXt-50 (32x4d)",
        ImagenetResnet,
        "resnext50_32x4d()",
        IMAGENET,
        50,
        None,
        "grouped bottlenecks, 32 groups of width 4"
    ),
    spec!(
        "wide_resnet50_2",
        "Wide ResNet-50-2",
        ImagenetResnet,
        "wide_resnet50_2()",
        IMAGENET,
        50,
        None,
        "bottlenecks twice as wide"
    ),
    spec!(
        "vgg16",
        "VGG-16",
        Vgg,
        "vgg16()",
        IMAGENET,
        16,
        Some((71.592, 90.382)),
        "13 convs and 3 FC layers"
    ),
    spec!(
        "resnet20",
        "ResNet-20",
        CifarResnet,
        "cifar_resnet(20)",
        CIFAR,
        20,
        None,
        "CIFAR, n = 3, option A"
    ),
    spec!(
        "resnet32",
        "ResNet-32",
        CifarResnet,
        "cifar_resnet(32)",
        CIFAR,
        32,
        None,
        "CIFAR, n = 5, option A"
    ),
    spec!(
        "resnet44",
        "ResNet-44",
        CifarResnet,
        "cifar_resnet(44)",
        CIFAR,
        44,
        None,
        "CIFAR, n = 7, option A"
    ),
    spec!(
        "resnet56",
        "ResNet-56",
        CifarResnet,
        "cifar_resnet(56)",
        CIFAR,
        56,
        None,
        "CIFAR, n = 9, option A"
    ),
    spec!(
        "resnet110",
        "ResNet-110",
        CifarResnet,
        "cifar_resnet(110)",
        CIFAR,
        110,
        None,
        "CIFAR, n = 18, option A"
    ),
    spec!(
        "resnet1202",
        "ResNet-1202",
        CifarResnet,
        "cifar_resnet(1202)",
        CIFAR,
        1202,
        None,
        "CIFAR, n = 200, option A"
    ),
    spec!(
        "resnet20_b",
        "ResNet-20 (option B)",
        CifarResnet,
        "cifar_resnet(20, 'B')",
        CIFAR,
        20,
        None,
        "CIFAR, n = 3, 1x1 projection shortcuts"
    ),
    spec!(
        "plain20",
        "plain-20",
        CifarPlain,
        "plain_net(20)",
        CIFAR,
        20,
        None,
        "CIFAR, n = 3, no shortcuts"
    ),
    spec!(
        "plain32",
        "plain-32",
        CifarPlain,
        "plain_net(32)",
        CIFAR,
        32,
        None,
        "CIFAR, n = 5, no shortcuts"
    ),
    spec!(
        "plain44",
        "plain-44",
        CifarPlain,
        "plain_net(44)",
        CIFAR,
        44,
        None,
        "CIFAR, n = 7, no shortcuts"
    ),
    spec!(
        "plain56",
        "plain-56",
        CifarPlain,
        "plain_net(56)",
        CIFAR,
        56,
        None,
        "CIFAR, n = 9, no shortcuts"
    ),
    spec!(
        "plain110",
        "plain-110",
        CifarPlain,
        "plain_net(110)",
        CIFAR,
        110,
        None,
        "CIFAR, n = 18, no shortcuts"
    ),
];

/// A model by registry name, case-insensitively; `-` and `_` are interchangeable
/// (`ResNet-50`, `resnet_50`, `resnet50`).
pub fn find_model(name: &str) -> Option<&'static ModelSpec> {
    let key = normalise(name);
    MODELS
        .iter()
        .find(|m| normalise(m.name) == key || normalise(m.title) == key)
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What went wrong building or running a reference model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceError {
    /// Where: the source or the stage (`resnet.py`, `layer4`).
    pub context: String,
    /// `RuntimeError: …` in PyTorch's words.
    pub message: String,
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.message)
    }
}

impl std::error::Error for ReferenceError {}

fn diag_error(context: impl Into<String>, d: &SnippetDiag) -> ReferenceError {
    let message = if d.error_type.is_empty() {
        d.message.clone()
    } else {
        format!("{}: {}", d.error_type, d.message)
    };
    ReferenceError {
        context: context.into(),
        message,
    }
}

/// Budget for reference code: ResNet-1202 has 600 blocks, well within it.
pub const BUDGET: Budget = Budget {
    max_steps: 20_000_000,
    max_depth: 100,
};

/// One row of a stage table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StageRow {
    pub name: String,
    /// Output shape of the stage.
    pub output: Vec<i64>,
    /// Parameters of the stage's modules.
    pub parameters: i64,
}

/// A linear layer of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LinearLayer {
    pub in_features: i64,
    pub out_features: i64,
    pub parameters: i64,
}

/// Structural figures of a model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Structure {
    /// Convolutions on the main path (not in a shortcut).
    pub convs: usize,
    /// Convolutions in projection shortcuts.
    pub shortcut_convs: usize,
    /// Linear layers in order.
    pub linears: Vec<LinearLayer>,
    /// Residual or plain blocks by class name (`BasicBlock`, `Bottleneck`, …), in order of
    /// first appearance.
    pub blocks: Vec<(String, usize)>,
}

impl Structure {
    /// Weighted layers on the main path: convolutions plus linear layers (the depth in a
    /// model's name).
    pub fn depth(&self) -> usize {
        self.convs + self.linears.len()
    }
    /// Total number of blocks.
    pub fn block_count(&self) -> usize {
        self.blocks.iter().map(|(_, n)| n).sum()
    }
    /// Parameters of all linear layers.
    pub fn linear_parameters(&self) -> i64 {
        self.linears.iter().map(|l| l.parameters).sum()
    }
}

/// An interpreter with the reference sources loaded.
pub struct Reference {
    interp: Interp,
}

impl Reference {
    /// Loads the reference sources. Fails only if the bundled Python does not run, which the
    /// tests rule out.
    pub fn load() -> Result<Reference, ReferenceError> {
        let mut interp = Interp::new(&BUDGET);
        for (name, code) in SOURCES {
            interp
                .run_source(name, code)
                .map_err(|d| diag_error(*name, &d))?;
        }
        Ok(Reference { interp })
    }

    /// The interpreter (to run more code in the reference namespace).
    pub fn interp(&mut self) -> &mut Interp {
        &mut self.interp
    }

    /// Builds `spec`.
    pub fn build(&mut self, spec: &ModelSpec) -> Result<Value, ReferenceError> {
        self.eval(spec.ctor)
    }

    /// Evaluates a Python expression in the reference namespace.
    pub fn eval(&mut self, expr: &str) -> Result<Value, ReferenceError> {
        let code = format!("__value__ = {expr}\n");
        self.interp
            .run_source(expr, &code)
            .map_err(|d| diag_error(expr, &d))?;
        self.interp
            .global("__value__")
            .ok_or_else(|| ReferenceError {
                context: expr.to_string(),
                message: "no value".into(),
            })
    }

    /// Trainable parameters of a model.
    pub fn parameters(&self, model: &Value) -> Option<i64> {
        self.interp.param_count(model)
    }

    /// Numel of a model's buffers (BatchNorm running statistics and counters).
    pub fn buffers(&self, model: &Value) -> Option<i64> {
        self.interp.buffer_count(model)
    }

    /// Output shape of `model` on an input of `shape` (evaluation mode).
    pub fn output_shape(
        &mut self,
        model: &Value,
        shape: &[i64],
    ) -> Result<Vec<i64>, ReferenceError> {
        self.interp
            .set_training(model, false)
            .map_err(|d| diag_error("eval", &d))?;
        self.interp
            .forward(model, shape)
            .map_err(|d| diag_error("forward", &d))
    }

    /// The stage table of `model` (a reference model with a `stages()` method) on `input`,
    /// in evaluation mode.
    pub fn stages(
        &mut self,
        model: &Value,
        input: &[i64],
    ) -> Result<Vec<StageRow>, ReferenceError> {
        self.interp
            .set_training(model, false)
            .map_err(|d| diag_error("eval", &d))?;
        let list = self
            .interp
            .call_global("model_stages", std::slice::from_ref(model), &[])
            .map_err(|d| diag_error("stages", &d))?;
        let mut rows = Vec::new();
        let mut shape = input.to_vec();
        for item in items(&list) {
            let parts = items(&item);
            let (Some(name), Some(module)) = (parts.first(), parts.get(1)) else {
                continue;
            };
            let name = name.as_str().unwrap_or("?").to_string();
            let out = self
                .interp
                .forward(module, &shape)
                .map_err(|d| diag_error(name.clone(), &d))?;
            rows.push(StageRow {
                parameters: self.interp.param_count(module).unwrap_or(0),
                output: out.clone(),
                name,
            });
            shape = out;
        }
        Ok(rows)
    }

    /// Convolutions, linear layers and blocks of `model`.
    pub fn structure(&mut self, model: &Value) -> Result<Structure, ReferenceError> {
        let v = self
            .interp
            .call_global("describe", std::slice::from_ref(model), &[])
            .map_err(|d| diag_error("describe", &d))?;
        let parts = items(&v);
        let int = |i: usize| parts.get(i).and_then(Value::as_int).unwrap_or(0);
        let linears = parts
            .get(2)
            .map(items)
            .unwrap_or_default()
            .iter()
            .map(|l| {
                let f = items(l);
                let g = |i: usize| f.get(i).and_then(Value::as_int).unwrap_or(0);
                LinearLayer {
                    in_features: g(0),
                    out_features: g(1),
                    parameters: g(2),
                }
            })
            .collect();
        let blocks = parts
            .get(3)
            .map(items)
            .unwrap_or_default()
            .iter()
            .map(|b| {
                let f = items(b);
                (
                    f.first().and_then(Value::as_str).unwrap_or("").to_string(),
                    f.get(1).and_then(Value::as_int).unwrap_or(0) as usize,
                )
            })
            .collect();
        Ok(Structure {
            convs: int(0) as usize,
            shortcut_convs: int(1) as usize,
            linears,
            blocks,
        })
    }
}

/// The items of a tuple or list value.
pub(crate) fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Tuple(t) => t.to_vec(),
        Value::List(l) => l.borrow().clone(),
        _ => Vec::new(),
    }
}

/// Runs `f` with a freshly loaded reference on a thread with a large stack (the interpreter's
/// recursion is bounded, but deeper than a small thread stack allows).
pub fn with_reference<T: Send>(
    f: impl FnOnce(&mut Reference) -> Result<T, ReferenceError> + Send,
) -> Result<T, ReferenceError> {
    snippets::with_big_stack(|| {
        let mut r = Reference::load()?;
        f(&mut r)
    })
    .unwrap_or_else(|| {
        Err(ReferenceError {
            context: "reference".into(),
            message: "the interpreter thread could not run".into(),
        })
    })
}

/// The stage table of a registry model on `input` (the model's default input if `None`),
/// with its total parameters and buffers.
pub fn stage_table(
    spec: &ModelSpec,
    input: Option<&[i64]>,
) -> Result<(Vec<StageRow>, i64, i64), ReferenceError> {
    let input = input
        .map(<[i64]>::to_vec)
        .unwrap_or_else(|| spec.input.to_vec());
    with_reference(move |r| {
        let m = r.build(spec)?;
        let rows = r.stages(&m, &input)?;
        let p = r.parameters(&m).unwrap_or(0);
        let b = r.buffers(&m).unwrap_or(0);
        Ok((rows, p, b))
    })
}

/// Formats an integer with thousands separators (`25,557,032`).
pub fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Formats a shape as PyTorch prints a list: `[1, 64, 56, 56]`.
pub fn fmt_shape(shape: &[i64]) -> String {
    let parts: Vec<String> = shape.iter().map(i64::to_string).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve() {
        assert_eq!(find_model("ResNet-50").map(|m| m.name), Some("resnet50"));
        assert_eq!(find_model("resnet_152").map(|m| m.name), Some("resnet152"));
        assert_eq!(find_model("VGG16").map(|m| m.name), Some("vgg16"));
        assert!(find_model("alexnet").is_none());
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(25_557_032), "25,557,032");
        assert_eq!(thousands(650), "650");
        assert_eq!(thousands(-1_000), "-1,000");
    }
}
