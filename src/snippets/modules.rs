//! `nn.Module` semantics: registration in assignment order (PyTorch's `__setattr__`), attribute
//! lookup (`__getattr__`), containers, `parameters()` and friends, `train()`/`eval()`, and the
//! forward of built-in layers.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::builtins::{bmethod, iter_of};
use super::errors::{err, index_err, type_err, R};
use super::interp::Interp;
use super::layers::{self, Layer, LayerTag};
use super::tensor::{DType, Dim, Tensor};
use super::value::{
    self as value, repr, truthy, Args, BKind, Builtin, Class, ClassKind, Dict, ModState, Object,
    Value,
};

/// A new, not yet initialised module object of class `cls`.
pub(crate) fn new_module(cls: &Rc<Class>) -> Value {
    Value::Object(Rc::new(Object {
        class: cls.clone(),
        dict: RefCell::new(HashMap::new()),
        module: Some(RefCell::new(ModState::new(Layer::Plain))),
    }))
}

/// `Cls.method` for built-in classes (`nn.Module.__init__(self)`).
pub(crate) fn class_method_ref(c: &Rc<Class>, name: &str) -> Builtin {
    Builtin {
        kind: BKind::ClassM,
        name: name.into(),
        recv: None,
        cls: Some(c.clone()),
    }
}

/// `super().method` landing on a built-in class.
pub(crate) fn super_method(c: &Rc<Class>, name: &str, this: &Value) -> Builtin {
    Builtin {
        kind: BKind::ClassM,
        name: name.into(),
        recv: Some(this.clone()),
        cls: Some(c.clone()),
    }
}

/// The list of children is not known (built from unknown data).
fn mark_incomplete(m: &RefCell<ModState>) {
    let mut st = m.borrow_mut();
    st.uncertain = true;
    st.incomplete = true;
}

/// Python's `torch.typename` for the "is not a Module subclass" message.
fn typename(v: &Value) -> String {
    match v {
        Value::Class(c) => match c.kind {
            ClassKind::Layer(t) => format!("torch.nn.modules.{}.{}", layer_module(t), c.name),
            ClassKind::Module => "torch.nn.modules.module.Module".into(),
            ClassKind::User => format!("__main__.{}", c.name),
            _ => c.name.to_string(),
        },
        Value::Func(f) => format!("__main__.{}", f.qualname),
        Value::Builtin(b) => match b.kind {
            BKind::F => format!("torch.nn.functional.{}", b.name),
            BKind::Torch => format!("torch.{}", b.name),
            _ => b.name.to_string(),
        },
        Value::Tensor(t) => format!("torch.{}Tensor", t.dtype.scalar_name()),
        other => other.type_name(),
    }
}

fn layer_module(t: LayerTag) -> &'static str {
    use LayerTag as T;
    match t {
        T::Sequential | T::ModuleList | T::ModuleDict => "container",
        T::Conv1d | T::Conv2d | T::Conv3d | T::ConvTranspose1d | T::ConvTranspose2d => "conv",
        T::BatchNorm1d | T::BatchNorm2d | T::BatchNorm3d => "batchnorm",
        T::LayerNorm | T::GroupNorm => "normalization",
        T::Linear | T::Identity => "linear",
        T::Embedding => "sparse",
        T::Dropout | T::Dropout2d => "dropout",
        T::Flatten | T::Unflatten => "flatten",
        T::MaxPool1d
        | T::MaxPool2d
        | T::AvgPool1d
        | T::AvgPool2d
        | T::AdaptiveAvgPool1d
        | T::AdaptiveAvgPool2d
        | T::AdaptiveMaxPool2d => "pooling",
        T::Upsample => "upsampling",
        T::CrossEntropyLoss
        | T::NLLLoss
        | T::MSELoss
        | T::L1Loss
        | T::SmoothL1Loss
        | T::BCELoss
        | T::BCEWithLogitsLoss => "loss",
        _ => "activation",
    }
}

fn is_module(v: &Value) -> bool {
    v.as_module().is_some()
}

/// Register a child, as `add_module` does (with its checks).
fn add_child(st: &mut ModState, name: &str, m: Value) -> R<()> {
    match &m {
        Value::Opaque => {
            st.uncertain = true;
            st.set_module(name, m);
        }
        Value::None => st.set_module(name, m),
        v if is_module(v) => st.set_module(name, m),
        other => {
            return type_err(format!("{} is not a Module subclass", typename(other)));
        }
    }
    Ok(())
}

/// Run a built-in `__init__` of kind `kind` on `this`.
pub(crate) fn builtin_init(
    interp: &mut Interp,
    this: &Value,
    kind: ClassKind,
    opaque_base: bool,
    args: Args,
) -> R<()> {
    let cls_name = match this {
        Value::Object(o) => o.class.name.to_string(),
        _ => String::new(),
    };
    match kind {
        ClassKind::Module => {
            if let Some((k, _)) = args.kw.first() {
                return type_err(format!(
                    "{cls_name}.__init__() got an unexpected keyword argument '{k}'"
                ));
            }
            if !args.pos.is_empty() {
                return type_err(format!(
                    "{cls_name}.__init__() takes 1 positional argument but {} were given",
                    args.pos.len() + 1
                ));
            }
            if let Some((_, m)) = this.as_module() {
                let mut m = m.borrow_mut();
                m.initialized = true;
                m.training = true;
            }
            Ok(())
        }
        ClassKind::Layer(tag) => {
            let Some((_, m)) = this.as_module() else {
                return Ok(());
            };
            match tag {
                LayerTag::Sequential => {
                    {
                        let mut st = m.borrow_mut();
                        st.layer = Layer::Sequential;
                        st.initialized = true;
                    }
                    if let [Value::Dict(d)] = args.pos.as_slice() {
                        let items = d.borrow().items.clone();
                        let mut st = m.borrow_mut();
                        for (k, v) in items {
                            let name = match &k {
                                Value::Str(s) => s.to_string(),
                                _ => return type_err("module name should be a string"),
                            };
                            add_child(&mut st, &name, v)?;
                        }
                    } else {
                        let mut st = m.borrow_mut();
                        for (i, v) in args.pos.into_iter().enumerate() {
                            add_child(&mut st, &i.to_string(), v)?;
                        }
                    }
                    Ok(())
                }
                LayerTag::TransformerEncoder => {
                    let a = args.bind(
                        "TransformerEncoder.__init__",
                        &[
                            "encoder_layer",
                            "num_layers",
                            "norm",
                            "enable_nested_tensor",
                            "mask_check",
                        ],
                        2,
                    )?;
                    {
                        let mut st = m.borrow_mut();
                        st.layer = Layer::Encoder;
                        st.initialized = true;
                    }
                    let layer = a[0].clone().unwrap_or_default();
                    let n = a[1].as_ref().and_then(|v| v.as_int());
                    let list = interp
                        .bi
                        .layers
                        .get(&LayerTag::ModuleList)
                        .cloned()
                        .map(|c| new_module(&c));
                    let Some(list) = list else {
                        return Ok(());
                    };
                    if let Some((_, lm)) = list.as_module() {
                        let mut ls = lm.borrow_mut();
                        ls.layer = Layer::ModuleList;
                        ls.initialized = true;
                        match n {
                            Some(n) if (0..=1000).contains(&n) && is_module(&layer) => {
                                for k in 0..n {
                                    add_child(&mut ls, &k.to_string(), deep_copy(&layer))?;
                                }
                            }
                            _ => {
                                ls.uncertain = true;
                                ls.incomplete = true;
                            }
                        }
                    }
                    add_child(&mut m.borrow_mut(), "layers", list)?;
                    if let Some(norm) = a[2].clone().filter(|v| !matches!(v, Value::None)) {
                        add_child(&mut m.borrow_mut(), "norm", norm)?;
                    }
                    Ok(())
                }
                LayerTag::ModuleList => {
                    {
                        let mut st = m.borrow_mut();
                        st.layer = Layer::ModuleList;
                        st.initialized = true;
                    }
                    let src = args
                        .pos
                        .into_iter()
                        .next()
                        .or_else(|| args.kw.into_iter().next().map(|(_, v)| v));
                    if let Some(v) = src {
                        if v.is_opaque() {
                            mark_incomplete(m);
                            return Ok(());
                        }
                        let items = interp.iterate(&v)?;
                        let mut st = m.borrow_mut();
                        for (i, x) in items.into_iter().enumerate() {
                            add_child(&mut st, &i.to_string(), x)?;
                        }
                    }
                    Ok(())
                }
                LayerTag::ModuleDict => {
                    {
                        let mut st = m.borrow_mut();
                        st.layer = Layer::ModuleDict;
                        st.initialized = true;
                    }
                    if let Some(v) = args.pos.into_iter().next() {
                        let pairs: Vec<(Value, Value)> = match &v {
                            Value::Dict(d) => d.borrow().items.clone(),
                            Value::Opaque => {
                                mark_incomplete(m);
                                return Ok(());
                            }
                            other => {
                                let mut out = Vec::new();
                                for p in interp.iterate(other)? {
                                    let kv = interp.iterate(&p)?;
                                    if kv.len() == 2 {
                                        out.push((kv[0].clone(), kv[1].clone()));
                                    }
                                }
                                out
                            }
                        };
                        let mut st = m.borrow_mut();
                        for (k, x) in pairs {
                            match k {
                                Value::Str(s) => add_child(&mut st, &s, x)?,
                                _ => {
                                    st.uncertain = true;
                                    st.incomplete = true;
                                }
                            }
                        }
                    }
                    Ok(())
                }
                _ => {
                    let init = layers::init(tag, args)?;
                    for (_, shape) in &init.params {
                        if let Some(d) = shape.iter().flatten().find(|d| **d < 0) {
                            return err(
                                "RuntimeError",
                                format!(
                                    "Trying to create tensor with negative dimension {d}: {}",
                                    super::tensor::fmt_shape(shape)
                                ),
                            );
                        }
                    }
                    {
                        let mut st = m.borrow_mut();
                        st.layer = init.layer;
                        st.initialized = true;
                        st.uncertain |= init.uncertain;
                        for (n, shape) in init.params {
                            st.set_param(&n, Some(Rc::new(Tensor::param(shape))));
                        }
                        for (n, shape, dt) in init.buffers {
                            st.set_buffer(&n, Some(Rc::new(Tensor::new(shape, dt))));
                        }
                    }
                    for (n, ctag, cargs) in init.children {
                        let Some(cls) = interp.bi.layers.get(&ctag).cloned() else {
                            continue;
                        };
                        let child = super::builtins::construct(interp, &cls, cargs)?;
                        add_child(&mut m.borrow_mut(), &n, child)?;
                    }
                    Ok(())
                }
            }
        }
        ClassKind::Exception => {
            if let Value::Object(o) = this {
                o.dict
                    .borrow_mut()
                    .insert("args".into(), Value::tuple(args.pos));
            }
            Ok(())
        }
        ClassKind::Object => {
            if !opaque_base && (!args.pos.is_empty() || !args.kw.is_empty()) {
                return type_err(format!("{cls_name}() takes no arguments"));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Names of `nn.Module` methods (class attributes, found before `__getattr__`).
pub(crate) const MODULE_METHODS: &[&str] = &[
    "forward",
    "parameters",
    "named_parameters",
    "buffers",
    "named_buffers",
    "children",
    "named_children",
    "modules",
    "named_modules",
    "train",
    "eval",
    "to",
    "cuda",
    "cpu",
    "float",
    "double",
    "half",
    "bfloat16",
    "type",
    "requires_grad_",
    "zero_grad",
    "apply",
    "add_module",
    "register_module",
    "register_buffer",
    "register_parameter",
    "state_dict",
    "load_state_dict",
    "get_submodule",
    "get_parameter",
    "extra_repr",
    "register_forward_hook",
    "register_forward_pre_hook",
    "register_full_backward_hook",
    "register_backward_hook",
    "share_memory",
    "compile",
];

const CONTAINER_METHODS: &[&str] = &[
    "append", "extend", "insert", "keys", "values", "items", "update", "pop",
];

/// Attribute of a module not found in its `__dict__` or class (the `__getattr__` part, plus
/// the built-in methods).
pub(crate) fn module_attr(o: &Rc<Object>, m: &RefCell<ModState>, name: &str) -> Option<Value> {
    let this = Value::Object(o.clone());
    let st = m.borrow();
    if MODULE_METHODS.contains(&name)
        || (st.layer.is_container() && CONTAINER_METHODS.contains(&name))
    {
        return Some(bmethod(BKind::ModuleM, name, &this));
    }
    if name == "training" {
        return Some(Value::Bool(st.training));
    }
    if let Some((_, p)) = st.params.iter().find(|(n, _)| &**n == name) {
        return Some(p.clone().map(Value::Tensor).unwrap_or(Value::None));
    }
    if let Some((_, b)) = st.buffers.iter().find(|(n, _)| &**n == name) {
        return Some(b.clone().map(Value::Tensor).unwrap_or(Value::None));
    }
    if let Some(v) = st.module(name) {
        return Some(v.clone());
    }
    if let Some(v) = layers::layer_attr(&st.layer, name) {
        return Some(v);
    }
    if st.uncertain && !st.initialized {
        return Some(Value::Opaque);
    }
    None
}

/// `module.name = v` (PyTorch's `Module.__setattr__`).
pub(crate) fn module_setattr(o: &Rc<Object>, m: &RefCell<ModState>, name: &str, v: Value) -> R<()> {
    let mut st = m.borrow_mut();
    if name == "training" {
        if let Some(b) = truthy(&v) {
            st.training = b;
        }
        return Ok(());
    }
    let is_param = matches!(&v, Value::Tensor(t) if t.is_param);
    if is_param {
        if !st.initialized {
            return err(
                "AttributeError",
                "cannot assign parameters before Module.__init__() call",
            );
        }
        o.dict.borrow_mut().remove(name);
        st.buffers.retain(|(n, _)| &**n != name);
        st.modules.retain(|(n, _)| &**n != name);
        if let Value::Tensor(t) = v {
            st.set_param(name, Some(t));
        }
        return Ok(());
    }
    if st.params.iter().any(|(n, _)| &**n == name) {
        return match v {
            Value::None => {
                st.set_param(name, None);
                Ok(())
            }
            Value::Opaque => {
                st.uncertain = true;
                Ok(())
            }
            other => type_err(format!(
                "cannot assign '{}' as parameter '{name}' (torch.nn.Parameter or None expected)",
                typename(&other)
            )),
        };
    }
    if is_module(&v) {
        if !st.initialized {
            return err(
                "AttributeError",
                "cannot assign module before Module.__init__() call",
            );
        }
        o.dict.borrow_mut().remove(name);
        st.params.retain(|(n, _)| &**n != name);
        st.buffers.retain(|(n, _)| &**n != name);
        st.set_module(name, v);
        return Ok(());
    }
    if st.modules.iter().any(|(n, _)| &**n == name) {
        return match v {
            Value::None => {
                st.set_module(name, Value::None);
                Ok(())
            }
            Value::Opaque => {
                st.uncertain = true;
                st.set_module(name, Value::Opaque);
                Ok(())
            }
            other => type_err(format!(
                "cannot assign '{}' as child module '{name}' (torch.nn.Module or None expected)",
                typename(&other)
            )),
        };
    }
    if st.buffers.iter().any(|(n, _)| &**n == name) {
        return match v {
            Value::None => {
                st.set_buffer(name, None);
                Ok(())
            }
            Value::Tensor(t) => {
                st.set_buffer(name, Some(t));
                Ok(())
            }
            Value::Opaque => {
                st.uncertain = true;
                Ok(())
            }
            other => type_err(format!(
                "cannot assign '{}' as buffer '{name}' (torch.Tensor or None expected)",
                typename(&other)
            )),
        };
    }
    if v.is_opaque() {
        // Could be a module we cannot see: its parameters are unknown.
        st.uncertain = true;
    }
    drop(st);
    o.dict.borrow_mut().insert(name.into(), v);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Walking the module tree

/// Pre-order `named_modules`, each module once.
fn named_modules(
    this: &Value,
    prefix: &str,
    out: &mut Vec<(String, Value)>,
    seen: &mut HashSet<usize>,
) {
    let Value::Object(o) = this else {
        return;
    };
    if !seen.insert(Rc::as_ptr(o) as usize) {
        return;
    }
    out.push((prefix.to_string(), this.clone()));
    let Some(m) = &o.module else {
        return;
    };
    let kids: Vec<(Rc<str>, Value)> = m.borrow().modules.clone();
    for (n, k) in kids {
        if is_module(&k) {
            let p = if prefix.is_empty() {
                n.to_string()
            } else {
                format!("{prefix}.{n}")
            };
            named_modules(&k, &p, out, seen);
        }
    }
}

/// True if anything in the tree is not known (opaque child or argument).
fn tree_uncertain(this: &Value) -> bool {
    let mut mods = Vec::new();
    named_modules(this, "", &mut mods, &mut HashSet::new());
    mods.iter().any(|(_, m)| {
        m.as_module()
            .map(|(_, st)| {
                let st = st.borrow();
                st.uncertain || st.incomplete || st.modules.iter().any(|(_, v)| v.is_opaque())
            })
            .unwrap_or(false)
    })
}

/// `named_parameters()` / `named_buffers()`; `None` when the tree is not fully known.
pub(crate) fn named_tensors(this: &Value, buffers: bool) -> Option<Vec<(String, Rc<Tensor>)>> {
    if tree_uncertain(this) {
        return None;
    }
    let mut mods = Vec::new();
    named_modules(this, "", &mut mods, &mut HashSet::new());
    let mut seen: HashSet<usize> = HashSet::new();
    let mut out = Vec::new();
    for (prefix, m) in mods {
        let Some((_, st)) = m.as_module() else {
            continue;
        };
        let st = st.borrow();
        let list = if buffers { &st.buffers } else { &st.params };
        for (n, t) in list {
            let Some(t) = t else {
                continue;
            };
            if !seen.insert(Rc::as_ptr(t) as usize) {
                continue;
            }
            let full = if prefix.is_empty() {
                n.to_string()
            } else {
                format!("{prefix}.{n}")
            };
            out.push((full, t.clone()));
        }
    }
    Some(out)
}

/// Sum of `numel()` over `parameters()` (or buffers); `None` when unknown.
pub(crate) fn count(this: &Value, buffers: bool) -> Option<i64> {
    let ts = named_tensors(this, buffers)?;
    let mut total: i64 = 0;
    for (_, t) in ts {
        total = total.checked_add(t.numel()?)?;
    }
    Some(total)
}

fn set_training(this: &Value, mode: bool) {
    let mut mods = Vec::new();
    named_modules(this, "", &mut mods, &mut HashSet::new());
    for (_, m) in mods {
        if let Some((_, st)) = m.as_module() {
            st.borrow_mut().training = mode;
        }
    }
}

/// Items iterated by `for m in module` (containers only).
pub(crate) fn module_iter(o: &Rc<Object>) -> R<Vec<Value>> {
    let Some(m) = &o.module else {
        return Ok(vec![Value::Opaque]);
    };
    let st = m.borrow();
    match st.layer {
        Layer::Sequential | Layer::ModuleList => {
            if st.incomplete {
                return Ok(vec![Value::Opaque]);
            }
            Ok(st.modules.iter().map(|(_, v)| v.clone()).collect())
        }
        Layer::ModuleDict => Ok(st
            .modules
            .iter()
            .map(|(n, _)| Value::Str(n.clone()))
            .collect()),
        _ => {
            if o.class.opaque_base {
                return Ok(vec![Value::Opaque]);
            }
            type_err(format!("'{}' object is not iterable", o.class.name))
        }
    }
}

fn abs_index(i: i64, n: usize) -> Option<usize> {
    let n = n as i64;
    let j = if i < 0 { i + n } else { i };
    if (0..n).contains(&j) {
        Some(j as usize)
    } else {
        None
    }
}

/// `module[idx]` for containers.
pub(crate) fn module_getitem(interp: &mut Interp, o: &Rc<Object>, idx: &Value) -> R<Value> {
    let Some(m) = &o.module else {
        return Ok(Value::Opaque);
    };
    let (layer_kind, mods, uncertain) = {
        let st = m.borrow();
        (st.layer.clone(), st.modules.clone(), st.incomplete)
    };
    match layer_kind {
        Layer::Sequential | Layer::ModuleList => match idx {
            Value::Int(i) => {
                if uncertain {
                    return Ok(Value::Opaque);
                }
                match abs_index(*i, mods.len()) {
                    Some(j) => Ok(mods[j].1.clone()),
                    None => index_err(format!("index {i} is out of range")),
                }
            }
            Value::Slice(s) => {
                let Some((a, b, st)) = super::builtins::slice_indices(s, mods.len() as i64)? else {
                    return Ok(Value::Opaque);
                };
                let mut picked = Vec::new();
                let mut i = a;
                while (st > 0 && i < b) || (st < 0 && i > b) {
                    if let Some(x) = mods.get(i as usize) {
                        picked.push(x.clone());
                    }
                    match i.checked_add(st) {
                        Some(n) => i = n,
                        None => break,
                    }
                }
                let new = new_module(&o.class);
                if let Some((_, nm)) = new.as_module() {
                    let mut ns = nm.borrow_mut();
                    ns.layer = layer_kind.clone();
                    ns.initialized = true;
                    ns.uncertain = uncertain;
                    ns.incomplete = uncertain;
                    let renumber = matches!(layer_kind, Layer::ModuleList);
                    for (k, (n, v)) in picked.into_iter().enumerate() {
                        let name = if renumber {
                            k.to_string()
                        } else {
                            n.to_string()
                        };
                        ns.set_module(&name, v);
                    }
                }
                Ok(new)
            }
            Value::Opaque => Ok(Value::Opaque),
            other => type_err(format!(
                "{} indices must be integers or slices, not {}",
                o.class.name,
                other.type_name()
            )),
        },
        Layer::ModuleDict => match idx {
            Value::Str(s) => match mods.iter().find(|(n, _)| n == s) {
                Some((_, v)) => Ok(v.clone()),
                None if uncertain => Ok(Value::Opaque),
                None => err("KeyError", repr(idx).unwrap_or_default()),
            },
            _ => Ok(Value::Opaque),
        },
        _ => {
            let _ = interp;
            if o.class.opaque_base {
                return Ok(Value::Opaque);
            }
            type_err(format!("'{}' object is not subscriptable", o.class.name))
        }
    }
}

/// `module[idx] = v` for containers.
pub(crate) fn module_setitem(_interp: &mut Interp, o: &Rc<Object>, idx: &Value, v: Value) -> R<()> {
    let Some(m) = &o.module else {
        return Ok(());
    };
    let mut st = m.borrow_mut();
    match (&st.layer, idx) {
        (Layer::Sequential | Layer::ModuleList, Value::Int(i)) => {
            let n = st.modules.len();
            match abs_index(*i, n) {
                Some(j) => {
                    let name = st.modules[j].0.clone();
                    add_child(&mut st, &name, v)
                }
                None => index_err(format!("index {i} is out of range")),
            }
        }
        (Layer::ModuleDict, Value::Str(s)) => {
            let s = s.clone();
            add_child(&mut st, &s, v)
        }
        _ => {
            st.uncertain = true;
            st.incomplete = true;
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Methods

/// Call a module method or a built-in class method.
pub(crate) fn call_method(interp: &mut Interp, b: &Builtin, mut args: Args) -> R<Value> {
    let this = match &b.recv {
        Some(v) => v.clone(),
        None => {
            if args.pos.is_empty() {
                return type_err(format!(
                    "{}() missing 1 required positional argument: 'self'",
                    b.name
                ));
            }
            args.pos.remove(0)
        }
    };
    if b.kind == BKind::ClassM {
        let cls = b.cls.clone();
        let kind = cls.as_ref().map(|c| c.kind).unwrap_or(ClassKind::Object);
        let opaque_base = match &this {
            Value::Object(o) => o.class.opaque_base,
            _ => true,
        };
        return match &*b.name {
            "__init__" => {
                builtin_init(interp, &this, kind, opaque_base, args)?;
                Ok(Value::None)
            }
            "forward" | "__call__" => match &this {
                Value::Object(o) if o.module.is_some() => {
                    if &*b.name == "__call__" {
                        interp.call(&this, args)
                    } else {
                        module_forward(interp, o, args)
                    }
                }
                _ => Ok(Value::Opaque),
            },
            _ => {
                if is_module(&this) {
                    module_method(interp, &this, &b.name, args)
                } else {
                    Ok(Value::Opaque)
                }
            }
        };
    }
    module_method(interp, &this, &b.name, args)
}

fn module_list(items: Vec<Value>) -> Value {
    iter_of(items)
}

fn module_method(interp: &mut Interp, this: &Value, name: &str, mut args: Args) -> R<Value> {
    let Some((o, m)) = this.as_module() else {
        return Ok(Value::Opaque);
    };
    let o = o.clone();
    match name {
        "forward" => module_forward(interp, &o, args),
        "parameters" | "buffers" => {
            let recurse = args
                .take_kw("recurse")
                .or_else(|| args.pos.first().cloned())
                .and_then(|v| truthy(&v))
                .unwrap_or(true);
            let buffers = name == "buffers";
            if !recurse {
                let st = m.borrow();
                let list = if buffers { &st.buffers } else { &st.params };
                return Ok(module_list(
                    list.iter()
                        .filter_map(|(_, t)| t.clone().map(Value::Tensor))
                        .collect(),
                ));
            }
            match named_tensors(this, buffers) {
                Some(v) => Ok(module_list(
                    v.into_iter().map(|(_, t)| Value::Tensor(t)).collect(),
                )),
                None => Ok(Value::Opaque),
            }
        }
        "named_parameters" | "named_buffers" => {
            let prefix = args
                .take_kw("prefix")
                .or_else(|| args.pos.first().cloned())
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            match named_tensors(this, name == "named_buffers") {
                Some(v) => Ok(module_list(
                    v.into_iter()
                        .map(|(n, t)| {
                            let n = if prefix.is_empty() {
                                n
                            } else {
                                format!("{prefix}.{n}")
                            };
                            Value::tuple(vec![Value::Str(n.into()), Value::Tensor(t)])
                        })
                        .collect(),
                )),
                None => Ok(Value::Opaque),
            }
        }
        "children" | "named_children" => {
            let st = m.borrow();
            if st.incomplete && st.layer.is_container() {
                return Ok(Value::Opaque);
            }
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for (n, v) in st.modules.iter() {
                if let Value::Object(c) = v {
                    if !seen.insert(Rc::as_ptr(c) as usize) {
                        continue;
                    }
                    out.push(if name == "children" {
                        v.clone()
                    } else {
                        Value::tuple(vec![Value::Str(n.clone()), v.clone()])
                    });
                } else if v.is_opaque() {
                    return Ok(Value::Opaque);
                }
            }
            Ok(module_list(out))
        }
        "modules" | "named_modules" => {
            if tree_uncertain(this) {
                return Ok(Value::Opaque);
            }
            let mut mods = Vec::new();
            named_modules(this, "", &mut mods, &mut HashSet::new());
            Ok(module_list(
                mods.into_iter()
                    .map(|(n, v)| {
                        if name == "modules" {
                            v
                        } else {
                            Value::tuple(vec![Value::Str(n.into()), v])
                        }
                    })
                    .collect(),
            ))
        }
        "train" | "eval" => {
            let mode = if name == "eval" {
                false
            } else {
                args.take_kw("mode")
                    .or_else(|| args.pos.first().cloned())
                    .and_then(|v| truthy(&v))
                    .unwrap_or(true)
            };
            set_training(this, mode);
            Ok(this.clone())
        }
        "to" | "cuda" | "cpu" | "float" | "double" | "half" | "bfloat16" | "type"
        | "share_memory" => Ok(this.clone()),
        "compile" => Ok(Value::None),
        "requires_grad_" => {
            let flag = args
                .take_kw("requires_grad")
                .or_else(|| args.pos.first().cloned())
                .and_then(|v| truthy(&v))
                .unwrap_or(true);
            if let Some(ps) = named_tensors(this, false) {
                for (_, p) in ps {
                    p.requires_grad.set(flag);
                }
            }
            Ok(this.clone())
        }
        "zero_grad" => Ok(Value::None),
        "apply" => {
            let f = args.pos.first().cloned().unwrap_or_default();
            apply(interp, this, &f)?;
            Ok(this.clone())
        }
        "add_module" | "register_module" => {
            let n = args.pos.first().cloned().unwrap_or_default();
            let v = args.pos.get(1).cloned().unwrap_or_default();
            let Value::Str(n) = n else {
                if n.is_opaque() {
                    mark_incomplete(m);
                    return Ok(Value::None);
                }
                return type_err(format!(
                    "module name should be a string. Got {}",
                    n.type_name()
                ));
            };
            if n.contains('.') {
                return err(
                    "KeyError",
                    format!("module name can't contain \".\", got: {n}"),
                );
            }
            if n.is_empty() {
                return err("KeyError", "module name can't be empty string \"\"");
            }
            let mut st = m.borrow_mut();
            add_child(&mut st, &n, v)?;
            Ok(Value::None)
        }
        "register_buffer" => {
            let n = args
                .pos
                .first()
                .cloned()
                .or_else(|| args.take_kw("name"))
                .unwrap_or_default();
            let v = args
                .pos
                .get(1)
                .cloned()
                .or_else(|| args.take_kw("tensor"))
                .unwrap_or_default();
            let mut st = m.borrow_mut();
            match (n, v) {
                (Value::Str(n), Value::Tensor(t)) => st.set_buffer(&n, Some(t)),
                (Value::Str(n), Value::None) => st.set_buffer(&n, None),
                (Value::Str(n), Value::Opaque) => {
                    st.uncertain = true;
                    st.set_buffer(&n, None);
                }
                (Value::Str(n), other) => {
                    return type_err(format!(
                        "cannot assign '{}' object to buffer '{n}' (torch Tensor or None required)",
                        typename(&other)
                    ))
                }
                _ => {
                    st.uncertain = true;
                    st.incomplete = true;
                }
            }
            Ok(Value::None)
        }
        "register_parameter" => {
            let n = args.pos.first().cloned().unwrap_or_default();
            let v = args.pos.get(1).cloned().unwrap_or_default();
            let mut st = m.borrow_mut();
            match (n, v) {
                (Value::Str(n), Value::Tensor(t)) if t.is_param => st.set_param(&n, Some(t)),
                (Value::Str(n), Value::None) => st.set_param(&n, None),
                (Value::Str(n), Value::Tensor(_)) => {
                    return type_err(format!(
                        "cannot assign 'torch.FloatTensor' object to parameter '{n}' (torch.nn.Parameter or None required)"
                    ))
                }
                _ => st.uncertain = true,
            }
            Ok(Value::None)
        }
        "state_dict" => {
            let (Some(ps), Some(bs)) = (named_tensors(this, false), named_tensors(this, true))
            else {
                return Ok(Value::Opaque);
            };
            let mut d = Dict::default();
            // PyTorch orders per module: its parameters, then its buffers, then children.
            let mut mods = Vec::new();
            named_modules(this, "", &mut mods, &mut HashSet::new());
            for (prefix, _) in &mods {
                let own = |name: &str| -> bool {
                    let rest = if prefix.is_empty() {
                        Some(name)
                    } else {
                        name.strip_prefix(prefix.as_str())
                            .and_then(|r| r.strip_prefix('.'))
                    };
                    rest.is_some_and(|r| !r.contains('.'))
                };
                for (n, t) in ps.iter().filter(|(n, _)| own(n)) {
                    d.set(Value::Str(n.as_str().into()), Value::Tensor(t.clone()));
                }
                for (n, t) in bs.iter().filter(|(n, _)| own(n)) {
                    d.set(Value::Str(n.as_str().into()), Value::Tensor(t.clone()));
                }
            }
            Ok(Value::Dict(Rc::new(RefCell::new(d))))
        }
        "get_submodule" => {
            let Some(path) = args.pos.first().and_then(|v| v.as_str().map(String::from)) else {
                return Ok(Value::Opaque);
            };
            let mut cur = this.clone();
            if path.is_empty() {
                return Ok(cur);
            }
            for part in path.split('.') {
                let next = cur
                    .as_module()
                    .and_then(|(_, st)| st.borrow().module(part).cloned());
                match next {
                    Some(n) => cur = n,
                    None => {
                        let cname = match &cur {
                            Value::Object(c) => c.class.name.to_string(),
                            _ => "Module".into(),
                        };
                        return err(
                            "AttributeError",
                            format!("{cname} has no attribute `{part}`"),
                        );
                    }
                }
            }
            Ok(cur)
        }
        "append" => {
            let v = args.pos.first().cloned().unwrap_or_default();
            let mut st = m.borrow_mut();
            let n = st.modules.len();
            add_child(&mut st, &n.to_string(), v)?;
            drop(st);
            Ok(this.clone())
        }
        "extend" => {
            let v = args.pos.first().cloned().unwrap_or_default();
            if v.is_opaque() {
                mark_incomplete(m);
                return Ok(this.clone());
            }
            let items = interp.iterate(&v)?;
            let mut st = m.borrow_mut();
            for x in items {
                let n = st.modules.len();
                add_child(&mut st, &n.to_string(), x)?;
            }
            drop(st);
            Ok(this.clone())
        }
        "insert" => {
            let i = args.pos.first().and_then(|v| v.as_int()).unwrap_or(0);
            let v = args.pos.get(1).cloned().unwrap_or_default();
            let mut st = m.borrow_mut();
            let mut vals: Vec<Value> = st.modules.iter().map(|(_, v)| v.clone()).collect();
            let n = vals.len() as i64;
            let at = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
            vals.insert(at, v);
            st.modules.clear();
            for (k, x) in vals.into_iter().enumerate() {
                add_child(&mut st, &k.to_string(), x)?;
            }
            Ok(Value::None)
        }
        "keys" | "values" | "items" => {
            let st = m.borrow();
            let out: Vec<Value> = st
                .modules
                .iter()
                .map(|(n, v)| match name {
                    "keys" => Value::Str(n.clone()),
                    "values" => v.clone(),
                    _ => Value::tuple(vec![Value::Str(n.clone()), v.clone()]),
                })
                .collect();
            Ok(module_list(out))
        }
        "update" => {
            let v = args.pos.first().cloned().unwrap_or_default();
            let pairs: Vec<(Value, Value)> = match &v {
                Value::Dict(d) => d.borrow().items.clone(),
                _ => {
                    mark_incomplete(m);
                    return Ok(Value::None);
                }
            };
            let mut st = m.borrow_mut();
            for (k, x) in pairs {
                if let Value::Str(s) = k {
                    add_child(&mut st, &s, x)?;
                }
            }
            Ok(Value::None)
        }
        "pop" => {
            let k = args.pos.first().cloned().unwrap_or_default();
            let mut st = m.borrow_mut();
            let pos = match &k {
                Value::Str(s) => st.modules.iter().position(|(n, _)| n == s),
                Value::Int(i) => abs_index(*i, st.modules.len()),
                _ => None,
            };
            match pos {
                Some(p) => Ok(st.modules.remove(p).1),
                None => Ok(Value::Opaque),
            }
        }
        _ => Ok(Value::Opaque),
    }
}

fn apply(interp: &mut Interp, this: &Value, f: &Value) -> R<()> {
    let kids: Vec<Value> = this
        .as_module()
        .map(|(_, st)| st.borrow().modules.iter().map(|(_, v)| v.clone()).collect())
        .unwrap_or_default();
    for k in kids {
        if is_module(&k) {
            apply(interp, &k, f)?;
        }
    }
    interp.call(f, Args::new(vec![this.clone()]))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Forward of built-in modules

fn param_shape(st: &ModState, name: &str) -> Option<Vec<Dim>> {
    st.params
        .iter()
        .find(|(n, _)| &**n == name)
        .and_then(|(_, t)| t.as_ref().map(|t| t.shape.clone()))
}

/// Forward of a module whose class does not define `forward`.
pub(crate) fn module_forward(interp: &mut Interp, o: &Rc<Object>, mut args: Args) -> R<Value> {
    let Some(m) = &o.module else {
        return Ok(Value::Opaque);
    };
    let (layer, training, uncertain) = {
        let st = m.borrow();
        (st.layer.clone(), st.training, st.incomplete)
    };
    let missing_forward = || {
        err(
            "NotImplementedError",
            format!(
                "Module [{}] is missing the required \"forward\" function",
                o.class.name
            ),
        )
    };
    match layer {
        Layer::Plain => {
            if o.class.opaque_base {
                return Ok(Value::Opaque);
            }
            missing_forward()
        }
        Layer::ModuleList | Layer::ModuleDict => missing_forward(),
        Layer::Sequential => {
            if args.pos.len() != 1 || !args.kw.is_empty() {
                let n = args.pos.len() + args.kw.len() + 1;
                return type_err(format!(
                    "Sequential.forward() takes 2 positional arguments but {n} were given"
                ));
            }
            if uncertain {
                return Ok(Value::Opaque);
            }
            let mods: Vec<Value> = m.borrow().modules.iter().map(|(_, v)| v.clone()).collect();
            let mut x = args.pos.remove(0);
            for sub in mods {
                interp.tick()?;
                x = interp.call(&sub, Args::new(vec![x]))?;
            }
            Ok(x)
        }
        layer => {
            let x = args.take_kw("input").or_else(|| {
                if args.pos.is_empty() {
                    None
                } else {
                    Some(args.pos.remove(0))
                }
            });
            let st = m.borrow();
            layer_forward(interp, &layer, &st, training, x, args)
        }
    }
}

fn layer_forward(
    interp: &mut Interp,
    layer: &Layer,
    st: &ModState,
    training: bool,
    x: Option<Value>,
    mut args: Args,
) -> R<Value> {
    let fname = match layer {
        Layer::Conv { nd, transposed, .. } => {
            if *transposed {
                format!("conv_transpose{nd}d")
            } else {
                format!("conv{nd}d")
            }
        }
        Layer::Linear { .. } => "linear".into(),
        Layer::BatchNorm { .. } => "batch_norm".into(),
        _ => "forward".into(),
    };
    let x = match x {
        Some(Value::Tensor(t)) => t,
        Some(Value::Opaque) => return Ok(Value::Opaque),
        None => {
            return type_err(format!(
                "{}.forward() missing 1 required positional argument: 'input'",
                layer_class_name(layer)
            ))
        }
        Some(other) => {
            if matches!(layer, Layer::Elementwise(LayerTag::Identity)) {
                return Ok(other);
            }
            return type_err(format!(
                "{fname}(): argument 'input' (position 1) must be Tensor, not {}",
                other.type_name()
            ));
        }
    };
    let params_grad = st
        .params
        .iter()
        .any(|(_, t)| t.as_ref().is_some_and(|t| t.requires_grad.get()));
    let grad = interp.grad_enabled && (x.requires_grad.get() || params_grad);
    let same = || {
        let t = x.with_shape(x.shape.clone());
        t.requires_grad.set(grad);
        Value::tensor(t)
    };
    match layer {
        Layer::Conv {
            nd,
            transposed,
            stride,
            pad,
            dil,
            groups,
            out_pad,
            ..
        } => {
            let Some(w) = param_shape(st, "weight") else {
                return Ok(Value::Opaque);
            };
            let b = param_shape(st, "bias");
            layers::conv(
                &x,
                *nd,
                *transposed,
                &w,
                b.as_deref(),
                stride,
                pad,
                dil,
                *groups,
                out_pad,
                grad,
            )
        }
        Layer::BatchNorm {
            nd,
            features,
            affine,
            track,
        } => {
            let f = if *track {
                st.buffers
                    .iter()
                    .find(|(n, _)| &**n == "running_mean")
                    .and_then(|(_, t)| t.as_ref().and_then(|t| t.numel()))
                    .or(*features)
            } else {
                *features
            };
            layers::batch_norm(&x, *nd, f, *track, *affine, training, grad)
        }
        Layer::LayerNorm { shape, .. } => layers::layer_norm(&x, shape, grad),
        Layer::GroupNorm {
            groups, channels, ..
        } => layers::group_norm(&x, *groups, *channels, grad),
        Layer::Linear { .. } => {
            let Some(w) = param_shape(st, "weight") else {
                return Ok(Value::Opaque);
            };
            layers::linear(&x, &w, grad)
        }
        Layer::Embedding { dim, .. } => {
            let d = param_shape(st, "weight")
                .and_then(|w| w.get(1).copied().flatten())
                .or(*dim);
            layers::embedding(&x, d, grad)
        }
        Layer::Elementwise(LayerTag::Identity) => Ok(Value::Tensor(x)),
        Layer::Elementwise(_) => Ok(same()),
        Layer::Softmax { dim, .. } => {
            let d = dim.unwrap_or_else(|| layers::softmax_default_dim(x.ndim()));
            super::tensor::wrap_dim(d, x.ndim()).or_else(|m| err("IndexError", m))?;
            Ok(same())
        }
        Layer::Flatten { start, end } => layers::flatten(&x, *start, *end),
        Layer::Unflatten { dim, sizes } => {
            let sizes_v = Value::tuple(
                sizes
                    .iter()
                    .map(|d| d.map(Value::Int).unwrap_or(Value::Opaque))
                    .collect(),
            );
            let f =
                super::builtins::bmethod(BKind::TensorM, "unflatten", &Value::Tensor(x.clone()));
            interp.call(&f, Args::new(vec![Value::Int(*dim), sizes_v]))
        }
        Layer::Pool {
            max,
            nd,
            k,
            stride,
            pad,
            dil,
            ceil,
        } => layers::pool(&x, *max, *nd, k, stride, pad, dil, *ceil),
        Layer::Adaptive { max, nd, out } => layers::adaptive(&x, *max, *nd, out),
        Layer::Upsample { size, scale } => layers::upsample(&x, size, scale),
        Layer::Loss(tag) => {
            let target = args.take_kw("target").or_else(|| args.pos.first().cloned());
            match target {
                Some(Value::Tensor(tg)) => {
                    if st.uncertain {
                        return Ok(Value::Opaque);
                    }
                    layers::loss(*tag, &x, &tg, grad)
                }
                _ => Ok(Value::Opaque),
            }
        }
        Layer::InstanceNorm {
            nd,
            features,
            affine,
        } => {
            let (lo, hi) = (*nd + 1, *nd + 2);
            if x.ndim() != lo && x.ndim() != hi {
                return super::errors::value_err(format!(
                    "expected {lo}D or {hi}D input (got {}D input)",
                    x.ndim()
                ));
            }
            let fdim = x.ndim() - *nd - 1;
            if let (Some(c), Some(f)) = (x.shape[fdim], features) {
                if c != *f && *affine {
                    return super::errors::value_err(format!(
                        "expected input's size at dim={fdim} to match num_features ({f}), but got: {c}."
                    ));
                }
            }
            Ok(same())
        }
        Layer::Pad2d { pads } => {
            let f = super::builtins::bfn(BKind::F, "pad");
            let p = Value::tuple(
                pads.iter()
                    .map(|d| d.map(Value::Int).unwrap_or(Value::Opaque))
                    .collect(),
            );
            interp.call(&f, Args::new(vec![Value::Tensor(x), p]))
        }
        Layer::PixelShuffle { r } => {
            if x.ndim() < 3 {
                return super::errors::rt(format!(
                    "pixel_shuffle expects input to have at least 3 dimensions, but got input with {} dimension(s)",
                    x.ndim()
                ));
            }
            let n = x.ndim();
            let (c, h, w) = (x.shape[n - 3], x.shape[n - 2], x.shape[n - 1]);
            let mut out = x.shape[..n - 3].to_vec();
            match (c, *r) {
                (Some(c), Some(r)) if r > 0 => {
                    let rr = r.saturating_mul(r);
                    if c % rr != 0 {
                        return super::errors::rt(format!(
                            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)={c} is not divisible by {rr}"
                        ));
                    }
                    out.push(Some(c / rr));
                    out.push(h.and_then(|h| h.checked_mul(r)));
                    out.push(w.and_then(|w| w.checked_mul(r)));
                }
                _ => return Ok(Value::Opaque),
            }
            let t = x.with_shape(out);
            t.requires_grad.set(grad);
            Ok(Value::tensor(t))
        }
        Layer::Rnn {
            kind,
            input_size,
            hidden,
            layers,
            batch_first,
            bidirectional,
        } => rnn_forward(
            *kind,
            &x,
            (*input_size, *hidden, *layers),
            *batch_first,
            *bidirectional,
            args,
            grad,
        ),
        Layer::Mha { embed, batch_first } => {
            // query, key, value
            if let Some(q) = x.shape.last().copied().flatten() {
                if let Some(e) = embed {
                    if q != *e {
                        return err(
                            "AssertionError",
                            format!("was expecting embedding dimension of {e}, but got {q}"),
                        );
                    }
                }
            }
            let key = args.take_kw("key").or_else(|| args.pos.first().cloned());
            let need = args
                .take_kw("need_weights")
                .and_then(|v| truthy(&v))
                .unwrap_or(true);
            let out = {
                let t = x.with_shape(x.shape.clone());
                t.requires_grad.set(grad);
                Value::tensor(t)
            };
            if !need {
                return Ok(Value::tuple(vec![out, Value::None]));
            }
            let s_len = match &key {
                Some(Value::Tensor(k)) => {
                    let bd = if *batch_first { 1 } else { 0 };
                    if k.ndim() == 2 {
                        k.shape[0]
                    } else {
                        k.shape.get(bd).copied().flatten()
                    }
                }
                _ => None,
            };
            let weights = if x.ndim() == 2 {
                vec![x.shape[0], s_len]
            } else if x.ndim() == 3 {
                let (n, l) = if *batch_first {
                    (x.shape[0], x.shape[1])
                } else {
                    (x.shape[1], x.shape[0])
                };
                vec![n, l, s_len]
            } else {
                return Ok(Value::tuple(vec![out, Value::Opaque]));
            };
            let wt = Tensor::new(weights, DType::F32);
            wt.requires_grad.set(grad);
            Ok(Value::tuple(vec![out, Value::tensor(wt)]))
        }
        Layer::EncoderLayer { d_model, .. } => {
            if let (Some(q), Some(e)) = (x.shape.last().copied().flatten(), d_model) {
                if q != *e {
                    return err(
                        "AssertionError",
                        format!("was expecting embedding dimension of {e}, but got {q}"),
                    );
                }
            }
            Ok(same())
        }
        Layer::Encoder => {
            let kids: Vec<Value> = st
                .module("layers")
                .and_then(|l| {
                    l.as_module()
                        .map(|(_, ls)| ls.borrow().modules.iter().map(|(_, v)| v.clone()).collect())
                })
                .unwrap_or_default();
            let norm = st.module("norm").cloned();
            let mut out = Value::Tensor(x);
            for k in kids {
                interp.tick()?;
                out = interp.call(&k, Args::new(vec![out]))?;
            }
            if let Some(n) = norm {
                if is_module(&n) {
                    out = interp.call(&n, Args::new(vec![out]))?;
                }
            }
            Ok(out)
        }
        Layer::Plain | Layer::Sequential | Layer::ModuleList | Layer::ModuleDict => {
            Ok(Value::Opaque)
        }
    }
}

/// `nn.RNN` / `nn.LSTM` / `nn.GRU` forward (`check_forward_args`).
fn rnn_forward(
    kind: LayerTag,
    x: &Tensor,
    sizes: (Dim, Dim, Dim),
    batch_first: bool,
    bidirectional: bool,
    mut args: Args,
    grad: bool,
) -> R<Value> {
    let (input_size, hidden, layers) = sizes;
    let name = match kind {
        LayerTag::Lstm => "LSTM",
        LayerTag::Gru => "GRU",
        _ => "RNN",
    };
    if x.ndim() != 2 && x.ndim() != 3 {
        return super::errors::value_err(format!(
            "{name}: Expected input to be 2D or 3D, got {}D {}",
            x.ndim(),
            if kind == LayerTag::Lstm {
                "instead"
            } else {
                "tensor instead"
            }
        ));
    }
    if !x.dtype.is_float() {
        return super::errors::value_err(format!(
            "input must have the type torch.float32, got type torch.{}",
            x.dtype.name()
        ));
    }
    let batched = x.ndim() == 3;
    if let (Some(got), Some(want)) = (x.shape.last().copied().flatten(), input_size) {
        if got != want {
            return super::errors::rt(format!(
                "input.size(-1) must be equal to input_size. Expected {want}, got {got}"
            ));
        }
    }
    let dirs: i64 = if bidirectional { 2 } else { 1 };
    let (seq, batch) = if !batched {
        (x.shape[0], None)
    } else if batch_first {
        (x.shape[1], x.shape[0])
    } else {
        (x.shape[0], x.shape[1])
    };
    let dh = hidden.and_then(|h| h.checked_mul(dirs));
    let out_shape = if !batched {
        vec![seq, dh]
    } else if batch_first {
        vec![batch, seq, dh]
    } else {
        vec![seq, batch, dh]
    };
    let nl = layers.and_then(|l| l.checked_mul(dirs));
    let h_shape = if batched {
        vec![nl, batch, hidden]
    } else {
        vec![nl, hidden]
    };
    // A given initial state must have the expected shape.
    let hx = args.take_kw("hx").or_else(|| args.pos.first().cloned());
    let states: Vec<Value> = match (&hx, kind) {
        (Some(Value::Tuple(t)), LayerTag::Lstm) => t.to_vec(),
        (Some(v @ Value::Tensor(_)), _) => vec![v.clone()],
        _ => Vec::new(),
    };
    for (k, s) in states.iter().enumerate() {
        if let Value::Tensor(h) = s {
            let mismatch = h.shape.len() != h_shape.len()
                || h.shape
                    .iter()
                    .zip(h_shape.iter())
                    .any(|(a, b)| matches!((a, b), (Some(p), Some(q)) if p != q));
            if mismatch {
                let want: Vec<String> = h_shape
                    .iter()
                    .map(|d| d.map(|v| v.to_string()).unwrap_or_else(|| "?".into()))
                    .collect();
                let tuple = if want.len() == 1 {
                    format!("({},)", want[0])
                } else {
                    format!("({})", want.join(", "))
                };
                let which = if kind == LayerTag::Lstm {
                    format!("hidden[{k}] size")
                } else {
                    "hidden size".to_string()
                };
                return super::errors::rt(format!(
                    "Expected {which} {tuple}, got {}",
                    super::tensor::fmt_shape(&h.shape)
                ));
            }
        }
    }
    let mk = |s: Vec<Dim>| {
        let t = Tensor::new(s, x.dtype);
        t.requires_grad.set(grad);
        Value::tensor(t)
    };
    let out = mk(out_shape);
    Ok(match kind {
        LayerTag::Lstm => Value::tuple(vec![
            out,
            Value::tuple(vec![mk(h_shape.clone()), mk(h_shape)]),
        ]),
        _ => Value::tuple(vec![out, mk(h_shape)]),
    })
}

fn layer_class_name(l: &Layer) -> &'static str {
    match l {
        Layer::Conv { .. } => "Conv2d",
        Layer::Linear { .. } => "Linear",
        Layer::BatchNorm { .. } => "BatchNorm2d",
        _ => "Module",
    }
}

/// `copy.deepcopy` of a value: modules get fresh parameters and buffers (so they are counted
/// again), containers are copied, everything else is shared. Shared and cyclic containers are
/// copied once, as Python's memo does; a walk stopped by the budget or the recursion limit
/// gives an opaque value (see [`value::walk_take`]).
pub(crate) fn deep_copy(v: &Value) -> Value {
    deep_copy_in(v, &mut HashMap::new(), 0)
}

fn fresh_tensor(t: &Tensor) -> Rc<Tensor> {
    let mut n = Tensor::new(t.shape.clone(), t.dtype);
    n.is_param = t.is_param;
    n.leaf = t.leaf;
    n.requires_grad.set(t.requires_grad.get());
    Rc::new(n)
}

fn deep_copy_in(v: &Value, memo: &mut HashMap<usize, Value>, depth: usize) -> Value {
    let key = match v {
        Value::Object(o) => Some(Rc::as_ptr(o) as *const () as usize),
        Value::List(l) => Some(Rc::as_ptr(l) as *const () as usize),
        Value::Dict(d) => Some(Rc::as_ptr(d) as *const () as usize),
        Value::Tensor(t) => Some(Rc::as_ptr(t) as *const () as usize),
        _ => None,
    };
    if let Some(k) = key {
        if let Some(done) = memo.get(&k) {
            return done.clone();
        }
    }
    if matches!(
        v,
        Value::Object(_) | Value::List(_) | Value::Dict(_) | Value::Tuple(_)
    ) && (value::too_deep(depth, "while calling a Python object") || !value::spend(1))
    {
        return Value::Opaque;
    }
    match v {
        Value::Object(o) => {
            let module = o.module.as_ref().map(|m| {
                let st = m.borrow();
                RefCell::new(ModState {
                    layer: st.layer.clone(),
                    params: st
                        .params
                        .iter()
                        .map(|(n, t)| (n.clone(), t.as_ref().map(|t| fresh_tensor(t))))
                        .collect(),
                    buffers: st
                        .buffers
                        .iter()
                        .map(|(n, t)| (n.clone(), t.as_ref().map(|t| fresh_tensor(t))))
                        .collect(),
                    modules: Vec::new(),
                    training: st.training,
                    initialized: st.initialized,
                    uncertain: st.uncertain,
                    incomplete: st.incomplete,
                })
            });
            let new = Rc::new(Object {
                class: o.class.clone(),
                dict: RefCell::new(HashMap::new()),
                module,
            });
            let out = Value::Object(new.clone());
            if let Some(k) = key {
                memo.insert(k, out.clone());
            }
            let items: Vec<(Rc<str>, Value)> = o
                .dict
                .borrow()
                .iter()
                .map(|(k, x)| (k.clone(), x.clone()))
                .collect();
            for (k, x) in items {
                let c = deep_copy_in(&x, memo, depth + 1);
                new.dict.borrow_mut().insert(k, c);
            }
            if let (Some(m), Some(nm)) = (&o.module, &new.module) {
                let kids: Vec<(Rc<str>, Value)> = m.borrow().modules.clone();
                for (n, c) in kids {
                    let c = deep_copy_in(&c, memo, depth + 1);
                    nm.borrow_mut().modules.push((n, c));
                }
            }
            out
        }
        Value::List(l) => {
            let new = Rc::new(RefCell::new(Vec::new()));
            let out = Value::List(new.clone());
            if let Some(k) = key {
                memo.insert(k, out.clone());
            }
            let items = l.borrow().clone();
            if !value::spend(items.len() as u64) {
                return Value::Opaque;
            }
            for x in &items {
                let c = deep_copy_in(x, memo, depth + 1);
                new.borrow_mut().push(c);
            }
            out
        }
        Value::Dict(d) => {
            let new = Rc::new(RefCell::new(Dict::default()));
            let out = Value::Dict(new.clone());
            if let Some(k) = key {
                memo.insert(k, out.clone());
            }
            let items = d.borrow().items.clone();
            if !value::spend(items.len() as u64) {
                return Value::Opaque;
            }
            for (k, x) in &items {
                let c = deep_copy_in(x, memo, depth + 1);
                new.borrow_mut().items.push((k.clone(), c));
            }
            out
        }
        Value::Tuple(t) => {
            if !value::spend(t.len() as u64) {
                return Value::Opaque;
            }
            Value::tuple(t.iter().map(|x| deep_copy_in(x, memo, depth + 1)).collect())
        }
        Value::Tensor(t) => {
            let out = Value::Tensor(fresh_tensor(t));
            if let Some(k) = key {
                memo.insert(k, out.clone());
            }
            out
        }
        other => other.clone(),
    }
}

/// A float32 tensor helper used by the public API.
pub(crate) fn input_tensor(shape: &[i64]) -> Value {
    Value::tensor(Tensor::new(
        shape.iter().map(|&d| Some(d)).collect(),
        DType::F32,
    ))
}
