//! Python builtins, the class table, imports, and the generic operators (arithmetic,
//! comparison, indexing, formatting) over all value kinds.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::{CmpOp, Operator};

use super::errors::{err, index_err, type_err, value_err, R};
use super::interp::{compute_mro, Interp};
use super::layers::{LayerTag, LAYER_CLASSES};
use super::tensor::DType;
use super::value::{
    self as value, float_repr, py_eq, range_len, repr, to_str, truthy, Args, BKind, Builtin, Class,
    ClassKind, Dict, IterState, Ns, Object, Value, WrapKind,
};

pub(crate) use super::modules::MODULE_METHODS as MODULE_METHOD_NAMES;
pub(crate) use super::modules::{
    builtin_init, class_method_ref, module_attr, module_forward, module_iter, module_setattr,
    super_method,
};
pub(crate) use super::torchfns::{tensor_compare, tensor_inplace};

/// The interpreter's own classes.
#[derive(Debug)]
pub struct Builtins {
    pub object: Rc<Class>,
    pub type_: Rc<Class>,
    pub int: Rc<Class>,
    pub float: Rc<Class>,
    pub bool_: Rc<Class>,
    pub str_: Rc<Class>,
    pub list: Rc<Class>,
    pub tuple: Rc<Class>,
    pub dict: Rc<Class>,
    pub set: Rc<Class>,
    pub none_type: Rc<Class>,
    pub function: Rc<Class>,
    pub exception: Rc<Class>,
    pub exceptions: HashMap<&'static str, Rc<Class>>,
    pub tensor: Rc<Class>,
    pub parameter: Rc<Class>,
    pub size: Rc<Class>,
    pub module: Rc<Class>,
    pub layers: HashMap<LayerTag, Rc<Class>>,
}

fn mk(name: &str, kind: ClassKind, bases: Vec<Rc<Class>>, object: Option<&Rc<Class>>) -> Rc<Class> {
    let mro = match object {
        Some(o) => compute_mro(&bases, o),
        None => Vec::new(),
    };
    Rc::new(Class {
        name: name.into(),
        kind,
        bases,
        mro,
        dict: RefCell::new(HashMap::new()),
        opaque_base: false,
    })
}

/// Python builtin functions known by name.
const PY_FUNCS: &[&str] = &[
    "print",
    "len",
    "range",
    "zip",
    "enumerate",
    "isinstance",
    "issubclass",
    "sum",
    "min",
    "max",
    "abs",
    "round",
    "pow",
    "divmod",
    "sorted",
    "reversed",
    "any",
    "all",
    "map",
    "filter",
    "iter",
    "next",
    "hasattr",
    "getattr",
    "setattr",
    "callable",
    "repr",
    "format",
    "id",
    "hash",
    "open",
    "input",
    "super",
    "vars",
    "dir",
    "chr",
    "ord",
    "hex",
    "bin",
    "globals",
    "locals",
    "staticmethod",
    "classmethod",
    "property",
    "exit",
    "quit",
    "help",
    "display",
    "delattr",
];

/// Exception classes: (name, parent).
const EXCEPTIONS: &[(&str, &str)] = &[
    ("Exception", "BaseException"),
    ("KeyboardInterrupt", "BaseException"),
    ("SystemExit", "BaseException"),
    ("ArithmeticError", "Exception"),
    ("ZeroDivisionError", "ArithmeticError"),
    ("OverflowError", "ArithmeticError"),
    ("LookupError", "Exception"),
    ("IndexError", "LookupError"),
    ("KeyError", "LookupError"),
    ("ValueError", "Exception"),
    ("TypeError", "Exception"),
    ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("AttributeError", "Exception"),
    ("RuntimeError", "Exception"),
    ("NotImplementedError", "RuntimeError"),
    ("RecursionError", "RuntimeError"),
    ("AssertionError", "Exception"),
    ("StopIteration", "Exception"),
    ("ImportError", "Exception"),
    ("ModuleNotFoundError", "ImportError"),
    ("OSError", "Exception"),
    ("FileNotFoundError", "OSError"),
    ("MemoryError", "Exception"),
    ("Warning", "Exception"),
    ("UserWarning", "Warning"),
    ("DeprecationWarning", "Warning"),
];

/// Build the class table and the builtin-name scope.
pub(crate) fn make() -> (Builtins, HashMap<&'static str, Value>) {
    let object = mk("object", ClassKind::Object, vec![], None);
    let o = Some(&object);
    let int = mk("int", ClassKind::Int, vec![object.clone()], o);
    let bool_ = mk("bool", ClassKind::Bool, vec![int.clone()], o);
    let float = mk("float", ClassKind::Float, vec![object.clone()], o);
    let str_ = mk("str", ClassKind::Str, vec![object.clone()], o);
    let list = mk("list", ClassKind::List, vec![object.clone()], o);
    let tuple = mk("tuple", ClassKind::Tuple, vec![object.clone()], o);
    let dict = mk("dict", ClassKind::Dict, vec![object.clone()], o);
    let set = mk("set", ClassKind::Set, vec![object.clone()], o);
    let type_ = mk("type", ClassKind::Type, vec![object.clone()], o);
    let none_type = mk("NoneType", ClassKind::NoneType, vec![object.clone()], o);
    let function = mk("function", ClassKind::Function, vec![object.clone()], o);
    let base_exc = mk(
        "BaseException",
        ClassKind::Exception,
        vec![object.clone()],
        o,
    );
    let mut exceptions: HashMap<&'static str, Rc<Class>> = HashMap::new();
    exceptions.insert("BaseException", base_exc);
    for (name, parent) in EXCEPTIONS {
        let p = exceptions
            .get(parent)
            .cloned()
            .unwrap_or_else(|| object.clone());
        exceptions.insert(name, mk(name, ClassKind::Exception, vec![p], o));
    }
    let exception = exceptions
        .get("Exception")
        .cloned()
        .unwrap_or_else(|| object.clone());
    let tensor = mk("Tensor", ClassKind::Tensor, vec![object.clone()], o);
    let parameter = mk("Parameter", ClassKind::Parameter, vec![tensor.clone()], o);
    let size = mk("Size", ClassKind::Size, vec![tuple.clone()], o);
    let module = mk("Module", ClassKind::Module, vec![object.clone()], o);
    let mut layers = HashMap::new();
    for (name, tag) in LAYER_CLASSES {
        layers.insert(
            *tag,
            mk(name, ClassKind::Layer(*tag), vec![module.clone()], o),
        );
    }
    let bi = Builtins {
        object,
        type_,
        int,
        float,
        bool_,
        str_,
        list,
        tuple,
        dict,
        set,
        none_type,
        function,
        exception,
        exceptions,
        tensor,
        parameter,
        size,
        module,
        layers,
    };
    let mut names: HashMap<&'static str, Value> = HashMap::new();
    for f in PY_FUNCS {
        names.insert(f, bfn(BKind::Py, f));
    }
    for (n, c) in [
        ("object", &bi.object),
        ("int", &bi.int),
        ("float", &bi.float),
        ("bool", &bi.bool_),
        ("str", &bi.str_),
        ("list", &bi.list),
        ("tuple", &bi.tuple),
        ("dict", &bi.dict),
        ("set", &bi.set),
        ("frozenset", &bi.set),
        ("type", &bi.type_),
    ] {
        names.insert(n, Value::Class(c.clone()));
    }
    for (n, c) in bi.exceptions.iter() {
        names.insert(n, Value::Class(c.clone()));
    }
    names.insert("__name__", Value::str("__main__"));
    names.insert("NotImplemented", Value::Opaque);
    names.insert("Ellipsis", Value::Ellipsis);
    names.insert("__file__", Value::Opaque);
    names.insert("bytes", Value::Opaque);
    names.insert("complex", Value::Opaque);
    names.insert("slice", Value::Opaque);
    (bi, names)
}

/// A builtin function value.
pub(crate) fn bfn(kind: BKind, name: &str) -> Value {
    Value::Builtin(Rc::new(Builtin {
        kind,
        name: name.into(),
        recv: None,
        cls: None,
    }))
}

/// A builtin method bound to a receiver.
pub(crate) fn bmethod(kind: BKind, name: &str, recv: &Value) -> Value {
    Value::Builtin(Rc::new(Builtin {
        kind,
        name: name.into(),
        recv: Some(recv.clone()),
        cls: None,
    }))
}

// ---------------------------------------------------------------------------------------------
// Imports

/// `import x` / `import x.y as z`: the modelled namespace or an opaque module.
pub(crate) fn import_module(name: &str) -> Value {
    match name {
        "torch" => Value::Namespace(Ns::Torch),
        "torch.nn" => Value::Namespace(Ns::Nn),
        "torch.nn.functional" => Value::Namespace(Ns::F),
        "torch.nn.init" => Value::Namespace(Ns::Init),
        "math" => Value::Namespace(Ns::Math),
        "collections" => Value::Namespace(Ns::Collections),
        "builtins" => Value::Namespace(Ns::Builtins),
        "copy" => Value::Namespace(Ns::Copy),
        _ => Value::Opaque,
    }
}

/// `from module import name`.
pub(crate) fn import_from(interp: &mut Interp, modv: &Value, module: &str, name: &str) -> Value {
    match modv {
        Value::Namespace(_) => interp.get_attr(modv, name).unwrap_or(Value::Opaque),
        _ => {
            let full = format!("{module}.{name}");
            match import_module(&full) {
                Value::Opaque => Value::Opaque,
                v => v,
            }
        }
    }
}

/// Names bound by `from <ns> import *`.
pub(crate) fn star_names(ns: Ns, bi: &Builtins) -> Vec<(&'static str, Value)> {
    match ns {
        Ns::Nn => {
            let mut v: Vec<(&'static str, Value)> = LAYER_CLASSES
                .iter()
                .filter_map(|(n, t)| bi.layers.get(t).map(|c| (*n, Value::Class(c.clone()))))
                .collect();
            v.push(("Module", Value::Class(bi.module.clone())));
            v.push(("Parameter", Value::Class(bi.parameter.clone())));
            v
        }
        Ns::Math => [
            "sqrt", "ceil", "floor", "log", "exp", "pi", "e", "inf", "prod",
        ]
        .iter()
        .map(|n| (*n, math_attr(n)))
        .collect(),
        _ => Vec::new(),
    }
}

fn math_attr(name: &str) -> Value {
    match name {
        "pi" => Value::Float(std::f64::consts::PI),
        "e" => Value::Float(std::f64::consts::E),
        "tau" => Value::Float(std::f64::consts::TAU),
        "inf" => Value::Float(f64::INFINITY),
        "nan" => Value::Float(f64::NAN),
        _ => bfn(BKind::Math, name),
    }
}

/// Attribute of a namespace.
fn ns_attr(interp: &Interp, ns: Ns, name: &str) -> Value {
    match ns {
        Ns::Torch => super::torchfns::torch_attr(&interp.bi, name),
        Ns::Nn => super::torchfns::nn_attr(&interp.bi, name),
        Ns::F => bfn(BKind::F, name),
        Ns::Init => bfn(BKind::Init, name),
        Ns::Math => math_attr(name),
        Ns::Collections => match name {
            "OrderedDict" => Value::Class(interp.bi.dict.clone()),
            // `Counter` counts and `defaultdict` fills missing keys: not modelled.
            _ => Value::Opaque,
        },
        Ns::Builtins => Value::Opaque,
        Ns::Copy => match name {
            "deepcopy" | "copy" => bfn(BKind::Py, name),
            _ => Value::Opaque,
        },
        Ns::Random | Ns::NnUtils => Value::Opaque,
    }
}

// ---------------------------------------------------------------------------------------------
// Calling builtins

/// Dispatch a builtin call.
pub(crate) fn call_builtin(interp: &mut Interp, b: &Rc<Builtin>, args: Args) -> R<Value> {
    match b.kind {
        BKind::Py => py_call(interp, &b.name, args),
        BKind::Math => math_call(&b.name, args),
        BKind::Torch | BKind::F | BKind::Init | BKind::TensorM => {
            super::torchfns::call(interp, b, args)
        }
        BKind::ModuleM | BKind::ClassM => super::modules::call_method(interp, b, args),
        BKind::StrM => str_method(interp, b, args),
        BKind::ListM => list_method(interp, b, args),
        BKind::DictM => dict_method(interp, b, args),
        BKind::TupleM => tuple_method(b, args),
        BKind::SetM => set_method(interp, b, args),
        // `@prop.setter` / `@prop.deleter`: the property keeps its getter.
        BKind::Misc if &*b.name == "keep_property" => Ok(b.recv.clone().unwrap_or(Value::Opaque)),
        BKind::Misc => Ok(Value::Opaque),
    }
}

fn arg0(args: &Args) -> Value {
    args.pos.first().cloned().unwrap_or(Value::None)
}

fn py_call(interp: &mut Interp, name: &str, mut args: Args) -> R<Value> {
    match name {
        "print" | "help" | "display" | "exit" | "quit" => Ok(Value::None),
        "len" => {
            if args.pos.len() != 1 {
                return type_err(format!(
                    "len() takes exactly one argument ({} given)",
                    args.pos.len()
                ));
            }
            length(interp, &args.pos[0])
        }
        "range" => {
            let a: Vec<Value> = args.pos.clone();
            if a.is_empty() || a.len() > 3 {
                return type_err(format!(
                    "range expected at least 1 argument, got {}",
                    a.len()
                ));
            }
            let mut ints = Vec::new();
            for v in &a {
                match v {
                    Value::Int(_) | Value::Bool(_) => ints.push(v.as_int().unwrap_or(0)),
                    Value::Opaque | Value::Tensor(_) => return Ok(Value::Opaque),
                    other => {
                        return type_err(format!(
                            "'{}' object cannot be interpreted as an integer",
                            other.type_name()
                        ))
                    }
                }
            }
            let (s, e, st) = match ints.len() {
                1 => (0, ints[0], 1),
                2 => (ints[0], ints[1], 1),
                _ => (ints[0], ints[1], ints[2]),
            };
            if st == 0 {
                return value_err("range() arg 3 must not be zero");
            }
            Ok(Value::Range(s, e, st))
        }
        "zip" => {
            args.take_kw("strict");
            let mut cols = Vec::new();
            for v in &args.pos {
                if v.is_opaque() {
                    return Ok(Value::Opaque);
                }
                let Some(items) = interp.items_or_opaque(v)? else {
                    return Ok(Value::Opaque);
                };
                cols.push(items);
            }
            let n = cols.iter().map(|c| c.len()).min().unwrap_or(0);
            let rows = (0..n)
                .map(|i| Value::tuple(cols.iter().map(|c| c[i].clone()).collect()))
                .collect();
            Ok(iter_of(rows))
        }
        "enumerate" => {
            let start = match args.take_kw("start").or_else(|| args.pos.get(1).cloned()) {
                Some(v) => match v.as_int() {
                    Some(i) => i,
                    None => return Ok(Value::Opaque),
                },
                None => 0,
            };
            let v = arg0(&args);
            let Some(items) = interp.items_or_opaque(&v)? else {
                return Ok(Value::Opaque);
            };
            let rows = items
                .into_iter()
                .enumerate()
                .map(|(i, x)| {
                    let k = start.checked_add(i as i64).map(Value::Int);
                    Value::tuple(vec![k.unwrap_or(Value::Opaque), x])
                })
                .collect();
            Ok(iter_of(rows))
        }
        "isinstance" => {
            if args.pos.len() != 2 {
                return type_err(format!(
                    "isinstance expected 2 arguments, got {}",
                    args.pos.len()
                ));
            }
            Ok(opt_bool(isinstance(interp, &args.pos[0], &args.pos[1])))
        }
        "issubclass" => {
            let (a, b) = (arg0(&args), args.pos.get(1).cloned().unwrap_or_default());
            Ok(match (&a, &b) {
                (Value::Class(x), Value::Class(y)) => Value::Bool(x.is_sub(y)),
                _ => Value::Opaque,
            })
        }
        "sum" => {
            let start = args
                .take_kw("start")
                .or_else(|| args.pos.get(1).cloned())
                .unwrap_or(Value::Int(0));
            let v = arg0(&args);
            let Some(items) = interp.items_or_opaque(&v)? else {
                return Ok(Value::Opaque);
            };
            let mut acc = start;
            for x in items {
                interp.tick()?;
                acc = interp.binop(Operator::Add, &acc, &x)?;
                if acc.is_opaque() {
                    return Ok(Value::Opaque);
                }
            }
            Ok(acc)
        }
        "min" | "max" => {
            let key = args.take_kw("key");
            let default = args.take_kw("default");
            let items = if args.pos.len() == 1 {
                let v = arg0(&args);
                match interp.items_or_opaque(&v)? {
                    Some(items) => items,
                    None => return Ok(Value::Opaque),
                }
            } else {
                args.pos.clone()
            };
            if items.is_empty() {
                return match default {
                    Some(d) => Ok(d),
                    None => value_err(format!("{name}() iterable argument is empty")),
                };
            }
            let mut best = items[0].clone();
            let mut best_key = match &key {
                Some(k) => interp.call(k, Args::new(vec![best.clone()]))?,
                None => best.clone(),
            };
            for x in items.into_iter().skip(1) {
                let kx = match &key {
                    Some(k) => interp.call(k, Args::new(vec![x.clone()]))?,
                    None => x.clone(),
                };
                let op = if name == "max" { CmpOp::Gt } else { CmpOp::Lt };
                match py_cmp(&kx, &best_key, op)? {
                    Some(true) => {
                        best = x;
                        best_key = kx;
                    }
                    Some(false) => {}
                    None => return Ok(Value::Opaque),
                }
            }
            Ok(best)
        }
        "abs" => match arg0(&args) {
            Value::Int(i) => Ok(i.checked_abs().map(Value::Int).unwrap_or(Value::Opaque)),
            Value::Bool(b) => Ok(Value::Int(b as i64)),
            Value::Float(f) => Ok(Value::Float(f.abs())),
            Value::Tensor(t) => Ok(Value::tensor(t.with_shape(t.shape.clone()))),
            Value::Opaque => Ok(Value::Opaque),
            other => type_err(format!(
                "bad operand type for abs(): '{}'",
                other.type_name()
            )),
        },
        "round" => {
            let nd = args.pos.get(1).cloned().or_else(|| args.take_kw("ndigits"));
            match (arg0(&args), nd) {
                (Value::Float(f), None | Some(Value::None)) => {
                    if !f.is_finite() {
                        return value_err("cannot convert float NaN to integer");
                    }
                    Ok(Value::Int(round_half_even(f) as i64))
                }
                (Value::Float(f), Some(Value::Int(n))) => {
                    let m = 10f64.powi(n.clamp(-300, 300) as i32);
                    Ok(Value::Float(round_half_even(f * m) / m))
                }
                (v @ (Value::Int(_) | Value::Bool(_)), _) => {
                    Ok(Value::Int(v.as_int().unwrap_or(0)))
                }
                _ => Ok(Value::Opaque),
            }
        }
        "pow" => {
            let (a, b) = (arg0(&args), args.pos.get(1).cloned().unwrap_or_default());
            interp.binop(Operator::Pow, &a, &b)
        }
        "divmod" => {
            let (a, b) = (arg0(&args), args.pos.get(1).cloned().unwrap_or_default());
            let q = interp.binop(Operator::FloorDiv, &a, &b)?;
            let r = interp.binop(Operator::Mod, &a, &b)?;
            Ok(Value::tuple(vec![q, r]))
        }
        "sorted" => {
            let key = args.take_kw("key");
            let rev = args
                .take_kw("reverse")
                .and_then(|v| truthy(&v))
                .unwrap_or(false);
            let v = arg0(&args);
            let Some(items) = interp.items_or_opaque(&v)? else {
                return Ok(Value::Opaque);
            };
            let items = items;
            let mut keyed = Vec::new();
            for x in items {
                let k = match &key {
                    Some(kf) => interp.call(kf, Args::new(vec![x.clone()]))?,
                    None => x.clone(),
                };
                keyed.push((k, x));
            }
            let mut unknown = false;
            let mut cmp_err = None;
            keyed.sort_by(|a, b| match py_cmp(&a.0, &b.0, CmpOp::Lt) {
                Ok(Some(true)) => std::cmp::Ordering::Less,
                Ok(Some(false)) => match py_cmp(&b.0, &a.0, CmpOp::Lt) {
                    Ok(Some(true)) => std::cmp::Ordering::Greater,
                    _ => std::cmp::Ordering::Equal,
                },
                Ok(None) => {
                    unknown = true;
                    std::cmp::Ordering::Equal
                }
                Err(e) => {
                    cmp_err.get_or_insert(e);
                    std::cmp::Ordering::Equal
                }
            });
            if let Some(e) = cmp_err {
                return Err(e);
            }
            if unknown {
                return Ok(Value::Opaque);
            }
            let mut out: Vec<Value> = keyed.into_iter().map(|(_, x)| x).collect();
            if rev {
                out.reverse();
            }
            Ok(Value::list(out))
        }
        "reversed" => {
            let v = arg0(&args);
            let Some(items) = interp.items_or_opaque(&v)? else {
                return Ok(Value::Opaque);
            };
            let mut items = items;
            items.reverse();
            Ok(iter_of(items))
        }
        "any" | "all" => {
            let v = arg0(&args);
            let Some(items) = interp.items_or_opaque(&v)? else {
                return Ok(Value::Opaque);
            };
            let items = items;
            let mut unknown = false;
            for x in items {
                match interp.truth(&x)? {
                    Some(b) => {
                        if name == "any" && b {
                            return Ok(Value::Bool(true));
                        }
                        if name == "all" && !b {
                            return Ok(Value::Bool(false));
                        }
                    }
                    None => unknown = true,
                }
            }
            if unknown {
                Ok(Value::Opaque)
            } else {
                Ok(Value::Bool(name == "all"))
            }
        }
        "map" => {
            let f = arg0(&args);
            let mut cols = Vec::new();
            for v in &args.pos[1.min(args.pos.len())..] {
                let Some(items) = interp.items_or_opaque(v)? else {
                    return Ok(Value::Opaque);
                };
                cols.push(items);
            }
            let n = cols.iter().map(|c| c.len()).min().unwrap_or(0);
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                let a: Vec<Value> = cols.iter().map(|c| c[i].clone()).collect();
                out.push(interp.call(&f, Args::new(a))?);
            }
            Ok(iter_of(out))
        }
        "filter" => {
            let f = arg0(&args);
            let v = args.pos.get(1).cloned().unwrap_or_default();
            let Some(items) = interp.items_or_opaque(&v)? else {
                return Ok(Value::Opaque);
            };
            let items = items;
            let mut out = Vec::new();
            for x in items {
                let keep = if matches!(f, Value::None) {
                    x.clone()
                } else {
                    interp.call(&f, Args::new(vec![x.clone()]))?
                };
                match interp.truth(&keep)? {
                    Some(true) => out.push(x),
                    Some(false) => {}
                    None => return Ok(Value::Opaque),
                }
            }
            Ok(iter_of(out))
        }
        "iter" => {
            let v = arg0(&args);
            match &v {
                Value::Iter(_) => Ok(v),
                _ => {
                    let Some(items) = interp.items_or_opaque(&v)? else {
                        return Ok(Value::Opaque);
                    };
                    Ok(iter_of(items))
                }
            }
        }
        "next" => {
            let v = arg0(&args);
            match &v {
                Value::Iter(it) => {
                    let mut st = it.borrow_mut();
                    if st.pos < st.items.len() {
                        st.pos += 1;
                        Ok(st.items[st.pos - 1].clone())
                    } else {
                        match args.pos.get(1) {
                            Some(d) => Ok(d.clone()),
                            None => err("StopIteration", ""),
                        }
                    }
                }
                Value::Opaque => Ok(Value::Opaque),
                Value::Object(_) => {
                    let m = interp.get_attr(&v, "__next__")?;
                    interp.call(&m, Args::default())
                }
                other => type_err(format!("'{}' object is not an iterator", other.type_name())),
            }
        }
        "hasattr" => {
            let (o, n) = (arg0(&args), args.pos.get(1).cloned().unwrap_or_default());
            let Some(n) = n.as_str().map(String::from) else {
                return Ok(Value::Opaque);
            };
            match interp.get_attr(&o, &n) {
                Ok(Value::Opaque) if !o.is_opaque() => Ok(Value::Opaque),
                Ok(Value::Opaque) => Ok(Value::Opaque),
                Ok(_) => Ok(Value::Bool(true)),
                Err(super::errors::Flow::Exc(e)) if &*e.ty == "AttributeError" => {
                    Ok(Value::Bool(false))
                }
                Err(e) => Err(e),
            }
        }
        "getattr" => {
            let (o, n) = (arg0(&args), args.pos.get(1).cloned().unwrap_or_default());
            let Some(n) = n.as_str().map(String::from) else {
                return Ok(Value::Opaque);
            };
            match (interp.get_attr(&o, &n), args.pos.get(2)) {
                (Err(super::errors::Flow::Exc(e)), Some(d)) if &*e.ty == "AttributeError" => {
                    Ok(d.clone())
                }
                (r, _) => r,
            }
        }
        "setattr" => {
            let (o, n) = (arg0(&args), args.pos.get(1).cloned().unwrap_or_default());
            let v = args.pos.get(2).cloned().unwrap_or_default();
            match n.as_str() {
                Some(n) => {
                    let n = n.to_string();
                    interp.set_attr(&o, &n, v)?;
                }
                None => {
                    if let Some((_, m)) = o.as_module() {
                        m.borrow_mut().uncertain = true;
                    }
                }
            }
            Ok(Value::None)
        }
        "delattr" => Ok(Value::None),
        "callable" => Ok(match arg0(&args) {
            Value::Func(_) | Value::Method(_) | Value::Builtin(_) | Value::Class(_) => {
                Value::Bool(true)
            }
            Value::Object(o) => {
                Value::Bool(o.module.is_some() || o.class.lookup("__call__").is_some())
            }
            Value::Opaque => Value::Opaque,
            _ => Value::Bool(false),
        }),
        "repr" => Ok(repr(&arg0(&args))
            .map(|s| Value::Str(s.into()))
            .unwrap_or(Value::Opaque)),
        "format" => {
            let spec = args
                .pos
                .get(1)
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            Ok(format_value(&arg0(&args), &spec)
                .map(|s| Value::Str(s.into()))
                .unwrap_or(Value::Opaque))
        }
        "chr" => Ok(
            match arg0(&args)
                .as_int()
                .and_then(|i| u32::try_from(i).ok())
                .and_then(char::from_u32)
            {
                Some(c) => Value::Str(c.to_string().into()),
                None => Value::Opaque,
            },
        ),
        "ord" => Ok(
            match arg0(&args).as_str().map(|s| s.chars().collect::<Vec<_>>()) {
                Some(c) if c.len() == 1 => Value::Int(c[0] as i64),
                _ => Value::Opaque,
            },
        ),
        "hex" => Ok(match arg0(&args).as_int() {
            Some(i) if i >= 0 => Value::Str(format!("0x{i:x}").into()),
            Some(i) => Value::Str(format!("-0x{:x}", i.unsigned_abs()).into()),
            None => Value::Opaque,
        }),
        "bin" => Ok(match arg0(&args).as_int() {
            Some(i) if i >= 0 => Value::Str(format!("0b{i:b}").into()),
            Some(i) => Value::Str(format!("-0b{:b}", i.unsigned_abs()).into()),
            None => Value::Opaque,
        }),
        "super" => {
            let (c, o) = (
                arg0(&args),
                args.pos.get(1).cloned().unwrap_or(Value::Opaque),
            );
            match c {
                Value::Class(c) => Ok(Value::Super(Rc::new((c, o)))),
                _ => Ok(Value::Opaque),
            }
        }
        "deepcopy" => Ok(super::modules::deep_copy(&arg0(&args))),
        "copy" => Ok(match arg0(&args) {
            Value::List(l) => Value::list(l.borrow().clone()),
            Value::Dict(d) => Value::Dict(Rc::new(RefCell::new(d.borrow().clone()))),
            other => other,
        }),
        "staticmethod" => Ok(Value::Wrapped(Rc::new((WrapKind::Static, arg0(&args))))),
        "classmethod" => Ok(Value::Wrapped(Rc::new((
            WrapKind::ClassMethod,
            arg0(&args),
        )))),
        "property" => Ok(Value::Wrapped(Rc::new((WrapKind::Property, arg0(&args))))),
        _ => Ok(Value::Opaque),
    }
}

fn round_half_even(f: f64) -> f64 {
    let r = f.round();
    if (f - f.trunc()).abs() == 0.5 {
        2.0 * (f / 2.0).round()
    } else {
        r
    }
}

fn opt_bool(b: Option<bool>) -> Value {
    b.map(Value::Bool).unwrap_or(Value::Opaque)
}

/// A materialised iterator.
pub(crate) fn iter_of(items: Vec<Value>) -> Value {
    Value::Iter(Rc::new(RefCell::new(IterState { items, pos: 0 })))
}

/// `len(v)`.
pub(crate) fn length(interp: &mut Interp, v: &Value) -> R<Value> {
    Ok(match v {
        Value::Str(s) => Value::Int(s.chars().count() as i64),
        Value::List(l) | Value::Set(l) => Value::Int(l.borrow().len() as i64),
        Value::Tuple(t) | Value::Size(t) => Value::Int(t.len() as i64),
        Value::Dict(d) => Value::Int(d.borrow().items.len() as i64),
        Value::Range(a, b, s) => Value::Int(range_len(*a, *b, *s)),
        Value::Iter(_) => return type_err("object of type 'iterator' has no len()"),
        Value::Tensor(t) => match t.shape.first() {
            Some(d) => d.map(Value::Int).unwrap_or(Value::Opaque),
            None => return type_err("len() of a 0-d tensor"),
        },
        Value::Object(o) => {
            if let Some(m) = &o.module {
                let m = m.borrow();
                if m.layer.is_container() {
                    return Ok(Value::Int(m.modules.len() as i64));
                }
            }
            if o.class.lookup("__len__").is_some() {
                let f = interp.get_attr(v, "__len__")?;
                return interp.call(&f, Args::default());
            }
            if o.class.opaque_base {
                return Ok(Value::Opaque);
            }
            return type_err(format!("object of type '{}' has no len()", o.class.name));
        }
        Value::Opaque => Value::Opaque,
        other => {
            return type_err(format!(
                "object of type '{}' has no len()",
                other.type_name()
            ))
        }
    })
}

/// The class of a value (for `type()` and `isinstance`).
pub(crate) fn type_of(bi: &Builtins, v: &Value) -> Option<Rc<Class>> {
    Some(match v {
        Value::None => bi.none_type.clone(),
        Value::Bool(_) => bi.bool_.clone(),
        Value::Int(_) => bi.int.clone(),
        Value::Float(_) => bi.float.clone(),
        Value::Str(_) => bi.str_.clone(),
        Value::Tuple(_) => bi.tuple.clone(),
        Value::List(_) => bi.list.clone(),
        Value::Dict(_) => bi.dict.clone(),
        Value::Set(_) => bi.set.clone(),
        Value::Size(_) => bi.size.clone(),
        Value::Tensor(t) => {
            if t.is_param {
                bi.parameter.clone()
            } else {
                bi.tensor.clone()
            }
        }
        Value::Class(_) => bi.type_.clone(),
        Value::Func(_) => bi.function.clone(),
        Value::Object(o) => o.class.clone(),
        _ => return None,
    })
}

/// `isinstance(v, cls)`; `None` when unknown.
pub(crate) fn isinstance(interp: &Interp, v: &Value, cls: &Value) -> Option<bool> {
    match cls {
        Value::Class(c) => {
            if v.is_opaque() {
                return None;
            }
            let t = type_of(&interp.bi, v)?;
            if t.is_sub(c) {
                return Some(true);
            }
            if t.opaque_base {
                return None;
            }
            Some(false)
        }
        Value::Tuple(t) => {
            let mut unknown = false;
            for c in t.iter() {
                match isinstance(interp, v, c) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(false)
            }
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Constructors of built-in classes

/// Call a built-in class.
pub(crate) fn construct(interp: &mut Interp, cls: &Rc<Class>, mut args: Args) -> R<Value> {
    let a0 = args.pos.first().cloned();
    match cls.kind {
        ClassKind::Int => {
            let base = args.pos.get(1).cloned().or_else(|| args.take_kw("base"));
            Ok(match (a0, base) {
                (None, _) => Value::Int(0),
                (Some(v @ (Value::Int(_) | Value::Bool(_))), _) => {
                    Value::Int(v.as_int().unwrap_or(0))
                }
                (Some(Value::Float(f)), _) => {
                    if f.is_nan() {
                        return value_err("cannot convert float NaN to integer");
                    }
                    if f.is_infinite() {
                        return err("OverflowError", "cannot convert float infinity to integer");
                    }
                    if f.abs() < 9.2e18 {
                        Value::Int(f.trunc() as i64)
                    } else {
                        Value::Opaque
                    }
                }
                (Some(Value::Str(s)), b) => {
                    let radix = b.and_then(|b| b.as_int()).unwrap_or(10) as u32;
                    let t = s.trim().replace('_', "");
                    match i64::from_str_radix(&t, radix.clamp(2, 36)) {
                        Ok(i) => Value::Int(i),
                        Err(_) => {
                            return value_err(format!(
                                "invalid literal for int() with base {radix}: {}",
                                repr(&Value::Str(s.clone())).unwrap_or_default()
                            ))
                        }
                    }
                }
                _ => Value::Opaque,
            })
        }
        ClassKind::Float => Ok(match a0 {
            None => Value::Float(0.0),
            Some(v @ (Value::Int(_) | Value::Bool(_) | Value::Float(_))) => {
                Value::Float(v.as_f64().unwrap_or(0.0))
            }
            Some(Value::Str(s)) => {
                let t = s.trim().to_ascii_lowercase();
                let f = match t.as_str() {
                    "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
                    "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
                    "nan" => Some(f64::NAN),
                    _ => t.parse::<f64>().ok(),
                };
                match f {
                    Some(f) => Value::Float(f),
                    None => {
                        return value_err(format!(
                            "could not convert string to float: {}",
                            repr(&Value::Str(s.clone())).unwrap_or_default()
                        ))
                    }
                }
            }
            Some(Value::Tensor(t)) => {
                if let Some(n) = t.numel() {
                    if n != 1 {
                        return err(
                            "RuntimeError",
                            format!("a Tensor with {n} elements cannot be converted to Scalar"),
                        );
                    }
                }
                Value::Opaque
            }
            _ => Value::Opaque,
        }),
        ClassKind::Bool => Ok(match a0 {
            None => Value::Bool(false),
            Some(v) => opt_bool(interp.truth(&v)?),
        }),
        ClassKind::Str => Ok(match a0 {
            None => Value::str(""),
            Some(v) => match &v {
                Value::Object(o) if o.class.lookup("__str__").is_some() => {
                    let f = interp.get_attr(&v, "__str__")?;
                    interp.call(&f, Args::default())?
                }
                Value::Object(o) if o.class.lookup("__repr__").is_some() => {
                    let f = interp.get_attr(&v, "__repr__")?;
                    interp.call(&f, Args::default())?
                }
                _ => to_str(&v)
                    .map(|s| Value::Str(s.into()))
                    .unwrap_or(Value::Opaque),
            },
        }),
        ClassKind::List | ClassKind::Tuple | ClassKind::Set => {
            let items = match a0 {
                None => Vec::new(),
                Some(v) => {
                    let Some(items) = interp.items_or_opaque(&v)? else {
                        return Ok(Value::Opaque);
                    };
                    items
                }
            };
            Ok(match cls.kind {
                ClassKind::List => Value::list(items),
                ClassKind::Tuple => Value::tuple(items),
                _ => {
                    let mut out: Vec<Value> = Vec::new();
                    for x in items {
                        if !out.iter().any(|y| py_eq(y, &x) == Some(true)) {
                            out.push(x);
                        }
                    }
                    Value::Set(Rc::new(RefCell::new(out)))
                }
            })
        }
        ClassKind::Dict => {
            let mut d = Dict::default();
            if let Some(v) = a0 {
                match &v {
                    Value::Dict(o) => d = o.borrow().clone(),
                    Value::Opaque => return Ok(Value::Opaque),
                    _ => {
                        let Some(pairs) = interp.items_or_opaque(&v)? else {
                            return Ok(Value::Opaque);
                        };
                        for pair in pairs {
                            let kv = interp.iterate(&pair)?;
                            if kv.len() != 2 {
                                return value_err(format!(
                                    "dictionary update sequence element #0 has length {}; 2 is required",
                                    kv.len()
                                ));
                            }
                            d.set(kv[0].clone(), kv[1].clone());
                        }
                    }
                }
            }
            for (k, v) in args.kw {
                d.set(Value::Str(k), v);
            }
            Ok(Value::Dict(Rc::new(RefCell::new(d))))
        }
        ClassKind::Type => Ok(match (args.pos.len(), a0) {
            (1, Some(v)) => type_of(&interp.bi, &v)
                .map(Value::Class)
                .unwrap_or(Value::Opaque),
            _ => Value::Opaque,
        }),
        ClassKind::Object => Ok(Value::Object(Rc::new(Object {
            class: cls.clone(),
            dict: RefCell::new(HashMap::new()),
            module: None,
        }))),
        ClassKind::Exception => {
            let o = Object {
                class: cls.clone(),
                dict: RefCell::new(HashMap::new()),
                module: None,
            };
            o.dict
                .borrow_mut()
                .insert("args".into(), Value::tuple(args.pos));
            Ok(Value::Object(Rc::new(o)))
        }
        ClassKind::NoneType | ClassKind::Function => Ok(Value::Opaque),
        ClassKind::Tensor | ClassKind::Parameter | ClassKind::Size => {
            super::torchfns::construct(interp, cls.kind, args)
        }
        ClassKind::Module | ClassKind::Layer(_) => {
            let this = super::modules::new_module(cls);
            builtin_init(interp, &this, cls.kind, false, args)?;
            Ok(this)
        }
        ClassKind::User => Ok(Value::Opaque),
    }
}

// ---------------------------------------------------------------------------------------------
// Attributes of plain values

/// Attribute lookup on non-object values.
pub(crate) fn value_attr(interp: &mut Interp, v: &Value, name: &str) -> R<Value> {
    let no_attr = |tn: &str| {
        err(
            "AttributeError",
            format!("'{tn}' object has no attribute '{name}'"),
        )
    };
    match v {
        Value::Namespace(ns) => Ok(ns_attr(interp, *ns, name)),
        Value::Tensor(t) => super::torchfns::tensor_attr(interp, v, t, name),
        Value::Wrapped(w) if w.0 == WrapKind::Property => Ok(match name {
            "setter" | "deleter" | "getter" => bmethod(BKind::Misc, "keep_property", v),
            _ => Value::Opaque,
        }),
        Value::Str(_) => {
            if STR_METHODS.contains(&name) {
                Ok(bmethod(BKind::StrM, name, v))
            } else {
                no_attr("str")
            }
        }
        Value::List(_) => {
            if LIST_METHODS.contains(&name) {
                Ok(bmethod(BKind::ListM, name, v))
            } else {
                no_attr("list")
            }
        }
        Value::Dict(_) => {
            if DICT_METHODS.contains(&name) {
                Ok(bmethod(BKind::DictM, name, v))
            } else {
                no_attr("dict")
            }
        }
        Value::Set(_) => {
            if SET_METHODS.contains(&name) {
                Ok(bmethod(BKind::SetM, name, v))
            } else {
                no_attr("set")
            }
        }
        Value::Tuple(_) | Value::Size(_) => {
            if ["count", "index", "numel"].contains(&name) {
                Ok(bmethod(BKind::TupleM, name, v))
            } else {
                no_attr(if matches!(v, Value::Size(_)) {
                    "torch.Size"
                } else {
                    "tuple"
                })
            }
        }
        Value::Func(f) => Ok(match name {
            "__name__" => Value::Str(f.name.clone()),
            "__qualname__" => Value::Str(f.qualname.clone()),
            _ => Value::Opaque,
        }),
        Value::Device(d) => Ok(match name {
            "type" => Value::Str(d.split(':').next().unwrap_or("cpu").into()),
            _ => Value::Opaque,
        }),
        Value::DType(d) => Ok(match name {
            "is_floating_point" => Value::Bool(d.is_float()),
            _ => Value::Opaque,
        }),
        Value::Int(_) | Value::Bool(_) | Value::Float(_) => Ok(match (v, name) {
            (Value::Int(i), "real" | "numerator") => Value::Int(*i),
            (Value::Float(f), "real") => Value::Float(*f),
            _ => Value::Opaque,
        }),
        Value::None => no_attr("NoneType"),
        Value::Range(a, b, s) => Ok(match name {
            "start" => Value::Int(*a),
            "stop" => Value::Int(*b),
            "step" => Value::Int(*s),
            _ => Value::Opaque,
        }),
        _ => Ok(Value::Opaque),
    }
}

const STR_METHODS: &[&str] = &[
    "format",
    "join",
    "upper",
    "lower",
    "strip",
    "lstrip",
    "rstrip",
    "split",
    "rsplit",
    "replace",
    "startswith",
    "endswith",
    "title",
    "capitalize",
    "center",
    "ljust",
    "rjust",
    "zfill",
    "find",
    "count",
    "isdigit",
    "isalpha",
    "splitlines",
    "encode",
    "index",
    "rfind",
    "casefold",
    "isupper",
    "islower",
    "isspace",
    "isalnum",
    "partition",
    "swapcase",
    "expandtabs",
];
const LIST_METHODS: &[&str] = &[
    "append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "clear",
    "copy",
];
const DICT_METHODS: &[&str] = &[
    "keys",
    "values",
    "items",
    "get",
    "pop",
    "update",
    "setdefault",
    "copy",
    "clear",
    "popitem",
    "move_to_end",
];
const SET_METHODS: &[&str] = &[
    "add",
    "remove",
    "discard",
    "update",
    "union",
    "intersection",
    "copy",
    "pop",
    "clear",
];

fn recv_of(b: &Builtin) -> Value {
    b.recv.clone().unwrap_or(Value::Opaque)
}

fn str_method(interp: &mut Interp, b: &Builtin, args: Args) -> R<Value> {
    let Value::Str(s) = recv_of(b) else {
        return Ok(Value::Opaque);
    };
    let a0 = args.pos.first().cloned();
    let sv = |x: String| Ok(Value::Str(x.into()));
    match &*b.name {
        "format" => match str_format(&s, &args)? {
            Some(x) => sv(x),
            None => Ok(Value::Opaque),
        },
        "join" => {
            let v = a0.unwrap_or_default();
            let Some(items) = interp.items_or_opaque(&v)? else {
                return Ok(Value::Opaque);
            };
            let items = items;
            let mut parts = Vec::new();
            for it in items {
                match it {
                    Value::Str(x) => parts.push(x.to_string()),
                    Value::Opaque => return Ok(Value::Opaque),
                    other => {
                        return type_err(format!(
                            "sequence item 0: expected str instance, {} found",
                            other.type_name()
                        ))
                    }
                }
            }
            let out = parts.join(&s);
            interp.charge(out.len() as u64 / 16)?;
            sv(out)
        }
        "upper" => sv(s.to_uppercase()),
        "lower" | "casefold" => sv(s.to_lowercase()),
        "strip" => sv(match a0.as_ref().and_then(|v| v.as_str()) {
            Some(c) => s.trim_matches(|x| c.contains(x)).to_string(),
            None => s.trim().to_string(),
        }),
        "lstrip" => sv(s.trim_start().to_string()),
        "rstrip" => sv(match a0.as_ref().and_then(|v| v.as_str()) {
            Some(c) => s.trim_end_matches(|x| c.contains(x)).to_string(),
            None => s.trim_end().to_string(),
        }),
        "split" | "rsplit" => {
            let parts: Vec<Value> = match a0.as_ref().and_then(|v| v.as_str()) {
                Some(sep) if !sep.is_empty() => {
                    s.split(sep).map(|x| Value::Str(x.into())).collect()
                }
                Some(_) => return value_err("empty separator"),
                None => s.split_whitespace().map(|x| Value::Str(x.into())).collect(),
            };
            // Each part is a text of its own besides its place in the list.
            interp.alloc(parts.len() as u64 * super::interp::ITEM_BYTES)?;
            Ok(Value::list(parts))
        }
        "splitlines" => Ok(Value::list(
            s.lines().map(|x| Value::Str(x.into())).collect(),
        )),
        "replace" => {
            let (Some(Value::Str(a)), Some(Value::Str(c))) = (a0, args.pos.get(1).cloned()) else {
                return Ok(Value::Opaque);
            };
            let n = if a.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(&*a).count()
            } as u64;
            let len = (s.len() as u64)
                .saturating_sub(n.saturating_mul(a.len() as u64))
                .saturating_add(n.saturating_mul(c.len() as u64));
            interp.will_alloc(len, true)?;
            let out = s.replace(&*a, &c);
            sv(out)
        }
        "startswith" | "endswith" => {
            let pats: Vec<String> = match a0 {
                Some(Value::Str(p)) => vec![p.to_string()],
                Some(Value::Tuple(t)) => t
                    .iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect(),
                _ => return Ok(Value::Opaque),
            };
            let r = pats.iter().any(|p| {
                if &*b.name == "startswith" {
                    s.starts_with(p.as_str())
                } else {
                    s.ends_with(p.as_str())
                }
            });
            Ok(Value::Bool(r))
        }
        "title" => sv(s
            .split(' ')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")),
        "capitalize" => {
            let mut c = s.chars();
            sv(match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            })
        }
        "center" | "ljust" | "rjust" | "zfill" => {
            let w = a0.and_then(|v| v.as_int()).unwrap_or(0).clamp(0, 10_000) as usize;
            let n = s.chars().count();
            if n >= w {
                return sv(s.to_string());
            }
            let pad = w - n;
            sv(match &*b.name {
                "ljust" => format!("{s}{}", " ".repeat(pad)),
                "rjust" => format!("{}{s}", " ".repeat(pad)),
                "zfill" => format!("{}{s}", "0".repeat(pad)),
                _ => format!("{}{s}{}", " ".repeat(pad / 2), " ".repeat(pad - pad / 2)),
            })
        }
        "find" | "index" | "rfind" => {
            let Some(Value::Str(p)) = a0 else {
                return Ok(Value::Opaque);
            };
            let r = if &*b.name == "rfind" {
                s.rfind(&*p)
            } else {
                s.find(&*p)
            };
            match r {
                Some(i) => Ok(Value::Int(s[..i].chars().count() as i64)),
                None if &*b.name == "index" => value_err("substring not found"),
                None => Ok(Value::Int(-1)),
            }
        }
        "count" => {
            let Some(Value::Str(p)) = a0 else {
                return Ok(Value::Opaque);
            };
            if p.is_empty() {
                return Ok(Value::Int(s.chars().count() as i64 + 1));
            }
            Ok(Value::Int(s.matches(&*p).count() as i64))
        }
        "isdigit" => Ok(Value::Bool(
            !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
        )),
        "isalpha" => Ok(Value::Bool(
            !s.is_empty() && s.chars().all(|c| c.is_alphabetic()),
        )),
        "isalnum" => Ok(Value::Bool(
            !s.is_empty() && s.chars().all(|c| c.is_alphanumeric()),
        )),
        "isspace" => Ok(Value::Bool(
            !s.is_empty() && s.chars().all(|c| c.is_whitespace()),
        )),
        "isupper" => Ok(Value::Bool(
            s.chars().any(|c| c.is_uppercase()) && !s.chars().any(|c| c.is_lowercase()),
        )),
        "islower" => Ok(Value::Bool(
            s.chars().any(|c| c.is_lowercase()) && !s.chars().any(|c| c.is_uppercase()),
        )),
        _ => Ok(Value::Opaque),
    }
}

fn list_method(interp: &mut Interp, b: &Builtin, mut args: Args) -> R<Value> {
    let recv = recv_of(b);
    let Value::List(l) = &recv else {
        return Ok(Value::Opaque);
    };
    let a0 = args.pos.first().cloned();
    match &*b.name {
        "append" => {
            if args.pos.len() != 1 {
                return type_err(format!(
                    "list.append() takes exactly one argument ({} given)",
                    args.pos.len()
                ));
            }
            interp.tick()?;
            l.borrow_mut().push(a0.unwrap_or_default());
            Ok(Value::None)
        }
        "extend" => {
            let v = a0.unwrap_or_default();
            let Some(items) = interp.items_or_opaque(&v)? else {
                // Unknown contents: the list is no longer known.
                l.borrow_mut().push(Value::Opaque);
                return Ok(Value::None);
            };
            interp.alloc(items.len() as u64 * super::interp::ITEM_BYTES)?;
            l.borrow_mut().extend(items);
            Ok(Value::None)
        }
        "insert" => {
            let i = a0.and_then(|v| v.as_int()).unwrap_or(0);
            let v = args.pos.get(1).cloned().unwrap_or_default();
            let mut lb = l.borrow_mut();
            let n = lb.len() as i64;
            let idx = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
            lb.insert(idx, v);
            Ok(Value::None)
        }
        "pop" => {
            let mut lb = l.borrow_mut();
            if lb.is_empty() {
                return index_err("pop from empty list");
            }
            let n = lb.len() as i64;
            let i = a0.and_then(|v| v.as_int()).unwrap_or(-1);
            let idx = if i < 0 { i + n } else { i };
            if idx < 0 || idx >= n {
                return index_err("pop index out of range");
            }
            Ok(lb.remove(idx as usize))
        }
        "remove" => {
            let v = a0.unwrap_or_default();
            interp.transient(l.borrow().len() as u64 * super::interp::ITEM_BYTES)?;
            let mut lb = l.borrow_mut();
            match lb.iter().position(|x| py_eq(x, &v) == Some(true)) {
                Some(i) => {
                    lb.remove(i);
                    Ok(Value::None)
                }
                None => value_err("list.remove(x): x not in list"),
            }
        }
        "index" => {
            let v = a0.unwrap_or_default();
            interp.transient(l.borrow().len() as u64 * super::interp::ITEM_BYTES)?;
            let lb = l.borrow();
            match lb.iter().position(|x| py_eq(x, &v) == Some(true)) {
                Some(i) => Ok(Value::Int(i as i64)),
                None => Ok(Value::Opaque),
            }
        }
        "count" => {
            let v = a0.unwrap_or_default();
            interp.transient(l.borrow().len() as u64 * super::interp::ITEM_BYTES)?;
            Ok(Value::Int(
                l.borrow()
                    .iter()
                    .filter(|x| py_eq(x, &v) == Some(true))
                    .count() as i64,
            ))
        }
        "reverse" => {
            l.borrow_mut().reverse();
            Ok(Value::None)
        }
        "sort" => {
            let key = args.take_kw("key");
            let rev = args.take_kw("reverse");
            let mut a = Args::new(vec![recv.clone()]);
            if let Some(k) = key {
                a.kw.push(("key".into(), k));
            }
            if let Some(r) = rev {
                a.kw.push(("reverse".into(), r));
            }
            match py_call(interp, "sorted", a)? {
                Value::List(sorted) => {
                    let v = sorted.borrow().clone();
                    *l.borrow_mut() = v;
                }
                _ => {
                    let n = l.borrow().len();
                    *l.borrow_mut() = vec![Value::Opaque; n];
                }
            }
            Ok(Value::None)
        }
        "clear" => {
            l.borrow_mut().clear();
            Ok(Value::None)
        }
        "copy" => Ok(Value::list(l.borrow().clone())),
        _ => Ok(Value::Opaque),
    }
}

fn dict_method(interp: &mut Interp, b: &Builtin, args: Args) -> R<Value> {
    let Value::Dict(d) = recv_of(b) else {
        return Ok(Value::Opaque);
    };
    let a0 = args.pos.first().cloned();
    match &*b.name {
        "keys" => Ok(Value::list(
            d.borrow().items.iter().map(|(k, _)| k.clone()).collect(),
        )),
        "values" => Ok(Value::list(
            d.borrow().items.iter().map(|(_, v)| v.clone()).collect(),
        )),
        "items" => Ok(Value::list(
            d.borrow()
                .items
                .iter()
                .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
                .collect(),
        )),
        "get" => {
            let k = a0.unwrap_or_default();
            if k.is_opaque() {
                return Ok(Value::Opaque);
            }
            Ok(d.borrow()
                .get(&k)
                .unwrap_or_else(|| args.pos.get(1).cloned().unwrap_or(Value::None)))
        }
        "pop" => {
            let k = a0.unwrap_or_default();
            let mut db = d.borrow_mut();
            match db.find(&k) {
                Some(i) => Ok(db.items.remove(i).1),
                None => match args.pos.get(1) {
                    Some(dflt) => Ok(dflt.clone()),
                    None => err("KeyError", repr(&k).unwrap_or_default()),
                },
            }
        }
        "setdefault" => {
            let k = a0.unwrap_or_default();
            let dflt = args.pos.get(1).cloned().unwrap_or(Value::None);
            let mut db = d.borrow_mut();
            match db.get(&k) {
                Some(v) => Ok(v),
                None => {
                    db.set(k, dflt.clone());
                    Ok(dflt)
                }
            }
        }
        "update" => {
            if let Some(v) = a0 {
                match v {
                    Value::Dict(o) => {
                        let items = o.borrow().items.clone();
                        let mut db = d.borrow_mut();
                        for (k, v) in items {
                            db.set(k, v);
                        }
                    }
                    other => {
                        for pair in interp.iterate(&other)? {
                            let kv = interp.iterate(&pair)?;
                            if kv.len() == 2 {
                                d.borrow_mut().set(kv[0].clone(), kv[1].clone());
                            }
                        }
                    }
                }
            }
            for (k, v) in args.kw {
                d.borrow_mut().set(Value::Str(k), v);
            }
            Ok(Value::None)
        }
        "copy" => Ok(Value::Dict(Rc::new(RefCell::new(d.borrow().clone())))),
        "clear" => {
            d.borrow_mut().items.clear();
            Ok(Value::None)
        }
        "popitem" => {
            let mut db = d.borrow_mut();
            match db.items.pop() {
                Some((k, v)) => Ok(Value::tuple(vec![k, v])),
                None => err("KeyError", "'popitem(): dictionary is empty'"),
            }
        }
        _ => Ok(Value::Opaque),
    }
}

fn tuple_method(b: &Builtin, args: Args) -> R<Value> {
    let (Value::Tuple(t) | Value::Size(t)) = recv_of(b) else {
        return Ok(Value::Opaque);
    };
    let a0 = args.pos.first().cloned().unwrap_or_default();
    match &*b.name {
        "count" => Ok(Value::Int(
            t.iter().filter(|x| py_eq(x, &a0) == Some(true)).count() as i64,
        )),
        "index" => match t.iter().position(|x| py_eq(x, &a0) == Some(true)) {
            Some(i) => Ok(Value::Int(i as i64)),
            None => value_err("tuple.index(x): x not in tuple"),
        },
        "numel" => Ok(super::value::checked_product(t.iter().map(|x| x.as_int()))
            .map(Value::Int)
            .unwrap_or(Value::Opaque)),
        _ => Ok(Value::Opaque),
    }
}

fn set_method(interp: &mut Interp, b: &Builtin, args: Args) -> R<Value> {
    let Value::Set(s) = recv_of(b) else {
        return Ok(Value::Opaque);
    };
    let a0 = args.pos.first().cloned().unwrap_or_default();
    match &*b.name {
        "add" => {
            let mut sb = s.borrow_mut();
            if !sb.iter().any(|x| py_eq(x, &a0) == Some(true)) {
                sb.push(a0);
            }
            Ok(Value::None)
        }
        "update" | "union" => {
            let items = interp.iterate(&a0)?;
            let target = if &*b.name == "union" {
                Rc::new(RefCell::new(s.borrow().clone()))
            } else {
                s.clone()
            };
            for x in items {
                let mut sb = target.borrow_mut();
                if !sb.iter().any(|y| py_eq(y, &x) == Some(true)) {
                    sb.push(x);
                }
            }
            Ok(if &*b.name == "union" {
                Value::Set(target)
            } else {
                Value::None
            })
        }
        "discard" | "remove" => {
            s.borrow_mut().retain(|x| py_eq(x, &a0) != Some(true));
            Ok(Value::None)
        }
        "copy" => Ok(Value::Set(Rc::new(RefCell::new(s.borrow().clone())))),
        "clear" => {
            s.borrow_mut().clear();
            Ok(Value::None)
        }
        _ => Ok(Value::Opaque),
    }
}

fn math_call(name: &str, args: Args) -> R<Value> {
    let a: Vec<Option<f64>> = args.pos.iter().map(|v| v.as_f64()).collect();
    if a.iter().any(|x| x.is_none()) {
        return Ok(Value::Opaque);
    }
    let a: Vec<f64> = a.into_iter().flatten().collect();
    let x = a.first().copied().unwrap_or(0.0);
    let domain = || value_err("math domain error");
    Ok(match name {
        "sqrt" => {
            if x < 0.0 {
                return domain();
            }
            Value::Float(x.sqrt())
        }
        "ceil" | "floor" | "trunc" => {
            let r = match name {
                "ceil" => x.ceil(),
                "floor" => x.floor(),
                _ => x.trunc(),
            };
            if r.is_finite() && r.abs() < 9.2e18 {
                Value::Int(r as i64)
            } else {
                Value::Opaque
            }
        }
        "log" => {
            if x <= 0.0 {
                return domain();
            }
            match a.get(1) {
                Some(b) => Value::Float(x.ln() / b.ln()),
                None => Value::Float(x.ln()),
            }
        }
        "log2" | "log10" => {
            if x <= 0.0 {
                return domain();
            }
            Value::Float(if name == "log2" { x.log2() } else { x.log10() })
        }
        "exp" => Value::Float(x.exp()),
        "sin" => Value::Float(x.sin()),
        "cos" => Value::Float(x.cos()),
        "tan" => Value::Float(x.tan()),
        "tanh" => Value::Float(x.tanh()),
        "fabs" => Value::Float(x.abs()),
        "pow" => Value::Float(x.powf(a.get(1).copied().unwrap_or(1.0))),
        "isclose" => {
            Value::Bool((x - a.get(1).copied().unwrap_or(0.0)).abs() <= 1e-9 * x.abs().max(1.0))
        }
        "prod" => {
            let items: Vec<Value> = match args.pos.first() {
                Some(Value::List(l)) => l.borrow().clone(),
                Some(Value::Tuple(t) | Value::Size(t)) => t.to_vec(),
                _ => return Ok(Value::Opaque),
            };
            match super::value::checked_product(items.iter().map(|v| v.as_int())) {
                Some(p) => Value::Int(p),
                None => Value::Opaque,
            }
        }
        "gcd" => {
            let (mut p, mut q) = (
                args.pos
                    .first()
                    .and_then(|v| v.as_int())
                    .unwrap_or(0)
                    .unsigned_abs(),
                args.pos
                    .get(1)
                    .and_then(|v| v.as_int())
                    .unwrap_or(0)
                    .unsigned_abs(),
            );
            while q != 0 {
                let t = p % q;
                p = q;
                q = t;
            }
            Value::Int(p as i64)
        }
        "isqrt" => Value::Int((x.max(0.0)).sqrt().floor() as i64),
        _ => Value::Opaque,
    })
}

// ---------------------------------------------------------------------------------------------
// Operators

fn num_kind(v: &Value) -> Option<bool> {
    // Some(false) = int-like, Some(true) = float.
    match v {
        Value::Int(_) | Value::Bool(_) => Some(false),
        Value::Float(_) => Some(true),
        _ => None,
    }
}

/// Python arithmetic over non-object values.
pub(crate) fn binop(interp: &mut Interp, op: Operator, l: &Value, r: &Value) -> R<Value> {
    use Value as V;
    if matches!(l, V::Tensor(_)) || matches!(r, V::Tensor(_)) {
        return super::torchfns::tensor_binop(interp, op, l, r);
    }
    if l.is_opaque() || r.is_opaque() {
        return Ok(V::Opaque);
    }
    if let (Some(lf), Some(rf)) = (num_kind(l), num_kind(r)) {
        if !lf && !rf {
            let (a, b) = (l.as_int().unwrap_or(0), r.as_int().unwrap_or(0));
            return int_op(op, a, b);
        }
        let (a, b) = (l.as_f64().unwrap_or(0.0), r.as_f64().unwrap_or(0.0));
        return float_op(op, a, b);
    }
    let sym = op.as_str();
    let unsupported = || {
        type_err(format!(
            "unsupported operand type(s) for {sym}: '{}' and '{}'",
            l.type_name(),
            r.type_name()
        ))
    };
    match (op, l, r) {
        (Operator::Add, V::Str(a), V::Str(b)) => {
            interp.will_alloc((a.len() + b.len()) as u64, true)?;
            Ok(V::Str(format!("{a}{b}").into()))
        }
        (Operator::Add, V::Str(_), other) => type_err(format!(
            "can only concatenate str (not \"{}\") to str",
            other.type_name()
        )),
        (Operator::Mult, V::Str(s), n) | (Operator::Mult, n, V::Str(s)) if n.as_int().is_some() => {
            let k = n.as_int().unwrap_or(0).max(0) as u64;
            let total = k.saturating_mul(s.len() as u64);
            interp.will_alloc(total, true)?;
            Ok(V::Str(s.repeat(k as usize).into()))
        }
        (Operator::Mod, V::Str(s), args) => Ok(match percent_format(s, args) {
            Some(x) => V::Str(x.into()),
            None => V::Opaque,
        }),
        (Operator::Add, V::List(a), V::List(b)) => {
            let n = (a.borrow().len() + b.borrow().len()) as u64;
            interp.will_alloc(n * super::interp::ITEM_BYTES, false)?;
            let mut v = a.borrow().clone();
            v.extend(b.borrow().iter().cloned());
            Ok(V::list(v))
        }
        (Operator::Add, V::List(_), other) => type_err(format!(
            "can only concatenate list (not \"{}\") to list",
            other.type_name()
        )),
        (Operator::Add, V::Size(a), V::Tuple(b) | V::Size(b)) => {
            let mut v = a.to_vec();
            v.extend(b.iter().cloned());
            Ok(V::Size(v.into()))
        }
        (Operator::Add, V::Tuple(a), V::Tuple(b) | V::Size(b)) => {
            interp.will_alloc(
                (a.len() + b.len()) as u64 * super::interp::ITEM_BYTES,
                false,
            )?;
            let mut v = a.to_vec();
            v.extend(b.iter().cloned());
            Ok(V::tuple(v))
        }
        (Operator::Add, V::Tuple(_), other) => type_err(format!(
            "can only concatenate tuple (not \"{}\") to tuple",
            other.type_name()
        )),
        (Operator::Mult, V::List(_) | V::Tuple(_), n)
        | (Operator::Mult, n, V::List(_) | V::Tuple(_))
            if n.as_int().is_some() =>
        {
            let (seq, k) = if n.as_int().is_some() && !matches!(l, V::Int(_) | V::Bool(_)) {
                (l, n.as_int().unwrap_or(0))
            } else {
                (r, l.as_int().unwrap_or(0))
            };
            let items: Vec<Value> = match seq {
                V::List(x) => x.borrow().clone(),
                V::Tuple(x) => x.to_vec(),
                _ => Vec::new(),
            };
            let k = k.max(0) as u64;
            let total = k.saturating_mul(items.len() as u64);
            interp.will_alloc(total.saturating_mul(super::interp::ITEM_BYTES), false)?;
            let mut out = Vec::with_capacity(total as usize);
            for _ in 0..k {
                out.extend(items.iter().cloned());
            }
            Ok(if matches!(seq, V::List(_)) {
                V::list(out)
            } else {
                V::tuple(out)
            })
        }
        (Operator::BitOr, V::Dict(a), V::Dict(b)) => {
            let mut d = a.borrow().clone();
            for (k, v) in b.borrow().items.iter() {
                d.set(k.clone(), v.clone());
            }
            Ok(V::Dict(Rc::new(RefCell::new(d))))
        }
        (Operator::Sub | Operator::BitOr | Operator::BitAnd, V::Set(_), V::Set(_)) => Ok(V::Opaque),
        _ => unsupported(),
    }
}

fn int_op(op: Operator, a: i64, b: i64) -> R<Value> {
    let o = |x: Option<i64>| Ok(x.map(Value::Int).unwrap_or(Value::Opaque));
    match op {
        Operator::Add => o(a.checked_add(b)),
        Operator::Sub => o(a.checked_sub(b)),
        Operator::Mult => o(a.checked_mul(b)),
        Operator::Div => {
            if b == 0 {
                return err("ZeroDivisionError", "division by zero");
            }
            Ok(Value::Float(a as f64 / b as f64))
        }
        Operator::FloorDiv => {
            if b == 0 {
                return err("ZeroDivisionError", "integer division or modulo by zero");
            }
            o(a.checked_div_euclid(b)
                .map(|q| {
                    // Python floors toward negative infinity.
                    if b < 0 && a.rem_euclid(b) != 0 {
                        q + 1
                    } else {
                        q
                    }
                })
                .map(|q| {
                    if (a % b != 0) && ((a < 0) != (b < 0)) {
                        (a as f64 / b as f64).floor() as i64
                    } else {
                        q
                    }
                }))
        }
        Operator::Mod => {
            if b == 0 {
                return err("ZeroDivisionError", "integer division or modulo by zero");
            }
            let m = a.checked_rem(b);
            o(m.map(|m| {
                if m != 0 && ((m < 0) != (b < 0)) {
                    m + b
                } else {
                    m
                }
            }))
        }
        Operator::Pow => {
            if b < 0 {
                return Ok(Value::Float((a as f64).powf(b as f64)));
            }
            o(u32::try_from(b).ok().and_then(|e| a.checked_pow(e)))
        }
        Operator::LShift => o(u32::try_from(b).ok().and_then(|s| {
            if s < 63 {
                a.checked_mul(1i64 << s)
            } else {
                None
            }
        })),
        Operator::RShift => o(u32::try_from(b).ok().map(|s| a >> s.min(63))),
        Operator::BitAnd => o(Some(a & b)),
        Operator::BitOr => o(Some(a | b)),
        Operator::BitXor => o(Some(a ^ b)),
        Operator::MatMult => type_err("unsupported operand type(s) for @: 'int' and 'int'"),
    }
}

fn float_op(op: Operator, a: f64, b: f64) -> R<Value> {
    let f = |x: f64| Ok(Value::Float(x));
    match op {
        Operator::Add => f(a + b),
        Operator::Sub => f(a - b),
        Operator::Mult => f(a * b),
        Operator::Div => {
            if b == 0.0 {
                return err("ZeroDivisionError", "float division by zero");
            }
            f(a / b)
        }
        Operator::FloorDiv => {
            if b == 0.0 {
                return err("ZeroDivisionError", "float floor division by zero");
            }
            f((a / b).floor())
        }
        Operator::Mod => {
            if b == 0.0 {
                return err("ZeroDivisionError", "float modulo");
            }
            let m = a % b;
            f(if m != 0.0 && ((m < 0.0) != (b < 0.0)) {
                m + b
            } else {
                m
            })
        }
        Operator::Pow => f(a.powf(b)),
        _ => type_err(format!(
            "unsupported operand type(s) for {}: 'float' and 'float'",
            op.as_str()
        )),
    }
}

/// Ordering comparisons (`<`, `<=`, `>`, `>=`) of non-tensor values.
pub(crate) fn py_cmp(l: &Value, r: &Value, op: CmpOp) -> R<Option<bool>> {
    cmp_at(l, r, op, 0)
}

fn cmp_at(l: &Value, r: &Value, op: CmpOp, depth: usize) -> R<Option<bool>> {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (l, r) {
        (Value::Opaque, _) | (_, Value::Opaque) => return Ok(None),
        (a, b) if num_kind(a).is_some() && num_kind(b).is_some() => {
            if num_kind(a) == Some(false) && num_kind(b) == Some(false) {
                Some(a.as_int().cmp(&b.as_int()))
            } else {
                a.as_f64()
                    .and_then(|x| b.as_f64().and_then(|y| x.partial_cmp(&y)))
            }
        }
        (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
        (Value::Tuple(a) | Value::Size(a), Value::Tuple(b) | Value::Size(b)) => {
            if value::too_deep(depth, "in comparison") || !value::spend(a.len() as u64) {
                return Ok(None);
            }
            let mut res = None;
            for (x, y) in a.iter().zip(b.iter()) {
                match py_eq(x, y) {
                    Some(true) => continue,
                    None => return Ok(None),
                    Some(false) => {
                        res = Some(cmp_at(x, y, op, depth + 1)?);
                        break;
                    }
                }
            }
            return Ok(match res {
                Some(v) => v,
                None => {
                    let o = a.len().cmp(&b.len());
                    Some(ord_matches(o, op))
                }
            });
        }
        (Value::List(a), Value::List(b)) => {
            let (a, b) = (a.borrow().clone(), b.borrow().clone());
            return cmp_at(&Value::tuple(a), &Value::tuple(b), op, depth);
        }
        _ => {
            return type_err(format!(
                "'{}' not supported between instances of '{}' and '{}'",
                op.as_str(),
                l.type_name(),
                r.type_name()
            ))
        }
    };
    Ok(ord.map(|o| ord_matches(o, op)))
}

fn ord_matches(o: std::cmp::Ordering, op: CmpOp) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Lt => o == Less,
        CmpOp::LtE => o != Greater,
        CmpOp::Gt => o == Greater,
        CmpOp::GtE => o != Less,
        CmpOp::Eq => o == Equal,
        _ => o != Equal,
    }
}

/// `item in container`.
pub(crate) fn contains(interp: &mut Interp, container: &Value, item: &Value) -> R<Option<bool>> {
    let any_eq = |items: &[Value]| -> Option<bool> {
        let mut unknown = false;
        for x in items {
            match py_eq(x, item) {
                Some(true) => return Some(true),
                None => unknown = true,
                _ => {}
            }
        }
        if unknown {
            None
        } else {
            Some(false)
        }
    };
    Ok(match container {
        Value::Opaque => None,
        Value::Str(s) => match item {
            Value::Str(x) => Some(s.contains(&**x)),
            Value::Opaque => None,
            other => {
                return type_err(format!(
                    "'in <string>' requires string as left operand, not {}",
                    other.type_name()
                ))
            }
        },
        Value::List(l) | Value::Set(l) => {
            let l = l.borrow().clone();
            interp.transient(l.len() as u64 * super::interp::ITEM_BYTES)?;
            any_eq(&l)
        }
        Value::Tuple(t) | Value::Size(t) => {
            interp.transient(t.len() as u64 * super::interp::ITEM_BYTES)?;
            any_eq(t)
        }
        Value::Dict(d) => {
            let keys: Vec<Value> = d.borrow().items.iter().map(|(k, _)| k.clone()).collect();
            // Python's lookup is a hash probe; the linear scan here costs little per key.
            interp.transient(keys.len() as u64 * super::interp::ITEM_BYTES / 16)?;
            any_eq(&keys)
        }
        Value::Range(a, b, s) => match item.as_int() {
            Some(i) => {
                let inside = if *s > 0 {
                    i >= *a && i < *b
                } else {
                    i <= *a && i > *b
                };
                Some(inside && (i - a) % s == 0)
            }
            None => None,
        },
        Value::Object(o) => {
            if let Some(m) = &o.module {
                let m = m.borrow();
                if let Value::Str(k) = item {
                    return Ok(Some(m.module(k).is_some()));
                }
                return Ok(None);
            }
            if o.class.lookup("__contains__").is_some() {
                let f = interp.get_attr(container, "__contains__")?;
                let r = interp.call(&f, Args::new(vec![item.clone()]))?;
                return Ok(truthy(&r));
            }
            None
        }
        Value::Tensor(_) | Value::Iter(_) => None,
        other => {
            return type_err(format!(
                "argument of type '{}' is not iterable",
                other.type_name()
            ))
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Indexing

fn norm_index(i: i64, n: usize) -> Option<usize> {
    let n = n as i64;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        None
    } else {
        Some(j as usize)
    }
}

/// Python slice indices for a sequence of length `n`: (start, stop, step).
pub(crate) fn slice_indices(s: &[Value; 3], n: i64) -> R<Option<(i64, i64, i64)>> {
    let get = |v: &Value| -> R<Option<Option<i64>>> {
        match v {
            Value::None => Ok(Some(None)),
            Value::Int(_) | Value::Bool(_) => Ok(Some(v.as_int())),
            Value::Opaque | Value::Tensor(_) => Ok(None),
            other => type_err(format!(
                "slice indices must be integers or None or have an __index__ method, got {}",
                other.type_name()
            )),
        }
    };
    let (Some(a), Some(b), Some(st)) = (get(&s[0])?, get(&s[1])?, get(&s[2])?) else {
        return Ok(None);
    };
    let step = st.unwrap_or(1);
    if step == 0 {
        return value_err("slice step cannot be zero");
    }
    let clamp = |x: i64, lo: i64, hi: i64| x.max(lo).min(hi);
    let (start, stop) = if step > 0 {
        let s = a
            .map(|x| {
                if x < 0 {
                    clamp(x + n, 0, n)
                } else {
                    clamp(x, 0, n)
                }
            })
            .unwrap_or(0);
        let e = b
            .map(|x| {
                if x < 0 {
                    clamp(x + n, 0, n)
                } else {
                    clamp(x, 0, n)
                }
            })
            .unwrap_or(n);
        (s, e)
    } else {
        let s = a
            .map(|x| {
                if x < 0 {
                    clamp(x + n, -1, n - 1)
                } else {
                    clamp(x, -1, n - 1)
                }
            })
            .unwrap_or(n - 1);
        let e = b
            .map(|x| {
                if x < 0 {
                    clamp(x + n, -1, n - 1)
                } else {
                    clamp(x, -1, n - 1)
                }
            })
            .unwrap_or(-1);
        (s, e)
    };
    Ok(Some((start, stop, step)))
}

fn slice_vec<T: Clone>(items: &[T], s: &[Value; 3]) -> R<Option<Vec<T>>> {
    let Some((a, b, st)) = slice_indices(s, items.len() as i64)? else {
        return Ok(None);
    };
    if st == 1 {
        let (a, b) = (a.max(0) as usize, (b.max(0) as usize).min(items.len()));
        return Ok(Some(items.get(a..b.max(a)).unwrap_or_default().to_vec()));
    }
    let mut out = Vec::new();
    let mut i = a;
    while (st > 0 && i < b) || (st < 0 && i > b) {
        if let Some(x) = items.get(i as usize) {
            out.push(x.clone());
        }
        match i.checked_add(st) {
            Some(n) => i = n,
            None => break,
        }
    }
    Ok(Some(out))
}

/// `obj[idx]` for non-object values.
pub(crate) fn get_item(interp: &mut Interp, obj: &Value, idx: &Value) -> R<Value> {
    let seq_index = |items: &[Value], what: &str| -> R<Value> {
        match idx {
            Value::Int(_) | Value::Bool(_) => {
                match norm_index(idx.as_int().unwrap_or(0), items.len()) {
                    Some(i) => Ok(items[i].clone()),
                    None => index_err(format!("{what} index out of range")),
                }
            }
            Value::Opaque | Value::Tensor(_) => Ok(Value::Opaque),
            other => type_err(format!(
                "{what} indices must be integers or slices, not {}",
                other.type_name()
            )),
        }
    };
    match (obj, idx) {
        (Value::Opaque, _) => Ok(Value::Opaque),
        (Value::Tensor(t), _) => super::torchfns::tensor_index(interp, t, idx),
        (Value::List(l), Value::Slice(s)) => {
            let part = slice_vec(&l.borrow(), s)?;
            Ok(part.map(Value::list).unwrap_or(Value::Opaque))
        }
        (Value::List(l), _) => seq_index(&l.borrow(), "list"),
        (Value::Tuple(t), Value::Slice(s)) => {
            Ok(slice_vec(t, s)?.map(Value::tuple).unwrap_or(Value::Opaque))
        }
        (Value::Tuple(t), _) => seq_index(t, "tuple"),
        (Value::Size(t), Value::Slice(s)) => Ok(slice_vec(t, s)?
            .map(|v| Value::Size(v.into()))
            .unwrap_or(Value::Opaque)),
        (Value::Size(t), _) => seq_index(t, "tuple"),
        (Value::Str(s), Value::Slice(sl)) => {
            if s.is_ascii() {
                return Ok(match slice_vec(s.as_bytes(), sl)? {
                    Some(v) => Value::Str(String::from_utf8_lossy(&v).into()),
                    None => Value::Opaque,
                });
            }
            let chars: Vec<char> = s.chars().collect();
            Ok(match slice_vec(&chars, sl)? {
                Some(v) => Value::Str(v.into_iter().collect::<String>().into()),
                None => Value::Opaque,
            })
        }
        (Value::Str(s), Value::Int(_) | Value::Bool(_)) => {
            let i = idx.as_int().unwrap_or(0);
            let c = if s.is_ascii() {
                norm_index(i, s.len()).map(|j| char::from(s.as_bytes()[j]))
            } else {
                let chars: Vec<char> = s.chars().collect();
                norm_index(i, chars.len()).map(|j| chars[j])
            };
            match c {
                Some(c) => Ok(Value::Str(c.to_string().into())),
                None => index_err("string index out of range"),
            }
        }
        (Value::Str(_), _) => seq_index(&[], "string"),
        (Value::Dict(d), k) => {
            if k.is_opaque() {
                return Ok(Value::Opaque);
            }
            match d.borrow().get(k) {
                Some(v) => Ok(v),
                None => {
                    if d.borrow()
                        .items
                        .iter()
                        .any(|(kk, _)| kk.is_opaque() || py_eq(kk, k).is_none())
                    {
                        return Ok(Value::Opaque);
                    }
                    err("KeyError", repr(k).unwrap_or_default())
                }
            }
        }
        (Value::Range(a, b, s), Value::Int(i)) => {
            let n = range_len(*a, *b, *s);
            match norm_index(*i, n as usize) {
                Some(j) => Ok(Value::Int(a + j as i64 * s)),
                None => index_err("range object index out of range"),
            }
        }
        (Value::Object(o), _) if o.module.is_some() => {
            super::modules::module_getitem(interp, o, idx)
        }
        (Value::Class(_), _) => Ok(Value::Opaque),
        (Value::Object(_), _) => Ok(Value::Opaque),
        (Value::Iter(_), _) => type_err("'iterator' object is not subscriptable"),
        (Value::Func(_) | Value::Builtin(_) | Value::Method(_), _) => Ok(Value::Opaque),
        (other, _) => type_err(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        )),
    }
}

/// `obj[idx] = v`.
pub(crate) fn set_item(interp: &mut Interp, obj: &Value, idx: &Value, v: Value) -> R<()> {
    match obj {
        Value::List(l) => match idx {
            Value::Int(_) | Value::Bool(_) => {
                let mut lb = l.borrow_mut();
                match norm_index(idx.as_int().unwrap_or(0), lb.len()) {
                    Some(i) => {
                        lb[i] = v;
                        Ok(())
                    }
                    None => index_err("list assignment index out of range"),
                }
            }
            _ => {
                let n = l.borrow().len();
                *l.borrow_mut() = vec![Value::Opaque; n];
                Ok(())
            }
        },
        Value::Dict(d) => {
            if idx.is_opaque() {
                d.borrow_mut().items.push((Value::Opaque, Value::Opaque));
                return Ok(());
            }
            d.borrow_mut().set(idx.clone(), v);
            Ok(())
        }
        Value::Tensor(_) | Value::Opaque => Ok(()),
        Value::Object(o) if o.module.is_some() => super::modules::module_setitem(interp, o, idx, v),
        Value::Object(_) => Ok(()),
        Value::Tuple(_) | Value::Size(_) => type_err(format!(
            "'{}' object does not support item assignment",
            obj.type_name()
        )),
        Value::Str(_) => type_err("'str' object does not support item assignment"),
        _ => Ok(()),
    }
}

/// `del obj[idx]`.
pub(crate) fn del_item(_interp: &mut Interp, obj: &Value, idx: &Value) -> R<()> {
    match obj {
        Value::List(l) => {
            if let Some(i) = idx.as_int() {
                let mut lb = l.borrow_mut();
                match norm_index(i, lb.len()) {
                    Some(j) => {
                        lb.remove(j);
                    }
                    None => return index_err("list assignment index out of range"),
                }
            }
            Ok(())
        }
        Value::Dict(d) => {
            let mut db = d.borrow_mut();
            match db.find(idx) {
                Some(i) => {
                    db.items.remove(i);
                    Ok(())
                }
                None => err("KeyError", repr(idx).unwrap_or_default()),
            }
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Formatting

/// `format(v, spec)`; `None` when the result is not known.
pub(crate) fn format_value(v: &Value, spec: &str) -> Option<String> {
    if spec.is_empty() {
        return to_str(v);
    }
    let sp = parse_spec(spec)?;
    let body = match v {
        Value::Str(s) => {
            let mut s = s.to_string();
            if let Some(p) = sp.precision {
                s = s.chars().take(p).collect();
            }
            s
        }
        Value::Int(_) | Value::Bool(_)
            if !matches!(sp.ty, Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%')) =>
        {
            let i = v.as_int()?;
            let digits = match sp.ty {
                Some('x') => format!("{:x}", i.unsigned_abs()),
                Some('X') => format!("{:X}", i.unsigned_abs()),
                Some('o') => format!("{:o}", i.unsigned_abs()),
                Some('b') => format!("{:b}", i.unsigned_abs()),
                Some('c') => return char::from_u32(i as u32).map(|c| c.to_string()),
                _ => group(&i.unsigned_abs().to_string(), sp.grouping),
            };
            sign_of(i < 0, sp.sign) + &digits
        }
        Value::Int(_) | Value::Bool(_) | Value::Float(_) => {
            let f = v.as_f64()?;
            let neg = f.is_sign_negative() && f != 0.0;
            let a = f.abs();
            let digits = match sp.ty {
                Some('f') | Some('F') => fixed(a, sp.precision.unwrap_or(6), sp.grouping),
                Some('%') => format!(
                    "{}%",
                    fixed(a * 100.0, sp.precision.unwrap_or(6), sp.grouping)
                ),
                Some('e') | Some('E') => {
                    let s = sci(a, sp.precision.unwrap_or(6));
                    if sp.ty == Some('E') {
                        s.to_uppercase()
                    } else {
                        s
                    }
                }
                Some('g') | Some('G') => general(a, sp.precision.unwrap_or(6), sp.alt),
                None => match sp.precision {
                    Some(p) => general(a, p, false),
                    None => float_repr(a),
                },
                _ => return None,
            };
            sign_of(neg, sp.sign) + &digits
        }
        _ => return None,
    };
    let n = body.chars().count();
    let width = sp.width.unwrap_or(0);
    if n >= width {
        return Some(body);
    }
    let pad = width - n;
    let fill = sp.fill.unwrap_or(if sp.zero { '0' } else { ' ' });
    let numeric = !matches!(v, Value::Str(_));
    let align = sp.align.unwrap_or(if sp.zero && numeric {
        '='
    } else if numeric {
        '>'
    } else {
        '<'
    });
    let f = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
    Some(match align {
        '<' => format!("{body}{}", f(pad)),
        '^' => format!("{}{body}{}", f(pad / 2), f(pad - pad / 2)),
        '=' => {
            let (sgn, rest) = if body.starts_with(['-', '+', ' ']) {
                body.split_at(1)
            } else {
                ("", body.as_str())
            };
            format!("{sgn}{}{rest}", f(pad))
        }
        _ => format!("{}{body}", f(pad)),
    })
}

struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    alt: bool,
    zero: bool,
    width: Option<usize>,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse_spec(spec: &str) -> Option<Spec> {
    let c: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut sp = Spec {
        fill: None,
        align: None,
        sign: None,
        alt: false,
        zero: false,
        width: None,
        grouping: None,
        precision: None,
        ty: None,
    };
    let is_align = |ch: char| matches!(ch, '<' | '>' | '^' | '=');
    if c.len() >= 2 && is_align(c[1]) {
        sp.fill = Some(c[0]);
        sp.align = Some(c[1]);
        i = 2;
    } else if !c.is_empty() && is_align(c[0]) {
        sp.align = Some(c[0]);
        i = 1;
    }
    if i < c.len() && matches!(c[i], '+' | '-' | ' ') {
        sp.sign = Some(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == '#' {
        sp.alt = true;
        i += 1;
    }
    if i < c.len() && c[i] == '0' {
        sp.zero = true;
        i += 1;
    }
    let start = i;
    while i < c.len() && c[i].is_ascii_digit() {
        i += 1;
    }
    if i > start {
        sp.width = c[start..i].iter().collect::<String>().parse().ok();
        sp.width = sp.width.map(|w: usize| w.min(10_000));
    }
    if i < c.len() && matches!(c[i], ',' | '_') {
        sp.grouping = Some(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == '.' {
        i += 1;
        let s = i;
        while i < c.len() && c[i].is_ascii_digit() {
            i += 1;
        }
        sp.precision = c[s..i].iter().collect::<String>().parse().ok();
        sp.precision = sp.precision.map(|p: usize| p.min(100));
    }
    if i < c.len() {
        sp.ty = Some(c[i]);
        i += 1;
    }
    if i != c.len() {
        return None;
    }
    Some(sp)
}

fn sign_of(neg: bool, sign: Option<char>) -> String {
    if neg {
        "-".into()
    } else {
        match sign {
            Some('+') => "+".into(),
            Some(' ') => " ".into(),
            _ => String::new(),
        }
    }
}

fn group(digits: &str, g: Option<char>) -> String {
    let Some(g) = g else {
        return digits.to_string();
    };
    let mut out = String::new();
    let n = digits.len();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(g);
        }
        out.push(ch);
    }
    out
}

fn fixed(a: f64, p: usize, g: Option<char>) -> String {
    let s = format!("{a:.p$}");
    match s.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", group(int, g)),
        None => group(&s, g),
    }
}

fn sci(a: f64, p: usize) -> String {
    let s = format!("{a:.p$e}");
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, d) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{d:0>2}")
        }
        None => s,
    }
}

fn general(a: f64, p: usize, alt: bool) -> String {
    let p = p.max(1);
    if a == 0.0 {
        return "0".into();
    }
    if !a.is_finite() {
        return float_repr(a);
    }
    let exp = a.log10().floor() as i64;
    let strip = |s: String| -> String {
        if alt || !s.contains('.') {
            s
        } else {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    if exp >= -4 && exp < p as i64 {
        let dec = (p as i64 - 1 - exp).max(0) as usize;
        strip(format!("{a:.dec$}"))
    } else {
        let s = sci(a, p - 1);
        match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", strip(m.to_string())),
            None => s,
        }
    }
}

/// `str.format(*args, **kwargs)`.
fn str_format(s: &str, args: &Args) -> R<Option<String>> {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut auto = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' {
            if chars.get(i + 1) == Some(&'{') {
                out.push('{');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            let mut depth = 1;
            while j < chars.len() {
                if chars[j] == '{' {
                    depth += 1;
                } else if chars[j] == '}' {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            if j >= chars.len() {
                return value_err("Single '{' encountered in format string");
            }
            let field: String = chars[i + 1..j].iter().collect();
            let (name_conv, spec) = match field.split_once(':') {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => (field.clone(), String::new()),
            };
            let (name, conv) = match name_conv.split_once('!') {
                Some((a, b)) => (a.to_string(), Some(b.to_string())),
                None => (name_conv, None),
            };
            let v = if name.is_empty() {
                let v = args.pos.get(auto).cloned();
                auto += 1;
                v
            } else if let Ok(k) = name.parse::<usize>() {
                args.pos.get(k).cloned()
            } else {
                let base = name.split(['.', '[']).next().unwrap_or("");
                if base.len() != name.len() {
                    return Ok(None);
                }
                args.kw
                    .iter()
                    .find(|(k, _)| &**k == base)
                    .map(|(_, v)| v.clone())
            };
            let Some(v) = v else {
                return if name.is_empty() || name.parse::<usize>().is_ok() {
                    err(
                        "IndexError",
                        format!(
                            "Replacement index {} out of range for positional args tuple",
                            name.parse::<usize>().unwrap_or(auto.saturating_sub(1))
                        ),
                    )
                } else {
                    err("KeyError", format!("'{name}'"))
                };
            };
            let piece = match conv.as_deref() {
                Some("r") | Some("a") => repr(&v),
                Some("s") => to_str(&v),
                _ => format_value(&v, &spec),
            };
            match piece {
                Some(p) => out.push_str(&p),
                None => return Ok(None),
            }
            i = j + 1;
        } else if c == '}' {
            if chars.get(i + 1) == Some(&'}') {
                i += 2;
            } else {
                i += 1;
            }
            out.push('}');
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(Some(out))
}

/// `"%d items" % n`.
fn percent_format(s: &str, args: &Value) -> Option<String> {
    let vals: Vec<Value> = match args {
        Value::Tuple(t) => t.to_vec(),
        Value::Opaque => return None,
        other => vec![other.clone()],
    };
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut k = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && !chars[j].is_ascii_alphabetic() && chars[j] != '%' {
            j += 1;
        }
        let conv = *chars.get(j)?;
        if conv == '%' {
            out.push('%');
            i = j + 1;
            continue;
        }
        let flags: String = chars[i + 1..j].iter().collect();
        let v = vals.get(k)?.clone();
        k += 1;
        let piece = match conv {
            's' => to_str(&v).map(|x| {
                format_value(&Value::Str(x.into()), &flags.replace('-', "<")).unwrap_or_default()
            })?,
            'r' => repr(&v)?,
            'd' | 'i' => {
                let iv = match &v {
                    Value::Float(f) => Value::Int(f.trunc() as i64),
                    other => other.clone(),
                };
                format_value(&iv, &format!("{}d", flags.replace('-', "<")))?
            }
            'f' | 'e' | 'g' | 'x' | 'X' | 'o' => {
                format_value(&v, &format!("{}{conv}", flags.replace('-', "<")))?
            }
            _ => return None,
        };
        out.push_str(&piece);
        i = j + 1;
    }
    Some(out)
}

/// The dtype of `torch.<name>`.
pub(crate) fn dtype_value(name: &str) -> Option<Value> {
    DType::from_name(name).map(Value::DType)
}
