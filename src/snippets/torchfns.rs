//! `torch.*`, `torch.nn.functional.*`, `torch.nn.init.*` and tensor methods over meta tensors.

use std::rc::Rc;

use ruff_python_ast::Operator;

use super::builtins::{bfn, bmethod, slice_indices, Builtins};
use super::errors::{err, index_err, rt, type_err, value_err, Flow, R};
use super::interp::Interp;
use super::layers::{self, ConvPad, LayerTag};
use super::tensor::{
    broadcast, compute_stride, contiguous_strides, fmt_shape, infer_view, matmul_shape, wrap_dim,
    DType, Dim, Tensor,
};
use super::value::{self as value, Args, BKind, Builtin, ClassKind, Ns, Value};

fn rt_of(m: String) -> Flow {
    Flow::Exc(Box::new(super::errors::Exception::new("RuntimeError", m)))
}
fn idx_of(m: String) -> Flow {
    Flow::Exc(Box::new(super::errors::Exception::new("IndexError", m)))
}

/// A dim that will index the shape: 0-dim tensors have none.
fn wrap_index(d: i64, nd: usize) -> R<usize> {
    if nd == 0 {
        return Err(idx_of(format!(
            "Dimension specified as {d} but tensor has no dimensions"
        )));
    }
    wrap_dim(d, nd).map_err(idx_of)
}

fn tens(v: &Value) -> Option<&Rc<Tensor>> {
    match v {
        Value::Tensor(t) => Some(t),
        _ => None,
    }
}

fn dimv(d: Dim) -> Value {
    d.map(Value::Int).unwrap_or(Value::Opaque)
}

fn size_value(shape: &[Dim]) -> Value {
    Value::Size(shape.iter().map(|d| dimv(*d)).collect::<Vec<_>>().into())
}

fn mk(shape: Vec<Dim>, dtype: DType, grad: bool) -> Value {
    let t = Tensor::new(shape, dtype);
    t.requires_grad.set(grad);
    Value::tensor(t)
}

/// A tensor made by a factory function: a leaf of the autograd graph.
fn mk_leaf(shape: Vec<Dim>, dtype: DType, grad: bool) -> Value {
    let mut t = Tensor::new(shape, dtype);
    t.leaf = true;
    t.requires_grad.set(grad);
    Value::tensor(t)
}

fn grad_of(interp: &Interp, ts: &[&Tensor]) -> bool {
    interp.grad_enabled && ts.iter().any(|t| t.requires_grad.get())
}

/// Attribute of the `torch` namespace.
pub(crate) fn torch_attr(bi: &Builtins, name: &str) -> Value {
    if let Some(d) = super::builtins::dtype_value(name) {
        return d;
    }
    match name {
        "nn" => Value::Namespace(Ns::Nn),
        "Tensor" | "FloatTensor" => Value::Class(bi.tensor.clone()),
        "Size" => Value::Class(bi.size.clone()),
        "cuda" | "backends" | "optim" | "utils" | "distributed" | "jit" | "onnx" | "linalg"
        | "fft" | "autograd" | "hub" | "testing" | "mps" | "amp" | "compiler" | "version"
        | "__version__" | "random" => Value::Opaque,
        _ => bfn(BKind::Torch, name),
    }
}

/// Attribute of `torch.nn`.
pub(crate) fn nn_attr(bi: &Builtins, name: &str) -> Value {
    match name {
        "Module" => Value::Class(bi.module.clone()),
        "Parameter" => Value::Class(bi.parameter.clone()),
        "functional" => Value::Namespace(Ns::F),
        "init" => Value::Namespace(Ns::Init),
        _ => {
            for (n, tag) in layers::LAYER_CLASSES {
                if *n == name {
                    if let Some(c) = bi.layers.get(tag) {
                        return Value::Class(c.clone());
                    }
                }
            }
            Value::Opaque
        }
    }
}

/// `torch.Tensor(...)`, `nn.Parameter(...)`, `torch.Size(...)`.
pub(crate) fn construct(interp: &mut Interp, kind: ClassKind, mut args: Args) -> R<Value> {
    match kind {
        ClassKind::Parameter => {
            let rg = args
                .take_kw("requires_grad")
                .or_else(|| args.pos.get(1).cloned())
                .map(|v| super::value::truthy(&v).unwrap_or(true))
                .unwrap_or(true);
            let data = args.take_kw("data").or_else(|| args.pos.first().cloned());
            match data {
                Some(Value::Tensor(t)) => {
                    let mut p = Tensor::param(t.shape.clone());
                    p.dtype = t.dtype;
                    p.requires_grad.set(rg);
                    Ok(Value::tensor(p))
                }
                None | Some(Value::None) => Ok(Value::tensor(Tensor::param(vec![Some(0)]))),
                Some(Value::Opaque) => Ok(Value::Opaque),
                Some(other) => type_err(format!(
                    "Parameter.__new__() argument 'data' must be Tensor, not {}",
                    other.type_name()
                )),
            }
        }
        ClassKind::Size => {
            let v = args.pos.first().cloned().unwrap_or(Value::tuple(vec![]));
            let items = interp.iterate(&v)?;
            Ok(Value::Size(items.into()))
        }
        _ => {
            // torch.Tensor(2, 3) / torch.Tensor([[1, 2]])
            if args
                .pos
                .iter()
                .all(|v| matches!(v, Value::Int(_) | Value::Opaque))
            {
                let shape: Vec<Dim> = args.pos.iter().map(|v| v.as_int()).collect();
                return Ok(mk_leaf(shape, DType::F32, false));
            }
            let data = args.pos.first().cloned().unwrap_or_default();
            match data_shape(&data)? {
                Some((shape, _)) => Ok(mk_leaf(shape, DType::F32, false)),
                None => Ok(Value::Opaque),
            }
        }
    }
}

/// Shape and dtype of nested Python data (`torch.tensor([[1, 2], [3, 4]])`).
fn data_shape(v: &Value) -> R<Option<(Vec<Dim>, DType)>> {
    data_shape_at(v, 0)
}

fn data_shape_at(v: &Value, depth: usize) -> R<Option<(Vec<Dim>, DType)>> {
    match v {
        Value::Int(_) => Ok(Some((vec![], DType::I64))),
        Value::Bool(_) => Ok(Some((vec![], DType::Bool))),
        Value::Float(_) => Ok(Some((vec![], DType::F32))),
        Value::Tensor(t) => Ok(Some((t.shape.clone(), t.dtype))),
        Value::List(_) | Value::Tuple(_) | Value::Size(_) => {
            let items: Vec<Value> = match v {
                Value::List(l) => l.borrow().clone(),
                Value::Tuple(t) | Value::Size(t) => t.to_vec(),
                _ => Vec::new(),
            };
            if items.is_empty() {
                return Ok(Some((vec![Some(0)], DType::F32)));
            }
            if value::too_deep(depth, "while calling a Python object")
                || !value::spend(items.len() as u64)
            {
                return Ok(None);
            }
            let mut inner: Option<(Vec<Dim>, DType)> = None;
            for it in &items {
                let Some((s, d)) = data_shape_at(it, depth + 1)? else {
                    return Ok(None);
                };
                match &mut inner {
                    None => inner = Some((s, d)),
                    Some((s0, d0)) => {
                        if *s0 != s {
                            let want = s0.first().copied().flatten();
                            let got = s.first().copied().flatten();
                            if let (Some(w), Some(g)) = (want, got) {
                                return value_err(format!(
                                    "expected sequence of length {w} at dim 1 (got {g})"
                                ));
                            }
                            return Ok(None);
                        }
                        *d0 = DType::promote(*d0, d);
                    }
                }
            }
            let (mut s, d) = inner.unwrap_or((vec![], DType::F32));
            s.insert(0, Some(items.len() as i64));
            Ok(Some((s, d)))
        }
        _ => Ok(None),
    }
}

/// Sizes given as `f(2, 3)` or `f((2, 3))`; `None` if unknown. Errors on negative sizes.
fn size_args(pos: &[Value]) -> R<Option<Vec<Dim>>> {
    let items: Vec<Value> = match pos {
        [Value::Tuple(t)] | [Value::Size(t)] => t.to_vec(),
        [Value::List(l)] => l.borrow().clone(),
        [Value::Opaque] => return Ok(None),
        _ => pos.to_vec(),
    };
    let mut out = Vec::new();
    for v in &items {
        match v {
            Value::Int(_) | Value::Bool(_) => out.push(v.as_int()),
            Value::Opaque | Value::Tensor(_) => out.push(None),
            Value::Float(_) => {
                return type_err("empty(): argument 'size' (position 1) must be tuple of ints, but found element of type float at pos 0")
            }
            _ => return Ok(None),
        }
    }
    if let Some(d) = out.iter().flatten().find(|d| **d < 0) {
        return rt(format!(
            "Trying to create tensor with negative dimension {d}: {}",
            fmt_shape(&out)
        ));
    }
    Ok(Some(out))
}

fn dtype_kw(args: &mut Args, default: DType) -> DType {
    match args.take_kw("dtype") {
        Some(Value::DType(d)) => d,
        _ => default,
    }
}

fn strip_creation_kws(args: &mut Args) -> bool {
    for k in [
        "device",
        "layout",
        "pin_memory",
        "out",
        "generator",
        "memory_format",
        "names",
    ] {
        args.take_kw(k);
    }
    args.take_kw("requires_grad")
        .and_then(|v| super::value::truthy(&v))
        .unwrap_or(false)
}

/// Call a torch / functional / init / tensor-method builtin.
pub(crate) fn call(interp: &mut Interp, b: &Builtin, mut args: Args) -> R<Value> {
    let name: &str = &b.name;
    match b.kind {
        BKind::Init => Ok(args.pos.first().cloned().unwrap_or(Value::None)),
        BKind::TensorM => {
            let Some(Value::Tensor(t)) = &b.recv else {
                return Ok(Value::Opaque);
            };
            let t = t.clone();
            tensor_op(interp, name, &t, args)
        }
        BKind::F => functional(interp, name, args),
        _ => torch_fn(interp, name, &mut args),
    }
}

fn torch_fn(interp: &mut Interp, name: &str, args: &mut Args) -> R<Value> {
    match name {
        "randn" | "rand" | "zeros" | "ones" | "empty" => {
            let dt = dtype_kw(args, DType::F32);
            let rg = strip_creation_kws(args);
            match size_args(&args.pos)? {
                Some(s) => Ok(mk_leaf(s, dt, rg)),
                None => Ok(Value::Opaque),
            }
        }
        "full" => {
            let fill = args
                .pos
                .get(1)
                .cloned()
                .or_else(|| args.take_kw("fill_value"));
            let d0 = match fill {
                Some(Value::Int(_)) => DType::I64,
                Some(Value::Bool(_)) => DType::Bool,
                _ => DType::F32,
            };
            let dt = dtype_kw(args, d0);
            let rg = strip_creation_kws(args);
            let size = args
                .pos
                .first()
                .cloned()
                .or_else(|| args.take_kw("size"))
                .unwrap_or_default();
            match size_args(std::slice::from_ref(&size))? {
                Some(s) => Ok(mk_leaf(s, dt, rg)),
                None => Ok(Value::Opaque),
            }
        }
        "randint" => {
            let dt = dtype_kw(args, DType::I64);
            strip_creation_kws(args);
            let size = args
                .take_kw("size")
                .or_else(|| args.pos.last().cloned())
                .unwrap_or_default();
            match size_args(std::slice::from_ref(&size))? {
                Some(s) => Ok(mk_leaf(s, dt, false)),
                None => Ok(Value::Opaque),
            }
        }
        "randperm" => {
            let dt = dtype_kw(args, DType::I64);
            strip_creation_kws(args);
            if let Some(n) = args.pos.first().and_then(|v| v.as_int()).filter(|n| *n < 0) {
                return rt(format!("n must be non-negative, got{n}"));
            }
            Ok(mk_leaf(
                vec![args.pos.first().and_then(|v| v.as_int())],
                dt,
                false,
            ))
        }
        "arange" => {
            let dt0 = if args.pos.iter().any(|v| matches!(v, Value::Float(_))) {
                DType::F32
            } else {
                DType::I64
            };
            let dt = dtype_kw(args, dt0);
            let rg = strip_creation_kws(args);
            let nums: Vec<Option<f64>> = args.pos.iter().map(|v| v.as_f64()).collect();
            let (s, e, st) = match nums.as_slice() {
                [e] => (Some(0.0), *e, Some(1.0)),
                [s, e] => (*s, *e, Some(1.0)),
                [s, e, st, ..] => (*s, *e, *st),
                _ => (None, None, None),
            };
            let n = match (s, e, st) {
                (Some(s), Some(e), Some(st)) if st != 0.0 => {
                    let n = ((e - s) / st).ceil();
                    if n < 0.0 {
                        return rt("upper bound and larger bound inconsistent with step sign");
                    }
                    Some(n as i64)
                }
                (_, _, Some(0.0)) => return rt("step must be nonzero"),
                _ => None,
            };
            Ok(mk_leaf(vec![n], dt, rg))
        }
        "linspace" | "logspace" => {
            let dt = dtype_kw(args, DType::F32);
            let rg = strip_creation_kws(args);
            let steps = args.take_kw("steps").or_else(|| args.pos.get(2).cloned());
            let n = steps.and_then(|v| v.as_int());
            if n.is_some_and(|n| n < 0) {
                return rt("number of steps must be non-negative");
            }
            Ok(mk_leaf(vec![n], dt, rg))
        }
        "eye" => {
            let dt = dtype_kw(args, DType::F32);
            let rg = strip_creation_kws(args);
            let n = args.pos.first().and_then(|v| v.as_int());
            let m = args.pos.get(1).and_then(|v| v.as_int()).or(n);
            if let Some(n) = n.filter(|n| *n < 0) {
                return rt(format!("n must be greater or equal to 0, got {n}"));
            }
            if let Some(m) = m.filter(|m| *m < 0) {
                return rt(format!("m must be greater or equal to 0, got {m}"));
            }
            Ok(mk_leaf(vec![n, m], dt, rg))
        }
        "tensor" | "as_tensor" | "from_numpy" | "FloatTensor" | "LongTensor" => {
            let dt = match args.take_kw("dtype") {
                Some(Value::DType(d)) => Some(d),
                _ => None,
            };
            let rg = strip_creation_kws(args);
            let data = args.pos.first().cloned().unwrap_or_default();
            match data_shape(&data)? {
                Some((s, d)) => {
                    let d = match name {
                        "LongTensor" => DType::I64,
                        "FloatTensor" => DType::F32,
                        _ => dt.unwrap_or(d),
                    };
                    Ok(mk_leaf(s, d, rg))
                }
                None => Ok(Value::Opaque),
            }
        }
        "zeros_like" | "ones_like" | "rand_like" | "randn_like" | "empty_like" | "full_like"
        | "randint_like" => {
            let Some(t) = args.pos.first().and_then(tens).cloned() else {
                return Ok(Value::Opaque);
            };
            let dt = dtype_kw(args, t.dtype);
            let rg = strip_creation_kws(args);
            Ok(mk_leaf(t.shape.clone(), dt, rg))
        }
        "cat" | "concat" | "concatenate" => {
            let dim = args
                .take_kw("dim")
                .or_else(|| args.pos.get(1).cloned())
                .unwrap_or(Value::Int(0));
            let seq = args
                .pos
                .first()
                .cloned()
                .or_else(|| args.take_kw("tensors"))
                .unwrap_or_default();
            cat(interp, &seq, &dim, false)
        }
        "stack" => {
            let dim = args
                .take_kw("dim")
                .or_else(|| args.pos.get(1).cloned())
                .unwrap_or(Value::Int(0));
            let seq = args
                .pos
                .first()
                .cloned()
                .or_else(|| args.take_kw("tensors"))
                .unwrap_or_default();
            cat(interp, &seq, &dim, true)
        }
        "device" => Ok(match args.pos.first() {
            Some(Value::Str(s)) => Value::Device(s.clone()),
            _ => Value::Opaque,
        }),
        "no_grad" | "enable_grad" | "inference_mode" => Ok(bfn(BKind::Torch, name)),
        // `torch.compile(model)` behaves like the model.
        "compile" => Ok(args.pos.first().cloned().unwrap_or(Value::Opaque)),
        "is_tensor" => Ok(match args.pos.first() {
            Some(Value::Tensor(_)) => Value::Bool(true),
            Some(Value::Opaque) | None => Value::Opaque,
            Some(_) => Value::Bool(false),
        }),
        "manual_seed"
        | "set_printoptions"
        | "set_grad_enabled"
        | "set_default_dtype"
        | "save"
        | "set_num_threads"
        | "use_deterministic_algorithms" => Ok(Value::None),
        "get_default_dtype" => Ok(Value::DType(DType::F32)),
        "where" if args.pos.len() == 3 => {
            let shapes: Vec<Option<Vec<Dim>>> = args
                .pos
                .iter()
                .map(|v| match v {
                    Value::Tensor(t) => Some(t.shape.clone()),
                    Value::Int(_) | Value::Float(_) | Value::Bool(_) => Some(vec![]),
                    _ => None,
                })
                .collect();
            let mut out: Vec<Dim> = vec![];
            for s in shapes {
                let Some(s) = s else {
                    return Ok(Value::Opaque);
                };
                out = broadcast(&out, &s).map_err(rt_of)?;
            }
            let dt = args
                .pos
                .get(1)
                .and_then(tens)
                .map(|t| t.dtype)
                .unwrap_or(DType::F32);
            let grad = interp.grad_enabled
                && args
                    .pos
                    .iter()
                    .any(|v| tens(v).is_some_and(|t| t.requires_grad.get()));
            Ok(mk(out, dt, grad))
        }
        _ => {
            // Functions that mirror tensor methods: torch.flatten(x, 1), torch.sum(x, dim=1), …
            if let Some(Value::Tensor(t)) = args.pos.first().cloned() {
                if TENSOR_METHODS.contains(&name) {
                    let mut rest = std::mem::take(args);
                    rest.pos.remove(0);
                    return tensor_op(interp, name, &t, rest);
                }
            }
            if let Some(t) = args.take_kw("input").and_then(|v| tens(&v).cloned()) {
                if TENSOR_METHODS.contains(&name) {
                    return tensor_op(interp, name, &t, std::mem::take(args));
                }
            }
            Ok(Value::Opaque)
        }
    }
}

fn cat(interp: &mut Interp, seq: &Value, dim: &Value, stack: bool) -> R<Value> {
    let items = match seq {
        Value::List(_) | Value::Tuple(_) => interp.iterate(seq)?,
        Value::Opaque => return Ok(Value::Opaque),
        other => {
            return type_err(format!(
                "{}() received an invalid combination of arguments - got ({}, int)",
                if stack { "stack" } else { "cat" },
                other.type_name()
            ))
        }
    };
    let mut ts = Vec::new();
    for it in &items {
        match it {
            Value::Tensor(t) => ts.push(t.clone()),
            Value::Opaque => return Ok(Value::Opaque),
            other => {
                return type_err(format!(
                    "expected Tensor as element {} in argument 0, but got {}",
                    ts.len(),
                    other.type_name()
                ))
            }
        }
    }
    if ts.is_empty() {
        return rt(if stack {
            "stack expects a non-empty TensorList"
        } else {
            "torch.cat(): expected a non-empty list of Tensors"
        });
    }
    let Some(d) = dim.as_int() else {
        return Ok(Value::Opaque);
    };
    let grad = grad_of(interp, &ts.iter().map(|t| &**t).collect::<Vec<_>>());
    let dtype = ts
        .iter()
        .fold(ts[0].dtype, |a, t| DType::promote(a, t.dtype));
    if stack {
        for (i, t) in ts.iter().enumerate().skip(1) {
            if t.shape.len() != ts[0].shape.len()
                || t.shape
                    .iter()
                    .zip(ts[0].shape.iter())
                    .any(|(a, b)| matches!((a, b), (Some(x), Some(y)) if x != y))
            {
                return rt(format!(
                    "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {i}",
                    fmt_shape(&ts[0].shape),
                    fmt_shape(&t.shape)
                ));
            }
        }
        let nd = ts[0].ndim() + 1;
        let w = wrap_dim(d, nd).map_err(idx_of)?;
        let mut out = ts[0].shape.clone();
        out.insert(w, Some(ts.len() as i64));
        return Ok(mk(out, dtype, grad));
    }
    // Legacy: 1-D empty tensors are skipped.
    let ts: Vec<Rc<Tensor>> = ts
        .into_iter()
        .filter(|t| !(t.ndim() == 1 && t.shape[0] == Some(0)))
        .collect();
    let Some(first) = ts.first() else {
        return Ok(mk(vec![Some(0)], dtype, grad));
    };
    let nd = first.ndim();
    if nd == 0 {
        return rt("zero-dimensional tensor (at position 0) cannot be concatenated");
    }
    let w = wrap_dim(d, nd).map_err(idx_of)?;
    let mut out = first.shape.clone();
    let mut total: Dim = first.shape[w];
    for (i, t) in ts.iter().enumerate().skip(1) {
        if t.ndim() != nd {
            return rt(format!(
                "Tensors must have same number of dimensions: got {} and {}",
                nd,
                t.ndim()
            ));
        }
        for k in 0..nd {
            if k == w {
                continue;
            }
            if let (Some(a), Some(b)) = (first.shape[k], t.shape[k]) {
                if a != b {
                    return rt(format!(
                        "Sizes of tensors must match except in dimension {w}. Expected size {a} but got size {b} for tensor number {i} in the list."
                    ));
                }
            }
        }
        total = match (total, t.shape[w]) {
            (Some(a), Some(b)) => a.checked_add(b),
            _ => None,
        };
    }
    out[w] = total;
    Ok(mk(out, dtype, grad))
}

/// Names that are tensor methods (and usually `torch.<name>(t, …)` too).
const TENSOR_METHODS: &[&str] = &[
    "view",
    "reshape",
    "view_as",
    "reshape_as",
    "flatten",
    "unflatten",
    "squeeze",
    "unsqueeze",
    "permute",
    "transpose",
    "t",
    "expand",
    "expand_as",
    "repeat",
    "chunk",
    "split",
    "narrow",
    "unbind",
    "size",
    "dim",
    "numel",
    "nelement",
    "ndimension",
    "matmul",
    "mm",
    "bmm",
    "mv",
    "dot",
    "sum",
    "mean",
    "prod",
    "std",
    "var",
    "norm",
    "amax",
    "amin",
    "logsumexp",
    "all",
    "any",
    "max",
    "min",
    "argmax",
    "argmin",
    "softmax",
    "log_softmax",
    "relu",
    "relu_",
    "sigmoid",
    "sigmoid_",
    "tanh",
    "tanh_",
    "exp",
    "exp_",
    "log",
    "log_",
    "log1p",
    "abs",
    "abs_",
    "neg",
    "sqrt",
    "rsqrt",
    "sin",
    "cos",
    "floor",
    "ceil",
    "round",
    "sign",
    "clamp",
    "clamp_",
    "clip",
    "square",
    "reciprocal",
    "detach",
    "detach_",
    "clone",
    "contiguous",
    "cpu",
    "cuda",
    "to",
    "float",
    "double",
    "half",
    "bfloat16",
    "long",
    "int",
    "bool",
    "byte",
    "short",
    "char",
    "type_as",
    "requires_grad_",
    "zero_",
    "fill_",
    "normal_",
    "uniform_",
    "add_",
    "sub_",
    "mul_",
    "div_",
    "copy_",
    "masked_fill",
    "masked_fill_",
    "cumsum",
    "cumprod",
    "flip",
    "roll",
    "tril",
    "triu",
    "item",
    "tolist",
    "numpy",
    "backward",
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "maximum",
    "minimum",
    "eq",
    "ne",
    "lt",
    "gt",
    "le",
    "ge",
    "topk",
    "sort",
    "argsort",
    "gather",
    "index_select",
    "new_zeros",
    "new_ones",
    "new_full",
    "new_empty",
    "new_tensor",
    "type",
    "is_contiguous",
    "float_",
    "pin_memory",
    "retain_grad",
    "register_hook",
    "element_size",
    "apply_",
    "isnan",
    "isinf",
    "logical_not",
    "logical_and",
    "logical_or",
    "sub_",
    "pow_",
    "true_divide",
    "floor_divide",
    "remainder",
    "fmod",
    "bernoulli",
    "bernoulli_",
    "exponential_",
    "dropout",
    "sigmoid",
    "transpose_",
    "unsqueeze_",
    "squeeze_",
    "swapaxes",
    "movedim",
    "outer",
    "repeat_interleave",
    "masked_select",
    "nonzero",
    "where",
    "lerp",
    "addmm",
    "baddbmm",
    "is_floating_point",
    "get_device",
    "stride",
    "data_ptr",
    "storage",
    "share_memory_",
    "clamp_min",
    "clamp_max",
    "erf",
    "relu6",
    "silu",
    "gelu",
    "softplus",
    "sinh",
    "cosh",
    "atan",
    "asin",
    "acos",
    "log2",
    "log10",
    "expm1",
    "exp2",
    "trunc",
    "frac",
    "mT",
    "diag",
];

fn kw_or(args: &mut Args, name: &str, pos: usize) -> Option<Value> {
    args.take_kw(name).or_else(|| args.pos.get(pos).cloned())
}

/// Dims given as varargs or one sequence.
fn int_list(pos: &[Value]) -> Option<Vec<Option<i64>>> {
    let items: Vec<Value> = match pos {
        [Value::Tuple(t)] | [Value::Size(t)] => t.to_vec(),
        [Value::List(l)] => l.borrow().clone(),
        [Value::Opaque] => return None,
        _ => pos.to_vec(),
    };
    let mut out = Vec::new();
    for v in items {
        match v {
            Value::Int(_) | Value::Bool(_) => out.push(v.as_int()),
            Value::Opaque | Value::Tensor(_) => out.push(None),
            _ => return None,
        }
    }
    Some(out)
}

fn reduce_shape(t: &Tensor, dim: Option<&Value>, keepdim: bool) -> R<Option<Vec<Dim>>> {
    let nd = t.ndim();
    let dims: Vec<usize> = match dim {
        None | Some(Value::None) => (0..nd).collect(),
        Some(Value::Int(d)) => vec![wrap_dim(*d, nd).map_err(idx_of)?],
        Some(Value::Tuple(v)) | Some(Value::Size(v)) => {
            let mut out = Vec::new();
            for x in v.iter() {
                match x.as_int() {
                    Some(d) => out.push(wrap_dim(d, nd).map_err(idx_of)?),
                    None => return Ok(None),
                }
            }
            out
        }
        Some(Value::List(l)) => {
            let mut out = Vec::new();
            for x in l.borrow().iter() {
                match x.as_int() {
                    Some(d) => out.push(wrap_dim(d, nd).map_err(idx_of)?),
                    None => return Ok(None),
                }
            }
            out
        }
        _ => return Ok(None),
    };
    let mut out = Vec::new();
    for (i, d) in t.shape.iter().enumerate() {
        if dims.contains(&i) {
            if keepdim {
                out.push(Some(1));
            }
        } else {
            out.push(*d);
        }
    }
    Ok(Some(out))
}

fn derived(t: &Tensor, shape: Vec<Dim>, strides: Option<Vec<i64>>, grad: bool) -> Value {
    let negative = shape.iter().flatten().any(|d| *d < 0);
    let shape: Vec<Dim> = shape.into_iter().map(|d| d.filter(|v| *v >= 0)).collect();
    let strides = if negative { None } else { strides };
    let n = Tensor {
        strides: strides.or_else(|| contiguous_strides(&shape)),
        shape,
        dtype: t.dtype,
        requires_grad: std::cell::Cell::new(grad),
        is_param: false,
        leaf: false,
    };
    Value::tensor(n)
}

fn known_all(v: &[Dim]) -> Option<Vec<i64>> {
    v.iter().copied().collect()
}

fn dtype_of_to(args: &Args, cur: DType) -> DType {
    for v in args.pos.iter().chain(args.kw.iter().map(|(_, v)| v)) {
        match v {
            Value::DType(d) => return *d,
            Value::Tensor(t) => return t.dtype,
            _ => {}
        }
    }
    cur
}

/// A tensor method (`t.view(...)`) or the matching `torch.<name>(t, ...)`.
fn tensor_op(interp: &mut Interp, name: &str, t: &Rc<Tensor>, mut args: Args) -> R<Value> {
    let nd = t.ndim();
    let g = grad_of(interp, &[t]);
    let same = |grad: bool| derived(t, t.shape.clone(), t.strides.clone(), grad);
    match name {
        // ----- metadata
        "size" => match kw_or(&mut args, "dim", 0) {
            None | Some(Value::None) => Ok(size_value(&t.shape)),
            Some(Value::Int(d)) => {
                let w = wrap_index(d, nd)?;
                Ok(dimv(t.shape[w]))
            }
            _ => Ok(Value::Opaque),
        },
        "dim" | "ndimension" => Ok(Value::Int(nd as i64)),
        "numel" | "nelement" => Ok(t.numel().map(Value::Int).unwrap_or(Value::Opaque)),
        "is_contiguous" => Ok(Value::Bool(t.is_contiguous())),
        "is_floating_point" => Ok(Value::Bool(t.dtype.is_float())),
        "numpy" => {
            if t.requires_grad.get() {
                return rt("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
            }
            Ok(Value::Opaque)
        }
        "element_size" | "get_device" | "stride" | "data_ptr" | "storage" | "tolist"
        | "register_hook" => Ok(Value::Opaque),
        "item" => {
            if let Some(n) = t.numel() {
                if n != 1 {
                    return rt(format!(
                        "a Tensor with {n} elements cannot be converted to Scalar"
                    ));
                }
            }
            Ok(Value::Opaque)
        }
        "backward" => {
            if let Some(n) = t.numel() {
                if n != 1 && args.pos.is_empty() && args.kw.iter().all(|(k, _)| &**k != "gradient")
                {
                    return rt("grad can be implicitly created only for scalar outputs");
                }
            }
            if !t.requires_grad.get() {
                return rt(
                    "element 0 of tensors does not require grad and does not have a grad_fn",
                );
            }
            Ok(Value::None)
        }
        "retain_grad" => Ok(Value::None),
        // ----- dtype / device, shape preserving
        "to" | "type_as" | "type" => {
            if name == "type" && args.pos.is_empty() && args.kw.is_empty() {
                return Ok(Value::Str(
                    format!("torch.{}Tensor", t.dtype.scalar_name()).into(),
                ));
            }
            let dt = match (name, args.pos.first()) {
                ("type", Some(Value::Str(s))) => {
                    match s.trim_start_matches("torch.").trim_start_matches("cuda.") {
                        "LongTensor" => DType::I64,
                        "DoubleTensor" => DType::F64,
                        "IntTensor" => DType::I32,
                        _ => DType::F32,
                    }
                }
                _ => dtype_of_to(&args, t.dtype),
            };
            if dt == t.dtype {
                return Ok(Value::Tensor(t.clone()));
            }
            let n = derived(t, t.shape.clone(), t.strides.clone(), g);
            Ok(retype(n, dt))
        }
        "float" | "double" | "half" | "bfloat16" | "long" | "int" | "bool" | "byte" | "short"
        | "char" => {
            let dt = match name {
                "float" => DType::F32,
                "double" => DType::F64,
                "half" => DType::F16,
                "bfloat16" => DType::BF16,
                "long" => DType::I64,
                "int" => DType::I32,
                "short" => DType::I16,
                "char" => DType::I8,
                "byte" => DType::U8,
                _ => DType::Bool,
            };
            Ok(retype(same(g && dt.is_float()), dt))
        }
        "cpu" | "cuda" | "contiguous" | "pin_memory" | "share_memory_" => {
            if name == "contiguous" && !t.is_contiguous() {
                return Ok(derived(t, t.shape.clone(), None, g));
            }
            Ok(Value::Tensor(t.clone()))
        }
        "detach" | "detach_" => Ok(same(false)),
        "clone" => Ok(derived(t, t.shape.clone(), None, g)),
        "requires_grad_" => {
            let flag = kw_or(&mut args, "requires_grad", 0)
                .and_then(|v| super::value::truthy(&v))
                .unwrap_or(true);
            t.requires_grad.set(flag);
            Ok(Value::Tensor(t.clone()))
        }
        "zero_" | "fill_" | "normal_" | "uniform_" | "bernoulli_" | "exponential_" | "apply_"
        | "clamp_" | "relu_" | "sigmoid_" | "tanh_" | "exp_" | "log_" | "abs_" => {
            check_leaf_inplace(interp, t)?;
            Ok(Value::Tensor(t.clone()))
        }
        "add_" | "sub_" | "mul_" | "div_" | "pow_" | "copy_" | "masked_fill_" => {
            check_leaf_inplace(interp, t)?;
            let other = args.pos.first().cloned().unwrap_or_default();
            if let Value::Tensor(o) = &other {
                let b = broadcast(&t.shape, &o.shape).map_err(rt_of)?;
                check_inplace(t, &b)?;
            }
            Ok(Value::Tensor(t.clone()))
        }
        "relu" | "sigmoid" | "tanh" | "exp" | "log" | "log1p" | "abs" | "neg" | "sqrt"
        | "rsqrt" | "sin" | "cos" | "floor" | "ceil" | "round" | "sign" | "clamp" | "clip"
        | "square" | "reciprocal" | "cumsum" | "cumprod" | "flip" | "roll" | "tril" | "triu"
        | "bernoulli" | "dropout" | "clamp_min" | "clamp_max" | "erf" | "relu6" | "silu"
        | "gelu" | "softplus" | "sinh" | "cosh" | "atan" | "asin" | "acos" | "log2" | "log10"
        | "expm1" | "exp2" | "trunc" | "frac" | "isnan" | "isinf" | "logical_not" => {
            let v = derived(t, t.shape.clone(), None, g);
            if matches!(name, "isnan" | "isinf" | "logical_not") {
                return Ok(retype(v, DType::Bool));
            }
            if matches!(name, "cumsum" | "cumprod") {
                if let Some(Value::Int(d)) = kw_or(&mut args, "dim", 0) {
                    wrap_dim(d, nd).map_err(idx_of)?;
                }
            }
            Ok(v)
        }
        "softmax" | "log_softmax" => {
            let d = kw_or(&mut args, "dim", 0);
            if let Some(Value::Int(d)) = d {
                wrap_dim(d, nd).map_err(idx_of)?;
            }
            Ok(derived(t, t.shape.clone(), None, g))
        }
        "masked_fill" => {
            let mask = args.pos.first().cloned().unwrap_or_default();
            if let Value::Tensor(m) = &mask {
                let b = broadcast(&t.shape, &m.shape).map_err(rt_of)?;
                if b.len() != nd
                    || b.iter()
                        .zip(t.shape.iter())
                        .any(|(a, c)| matches!((a, c), (Some(x), Some(y)) if x != y))
                {
                    return rt(format!(
                        "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension 0",
                        fmt_shape(&t.shape),
                        fmt_shape(&m.shape)
                    ));
                }
            }
            Ok(derived(t, t.shape.clone(), None, g))
        }
        // ----- binary ops as methods
        "add" | "sub" | "mul" | "div" | "pow" | "true_divide" | "floor_divide" | "remainder"
        | "fmod" | "maximum" | "minimum" | "eq" | "ne" | "lt" | "gt" | "le" | "ge"
        | "logical_and" | "logical_or" | "lerp" => {
            let other = kw_or(&mut args, "other", 0).unwrap_or_default();
            let op = match name {
                "sub" => Operator::Sub,
                "mul" => Operator::Mult,
                "div" | "true_divide" => Operator::Div,
                "pow" => Operator::Pow,
                "floor_divide" => Operator::FloorDiv,
                "remainder" | "fmod" => Operator::Mod,
                _ => Operator::Add,
            };
            let r = tensor_binop(interp, op, &Value::Tensor(t.clone()), &other)?;
            if matches!(
                name,
                "eq" | "ne" | "lt" | "gt" | "le" | "ge" | "logical_and" | "logical_or"
            ) {
                return Ok(retype(r, DType::Bool));
            }
            Ok(r)
        }
        "matmul" | "mm" | "bmm" | "mv" | "dot" | "outer" => {
            let other = kw_or(&mut args, "other", 0)
                .or_else(|| args.take_kw("mat2"))
                .or_else(|| args.take_kw("vec"))
                .unwrap_or_default();
            let Value::Tensor(o) = &other else {
                return Ok(Value::Opaque);
            };
            match name {
                "mm" if nd != 2 || o.ndim() != 2 => {
                    return rt(if nd != 2 {
                        "self must be a matrix"
                    } else {
                        "mat2 must be a matrix"
                    })
                }
                "bmm" if nd != 3 || o.ndim() != 3 => return rt("batch1 must be a 3D tensor"),
                "outer" => {
                    let mut s = t.shape.clone();
                    s.extend(o.shape.iter().copied());
                    return Ok(mk(s, t.dtype, grad_of(interp, &[t, o])));
                }
                _ => {}
            }
            let s = matmul_shape(&t.shape, &o.shape).map_err(rt_of)?;
            Ok(mk(
                s,
                DType::promote(t.dtype, o.dtype),
                grad_of(interp, &[t, o]),
            ))
        }
        // ----- reductions
        "sum" | "mean" | "prod" | "std" | "var" | "norm" | "amax" | "amin" | "logsumexp"
        | "all" | "any" | "count_nonzero" => {
            let (dim, keep) = if name == "norm" {
                let _p = kw_or(&mut args, "p", 0);
                (kw_or(&mut args, "dim", 1), kw_or(&mut args, "keepdim", 2))
            } else {
                (kw_or(&mut args, "dim", 0), kw_or(&mut args, "keepdim", 1))
            };
            let keep = keep.and_then(|v| super::value::truthy(&v)).unwrap_or(false);
            match reduce_shape(t, dim.as_ref(), keep)? {
                Some(s) => {
                    let v = mk(s, t.dtype, g);
                    Ok(match name {
                        "all" | "any" => retype(v, DType::Bool),
                        "mean" | "std" | "var" | "norm" if !t.dtype.is_float() => {
                            retype(v, DType::F32)
                        }
                        "sum" | "prod" if t.dtype == DType::Bool => retype(v, DType::I64),
                        "count_nonzero" => retype(v, DType::I64),
                        _ => v,
                    })
                }
                None => Ok(Value::Opaque),
            }
        }
        "max" | "min" => {
            let a0 = kw_or(&mut args, "dim", 0);
            match a0 {
                None => Ok(mk(vec![], t.dtype, g)),
                Some(Value::Tensor(o)) => {
                    let s = broadcast(&t.shape, &o.shape).map_err(rt_of)?;
                    Ok(mk(
                        s,
                        DType::promote(t.dtype, o.dtype),
                        grad_of(interp, &[t, &o]),
                    ))
                }
                Some(d @ Value::Int(_)) => {
                    let keep = kw_or(&mut args, "keepdim", 1)
                        .and_then(|v| super::value::truthy(&v))
                        .unwrap_or(false);
                    match reduce_shape(t, Some(&d), keep)? {
                        Some(s) => Ok(Value::tuple(vec![
                            mk(s.clone(), t.dtype, g),
                            mk(s, DType::I64, false),
                        ])),
                        None => Ok(Value::Opaque),
                    }
                }
                _ => Ok(Value::Opaque),
            }
        }
        "argmax" | "argmin" => {
            let d = kw_or(&mut args, "dim", 0);
            let keep = kw_or(&mut args, "keepdim", 1)
                .and_then(|v| super::value::truthy(&v))
                .unwrap_or(false);
            match d {
                None | Some(Value::None) => Ok(mk(vec![], DType::I64, false)),
                Some(d) => match reduce_shape(t, Some(&d), keep)? {
                    Some(s) => Ok(mk(s, DType::I64, false)),
                    None => Ok(Value::Opaque),
                },
            }
        }
        "topk" => {
            let k = kw_or(&mut args, "k", 0).and_then(|v| v.as_int());
            let d = kw_or(&mut args, "dim", 1)
                .and_then(|v| v.as_int())
                .unwrap_or(-1);
            if nd == 0 {
                return Ok(Value::Opaque);
            }
            let w = wrap_dim(d, nd).map_err(idx_of)?;
            if let (Some(k), Some(n)) = (k, t.shape[w]) {
                if k > n || k < 0 {
                    return rt("selected index k out of range");
                }
            }
            let mut s = t.shape.clone();
            s[w] = k;
            Ok(Value::tuple(vec![
                mk(s.clone(), t.dtype, g),
                mk(s, DType::I64, false),
            ]))
        }
        "sort" => Ok(Value::tuple(vec![
            mk(t.shape.clone(), t.dtype, g),
            mk(t.shape.clone(), DType::I64, false),
        ])),
        "argsort" => Ok(mk(t.shape.clone(), DType::I64, false)),
        "nonzero" | "masked_select" => Ok(Value::Opaque),
        // ----- shape ops
        "view" | "reshape" => {
            if let [Value::DType(d)] = args.pos.as_slice() {
                return Ok(retype(same(g), *d));
            }
            let shape_arg: Vec<Value> = match args.take_kw("shape").or_else(|| args.take_kw("size"))
            {
                Some(v) => vec![v],
                None => args.pos.clone(),
            };
            let Some(req) = int_list(&shape_arg) else {
                return Ok(Value::Opaque);
            };
            let out = infer_view(t.numel(), &req).map_err(rt_of)?;
            let strides = match (known_all(&t.shape), &t.strides, known_all(&out)) {
                (Some(os), Some(st), Some(ns)) => compute_stride(&os, st, &ns),
                _ => None,
            };
            if name == "view"
                && strides.is_none()
                && known_all(&out).is_some()
                && t.strides.is_some()
                && known_all(&t.shape).is_some()
            {
                return rt("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
            }
            Ok(derived(t, out, strides, g))
        }
        "view_as" | "reshape_as" | "expand_as" => {
            let Some(o) = args.pos.first().and_then(tens).cloned() else {
                return Ok(Value::Opaque);
            };
            let v = Value::Size(o.shape.iter().map(|d| dimv(*d)).collect::<Vec<_>>().into());
            let op = match name {
                "view_as" => "view",
                "reshape_as" => "reshape",
                _ => "expand",
            };
            tensor_op(interp, op, t, Args::new(vec![v]))
        }
        "flatten" => {
            let s = kw_or(&mut args, "start_dim", 0)
                .and_then(|v| v.as_int())
                .unwrap_or(0);
            let e = kw_or(&mut args, "end_dim", 1)
                .and_then(|v| v.as_int())
                .unwrap_or(-1);
            layers::flatten(t, s, e)
        }
        "unflatten" => {
            let d = kw_or(&mut args, "dim", 0)
                .and_then(|v| v.as_int())
                .unwrap_or(0);
            let sizes = kw_or(&mut args, "sizes", 1).unwrap_or_default();
            unflatten(t, d, &sizes, g)
        }
        "squeeze" | "squeeze_" => {
            let d = kw_or(&mut args, "dim", 0);
            match d {
                None | Some(Value::None) => {
                    if t.shape.iter().any(|d| d.is_none()) {
                        return Ok(Value::Opaque);
                    }
                    let s: Vec<Dim> = t.shape.iter().copied().filter(|d| *d != Some(1)).collect();
                    Ok(derived(t, s, None, g))
                }
                Some(Value::Int(d)) => {
                    if nd == 0 {
                        return Ok(same(g));
                    }
                    let w = wrap_dim(d, nd).map_err(idx_of)?;
                    match t.shape[w] {
                        Some(1) => {
                            let mut s = t.shape.clone();
                            s.remove(w);
                            let st = t.strides.clone().map(|mut st| {
                                st.remove(w);
                                st
                            });
                            Ok(derived(t, s, st, g))
                        }
                        Some(_) => Ok(same(g)),
                        None => Ok(Value::Opaque),
                    }
                }
                _ => Ok(Value::Opaque),
            }
        }
        "unsqueeze" | "unsqueeze_" => {
            let Some(d) = kw_or(&mut args, "dim", 0).and_then(|v| v.as_int()) else {
                return Ok(Value::Opaque);
            };
            let w = wrap_dim(d, nd + 1).map_err(idx_of)?;
            let mut s = t.shape.clone();
            s.insert(w, Some(1));
            let st = t.strides.clone().map(|mut st| {
                let v = if w < st.len() {
                    st[w].saturating_mul(t.shape[w].unwrap_or(1).max(1))
                } else {
                    1
                };
                st.insert(w, v);
                st
            });
            Ok(derived(t, s, st, g))
        }
        "permute" => {
            let Some(dims) = int_list(&args.pos) else {
                return Ok(Value::Opaque);
            };
            let Some(dims) = dims.into_iter().collect::<Option<Vec<i64>>>() else {
                return Ok(Value::Opaque);
            };
            if dims.len() != nd {
                return rt(format!(
                    "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {}",
                    dims.len()
                ));
            }
            let mut w = Vec::new();
            for d in dims {
                let x = wrap_dim(d, nd).map_err(idx_of)?;
                if w.contains(&x) {
                    return rt("permute(): duplicate dims are not allowed.");
                }
                w.push(x);
            }
            let s: Vec<Dim> = w.iter().map(|&i| t.shape[i]).collect();
            let st = t
                .strides
                .as_ref()
                .map(|st| w.iter().map(|&i| st[i]).collect());
            Ok(derived(t, s, st, g))
        }
        "transpose" | "transpose_" | "swapaxes" => {
            let a = kw_or(&mut args, "dim0", 0).and_then(|v| v.as_int());
            let b = kw_or(&mut args, "dim1", 1).and_then(|v| v.as_int());
            let (Some(a), Some(b)) = (a, b) else {
                return Ok(Value::Opaque);
            };
            if nd == 0 {
                return Ok(same(g));
            }
            let (x, y) = (
                wrap_dim(a, nd).map_err(idx_of)?,
                wrap_dim(b, nd).map_err(idx_of)?,
            );
            Ok(swap(t, x, y, g))
        }
        "t" => {
            if nd > 2 {
                return rt(format!(
                    "t() expects a tensor with <= 2 dimensions, but self is {nd}D"
                ));
            }
            if nd < 2 {
                return Ok(same(g));
            }
            Ok(swap(t, 0, 1, g))
        }
        "mT" => {
            if nd < 2 {
                return rt("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.");
            }
            Ok(swap(t, nd - 2, nd - 1, g))
        }
        "movedim" => Ok(Value::Opaque),
        "expand" => {
            let Some(req) = int_list(&args.pos) else {
                return Ok(Value::Opaque);
            };
            if req.len() < nd {
                return rt(format!(
                    "expand(torch.FloatTensor{{{}}}, size=[{}]): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({nd})",
                    fmt_shape(&t.shape).trim_matches(['[', ']']),
                    req.iter().map(|d| d.map(|v| v.to_string()).unwrap_or("?".into())).collect::<Vec<_>>().join(", "),
                    req.len()
                ));
            }
            let off = req.len() - nd;
            let mut out = Vec::new();
            for (i, r) in req.iter().enumerate() {
                let cur = if i >= off { t.shape[i - off] } else { None };
                let v = match (*r, cur) {
                    (Some(rv), _) if rv < -1 => {
                        return rt(format!(
                            "Trying to create tensor with negative dimension {rv}: {}",
                            fmt_shape(&req)
                        ))
                    }
                    (Some(-1), c) if i >= off => c,
                    (Some(-1), _) => {
                        return rt(format!(
                            "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}"
                        ))
                    }
                    (Some(rv), Some(c)) if i >= off && c != 1 && c != rv => {
                        return rt(format!(
                            "The expanded size of the tensor ({rv}) must match the existing size ({c}) at non-singleton dimension {i}.  Target sizes: {}.  Tensor sizes: {}",
                            fmt_shape(&req),
                            fmt_shape(&t.shape)
                        ))
                    }
                    (r, _) => r,
                };
                out.push(v);
            }
            Ok(derived(
                t,
                out,
                Some(vec![0; req.len()]).filter(|_| false),
                g,
            ))
        }
        "repeat" => {
            let Some(req) = int_list(&args.pos) else {
                return Ok(Value::Opaque);
            };
            if req.len() < nd {
                return rt("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
            }
            if let Some(r) = req.iter().flatten().find(|r| **r < 0) {
                return rt(format!(
                    "Trying to create tensor with negative dimension {r}: {}",
                    fmt_shape(&req)
                ));
            }
            let off = req.len() - nd;
            let out: Vec<Dim> = req
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let cur = if i >= off { t.shape[i - off] } else { Some(1) };
                    match (r, cur) {
                        (Some(a), Some(b)) => a.checked_mul(b),
                        _ => None,
                    }
                })
                .collect();
            Ok(derived(t, out, None, g))
        }
        "repeat_interleave" => Ok(Value::Opaque),
        "chunk" | "split" | "unbind" => split_like(t, name, &mut args, g),
        "narrow" => {
            let d = kw_or(&mut args, "dim", 0).and_then(|v| v.as_int());
            let len = kw_or(&mut args, "length", 2).and_then(|v| v.as_int());
            let Some(d) = d else {
                return Ok(Value::Opaque);
            };
            let w = wrap_index(d, nd)?;
            if len.is_some_and(|l| l < 0) {
                return rt("narrow(): length must be non-negative.");
            }
            let mut s = t.shape.clone();
            s[w] = len;
            Ok(derived(t, s, t.strides.clone(), g))
        }
        "gather" => {
            let idx = kw_or(&mut args, "index", 1);
            match idx {
                Some(Value::Tensor(i)) => Ok(mk(i.shape.clone(), t.dtype, g)),
                _ => Ok(Value::Opaque),
            }
        }
        "index_select" => {
            let d = kw_or(&mut args, "dim", 0).and_then(|v| v.as_int());
            let idx = kw_or(&mut args, "index", 1);
            match (d, idx) {
                (Some(d), Some(Value::Tensor(i))) => {
                    let w = wrap_index(d, nd)?;
                    let mut s = t.shape.clone();
                    s[w] = i.shape.first().copied().flatten().or(if i.ndim() == 0 {
                        Some(1)
                    } else {
                        None
                    });
                    Ok(mk(s, t.dtype, g))
                }
                _ => Ok(Value::Opaque),
            }
        }
        "new_zeros" | "new_ones" | "new_empty" | "new_full" => {
            let dt = dtype_kw(&mut args, t.dtype);
            strip_creation_kws(&mut args);
            let pos = if name == "new_full" {
                args.pos.first().cloned().into_iter().collect::<Vec<_>>()
            } else {
                args.pos.clone()
            };
            match size_args(&pos)? {
                Some(s) => Ok(mk(s, dt, false)),
                None => Ok(Value::Opaque),
            }
        }
        "new_tensor" => Ok(Value::Opaque),
        "where" => Ok(Value::Opaque),
        "diag" => Ok(Value::Opaque),
        _ => Ok(Value::Opaque),
    }
}

fn retype(v: Value, dt: DType) -> Value {
    match v {
        Value::Tensor(t) => {
            let n = Tensor {
                shape: t.shape.clone(),
                strides: t.strides.clone(),
                dtype: dt,
                requires_grad: std::cell::Cell::new(t.requires_grad.get() && dt.is_float()),
                is_param: false,
                leaf: t.leaf,
            };
            Value::tensor(n)
        }
        other => other,
    }
}

fn swap(t: &Tensor, x: usize, y: usize, g: bool) -> Value {
    let mut s = t.shape.clone();
    s.swap(x, y);
    let st = t.strides.clone().map(|mut st| {
        st.swap(x, y);
        st
    });
    derived(t, s, st, g)
}

fn unflatten(t: &Tensor, d: i64, sizes: &Value, g: bool) -> R<Value> {
    let nd = t.ndim();
    let w = wrap_index(d, nd)?;
    let Some(req) = int_list(std::slice::from_ref(sizes)) else {
        return Ok(Value::Opaque);
    };
    let sub = infer_view(t.shape[w], &req).map_err(|m| {
        rt_of(if m.starts_with("shape") {
            format!(
                "unflatten: Provided sizes {} don't multiply up to the size of dim {d} ({}) in the input tensor",
                fmt_shape(&req),
                t.shape[w].map(|v| v.to_string()).unwrap_or("?".into())
            )
        } else {
            m
        })
    })?;
    let mut s = t.shape[..w].to_vec();
    s.extend(sub);
    s.extend_from_slice(&t.shape[w + 1..]);
    Ok(derived(t, s, None, g))
}

fn split_like(t: &Tensor, name: &str, args: &mut Args, g: bool) -> R<Value> {
    let nd = t.ndim();
    let dim_pos = if name == "unbind" { 0 } else { 1 };
    let d = kw_or(args, "dim", dim_pos)
        .and_then(|v| v.as_int())
        .unwrap_or(0);
    if nd == 0 {
        return rt("Dimension specified as 0 but tensor has no dimensions");
    }
    let w = wrap_dim(d, nd).map_err(idx_of)?;
    let Some(n) = t.shape[w] else {
        return Ok(Value::Opaque);
    };
    let piece = |k: i64| {
        let mut s = t.shape.clone();
        s[w] = Some(k);
        derived(t, s, None, g)
    };
    let pieces: Vec<Value> = match name {
        "unbind" => {
            let mut s = t.shape.clone();
            s.remove(w);
            (0..n.min(100_000))
                .map(|_| derived(t, s.clone(), None, g))
                .collect()
        }
        "chunk" => {
            let Some(c) = kw_or(args, "chunks", 0).and_then(|v| v.as_int()) else {
                return Ok(Value::Opaque);
            };
            if c <= 0 {
                return rt(format!(
                    "chunk expects `chunks` to be greater than 0, got: {c}"
                ));
            }
            let size = ((n as i128 + c as i128 - 1) / c as i128) as i64;
            if size == 0 {
                vec![piece(0)]
            } else {
                let mut v = Vec::new();
                let mut left = n;
                while left > 0 && v.len() < 100_000 {
                    let k = size.min(left);
                    v.push(piece(k));
                    left -= k;
                }
                v
            }
        }
        _ => match kw_or(args, "split_size_or_sections", 0) {
            Some(Value::Int(s)) if s > 0 => {
                let mut v = Vec::new();
                let mut left = n;
                while left > 0 && v.len() < 100_000 {
                    let k = s.min(left);
                    v.push(piece(k));
                    left -= k;
                }
                v
            }
            Some(Value::List(l)) => {
                let parts: Vec<Option<i64>> = l.borrow().iter().map(|v| v.as_int()).collect();
                let total: Option<i64> = parts
                    .iter()
                    .try_fold(0i64, |a, p| p.and_then(|p| a.checked_add(p)));
                if let Some(tot) = total {
                    if tot != n {
                        return rt(format!(
                            "split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension {w}), but got split_sizes={}",
                            fmt_shape(&parts)
                        ));
                    }
                }
                parts
                    .iter()
                    .map(|p| {
                        let mut s = t.shape.clone();
                        s[w] = *p;
                        derived(t, s, None, g)
                    })
                    .collect()
            }
            _ => return Ok(Value::Opaque),
        },
    };
    Ok(Value::tuple(pieces))
}

/// In-place ops on a leaf that requires grad are refused by autograd (outside `no_grad`).
fn check_leaf_inplace(interp: &Interp, t: &Tensor) -> R<()> {
    if t.leaf && t.requires_grad.get() && interp.grad_enabled {
        return rt("a leaf Variable that requires grad is being used in an in-place operation.");
    }
    Ok(())
}

fn check_inplace(t: &Tensor, b: &[Dim]) -> R<()> {
    let mismatch = b.len() != t.ndim()
        || b.iter()
            .zip(t.shape.iter())
            .any(|(x, y)| matches!((x, y), (Some(p), Some(q)) if p != q));
    if mismatch {
        return rt(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            fmt_shape(&t.shape),
            fmt_shape(b)
        ));
    }
    Ok(())
}

/// Attribute of a tensor value.
pub(crate) fn tensor_attr(interp: &mut Interp, v: &Value, t: &Rc<Tensor>, name: &str) -> R<Value> {
    Ok(match name {
        "shape" => size_value(&t.shape),
        "dtype" => Value::DType(t.dtype),
        "ndim" => Value::Int(t.ndim() as i64),
        "requires_grad" => Value::Bool(t.requires_grad.get()),
        "is_leaf" => Value::Bool(!t.requires_grad.get() || t.is_param),
        "data" => derived(t, t.shape.clone(), t.strides.clone(), false),
        "T" => {
            let nd = t.ndim();
            let s: Vec<Dim> = t.shape.iter().rev().copied().collect();
            let st = t.strides.clone().map(|mut st| {
                st.reverse();
                st
            });
            let _ = nd;
            derived(t, s, st, grad_of(interp, &[t]))
        }
        "mT" => tensor_op(interp, "mT", t, Args::default())?,
        "grad" | "grad_fn" | "device" | "is_cuda" | "names" | "layout" | "real" | "imag"
        | "itemsize" | "nbytes" => Value::Opaque,
        _ => bmethod(BKind::TensorM, name, v),
    })
}

/// `t[idx]`.
/// `[4, 3]` for a shape (an unknown size as `?`).
fn fmt_dims(s: &[Dim]) -> String {
    let parts: Vec<String> = s
        .iter()
        .map(|d| d.map_or_else(|| "?".to_string(), |n| n.to_string()))
        .collect();
    format!("[{}]", parts.join(", "))
}

pub(crate) fn tensor_index(interp: &mut Interp, t: &Rc<Tensor>, idx: &Value) -> R<Value> {
    let items: Vec<Value> = match idx {
        Value::Tuple(v) => v.to_vec(),
        other => vec![other.clone()],
    };
    let g = grad_of(interp, &[t]);
    let consumed = items
        .iter()
        .filter(|v| !matches!(v, Value::None | Value::Ellipsis))
        .map(|v| match v {
            Value::Tensor(m) if m.dtype == DType::Bool => m.ndim().max(1),
            _ => 1,
        })
        .sum::<usize>();
    if t.ndim() == 0 && consumed > 0 {
        return index_err("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
    }
    if consumed > t.ndim() {
        return index_err(format!(
            "too many indices for tensor of dimension {}",
            t.ndim()
        ));
    }
    let mut out: Vec<Dim> = Vec::new();
    let mut strides: Option<Vec<i64>> = t.strides.as_ref().map(|_| Vec::new());
    let mut d = 0usize;
    // Advanced (integer-array) indices: their shapes broadcast together, and the result goes
    // where the first one stood when they are adjacent, else in front (PyTorch/NumPy rules).
    let mut adv_shapes: Vec<Vec<Dim>> = Vec::new();
    let mut adv_pos: Option<usize> = None;
    let mut adv_adjacent = true;
    let mut last_was_adv = false;
    let mut has_mask = false;
    for it in &items {
        let is_adv = matches!(it, Value::Tensor(_) | Value::List(_) | Value::Range(..));
        if is_adv && adv_pos.is_some() && !last_was_adv {
            adv_adjacent = false;
        }
        last_was_adv = is_adv;
        match it {
            Value::Ellipsis => {
                let rest = t.ndim() - consumed;
                let upto = d + rest;
                while d < upto {
                    out.push(t.shape[d]);
                    if let (Some(s), Some(ts)) = (&mut strides, &t.strides) {
                        s.push(ts[d]);
                    }
                    d += 1;
                }
            }
            Value::None => {
                out.push(Some(1));
                if let Some(s) = &mut strides {
                    s.push(0);
                }
            }
            Value::Int(_) | Value::Bool(_) => {
                let i = it.as_int().unwrap_or(0);
                if let Some(n) = t.shape[d] {
                    if i >= n || i < -n {
                        return index_err(format!(
                            "index {i} is out of bounds for dimension {d} with size {n}"
                        ));
                    }
                }
                d += 1;
            }
            Value::Slice(s) => {
                let len = match t.shape[d] {
                    Some(n) => match slice_indices(s, n)? {
                        Some((a, b, st)) => {
                            if st <= 0 {
                                return value_err("step must be greater than zero");
                            }
                            if let (Some(sv), Some(ts)) = (&mut strides, &t.strides) {
                                sv.push(ts[d].saturating_mul(st));
                            }
                            Some(if b > a {
                                ((b as i128 - a as i128 + st as i128 - 1) / st as i128) as i64
                            } else {
                                0
                            })
                        }
                        None => {
                            strides = None;
                            None
                        }
                    },
                    None => {
                        strides = None;
                        None
                    }
                };
                out.push(len);
                d += 1;
            }
            Value::Tensor(m) if m.dtype == DType::Bool => {
                adv_pos.get_or_insert(out.len());
                adv_shapes.push(vec![None]);
                has_mask = true;
                strides = None;
                d += m.ndim().max(1);
            }
            Value::Tensor(m) => {
                adv_pos.get_or_insert(out.len());
                adv_shapes.push(m.shape.clone());
                strides = None;
                d += 1;
            }
            Value::List(l) => {
                let items = l.borrow();
                // A nested list indexes with its own shape; only flat lists are modelled.
                if items
                    .iter()
                    .any(|v| !matches!(v, Value::Int(_) | Value::Bool(_)))
                {
                    return Ok(Value::Opaque);
                }
                adv_pos.get_or_insert(out.len());
                adv_shapes.push(vec![Some(items.len() as i64)]);
                strides = None;
                d += 1;
            }
            Value::Range(a, b, st) => {
                adv_pos.get_or_insert(out.len());
                adv_shapes.push(vec![Some(
                    crate::snippets::value::range_len(*a, *b, *st).max(0),
                )]);
                strides = None;
                d += 1;
            }
            _ => return Ok(Value::Opaque),
        }
    }
    while d < t.ndim() {
        out.push(t.shape[d]);
        if let (Some(s), Some(ts)) = (&mut strides, &t.strides) {
            s.push(ts[d]);
        }
        d += 1;
    }
    if let Some(pos) = adv_pos {
        let joined: Vec<Dim> = if adv_shapes.len() == 1 {
            adv_shapes.pop().unwrap_or_default()
        } else if has_mask {
            // A boolean mask beside other index arrays: the count is data-dependent.
            return Ok(Value::Opaque);
        } else {
            let mut acc: Vec<Dim> = adv_shapes[0].clone();
            for sh in &adv_shapes[1..] {
                acc = match broadcast(&acc, sh) {
                    Ok(b) => b,
                    Err(_) => {
                        let shapes: Vec<String> = adv_shapes.iter().map(|s| fmt_dims(s)).collect();
                        return index_err(format!(
                            "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                            shapes.join(", ")
                        ));
                    }
                };
            }
            acc
        };
        let at = if adv_adjacent { pos } else { 0 };
        out.splice(at..at, joined);
    }
    Ok(derived(t, out, strides, g))
}

/// Arithmetic where at least one side is a tensor.
pub(crate) fn tensor_binop(interp: &mut Interp, op: Operator, l: &Value, r: &Value) -> R<Value> {
    let shape_dtype = |v: &Value| -> Option<(Vec<Dim>, Option<DType>, bool)> {
        match v {
            Value::Tensor(t) => Some((t.shape.clone(), Some(t.dtype), t.requires_grad.get())),
            Value::Int(_) => Some((vec![], None, false)),
            Value::Bool(_) => Some((vec![], None, false)),
            Value::Float(_) => Some((vec![], Some(DType::F32), false)),
            _ => None,
        }
    };
    let (Some((ls, ld, lg)), Some((rs, rd, rg))) = (shape_dtype(l), shape_dtype(r)) else {
        return Ok(Value::Opaque);
    };
    let grad = interp.grad_enabled && (lg || rg);
    if op == Operator::MatMult {
        let (Value::Tensor(a), Value::Tensor(b)) = (l, r) else {
            return Ok(Value::Opaque);
        };
        let s = matmul_shape(&a.shape, &b.shape).map_err(rt_of)?;
        return Ok(mk(s, DType::promote(a.dtype, b.dtype), grad));
    }
    let shape = broadcast(&ls, &rs).map_err(rt_of)?;
    let tensor_dtype = |v: &Value| tens(v).map(|t| t.dtype);
    let dtype = match (tensor_dtype(l), tensor_dtype(r)) {
        (Some(a), Some(b)) => DType::promote(a, b),
        (Some(a), None) => match rd {
            Some(DType::F32) if !a.is_float() => DType::F32,
            _ => a,
        },
        (None, Some(b)) => match ld {
            Some(DType::F32) if !b.is_float() => DType::F32,
            _ => b,
        },
        _ => DType::F32,
    };
    let dtype = if op == Operator::Div && !dtype.is_float() {
        DType::F32
    } else {
        dtype
    };
    Ok(mk(shape, dtype, grad))
}

/// Comparison where at least one side is a tensor: an element-wise bool tensor.
pub(crate) fn tensor_compare(interp: &mut Interp, l: &Value, r: &Value) -> R<Value> {
    let v = tensor_binop(interp, Operator::Add, l, r)?;
    Ok(retype(v, DType::Bool))
}

/// `t op= rhs` on a tensor: in place, so the broadcast shape must equal `t`'s.
pub(crate) fn tensor_inplace(
    interp: &mut Interp,
    t: &Rc<Tensor>,
    op: Operator,
    rhs: &Value,
) -> R<Value> {
    check_leaf_inplace(interp, t)?;
    match rhs {
        Value::Tensor(o) => {
            if op == Operator::MatMult {
                return Ok(Value::Opaque);
            }
            let b = broadcast(&t.shape, &o.shape).map_err(rt_of)?;
            check_inplace(t, &b)?;
            if o.requires_grad.get() && interp.grad_enabled {
                t.requires_grad.set(true);
            }
            Ok(Value::Tensor(t.clone()))
        }
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Ok(Value::Tensor(t.clone())),
        _ => Ok(Value::Opaque),
    }
}

// ---------------------------------------------------------------------------------------------
// torch.nn.functional

fn input_tensor(fname: &str, v: Option<Value>) -> R<Option<Rc<Tensor>>> {
    match v {
        Some(Value::Tensor(t)) => Ok(Some(t)),
        Some(Value::Opaque) | None => Ok(None),
        Some(other) => type_err(format!(
            "{fname}(): argument 'input' (position 1) must be Tensor, not {}",
            other.type_name()
        )),
    }
}

fn functional(interp: &mut Interp, name: &str, mut args: Args) -> R<Value> {
    let x = args.take_kw("input").or_else(|| {
        if args.pos.is_empty() {
            None
        } else {
            Some(args.pos.remove(0))
        }
    });
    // Most functions need a tensor input; opaque input gives opaque output.
    let fname = name.trim_end_matches('_');
    let Some(x) = input_tensor(fname, x)? else {
        return Ok(Value::Opaque);
    };
    let g = grad_of(interp, &[&x]);
    let pos = |args: &mut Args, n: &str, i: usize| kw_or(args, n, i);
    match name {
        "relu" | "relu_" | "relu6" | "leaky_relu" | "leaky_relu_" | "gelu" | "silu" | "elu"
        | "selu" | "sigmoid" | "tanh" | "softplus" | "hardswish" | "hardsigmoid" | "mish"
        | "dropout" | "dropout2d" | "dropout1d" | "alpha_dropout" | "hardtanh" | "logsigmoid"
        | "normalize" | "softsign" | "tanhshrink" | "celu" | "glu" => {
            Ok(derived(&x, x.shape.clone(), None, g))
        }
        "softmax" | "log_softmax" | "softmin" => {
            let d = pos(&mut args, "dim", 0);
            if let Some(Value::Int(d)) = d {
                wrap_dim(d, x.ndim()).map_err(idx_of)?;
            }
            Ok(derived(&x, x.shape.clone(), None, g))
        }
        "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" => {
            let transposed = name.starts_with("conv_transpose");
            let nd = if name.ends_with("1d") {
                1
            } else if name.ends_with("3d") {
                3
            } else {
                2
            };
            let Some(w) = pos(&mut args, "weight", 0).and_then(|v| tens(&v).cloned()) else {
                return Ok(Value::Opaque);
            };
            let bias = pos(&mut args, "bias", 1).and_then(|v| tens(&v).cloned());
            let stride = match pos(&mut args, "stride", 2) {
                Some(v) => layers::dims_arg(&v, nd, "stride")?,
                None => vec![Some(1); nd],
            };
            let pad = match pos(&mut args, "padding", 3) {
                Some(Value::Str(s)) if &*s == "same" => ConvPad::Same,
                Some(Value::Str(_)) => ConvPad::Valid,
                Some(v) => ConvPad::Explicit(layers::dims_arg(&v, nd, "padding")?),
                None => ConvPad::Explicit(vec![Some(0); nd]),
            };
            let (out_pad, groups, dil) = if transposed {
                let op = match pos(&mut args, "output_padding", 4) {
                    Some(v) => layers::dims_arg(&v, nd, "output_padding")?,
                    None => vec![Some(0); nd],
                };
                let gr = pos(&mut args, "groups", 5)
                    .and_then(|v| v.as_int())
                    .unwrap_or(1);
                let di = match pos(&mut args, "dilation", 6) {
                    Some(v) => layers::dims_arg(&v, nd, "dilation")?,
                    None => vec![Some(1); nd],
                };
                (op, gr, di)
            } else {
                let di = match pos(&mut args, "dilation", 4) {
                    Some(v) => layers::dims_arg(&v, nd, "dilation")?,
                    None => vec![Some(1); nd],
                };
                let gr = pos(&mut args, "groups", 5)
                    .and_then(|v| v.as_int())
                    .unwrap_or(1);
                (vec![Some(0); nd], gr, di)
            };
            let grad = grad_of(interp, &[&x, &w]);
            layers::conv(
                &x,
                nd,
                transposed,
                &w.shape,
                bias.as_ref().map(|b| b.shape.as_slice()),
                &stride,
                &pad,
                &dil,
                Some(groups),
                &out_pad,
                grad,
            )
        }
        "max_pool1d" | "max_pool2d" | "avg_pool1d" | "avg_pool2d" => {
            let nd = if name.ends_with("1d") { 1 } else { 2 };
            let max = name.starts_with("max");
            let k = match pos(&mut args, "kernel_size", 0) {
                Some(v) => layers::dims_arg(&v, nd, "kernel_size")?,
                None => return Ok(Value::Opaque),
            };
            let stride = match pos(&mut args, "stride", 1) {
                None | Some(Value::None) => k.clone(),
                Some(v) => layers::dims_arg(&v, nd, "stride")?,
            };
            let stride = if stride.is_empty() { k.clone() } else { stride };
            let pad = match pos(&mut args, "padding", 2) {
                Some(v) => layers::dims_arg(&v, nd, "padding")?,
                None => vec![Some(0); nd],
            };
            let (dil, ceil) = if max {
                let d = match pos(&mut args, "dilation", 3) {
                    Some(v) => layers::dims_arg(&v, nd, "dilation")?,
                    None => vec![Some(1); nd],
                };
                let c = pos(&mut args, "ceil_mode", 4)
                    .and_then(|v| super::value::truthy(&v))
                    .unwrap_or(false);
                (d, c)
            } else {
                let c = pos(&mut args, "ceil_mode", 3)
                    .and_then(|v| super::value::truthy(&v))
                    .unwrap_or(false);
                (vec![Some(1); nd], c)
            };
            layers::pool(&x, max, nd, &k, &stride, &pad, &dil, ceil)
        }
        "adaptive_avg_pool1d" | "adaptive_avg_pool2d" | "adaptive_max_pool2d" => {
            let nd = if name.ends_with("1d") { 1 } else { 2 };
            let o = pos(&mut args, "output_size", 0).unwrap_or_default();
            let outs = layers::adaptive_sizes(&o, nd)?;
            layers::adaptive(&x, name.contains("max"), nd, &outs)
        }
        "linear" => {
            let Some(w) = pos(&mut args, "weight", 0).and_then(|v| tens(&v).cloned()) else {
                return Ok(Value::Opaque);
            };
            let grad = grad_of(interp, &[&x, &w]);
            layers::linear(&x, &w.shape, grad)
        }
        "batch_norm" => {
            let rm = pos(&mut args, "running_mean", 0).and_then(|v| tens(&v).cloned());
            let training = pos(&mut args, "training", 4)
                .and_then(|v| super::value::truthy(&v))
                .unwrap_or(false);
            if x.ndim() < 2 {
                return value_err(format!(
                    "Expected 2D or more input (got {}D input)",
                    x.ndim()
                ));
            }
            let features = rm.as_ref().and_then(|t| t.numel());
            let nd = x.ndim().saturating_sub(2).max(1);
            // F.batch_norm has no per-module dim check; reuse the rules past it.
            let mut fake = x.shape.clone();
            fake.truncate(x.ndim());
            layers::batch_norm(&x, nd.min(3), features, rm.is_some(), true, training, g).or_else(
                |e| match &e {
                    Flow::Exc(ex) if &*ex.ty == "ValueError" && ex.msg.starts_with("expected ") => {
                        Ok(derived(&x, x.shape.clone(), None, g))
                    }
                    _ => Err(e),
                },
            )
        }
        "layer_norm" => {
            let ns = pos(&mut args, "normalized_shape", 0).unwrap_or_default();
            let shape = layers::dims_arg(&ns, 1, "normalized_shape")?;
            layers::layer_norm(&x, &shape, g)
        }
        "group_norm" => {
            let gr = pos(&mut args, "num_groups", 0).and_then(|v| v.as_int());
            layers::group_norm(&x, gr, None, g)
        }
        "pad" => {
            let p = pos(&mut args, "pad", 0).unwrap_or_default();
            let Some(pads) = int_list(std::slice::from_ref(&p)) else {
                return Ok(Value::Opaque);
            };
            if pads.len() % 2 != 0 {
                return rt("Padding length must be divisible by 2");
            }
            if pads.len() / 2 > x.ndim() {
                return rt("Padding length should be less than or equal to two times the input dimension but got padding length 6 and input of dimension 2".replace("6", &pads.len().to_string()).replace("dimension 2", &format!("dimension {}", x.ndim())));
            }
            let mut s = x.shape.clone();
            let n = s.len();
            for k in 0..pads.len() / 2 {
                let i = n - 1 - k;
                s[i] = match (s[i], pads[2 * k], pads[2 * k + 1]) {
                    (Some(d), Some(a), Some(b)) => {
                        let Some(v) = d.checked_add(a).and_then(|v| v.checked_add(b)) else {
                            return Ok(Value::Opaque);
                        };
                        if v < 0 {
                            return rt(format!(
                                "The input size {d}, plus negative padding {a} and {b} resulted in a negative output size, which is invalid. Check dimension {i} of your input."
                            ));
                        }
                        Some(v)
                    }
                    _ => None,
                };
            }
            Ok(derived(&x, s, None, g))
        }
        "interpolate" | "upsample" => {
            let size = match pos(&mut args, "size", 0) {
                None | Some(Value::None) => None,
                Some(v) => Some(layers::dims_arg(&v, 1, "size")?),
            };
            let scale = match pos(&mut args, "scale_factor", 1) {
                None | Some(Value::None) => None,
                Some(Value::Tuple(t)) => {
                    Some(t.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
                }
                Some(v) => Some(vec![v.as_f64().unwrap_or(f64::NAN)]),
            };
            layers::upsample(&x, &size, &scale)
        }
        "cross_entropy"
        | "nll_loss"
        | "mse_loss"
        | "l1_loss"
        | "smooth_l1_loss"
        | "huber_loss"
        | "binary_cross_entropy"
        | "binary_cross_entropy_with_logits"
        | "kl_div" => {
            let target = pos(&mut args, "target", 0);
            let Some(Value::Tensor(tg)) = target else {
                return Ok(Value::Opaque);
            };
            let tag = match name {
                "cross_entropy" => LayerTag::CrossEntropyLoss,
                "nll_loss" => LayerTag::NLLLoss,
                "binary_cross_entropy" => LayerTag::BCELoss,
                "binary_cross_entropy_with_logits" => LayerTag::BCEWithLogitsLoss,
                _ => LayerTag::MSELoss,
            };
            let red = args.take_kw("reduction");
            if matches!(&red, Some(Value::Str(s)) if &**s == "none") {
                return Ok(Value::Opaque);
            }
            let grad = grad_of(interp, &[&x, &tg]);
            layers::loss(tag, &x, &tg, grad)
        }
        "one_hot" => {
            let n = pos(&mut args, "num_classes", 0).and_then(|v| v.as_int());
            if x.dtype.is_float() {
                return rt("one_hot is only applicable to index tensor of type LongTensor.");
            }
            let mut s = x.shape.clone();
            s.push(match n {
                Some(k) if k >= 0 => Some(k),
                _ => None,
            });
            Ok(mk(s, DType::I64, false))
        }
        "embedding" => {
            let Some(w) = pos(&mut args, "weight", 0).and_then(|v| tens(&v).cloned()) else {
                return Ok(Value::Opaque);
            };
            layers::embedding(
                &x,
                w.shape.get(1).copied().flatten(),
                grad_of(interp, &[&w]),
            )
        }
        "cosine_similarity" | "pairwise_distance" => {
            let Some(y) = pos(&mut args, "x2", 0).and_then(|v| tens(&v).cloned()) else {
                return Ok(Value::Opaque);
            };
            let s = broadcast(&x.shape, &y.shape).map_err(rt_of)?;
            let d = pos(&mut args, "dim", 1)
                .and_then(|v| v.as_int())
                .unwrap_or(1);
            let tmp = Tensor::new(s, x.dtype);
            match reduce_shape(&tmp, Some(&Value::Int(d)), false)? {
                Some(s) => Ok(mk(s, x.dtype, g)),
                None => Ok(Value::Opaque),
            }
        }
        _ => Ok(Value::Opaque),
    }
}

/// Unused-import guard for `err` in some configurations.
#[allow(dead_code)]
fn unused() -> R<()> {
    err("", "")
}
