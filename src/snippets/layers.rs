//! Built-in `torch.nn` layers: constructor arguments, exact parameter shapes, and forward shape
//! rules with PyTorch's error texts. The functional forms (`F.conv2d`, `F.max_pool2d`, …) share
//! these rules.

use super::errors::{err, rt, type_err, value_err, R};
use super::tensor::{
    broadcast, fmt_shape, fmt_size, fmt_x, numel, window_out, wrap_dim, DType, Dim, Tensor,
};
use super::value::{Args, Value};

/// Every modelled `torch.nn` class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LayerTag {
    Sequential,
    ModuleList,
    ModuleDict,
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    LayerNorm,
    GroupNorm,
    Linear,
    Embedding,
    ReLU,
    ReLU6,
    LeakyReLU,
    Gelu,
    SiLU,
    Elu,
    Sigmoid,
    Tanh,
    Softplus,
    Hardswish,
    Hardsigmoid,
    Mish,
    PReLU,
    Softmax,
    LogSoftmax,
    Dropout,
    Dropout2d,
    Identity,
    Flatten,
    Unflatten,
    MaxPool1d,
    MaxPool2d,
    AvgPool1d,
    AvgPool2d,
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    Upsample,
    CrossEntropyLoss,
    NLLLoss,
    MSELoss,
    L1Loss,
    SmoothL1Loss,
    BCELoss,
    BCEWithLogitsLoss,
    InstanceNorm1d,
    InstanceNorm2d,
    ZeroPad2d,
    ConstantPad2d,
    ReflectionPad2d,
    ReplicationPad2d,
    PixelShuffle,
    Hardtanh,
    LogSigmoid,
    Softsign,
    Softmin,
    Rnn,
    Lstm,
    Gru,
    MultiheadAttention,
    TransformerEncoderLayer,
    TransformerEncoder,
}

/// Class name ↔ tag.
pub const LAYER_CLASSES: &[(&str, LayerTag)] = &[
    ("Sequential", LayerTag::Sequential),
    ("ModuleList", LayerTag::ModuleList),
    ("ModuleDict", LayerTag::ModuleDict),
    ("Conv1d", LayerTag::Conv1d),
    ("Conv2d", LayerTag::Conv2d),
    ("Conv3d", LayerTag::Conv3d),
    ("ConvTranspose1d", LayerTag::ConvTranspose1d),
    ("ConvTranspose2d", LayerTag::ConvTranspose2d),
    ("BatchNorm1d", LayerTag::BatchNorm1d),
    ("BatchNorm2d", LayerTag::BatchNorm2d),
    ("BatchNorm3d", LayerTag::BatchNorm3d),
    ("LayerNorm", LayerTag::LayerNorm),
    ("GroupNorm", LayerTag::GroupNorm),
    ("Linear", LayerTag::Linear),
    ("Embedding", LayerTag::Embedding),
    ("ReLU", LayerTag::ReLU),
    ("ReLU6", LayerTag::ReLU6),
    ("LeakyReLU", LayerTag::LeakyReLU),
    ("GELU", LayerTag::Gelu),
    ("SiLU", LayerTag::SiLU),
    ("ELU", LayerTag::Elu),
    ("Sigmoid", LayerTag::Sigmoid),
    ("Tanh", LayerTag::Tanh),
    ("Softplus", LayerTag::Softplus),
    ("Hardswish", LayerTag::Hardswish),
    ("Hardsigmoid", LayerTag::Hardsigmoid),
    ("Mish", LayerTag::Mish),
    ("PReLU", LayerTag::PReLU),
    ("Softmax", LayerTag::Softmax),
    ("LogSoftmax", LayerTag::LogSoftmax),
    ("Dropout", LayerTag::Dropout),
    ("Dropout2d", LayerTag::Dropout2d),
    ("Identity", LayerTag::Identity),
    ("Flatten", LayerTag::Flatten),
    ("Unflatten", LayerTag::Unflatten),
    ("MaxPool1d", LayerTag::MaxPool1d),
    ("MaxPool2d", LayerTag::MaxPool2d),
    ("AvgPool1d", LayerTag::AvgPool1d),
    ("AvgPool2d", LayerTag::AvgPool2d),
    ("AdaptiveAvgPool1d", LayerTag::AdaptiveAvgPool1d),
    ("AdaptiveAvgPool2d", LayerTag::AdaptiveAvgPool2d),
    ("AdaptiveMaxPool2d", LayerTag::AdaptiveMaxPool2d),
    ("Upsample", LayerTag::Upsample),
    ("CrossEntropyLoss", LayerTag::CrossEntropyLoss),
    ("NLLLoss", LayerTag::NLLLoss),
    ("MSELoss", LayerTag::MSELoss),
    ("L1Loss", LayerTag::L1Loss),
    ("SmoothL1Loss", LayerTag::SmoothL1Loss),
    ("BCELoss", LayerTag::BCELoss),
    ("BCEWithLogitsLoss", LayerTag::BCEWithLogitsLoss),
    ("InstanceNorm1d", LayerTag::InstanceNorm1d),
    ("InstanceNorm2d", LayerTag::InstanceNorm2d),
    ("ZeroPad2d", LayerTag::ZeroPad2d),
    ("ConstantPad2d", LayerTag::ConstantPad2d),
    ("ReflectionPad2d", LayerTag::ReflectionPad2d),
    ("ReplicationPad2d", LayerTag::ReplicationPad2d),
    ("PixelShuffle", LayerTag::PixelShuffle),
    ("Hardtanh", LayerTag::Hardtanh),
    ("LogSigmoid", LayerTag::LogSigmoid),
    ("Softsign", LayerTag::Softsign),
    ("Softmin", LayerTag::Softmin),
    ("RNN", LayerTag::Rnn),
    ("LSTM", LayerTag::Lstm),
    ("GRU", LayerTag::Gru),
    ("MultiheadAttention", LayerTag::MultiheadAttention),
    ("TransformerEncoderLayer", LayerTag::TransformerEncoderLayer),
    ("TransformerEncoder", LayerTag::TransformerEncoder),
];

/// Padding of a convolution.
#[derive(Clone, Debug, PartialEq)]
pub enum ConvPad {
    Explicit(Vec<Dim>),
    Same,
    Valid,
}

/// Hyper-parameters of a built-in layer (what its forward needs).
#[derive(Clone, Debug)]
#[allow(clippy::enum_variant_names)]
pub enum Layer {
    /// A lesson-defined `nn.Module` subclass (or `nn.Module` itself).
    Plain,
    Sequential,
    ModuleList,
    ModuleDict,
    Conv {
        nd: usize,
        transposed: bool,
        in_c: Dim,
        out_c: Dim,
        k: Vec<Dim>,
        stride: Vec<Dim>,
        pad: ConvPad,
        dil: Vec<Dim>,
        groups: Dim,
        out_pad: Vec<Dim>,
        bias: bool,
    },
    BatchNorm {
        nd: usize,
        features: Dim,
        affine: bool,
        track: bool,
    },
    LayerNorm {
        shape: Vec<Dim>,
        affine: bool,
    },
    GroupNorm {
        groups: Dim,
        channels: Dim,
        affine: bool,
    },
    Linear {
        inf: Dim,
        outf: Dim,
        bias: bool,
    },
    Embedding {
        num: Dim,
        dim: Dim,
    },
    /// Shape-preserving element-wise layers (activations, dropout, identity).
    Elementwise(LayerTag),
    Softmax {
        log: bool,
        dim: Option<i64>,
    },
    Flatten {
        start: i64,
        end: i64,
    },
    Unflatten {
        dim: i64,
        sizes: Vec<Dim>,
    },
    Pool {
        max: bool,
        nd: usize,
        k: Vec<Dim>,
        stride: Vec<Dim>,
        pad: Vec<Dim>,
        dil: Vec<Dim>,
        ceil: bool,
    },
    Adaptive {
        max: bool,
        nd: usize,
        out: Vec<Option<Dim>>,
    },
    Upsample {
        size: Option<Vec<Dim>>,
        scale: Option<Vec<f64>>,
    },
    Loss(LayerTag),
    InstanceNorm {
        nd: usize,
        features: Dim,
        affine: bool,
    },
    /// `nn.ZeroPad2d` and friends: (left, right, top, bottom).
    Pad2d {
        pads: Vec<Dim>,
    },
    PixelShuffle {
        r: Dim,
    },
    Rnn {
        kind: LayerTag,
        input_size: Dim,
        hidden: Dim,
        layers: Dim,
        batch_first: bool,
        bidirectional: bool,
    },
    Mha {
        embed: Dim,
        batch_first: bool,
    },
    EncoderLayer {
        d_model: Dim,
        batch_first: bool,
    },
    /// Children `layers` (a `ModuleList`) and optional `norm` run in order.
    Encoder,
}

impl Layer {
    /// Containers whose truthiness is their length.
    pub fn is_container(&self) -> bool {
        matches!(
            self,
            Layer::Sequential | Layer::ModuleList | Layer::ModuleDict
        )
    }
}

/// What constructing a layer produces.
pub struct LayerInit {
    pub layer: Layer,
    pub params: Vec<(String, Vec<Dim>)>,
    pub buffers: Vec<(String, Vec<Dim>, DType)>,
    /// Built-in child modules, registered after the parameters.
    pub children: Vec<(String, LayerTag, Args)>,
    pub uncertain: bool,
}

// ---------------------------------------------------------------------------------------------
// Argument conversions

/// A size-like argument: a known int, or unknown.
pub fn dim_arg(v: &Value, what: &str) -> R<Dim> {
    match v {
        Value::Int(i) => Ok(Some(*i)),
        Value::Bool(b) => Ok(Some(*b as i64)),
        Value::Opaque | Value::Tensor(_) => Ok(None),
        other => type_err(format!("{what} must be int, not {}", other.type_name())),
    }
}

/// An int-or-tuple argument expanded to `n` entries (`_pair`, `_ntuple`).
pub fn dims_arg(v: &Value, n: usize, what: &str) -> R<Vec<Dim>> {
    match v {
        Value::Tuple(t) | Value::Size(t) => t.iter().map(|x| dim_arg(x, what)).collect(),
        Value::List(l) => {
            let l = l.borrow().clone();
            l.iter().map(|x| dim_arg(x, what)).collect()
        }
        Value::Opaque => Ok(vec![None; n]),
        other => Ok(vec![dim_arg(other, what)?; n]),
    }
}

/// The constructor of a batch or instance norm (`num_features, eps, momentum, affine,
/// track_running_stats`): its features, affine and tracking flags (`on` is their default), with
/// the weight/bias parameters and running-statistics buffers registered.
fn norm_state(
    args: Args,
    cls: &str,
    on: bool,
    params: &mut Vec<(String, Vec<Dim>)>,
    buffers: &mut Vec<(String, Vec<Dim>, DType)>,
    uncertain: &mut bool,
) -> R<(Dim, bool, bool)> {
    let names = [
        "num_features",
        "eps",
        "momentum",
        "affine",
        "track_running_stats",
        "device",
        "dtype",
    ];
    let a = args.bind(&format!("{cls}.__init__"), &names, 1)?;
    let c = dim_arg(&a[0].clone().unwrap_or_default(), "num_features")?;
    let affine = flag_arg(&a[3], on, uncertain);
    let track = flag_arg(&a[4], on, uncertain);
    if affine {
        params.push(("weight".into(), vec![c]));
        params.push(("bias".into(), vec![c]));
    }
    if track {
        buffers.push(("running_mean".into(), vec![c], DType::F32));
        buffers.push(("running_var".into(), vec![c], DType::F32));
        buffers.push(("num_batches_tracked".into(), vec![], DType::I64));
    }
    Ok((c, affine, track))
}

fn flag_arg(v: &Option<Value>, default: bool, uncertain: &mut bool) -> bool {
    match v {
        None => default,
        Some(Value::Bool(b)) => *b,
        Some(Value::Int(i)) => *i != 0,
        Some(Value::None) => false,
        Some(_) => {
            *uncertain = true;
            default
        }
    }
}

fn known(v: &[Dim]) -> bool {
    v.iter().all(|d| d.is_some())
}

fn tuple_repr(v: &[Dim]) -> Value {
    Value::tuple(
        v.iter()
            .map(|d| d.map(Value::Int).unwrap_or(Value::Opaque))
            .collect(),
    )
}

fn dimv(d: Dim) -> Value {
    d.map(Value::Int).unwrap_or(Value::Opaque)
}

// ---------------------------------------------------------------------------------------------
// Construction

/// Build a layer from its constructor arguments (PyTorch's signatures and checks).
pub fn init(tag: LayerTag, args: Args) -> R<LayerInit> {
    use LayerTag as T;
    let mut uncertain = false;
    let mut params: Vec<(String, Vec<Dim>)> = Vec::new();
    let mut buffers: Vec<(String, Vec<Dim>, DType)> = Vec::new();
    let mut children: Vec<(String, LayerTag, Args)> = Vec::new();
    let cls = class_name(tag);
    let layer = match tag {
        T::Sequential | T::ModuleList | T::ModuleDict => {
            // Containers are filled by the interpreter.
            match tag {
                T::Sequential => Layer::Sequential,
                T::ModuleList => Layer::ModuleList,
                _ => Layer::ModuleDict,
            }
        }
        T::Conv1d | T::Conv2d | T::Conv3d | T::ConvTranspose1d | T::ConvTranspose2d => {
            let transposed = matches!(tag, T::ConvTranspose1d | T::ConvTranspose2d);
            let nd = match tag {
                T::Conv1d | T::ConvTranspose1d => 1,
                T::Conv3d => 3,
                _ => 2,
            };
            let names: &[&str] = if transposed {
                &[
                    "in_channels",
                    "out_channels",
                    "kernel_size",
                    "stride",
                    "padding",
                    "output_padding",
                    "groups",
                    "bias",
                    "dilation",
                    "padding_mode",
                    "device",
                    "dtype",
                ]
            } else {
                &[
                    "in_channels",
                    "out_channels",
                    "kernel_size",
                    "stride",
                    "padding",
                    "dilation",
                    "groups",
                    "bias",
                    "padding_mode",
                    "device",
                    "dtype",
                ]
            };
            let a = args.bind(&format!("{cls}.__init__"), names, 3)?;
            let get = |n: &str| -> Option<Value> {
                names
                    .iter()
                    .position(|x| *x == n)
                    .and_then(|i| a[i].clone())
            };
            let in_c = dim_arg(&get("in_channels").unwrap_or_default(), "in_channels")?;
            let out_c = dim_arg(&get("out_channels").unwrap_or_default(), "out_channels")?;
            let k = dims_arg(&get("kernel_size").unwrap_or_default(), nd, "kernel_size")?;
            let stride = match get("stride") {
                Some(v) => dims_arg(&v, nd, "stride")?,
                None => vec![Some(1); nd],
            };
            let dil = match get("dilation") {
                Some(v) => dims_arg(&v, nd, "dilation")?,
                None => vec![Some(1); nd],
            };
            let out_pad = match get("output_padding") {
                Some(v) => dims_arg(&v, nd, "output_padding")?,
                None => vec![Some(0); nd],
            };
            let groups = match get("groups") {
                Some(v) => dim_arg(&v, "groups")?,
                None => Some(1),
            };
            let bias = flag_arg(&get("bias"), true, &mut uncertain);
            let pad = match get("padding") {
                None => ConvPad::Explicit(vec![Some(0); nd]),
                Some(Value::Str(s)) => match &*s {
                    "same" => ConvPad::Same,
                    "valid" => ConvPad::Valid,
                    other => {
                        return value_err(format!(
                            "Invalid padding string '{other}', should be one of {{'valid', 'same'}}"
                        ))
                    }
                },
                Some(v) => ConvPad::Explicit(dims_arg(&v, nd, "padding")?),
            };
            if let Some(g) = groups {
                if g <= 0 {
                    return value_err("groups must be a positive integer");
                }
                if let Some(i) = in_c {
                    if i % g != 0 {
                        return value_err("in_channels must be divisible by groups");
                    }
                }
                if let Some(o) = out_c {
                    if o % g != 0 {
                        return value_err("out_channels must be divisible by groups");
                    }
                }
            }
            if pad == ConvPad::Same && stride.iter().any(|s| *s != Some(1)) {
                if stride.iter().all(|s| s.is_some()) {
                    return value_err("padding='same' is not supported for strided convolutions");
                }
                uncertain = true;
            }
            for (what, v) in [("kernel_size", &k), ("stride", &stride), ("dilation", &dil)] {
                if v.len() != nd {
                    return rt(format!(
                        "expected {what} to be a single integer value or a list of {nd} values to match the convolution dimensions, but got {what}={}",
                        fmt_shape(v)
                    ));
                }
            }
            let per_group = |c: Dim| match (c, groups) {
                (Some(c), Some(g)) if g > 0 => Some(c / g),
                _ => None,
            };
            let mut w = if transposed {
                vec![in_c, per_group(out_c)]
            } else {
                vec![out_c, per_group(in_c)]
            };
            w.extend(k.iter().copied());
            params.push(("weight".into(), w));
            if bias {
                params.push(("bias".into(), vec![out_c]));
            }
            Layer::Conv {
                nd,
                transposed,
                in_c,
                out_c,
                k,
                stride,
                pad,
                dil,
                groups,
                out_pad,
                bias,
            }
        }
        T::BatchNorm1d | T::BatchNorm2d | T::BatchNorm3d => {
            let nd = match tag {
                T::BatchNorm1d => 1,
                T::BatchNorm2d => 2,
                _ => 3,
            };
            let (c, affine, track) =
                norm_state(args, cls, true, &mut params, &mut buffers, &mut uncertain)?;
            Layer::BatchNorm {
                nd,
                features: c,
                affine,
                track,
            }
        }
        T::LayerNorm => {
            let names = [
                "normalized_shape",
                "eps",
                "elementwise_affine",
                "bias",
                "device",
                "dtype",
            ];
            let a = args.bind("LayerNorm.__init__", &names, 1)?;
            let shape = dims_arg(&a[0].clone().unwrap_or_default(), 1, "normalized_shape")?;
            let affine = flag_arg(&a[2], true, &mut uncertain);
            let bias = flag_arg(&a[3], true, &mut uncertain);
            if affine {
                params.push(("weight".into(), shape.clone()));
                if bias {
                    params.push(("bias".into(), shape.clone()));
                }
            }
            Layer::LayerNorm { shape, affine }
        }
        T::GroupNorm => {
            let names = [
                "num_groups",
                "num_channels",
                "eps",
                "affine",
                "device",
                "dtype",
            ];
            let a = args.bind("GroupNorm.__init__", &names, 2)?;
            let g = dim_arg(&a[0].clone().unwrap_or_default(), "num_groups")?;
            let c = dim_arg(&a[1].clone().unwrap_or_default(), "num_channels")?;
            if let (Some(g), Some(c)) = (g, c) {
                if g != 0 && c % g != 0 {
                    return value_err("num_channels must be divisible by num_groups");
                }
            }
            let affine = flag_arg(&a[3], true, &mut uncertain);
            if affine {
                params.push(("weight".into(), vec![c]));
                params.push(("bias".into(), vec![c]));
            }
            Layer::GroupNorm {
                groups: g,
                channels: c,
                affine,
            }
        }
        T::Linear => {
            let names = ["in_features", "out_features", "bias", "device", "dtype"];
            let a = args.bind("Linear.__init__", &names, 2)?;
            let inf = dim_arg(&a[0].clone().unwrap_or_default(), "in_features")?;
            let outf = dim_arg(&a[1].clone().unwrap_or_default(), "out_features")?;
            let bias = flag_arg(&a[2], true, &mut uncertain);
            for d in [inf, outf].into_iter().flatten() {
                if d < 0 {
                    return rt(format!(
                        "Trying to create tensor with negative dimension {d}: [{}, {}]",
                        fmt_d(outf),
                        fmt_d(inf)
                    ));
                }
            }
            params.push(("weight".into(), vec![outf, inf]));
            if bias {
                params.push(("bias".into(), vec![outf]));
            }
            Layer::Linear { inf, outf, bias }
        }
        T::Embedding => {
            let names = [
                "num_embeddings",
                "embedding_dim",
                "padding_idx",
                "max_norm",
                "norm_type",
                "scale_grad_by_freq",
                "sparse",
                "_weight",
                "_freeze",
                "device",
                "dtype",
            ];
            let a = args.bind("Embedding.__init__", &names, 2)?;
            let num = dim_arg(&a[0].clone().unwrap_or_default(), "num_embeddings")?;
            let dim = dim_arg(&a[1].clone().unwrap_or_default(), "embedding_dim")?;
            params.push(("weight".into(), vec![num, dim]));
            Layer::Embedding { num, dim }
        }
        T::Softmax | T::LogSoftmax => {
            let a = args.bind(&format!("{cls}.__init__"), &["dim"], 0)?;
            let dim = match &a[0] {
                Some(Value::Int(i)) => Some(*i),
                Some(Value::None) | None => None,
                Some(_) => {
                    uncertain = true;
                    None
                }
            };
            Layer::Softmax {
                log: tag == T::LogSoftmax,
                dim,
            }
        }
        T::Dropout | T::Dropout2d => {
            let a = args.bind(&format!("{cls}.__init__"), &["p", "inplace"], 0)?;
            if let Some(p) = a[0].as_ref().and_then(|v| v.as_f64()) {
                if !(0.0..=1.0).contains(&p) {
                    return value_err(format!(
                        "dropout probability has to be between 0 and 1, but got {}",
                        super::value::float_repr(p)
                    ));
                }
            }
            Layer::Elementwise(tag)
        }
        T::Identity => Layer::Elementwise(tag),
        T::PReLU => {
            let a = args.bind(
                "PReLU.__init__",
                &["num_parameters", "init", "device", "dtype"],
                0,
            )?;
            let n = match &a[0] {
                Some(v) => dim_arg(v, "num_parameters")?,
                None => Some(1),
            };
            params.push(("weight".into(), vec![n]));
            Layer::Elementwise(tag)
        }
        T::ReLU
        | T::ReLU6
        | T::LeakyReLU
        | T::Gelu
        | T::SiLU
        | T::Elu
        | T::Sigmoid
        | T::Tanh
        | T::Softplus
        | T::Hardswish
        | T::Hardsigmoid
        | T::Mish => {
            let names: &[&str] = match tag {
                T::LeakyReLU => &["negative_slope", "inplace"],
                T::Gelu => &["approximate"],
                T::Elu => &["alpha", "inplace"],
                T::Softplus => &["beta", "threshold"],
                T::Sigmoid | T::Tanh => &[],
                _ => &["inplace"],
            };
            args.bind(&format!("{cls}.__init__"), names, 0)?;
            Layer::Elementwise(tag)
        }
        T::Flatten => {
            let a = args.bind("Flatten.__init__", &["start_dim", "end_dim"], 0)?;
            let start = a[0].as_ref().and_then(|v| v.as_int()).unwrap_or(1);
            let end = a[1].as_ref().and_then(|v| v.as_int()).unwrap_or(-1);
            Layer::Flatten { start, end }
        }
        T::Unflatten => {
            let a = args.bind("Unflatten.__init__", &["dim", "unflattened_size"], 2)?;
            let dim = a[0].as_ref().and_then(|v| v.as_int()).unwrap_or(1);
            let sizes = dims_arg(&a[1].clone().unwrap_or_default(), 1, "unflattened_size")?;
            Layer::Unflatten { dim, sizes }
        }
        T::MaxPool1d | T::MaxPool2d | T::AvgPool1d | T::AvgPool2d => {
            let max = matches!(tag, T::MaxPool1d | T::MaxPool2d);
            let nd = if matches!(tag, T::MaxPool1d | T::AvgPool1d) {
                1
            } else {
                2
            };
            let names: &[&str] = if max {
                &[
                    "kernel_size",
                    "stride",
                    "padding",
                    "dilation",
                    "return_indices",
                    "ceil_mode",
                ]
            } else {
                &[
                    "kernel_size",
                    "stride",
                    "padding",
                    "ceil_mode",
                    "count_include_pad",
                    "divisor_override",
                ]
            };
            let a = args.bind(&format!("{cls}.__init__"), names, 1)?;
            let get = |n: &str| -> Option<Value> {
                names
                    .iter()
                    .position(|x| *x == n)
                    .and_then(|i| a[i].clone())
            };
            let k = dims_arg(&get("kernel_size").unwrap_or_default(), nd, "kernel_size")?;
            let stride = match get("stride") {
                None | Some(Value::None) => k.clone(),
                Some(v) => dims_arg(&v, nd, "stride")?,
            };
            let pad = match get("padding") {
                None => vec![Some(0); nd],
                Some(v) => dims_arg(&v, nd, "padding")?,
            };
            let dil = match get("dilation") {
                None => vec![Some(1); nd],
                Some(v) => dims_arg(&v, nd, "dilation")?,
            };
            let ceil = flag_arg(&get("ceil_mode"), false, &mut uncertain);
            Layer::Pool {
                max,
                nd,
                k,
                stride,
                pad,
                dil,
                ceil,
            }
        }
        T::AdaptiveAvgPool1d | T::AdaptiveAvgPool2d | T::AdaptiveMaxPool2d => {
            let nd = if tag == T::AdaptiveAvgPool1d { 1 } else { 2 };
            let names: &[&str] = if tag == T::AdaptiveMaxPool2d {
                &["output_size", "return_indices"]
            } else {
                &["output_size"]
            };
            let a = args.bind(&format!("{cls}.__init__"), names, 1)?;
            let out = adaptive_sizes(&a[0].clone().unwrap_or_default(), nd)?;
            Layer::Adaptive {
                max: tag == T::AdaptiveMaxPool2d,
                nd,
                out,
            }
        }
        T::Upsample => {
            let a = args.bind(
                "Upsample.__init__",
                &[
                    "size",
                    "scale_factor",
                    "mode",
                    "align_corners",
                    "recompute_scale_factor",
                ],
                0,
            )?;
            upsample_layer(&a[0], &a[1])?
        }
        T::InstanceNorm1d | T::InstanceNorm2d => {
            let (c, affine, _) =
                norm_state(args, cls, false, &mut params, &mut buffers, &mut uncertain)?;
            Layer::InstanceNorm {
                nd: if tag == T::InstanceNorm1d { 1 } else { 2 },
                features: c,
                affine,
            }
        }
        T::ZeroPad2d | T::ConstantPad2d | T::ReflectionPad2d | T::ReplicationPad2d => {
            let names: &[&str] = if tag == T::ConstantPad2d {
                &["padding", "value"]
            } else {
                &["padding"]
            };
            let required = names.len();
            let a = args.bind(&format!("{cls}.__init__"), names, required)?;
            let pads = dims_arg(&a[0].clone().unwrap_or_default(), 4, "padding")?;
            if pads.len() != 4 {
                return rt(format!(
                    "Padding length must be divisible by 2 and equal to 4, got {}",
                    pads.len()
                ));
            }
            Layer::Pad2d { pads }
        }
        T::PixelShuffle => {
            let a = args.bind("PixelShuffle.__init__", &["upscale_factor"], 1)?;
            Layer::PixelShuffle {
                r: dim_arg(&a[0].clone().unwrap_or_default(), "upscale_factor")?,
            }
        }
        T::Hardtanh | T::LogSigmoid | T::Softsign => {
            let names: &[&str] = if tag == T::Hardtanh {
                &["min_val", "max_val", "inplace"]
            } else {
                &[]
            };
            args.bind(&format!("{cls}.__init__"), names, 0)?;
            Layer::Elementwise(tag)
        }
        T::Softmin => {
            let a = args.bind("Softmin.__init__", &["dim"], 0)?;
            Layer::Softmax {
                log: false,
                dim: a[0].as_ref().and_then(|v| v.as_int()),
            }
        }
        T::Rnn | T::Lstm | T::Gru => {
            let names: &[&str] = if tag == T::Rnn {
                &[
                    "input_size",
                    "hidden_size",
                    "num_layers",
                    "nonlinearity",
                    "bias",
                    "batch_first",
                    "dropout",
                    "bidirectional",
                    "device",
                    "dtype",
                ]
            } else {
                &[
                    "input_size",
                    "hidden_size",
                    "num_layers",
                    "bias",
                    "batch_first",
                    "dropout",
                    "bidirectional",
                    "proj_size",
                    "device",
                    "dtype",
                ]
            };
            let a = args.bind(&format!("{cls}.__init__"), names, 2)?;
            let get = |n: &str| -> Option<Value> {
                names
                    .iter()
                    .position(|x| *x == n)
                    .and_then(|i| a[i].clone())
            };
            let input_size = dim_arg(&get("input_size").unwrap_or_default(), "input_size")?;
            let hidden = dim_arg(&get("hidden_size").unwrap_or_default(), "hidden_size")?;
            let layers = match get("num_layers") {
                Some(v) => dim_arg(&v, "num_layers")?,
                None => Some(1),
            };
            let bias = flag_arg(&get("bias"), true, &mut uncertain);
            let batch_first = flag_arg(&get("batch_first"), false, &mut uncertain);
            let bidirectional = flag_arg(&get("bidirectional"), false, &mut uncertain);
            if get("proj_size").and_then(|v| v.as_int()).unwrap_or(0) != 0 {
                uncertain = true;
            }
            if let Some(h) = hidden {
                if h <= 0 {
                    return value_err("hidden_size must be greater than zero");
                }
            }
            if let Some(l) = layers {
                if l <= 0 {
                    return value_err("num_layers must be greater than zero");
                }
            }
            let gates: i64 = match tag {
                T::Lstm => 4,
                T::Gru => 3,
                _ => 1,
            };
            let gh = hidden.and_then(|h| h.checked_mul(gates));
            let dirs: i64 = if bidirectional { 2 } else { 1 };
            match layers {
                Some(l) if l <= 1000 => {
                    for k in 0..l {
                        for d in 0..dirs {
                            let sfx = if d == 1 { "_reverse" } else { "" };
                            let inp = if k == 0 {
                                input_size
                            } else {
                                hidden.and_then(|h| h.checked_mul(dirs))
                            };
                            params.push((format!("weight_ih_l{k}{sfx}"), vec![gh, inp]));
                            params.push((format!("weight_hh_l{k}{sfx}"), vec![gh, hidden]));
                            if bias {
                                params.push((format!("bias_ih_l{k}{sfx}"), vec![gh]));
                                params.push((format!("bias_hh_l{k}{sfx}"), vec![gh]));
                            }
                        }
                    }
                }
                _ => uncertain = true,
            }
            Layer::Rnn {
                kind: tag,
                input_size,
                hidden,
                layers,
                batch_first,
                bidirectional,
            }
        }
        T::MultiheadAttention => {
            let names = [
                "embed_dim",
                "num_heads",
                "dropout",
                "bias",
                "add_bias_kv",
                "add_zero_attn",
                "kdim",
                "vdim",
                "batch_first",
                "device",
                "dtype",
            ];
            let a = args.bind("MultiheadAttention.__init__", &names, 2)?;
            let e = dim_arg(&a[0].clone().unwrap_or_default(), "embed_dim")?;
            let h = dim_arg(&a[1].clone().unwrap_or_default(), "num_heads")?;
            if let (Some(e), Some(h)) = (e, h) {
                if h <= 0 || e % h != 0 {
                    return err("AssertionError", "embed_dim must be divisible by num_heads");
                }
            }
            let bias = flag_arg(&a[3], true, &mut uncertain);
            let batch_first = flag_arg(&a[8], false, &mut uncertain);
            let same_kv = [&a[6], &a[7]].iter().all(|v| {
                matches!(v, None | Some(Value::None)) || v.as_ref().and_then(|x| x.as_int()) == e
            });
            if !same_kv || flag_arg(&a[4], false, &mut uncertain) {
                uncertain = true;
            }
            let e3 = e.and_then(|e| e.checked_mul(3));
            params.push(("in_proj_weight".into(), vec![e3, e]));
            if bias {
                params.push(("in_proj_bias".into(), vec![e3]));
            }
            let mut la = Args::new(vec![dimv(e), dimv(e)]);
            la.kw.push(("bias".into(), Value::Bool(bias)));
            children.push(("out_proj".into(), T::Linear, la));
            Layer::Mha {
                embed: e,
                batch_first,
            }
        }
        T::TransformerEncoderLayer => {
            let names = [
                "d_model",
                "nhead",
                "dim_feedforward",
                "dropout",
                "activation",
                "layer_norm_eps",
                "batch_first",
                "norm_first",
                "bias",
                "device",
                "dtype",
            ];
            let a = args.bind("TransformerEncoderLayer.__init__", &names, 2)?;
            let d = dim_arg(&a[0].clone().unwrap_or_default(), "d_model")?;
            let h = dim_arg(&a[1].clone().unwrap_or_default(), "nhead")?;
            let ff = match &a[2] {
                Some(v) => dim_arg(v, "dim_feedforward")?,
                None => Some(2048),
            };
            let batch_first = flag_arg(&a[6], false, &mut uncertain);
            let bias = flag_arg(&a[8], true, &mut uncertain);
            let p = a[3].clone().unwrap_or(Value::Float(0.1));
            let mut mha = Args::new(vec![dimv(d), dimv(h)]);
            mha.kw.push(("dropout".into(), p.clone()));
            mha.kw.push(("bias".into(), Value::Bool(bias)));
            mha.kw
                .push(("batch_first".into(), Value::Bool(batch_first)));
            let lin = |i: Dim, o: Dim| {
                let mut l = Args::new(vec![dimv(i), dimv(o)]);
                l.kw.push(("bias".into(), Value::Bool(bias)));
                l
            };
            let norm = || {
                let mut n = Args::new(vec![dimv(d)]);
                n.kw.push(("bias".into(), Value::Bool(bias)));
                n
            };
            children.push(("self_attn".into(), T::MultiheadAttention, mha));
            children.push(("linear1".into(), T::Linear, lin(d, ff)));
            children.push(("dropout".into(), T::Dropout, Args::new(vec![p.clone()])));
            children.push(("linear2".into(), T::Linear, lin(ff, d)));
            children.push(("norm1".into(), T::LayerNorm, norm()));
            children.push(("norm2".into(), T::LayerNorm, norm()));
            children.push(("dropout1".into(), T::Dropout, Args::new(vec![p.clone()])));
            children.push(("dropout2".into(), T::Dropout, Args::new(vec![p])));
            Layer::EncoderLayer {
                d_model: d,
                batch_first,
            }
        }
        T::TransformerEncoder => {
            // The children (deep copies of the given layer) are built by the interpreter.
            Layer::Encoder
        }
        T::CrossEntropyLoss
        | T::NLLLoss
        | T::MSELoss
        | T::L1Loss
        | T::SmoothL1Loss
        | T::BCELoss
        | T::BCEWithLogitsLoss => {
            // Keyword options (weight, reduction, label_smoothing, …) do not change shapes,
            // except `reduction='none'`, which is handled as unknown.
            let reduction_none = args.kw.iter().any(|(k, v)| {
                &**k == "reduction" && v.as_str() != Some("mean") && v.as_str() != Some("sum")
            });
            if reduction_none {
                uncertain = true;
            }
            Layer::Loss(tag)
        }
    };
    Ok(LayerInit {
        layer,
        params,
        buffers,
        children,
        uncertain,
    })
}

fn fmt_d(d: Dim) -> String {
    d.map(|v| v.to_string()).unwrap_or_else(|| "?".into())
}

/// `output_size` of adaptive pooling: an int, or a tuple whose `None` entries keep the input.
pub fn adaptive_sizes(v: &Value, nd: usize) -> R<Vec<Option<Dim>>> {
    let one = |x: &Value| -> R<Option<Dim>> {
        match x {
            Value::None => Ok(None),
            other => Ok(Some(dim_arg(other, "output_size")?)),
        }
    };
    match v {
        Value::Tuple(t) | Value::Size(t) => t.iter().map(one).collect(),
        Value::List(l) => {
            let l = l.borrow().clone();
            l.iter().map(one).collect()
        }
        other => Ok(vec![one(other)?; nd]),
    }
}

fn upsample_layer(size: &Option<Value>, scale: &Option<Value>) -> R<Layer> {
    let size = match size {
        None | Some(Value::None) => None,
        Some(v) => Some(dims_arg(v, 0, "size")?),
    };
    let scale = match scale {
        None | Some(Value::None) => None,
        Some(Value::Tuple(t)) => Some(t.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()),
        Some(v) => Some(vec![v.as_f64().unwrap_or(f64::NAN)]),
    };
    Ok(Layer::Upsample { size, scale })
}

/// The Python class name of a tag.
pub fn class_name(tag: LayerTag) -> &'static str {
    LAYER_CLASSES
        .iter()
        .find(|(_, t)| *t == tag)
        .map(|(n, _)| *n)
        .unwrap_or("Module")
}

/// Layer attributes PyTorch exposes (`conv.out_channels`, `bn.num_features`, …).
pub fn layer_attr(layer: &Layer, name: &str) -> Option<Value> {
    Some(match (layer, name) {
        (Layer::Conv { in_c, .. }, "in_channels") => dimv(*in_c),
        (Layer::Conv { out_c, .. }, "out_channels") => dimv(*out_c),
        (Layer::Conv { k, .. }, "kernel_size") => tuple_repr(k),
        (Layer::Conv { stride, .. }, "stride") => tuple_repr(stride),
        (Layer::Conv { dil, .. }, "dilation") => tuple_repr(dil),
        (Layer::Conv { groups, .. }, "groups") => dimv(*groups),
        (Layer::Conv { pad, .. }, "padding") => match pad {
            ConvPad::Explicit(p) => tuple_repr(p),
            ConvPad::Same => Value::str("same"),
            ConvPad::Valid => Value::str("valid"),
        },
        (Layer::BatchNorm { features, .. }, "num_features") => dimv(*features),
        (Layer::BatchNorm { affine, .. }, "affine") => Value::Bool(*affine),
        (Layer::BatchNorm { track, .. }, "track_running_stats") => Value::Bool(*track),
        (Layer::BatchNorm { .. }, "eps") => Value::Float(1e-5),
        (Layer::BatchNorm { .. }, "momentum") => Value::Float(0.1),
        (Layer::LayerNorm { shape, .. }, "normalized_shape") => tuple_repr(shape),
        (Layer::GroupNorm { groups, .. }, "num_groups") => dimv(*groups),
        (Layer::GroupNorm { channels, .. }, "num_channels") => dimv(*channels),
        (Layer::Linear { inf, .. }, "in_features") => dimv(*inf),
        (Layer::Linear { outf, .. }, "out_features") => dimv(*outf),
        (Layer::Embedding { num, .. }, "num_embeddings") => dimv(*num),
        (Layer::Embedding { dim, .. }, "embedding_dim") => dimv(*dim),
        (Layer::Pool { k, nd, .. }, "kernel_size") => pool_attr(k, *nd),
        (Layer::Pool { stride, nd, .. }, "stride") => pool_attr(stride, *nd),
        (Layer::Pool { pad, nd, .. }, "padding") => pool_attr(pad, *nd),
        (Layer::Adaptive { out, .. }, "output_size") => {
            if out.len() == 1 || out.windows(2).all(|w| w[0] == w[1]) {
                out.first()
                    .map(|o| o.map(dimv).unwrap_or(Value::None))
                    .unwrap_or(Value::None)
            } else {
                Value::tuple(
                    out.iter()
                        .map(|o| o.map(dimv).unwrap_or(Value::None))
                        .collect(),
                )
            }
        }
        (Layer::Flatten { start, .. }, "start_dim") => Value::Int(*start),
        (Layer::Flatten { end, .. }, "end_dim") => Value::Int(*end),
        (Layer::Softmax { dim, .. }, "dim") => dim.map(Value::Int).unwrap_or(Value::None),
        (Layer::Elementwise(_), "inplace") => Value::Bool(false),
        (Layer::Elementwise(LayerTag::Dropout | LayerTag::Dropout2d), "p") => Value::Opaque,
        _ => return None,
    })
}

fn pool_attr(v: &[Dim], _nd: usize) -> Value {
    if v.windows(2).all(|w| w[0] == w[1]) {
        v.first().copied().map(dimv).unwrap_or(Value::Opaque)
    } else {
        tuple_repr(v)
    }
}

// ---------------------------------------------------------------------------------------------
// Forward rules (shared by modules and torch.nn.functional)

fn out_tensor(x: &Tensor, shape: Vec<Dim>, grad: bool) -> Value {
    let t = x.with_shape(shape);
    if grad {
        t.requires_grad.set(true);
    }
    Value::tensor(t)
}

/// `F.conv{n}d` / `F.conv_transpose{n}d`.
#[allow(clippy::too_many_arguments)]
pub fn conv(
    x: &Tensor,
    nd: usize,
    transposed: bool,
    w: &[Dim],
    bias: Option<&[Dim]>,
    stride: &[Dim],
    pad: &ConvPad,
    dil: &[Dim],
    groups: Dim,
    out_pad: &[Dim],
    grad: bool,
) -> R<Value> {
    let fname = if transposed {
        format!("conv_transpose{nd}d")
    } else {
        format!("conv{nd}d")
    };
    let nb = nd + 1;
    if x.ndim() != nb && x.ndim() != nb + 1 {
        return rt(format!(
            "Expected {}D (unbatched) or {}D (batched) input to {fname}, but got input of size: {}",
            nb,
            nb + 1,
            fmt_shape(&x.shape)
        ));
    }
    let batched = x.ndim() == nb + 1;
    let mut input = x.shape.clone();
    if !batched {
        input.insert(0, Some(1));
    }
    let padv: Vec<Dim> = match pad {
        ConvPad::Explicit(p) => p.clone(),
        ConvPad::Valid => vec![Some(0); nd],
        ConvPad::Same => {
            if stride.iter().any(|s| *s != Some(1)) {
                if stride.iter().all(|s| s.is_some()) {
                    return rt("padding='same' is not supported for strided convolutions");
                }
                return Ok(Value::Opaque);
            }
            vec![None; nd]
        }
    };
    for (what, v) in [
        ("stride", stride),
        ("padding", padv.as_slice()),
        ("dilation", dil),
        ("output_padding", out_pad),
    ] {
        if v.len() != nd {
            return rt(format!(
                "expected {what} to be a single integer value or a list of {nd} values to match the convolution dimensions, but got {what}={}",
                fmt_shape(v)
            ));
        }
    }
    if stride.iter().any(|s| matches!(s, Some(v) if *v <= 0)) {
        return rt("non-positive stride is not supported");
    }
    if padv.iter().any(|p| matches!(p, Some(v) if *v < 0)) {
        return rt("negative padding is not supported");
    }
    if w.len() != input.len() {
        return rt(format!(
            "Expected {}-dimensional input for {}-dimensional weight {}, but got {}-dimensional input of size {} instead",
            w.len(),
            w.len(),
            fmt_shape(w),
            input.len(),
            fmt_shape(&input)
        ));
    }
    if let (Some(g), Some(w0)) = (groups, w[0]) {
        if !transposed {
            if w0 < g {
                return rt(format!(
                    "Given groups={g}, expected weight to be at least {g} at dimension 0, but got weight of size {} instead",
                    fmt_shape(w)
                ));
            }
            if w0 % g != 0 {
                return rt(format!(
                    "Given groups={g}, expected weight to be divisible by {g} at dimension 0, but got weight of size [{}] instead",
                    fmt_shape(w)
                ));
            }
        }
    }
    let g = groups;
    if !transposed {
        if let (Some(c), Some(w1), Some(g)) = (input[1], w[1], g) {
            let want = w1.saturating_mul(g);
            if c != want {
                return rt(format!(
                    "Given groups={g}, weight of size {}, expected input{} to have {want} channels, but got {c} channels instead",
                    fmt_shape(w),
                    fmt_shape(&input)
                ));
            }
        }
    } else if let (Some(c), Some(w0)) = (input[1], w[0]) {
        if c != w0 {
            return rt(format!(
                "Given transposed=1, weight of size {}, expected input{} to have {w0} channels, but got {c} channels instead",
                fmt_shape(w),
                fmt_shape(&input)
            ));
        }
    }
    if let Some(b) = bias {
        if b.len() != 1 || (b[0].is_some() && w[0].is_some() && !transposed && b[0] != w[0]) {
            return rt(format!(
                "Given weight of size {}, expected bias to be 1-dimensional with {} elements, but got bias of size {} instead",
                fmt_shape(w),
                fmt_d(w[0]),
                fmt_shape(b)
            ));
        }
    }
    // Spatial sizes.
    let mut out = vec![input[0]];
    out.push(if transposed {
        match (w[1], g) {
            (Some(w1), Some(g)) => Some(w1.saturating_mul(g)),
            _ => None,
        }
    } else {
        w[0]
    });
    if !transposed {
        let mut padded = Vec::new();
        let mut kernel = Vec::new();
        let mut too_big = false;
        let mut all_known = true;
        for i in 0..nd {
            let (h, p, d, k) = (input[2 + i], padv[i], dil[i], w[2 + i]);
            match (h, p, d, k) {
                (Some(h), Some(p), Some(d), Some(k)) => {
                    let ph = h.checked_add(p.checked_mul(2).unwrap_or(i64::MAX));
                    let ek = k
                        .checked_sub(1)
                        .and_then(|km| d.checked_mul(km))
                        .and_then(|v| v.checked_add(1));
                    if let (Some(ph), Some(ek)) = (ph, ek) {
                        if ph < ek {
                            too_big = true;
                        }
                        padded.push(ph);
                        kernel.push(ek);
                    } else {
                        all_known = false;
                    }
                }
                _ => all_known = false,
            }
        }
        if too_big && all_known {
            let p: Vec<String> = padded.iter().map(|v| v.to_string()).collect();
            let k: Vec<String> = kernel.iter().map(|v| v.to_string()).collect();
            return rt(format!(
                "Calculated padded input size per channel: ({}). Kernel size: ({}). Kernel size can't be greater than actual input size",
                p.join(" x "),
                k.join(" x ")
            ));
        }
        for i in 0..nd {
            let o = if *pad == ConvPad::Same {
                input[2 + i]
            } else {
                match (input[2 + i], padv[i], dil[i], w[2 + i], stride[i]) {
                    (Some(h), Some(p), Some(d), Some(k), Some(s)) => {
                        window_out(h, k, p, p, s, d, false)
                    }
                    _ => None,
                }
            };
            out.push(o);
        }
    } else {
        for i in 0..nd {
            let o = match (
                input[2 + i],
                padv[i],
                dil[i],
                w[2 + i],
                stride[i],
                out_pad[i],
            ) {
                (Some(h), Some(p), Some(d), Some(k), Some(s), Some(op)) => h
                    .checked_sub(1)
                    .and_then(|v| v.checked_mul(s))
                    .and_then(|v| v.checked_sub(p.checked_mul(2)?))
                    .and_then(|v| v.checked_add(d.checked_mul(k.checked_sub(1)?)?))
                    .and_then(|v| v.checked_add(op.checked_add(1)?)),
                _ => None,
            };
            if let Some(o) = o {
                if o < 1 {
                    return rt(format!(
                        "Given input size per channel: ({}). Calculated output size per channel: ({o}). Output size is too small",
                        fmt_x(&input[2..])
                    ));
                }
            }
            out.push(o);
        }
    }
    if !batched {
        out.remove(0);
    }
    Ok(out_tensor(x, out, grad))
}

/// `F.max_pool{n}d` / `F.avg_pool{n}d`.
#[allow(clippy::too_many_arguments)]
pub fn pool(
    x: &Tensor,
    max: bool,
    nd: usize,
    k: &[Dim],
    stride: &[Dim],
    pad: &[Dim],
    dil: &[Dim],
    ceil: bool,
) -> R<Value> {
    let nb = nd + 1;
    if x.ndim() != nb && x.ndim() != nb + 1 {
        let what = if nd == 1 {
            if max {
                return rt(format!(
                    "max_pool1d() Expected 2D or 3D input tensor, but got {}",
                    fmt_shape(&x.shape)
                ));
            }
            "2D or 3D"
        } else {
            "3D or 4D"
        };
        return rt(format!(
            "non-empty {what} (batch mode) tensor expected for input"
        ));
    }
    let lead = x.ndim() - nd;
    let mut out: Vec<Dim> = x.shape[..lead].to_vec();
    let mut all_known = true;
    let mut too_small = false;
    for i in 0..nd {
        let h = x.shape[lead + i];
        let (kk, s, p, d) = (
            k.get(i).copied().flatten(),
            stride.get(i).copied().flatten(),
            pad.get(i).copied().flatten(),
            dil.get(i).copied().flatten(),
        );
        match (h, kk, s, p, d) {
            (Some(h), Some(kk), Some(s), Some(p), Some(d)) => {
                if s == 0 {
                    return rt("stride should not be zero");
                }
                if p < 0 {
                    return rt(format!("pad must be non-negative, but got pad: {p}"));
                }
                if kk <= 0 {
                    return rt(format!(
                        "kernel size should be greater than zero, but got kH: {kk} kW: {kk}"
                    ));
                }
                if s < 0 {
                    return rt(format!(
                        "stride should be greater than zero, but got dH: {s} dW: {s}"
                    ));
                }
                if d <= 0 {
                    return rt(format!(
                        "dilation should be greater than zero, but got dilationH: {d} dilationW: {d}"
                    ));
                }
                let eff = (kk - 1).saturating_mul(d).saturating_add(1);
                if p > eff / 2 {
                    return rt(format!(
                        "pad should be at most half of effective kernel size, but got pad={p}, kernel_size={kk} and dilation={d}"
                    ));
                }
                let o = window_out(h, kk, p, p, s, d, ceil);
                if let Some(o) = o {
                    if o < 1 {
                        too_small = true;
                    }
                } else {
                    all_known = false;
                }
                out.push(o);
            }
            _ => {
                all_known = false;
                out.push(None);
            }
        }
    }
    if too_small && all_known {
        let c = if lead >= 1 {
            x.shape[lead - 1]
        } else {
            Some(1)
        };
        let mut ins = vec![c];
        ins.extend(x.shape[lead..].iter().copied());
        let mut outs = vec![c];
        outs.extend(out[lead..].iter().copied());
        return rt(format!(
            "Given input size: ({}). Calculated output size: ({}). Output size is too small",
            fmt_x(&ins),
            fmt_x(&outs)
        ));
    }
    Ok(out_tensor(x, out, false))
}

/// `F.adaptive_avg_pool{n}d` / `F.adaptive_max_pool2d`.
pub fn adaptive(x: &Tensor, max: bool, nd: usize, outs: &[Option<Dim>]) -> R<Value> {
    let nb = nd + 1;
    let fname = if max {
        format!("adaptive_max_pool{nd}d")
    } else {
        format!("adaptive_avg_pool{nd}d")
    };
    if x.ndim() != nb && x.ndim() != nb + 1 {
        return rt(format!(
            "{fname}(): Expected {}D or {}D tensor, but got {}",
            nb,
            nb + 1,
            fmt_shape(&x.shape)
        ));
    }
    if outs.len() != nd {
        return rt(format!("{fname}: output_size must be {nd}"));
    }
    if outs.iter().flatten().flatten().any(|d| *d < 0) {
        let parts: Vec<String> = outs
            .iter()
            .map(|o| match o {
                Some(Some(d)) => d.to_string(),
                _ => "?".into(),
            })
            .collect();
        return rt(format!(
            "{fname}: elements of output_size must be greater than or equal to 0 but received {{{}}}",
            parts.join(", ")
        ));
    }
    let lead = x.ndim() - nd;
    let mut out = x.shape[..lead].to_vec();
    for (i, o) in outs.iter().enumerate() {
        out.push(match o {
            None => x.shape[lead + i],
            Some(d) => *d,
        });
    }
    Ok(out_tensor(x, out, false))
}

/// `F.batch_norm` as `_BatchNorm.forward` calls it.
pub fn batch_norm(
    x: &Tensor,
    nd: usize,
    features: Dim,
    track: bool,
    affine: bool,
    training: bool,
    grad: bool,
) -> R<Value> {
    let ok = match nd {
        1 => x.ndim() == 2 || x.ndim() == 3,
        2 => x.ndim() == 4,
        _ => x.ndim() == 5,
    };
    if !ok {
        let want = match nd {
            1 => "2D or 3D",
            2 => "4D",
            _ => "5D",
        };
        return value_err(format!("expected {want} input (got {}D input)", x.ndim()));
    }
    let bn_training = training || !track;
    if bn_training {
        // `_verify_batch_size`
        let mut prod: Option<i64> = x.shape[0];
        for d in &x.shape[2..] {
            prod = match (prod, d) {
                (Some(p), Some(d)) => p.checked_mul(*d),
                _ => None,
            };
        }
        if prod == Some(1) {
            return value_err(format!(
                "Expected more than 1 value per channel when training, got input size {}",
                fmt_size(&x.shape)
            ));
        }
    }
    if let (Some(c), Some(f)) = (x.shape[1], features) {
        if c != f {
            let arg = if track {
                "running_mean"
            } else if affine {
                "weight"
            } else {
                ""
            };
            if !arg.is_empty() {
                return rt(format!("{arg} should contain {c} elements not {f}"));
            }
        }
    }
    Ok(out_tensor(x, x.shape.clone(), grad))
}

/// `F.layer_norm`.
pub fn layer_norm(x: &Tensor, shape: &[Dim], grad: bool) -> R<Value> {
    let n = shape.len();
    let bad = x.ndim() < n
        || x.shape[x.ndim() - n..]
            .iter()
            .zip(shape.iter())
            .any(|(a, b)| matches!((a, b), (Some(a), Some(b)) if a != b));
    if bad {
        let mut star = String::from("[*");
        for d in shape {
            star.push_str(", ");
            star.push_str(&fmt_d(*d));
        }
        star.push(']');
        return rt(format!(
            "Given normalized_shape={}, expected input with shape {star}, but got input of size{}",
            fmt_shape(shape),
            fmt_shape(&x.shape)
        ));
    }
    Ok(out_tensor(x, x.shape.clone(), grad))
}

/// `F.group_norm`.
pub fn group_norm(x: &Tensor, groups: Dim, channels: Dim, grad: bool) -> R<Value> {
    if x.ndim() < 2 {
        return rt(format!(
            "Expected at least 2 dimensions for input tensor but received {}",
            x.ndim()
        ));
    }
    if let (Some(c), Some(g)) = (x.shape[1], groups) {
        if g > 0 && c % g != 0 {
            return rt(format!(
                "Expected number of channels in input to be divisible by num_groups, but got input of shape {} and num_groups={g}",
                fmt_shape(&x.shape)
            ));
        }
    }
    if let (Some(c), Some(ch)) = (x.shape[1], channels) {
        if c != ch {
            return rt(format!(
                "Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape [{ch}] and input of shape {}",
                fmt_shape(&x.shape)
            ));
        }
    }
    Ok(out_tensor(x, x.shape.clone(), grad))
}

/// `F.linear(x, weight[out, in])`.
pub fn linear(x: &Tensor, w: &[Dim], grad: bool) -> R<Value> {
    if x.ndim() == 0 {
        return rt(format!(
            "both arguments to linear need to be at least 1D, but they are 0D and {}D",
            w.len()
        ));
    }
    if !x.dtype.is_float() {
        return rt(format!(
            "mat1 and mat2 must have the same dtype, but got {} and Float",
            x.dtype.scalar_name()
        ));
    }
    let wt: Vec<Dim> = if w.len() == 2 {
        vec![w[1], w[0]]
    } else {
        w.to_vec()
    };
    let out = super::tensor::matmul_shape(&x.shape, &wt).map_err(|m| {
        super::errors::Flow::Exc(Box::new(super::errors::Exception::new("RuntimeError", m)))
    })?;
    Ok(out_tensor(x, out, grad))
}

/// `F.embedding`.
pub fn embedding(x: &Tensor, dim: Dim, grad: bool) -> R<Value> {
    if x.dtype.is_float() || x.dtype == DType::Bool {
        return rt(format!(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.{}Tensor instead (while checking arguments for embedding)",
            x.dtype.scalar_name()
        ));
    }
    let mut out = x.shape.clone();
    out.push(dim);
    let t = Tensor::new(out, DType::F32);
    t.requires_grad.set(grad);
    Ok(Value::tensor(t))
}

/// `torch.flatten(x, start, end)`.
pub fn flatten(x: &Tensor, start: i64, end: i64) -> R<Value> {
    if x.ndim() == 0 {
        return Ok(out_tensor(x, vec![Some(1)], false));
    }
    let s = wrap_dim(start, x.ndim()).or_else(|m| err("IndexError", m))?;
    let e = wrap_dim(end, x.ndim()).or_else(|m| err("IndexError", m))?;
    if s > e {
        return rt("flatten() has invalid args: start_dim cannot come after end_dim");
    }
    let mut out = x.shape[..s].to_vec();
    out.push(numel(&x.shape[s..=e]));
    out.extend_from_slice(&x.shape[e + 1..]);
    let t = x.with_shape(out);
    Ok(Value::tensor(t))
}

/// The `dim` softmax uses when none is given (`_get_softmax_dim`).
pub fn softmax_default_dim(ndim: usize) -> i64 {
    if ndim == 0 || ndim == 1 || ndim == 3 {
        0
    } else {
        1
    }
}

/// Loss functions: check shapes and return the reduced (scalar) result.
pub fn loss(tag: LayerTag, input: &Tensor, target: &Tensor, grad: bool) -> R<Value> {
    use LayerTag as T;
    let scalar = || {
        let t = Tensor::new(vec![], DType::F32);
        t.requires_grad.set(grad);
        Value::tensor(t)
    };
    match tag {
        T::CrossEntropyLoss | T::NLLLoss => {
            if input.ndim() == 0 {
                return value_err("Expected 1 or more dimensions (got 0)");
            }
            if tag == T::CrossEntropyLoss && input.shape == target.shape && known(&input.shape) {
                if !target.dtype.is_float() {
                    return rt(format!(
                        "Expected floating point type for target with class probabilities, got {}",
                        target.dtype.scalar_name()
                    ));
                }
                return Ok(scalar());
            }
            if input.ndim() != 1 {
                if let (Some(a), Some(b)) =
                    (input.shape[0], target.shape.first().copied().flatten())
                {
                    if a != b {
                        return value_err(format!(
                            "Expected input batch_size ({a}) to match target batch_size ({b})."
                        ));
                    }
                }
            }
            if input.ndim() <= 2 {
                if target.ndim() > 1 {
                    return rt("0D or 1D target tensor expected, multi-target not supported");
                }
            } else if target.ndim() != input.ndim() - 1 {
                return rt(format!(
                    "only batches of spatial targets supported ({}D tensors) but got targets of dimension: {}",
                    input.ndim() - 1,
                    target.ndim()
                ));
            }
            if target.dtype.is_float() && input.shape != target.shape {
                return rt(format!(
                    "expected scalar type Long but found {}",
                    target.dtype.scalar_name()
                ));
            }
            Ok(scalar())
        }
        T::BCEWithLogitsLoss => {
            if input.shape != target.shape && known(&input.shape) && known(&target.shape) {
                return value_err(format!(
                    "Target size ({}) must be the same as input size ({})",
                    fmt_size(&target.shape),
                    fmt_size(&input.shape)
                ));
            }
            Ok(scalar())
        }
        T::BCELoss => {
            if input.shape != target.shape && known(&input.shape) && known(&target.shape) {
                return value_err(format!(
                    "Using a target size ({}) that is different to the input size ({}) is deprecated. Please ensure they have the same size.",
                    fmt_size(&target.shape),
                    fmt_size(&input.shape)
                ));
            }
            Ok(scalar())
        }
        _ => {
            broadcast(&input.shape, &target.shape).or_else(rt)?;
            Ok(scalar())
        }
    }
}

/// Shape of `F.interpolate` / `nn.Upsample`.
pub fn upsample(x: &Tensor, size: &Option<Vec<Dim>>, scale: &Option<Vec<f64>>) -> R<Value> {
    if x.ndim() < 3 {
        return value_err(format!(
            "Input Error: Only 3D, 4D and 5D input Tensors supported (got {}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got nearest)",
            x.ndim()
        ));
    }
    let sp = x.ndim() - 2;
    let mut out = x.shape[..2].to_vec();
    match (size, scale) {
        (Some(s), _) => {
            if s.len() == 1 {
                out.extend(std::iter::repeat_n(s[0], sp));
            } else if s.len() == sp {
                out.extend(s.iter().copied());
            } else {
                return value_err(format!(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of {} and output size of {}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.",
                    fmt_shape(&x.shape[2..]),
                    fmt_shape(s)
                ));
            }
        }
        (None, Some(f)) => {
            for i in 0..sp {
                let fi = if f.len() == 1 {
                    f[0]
                } else {
                    f.get(i).copied().unwrap_or(f64::NAN)
                };
                out.push(match x.shape[2 + i] {
                    Some(h) if fi.is_finite() => Some((h as f64 * fi).floor() as i64),
                    _ => None,
                });
            }
        }
        (None, None) => return value_err("either size or scale_factor should be defined"),
    }
    Ok(out_tensor(x, out, false))
}
