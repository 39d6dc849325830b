//! Runtime values of the shape interpreter.
//!
//! Values are cheap to clone (`Rc` inside). Nothing here holds tensor data: a tensor is a
//! shape and a dtype. [`Value::Opaque`] stands for anything the interpreter does not model.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::{Rc, Weak};

use ruff_python_ast::{ExprLambda, StmtFunctionDef};

use super::errors::{type_err, SourceInfo, R};
use super::layers::Layer;
use super::tensor::{DType, Tensor};

/// A runtime value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Tuple(Rc<[Value]>),
    List(Rc<RefCell<Vec<Value>>>),
    Dict(Rc<RefCell<Dict>>),
    Set(Rc<RefCell<Vec<Value>>>),
    Range(i64, i64, i64),
    Slice(Rc<[Value; 3]>),
    Ellipsis,
    /// `torch.Size`: a tuple of `Int` or `Opaque` entries.
    Size(Rc<[Value]>),
    Tensor(Rc<Tensor>),
    DType(DType),
    Device(Rc<str>),
    Func(Rc<Function>),
    /// A function bound to its first argument.
    Method(Rc<(Value, Value)>),
    Builtin(Rc<Builtin>),
    Class(Rc<Class>),
    Object(Rc<Object>),
    /// `super()`: look up after `.0` in the MRO of `.1`'s class.
    Super(Rc<(Rc<Class>, Value)>),
    /// A modelled library namespace (`torch`, `torch.nn`, `math`, …).
    Namespace(Ns),
    /// A materialised iterator (`zip`, `enumerate`, `iter(list)`, …).
    Iter(Rc<RefCell<IterState>>),
    /// `@staticmethod`, `@classmethod`, `@property` wrappers.
    Wrapped(Rc<(WrapKind, Value)>),
    /// Anything not modelled; every operation on it yields `Opaque`.
    Opaque,
}

/// Iterator state: the remaining items.
#[derive(Debug, Default)]
pub struct IterState {
    pub items: Vec<Value>,
    pub pos: usize,
}

/// Decorator wrappers the interpreter understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrapKind {
    Static,
    ClassMethod,
    Property,
}

/// Modelled namespaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ns {
    Torch,
    Nn,
    F,
    Init,
    Math,
    Collections,
    Random,
    NnUtils,
    Builtins,
    Copy,
}

/// Where a builtin function lives (so methods and functions dispatch to the right table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BKind {
    /// Python builtins (`len`, `range`, …).
    Py,
    /// `torch.*`.
    Torch,
    /// `torch.nn.functional.*`.
    F,
    /// `torch.nn.init.*`.
    Init,
    /// `math.*`.
    Math,
    /// Methods of a tensor (receiver set).
    TensorM,
    /// Methods of `str`, `list`, `dict`, `tuple`, `torch.Size`, `set`.
    StrM,
    ListM,
    DictM,
    TupleM,
    SetM,
    /// `nn.Module` methods (receiver is a module object).
    ModuleM,
    /// Methods of exception objects and other small things.
    Misc,
    /// A method of a built-in class (`nn.Module.__init__`, `nn.Conv2d.forward`, …) called
    /// through `super()` or on the class; `cls` names the class.
    ClassM,
}

/// A builtin function, possibly bound to a receiver.
#[derive(Debug)]
pub struct Builtin {
    pub kind: BKind,
    pub name: Rc<str>,
    pub recv: Option<Value>,
    /// For methods of built-in classes reached through `super()` or `Cls.method`.
    pub cls: Option<Rc<Class>>,
}

/// Insertion-ordered dictionary with linear lookup (lesson dicts are small).
#[derive(Debug, Default, Clone)]
pub struct Dict {
    pub items: Vec<(Value, Value)>,
}

impl Dict {
    /// Position of a key (`None` if absent or if the comparison is unknown).
    pub fn find(&self, k: &Value) -> Option<usize> {
        self.items
            .iter()
            .position(|(kk, _)| py_eq(kk, k) == Some(true))
    }
    pub fn get(&self, k: &Value) -> Option<Value> {
        self.find(k).map(|i| self.items[i].1.clone())
    }
    pub fn set(&mut self, k: Value, v: Value) {
        match self.find(&k) {
            Some(i) => self.items[i].1 = v,
            None => self.items.push((k, v)),
        }
    }
}

/// What a function's code is.
#[derive(Debug)]
pub enum FuncCode {
    Def(Rc<StmtFunctionDef>),
    Lambda(Rc<ExprLambda>),
}

/// A parameter of a user function.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: Rc<str>,
    pub default: Option<Value>,
}

/// Variable scope (module globals, function locals, class bodies, comprehensions).
#[derive(Debug, Default)]
pub struct Scope {
    pub vars: RefCell<HashMap<Rc<str>, Value>>,
    /// Names in the order they were first bound (Python dicts keep insertion order).
    pub order: RefCell<Vec<Rc<str>>>,
    pub parent: Option<Rc<Scope>>,
}

impl Scope {
    pub fn new(parent: Option<Rc<Scope>>) -> Rc<Scope> {
        Rc::new(Scope {
            vars: RefCell::new(HashMap::new()),
            order: RefCell::new(Vec::new()),
            parent,
        })
    }
    pub fn get(&self, k: &str) -> Option<Value> {
        self.vars.borrow().get(k).cloned()
    }
    pub fn set(&self, k: &str, v: Value) {
        let mut vars = self.vars.borrow_mut();
        if let Some(slot) = vars.get_mut(k) {
            *slot = v;
        } else {
            let name: Rc<str> = k.into();
            self.order.borrow_mut().push(name.clone());
            vars.insert(name, v);
        }
    }
    /// Bound names in insertion order.
    pub fn names(&self) -> Vec<Rc<str>> {
        let vars = self.vars.borrow();
        self.order
            .borrow()
            .iter()
            .filter(|n| vars.contains_key(&***n))
            .cloned()
            .collect()
    }
}

/// A user-defined function or lambda.
#[derive(Debug)]
pub struct Function {
    pub name: Rc<str>,
    pub qualname: Rc<str>,
    pub code: FuncCode,
    pub posonly: usize,
    pub params: Vec<Param>,
    pub vararg: Option<Rc<str>>,
    pub kwonly: Vec<Param>,
    pub kwarg: Option<Rc<str>>,
    pub src: Rc<SourceInfo>,
    pub globals: Rc<Scope>,
    pub closure: Option<Rc<Scope>>,
    /// The class whose body defined this function (for zero-argument `super()`).
    pub class: RefCell<Weak<Class>>,
    /// Contains `yield`: calling it yields an opaque generator.
    pub is_generator: bool,
}

/// What a class is, when it is one of the interpreter's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassKind {
    /// Defined by lesson code.
    User,
    /// `object`.
    Object,
    /// Python builtin types (`int`, `str`, …).
    Int,
    Float,
    Bool,
    Str,
    List,
    Tuple,
    Dict,
    Set,
    NoneType,
    Type,
    Function,
    /// Exception classes (`Exception`, `ValueError`, …).
    Exception,
    /// `torch.Tensor`, `nn.Parameter`, `torch.Size`.
    Tensor,
    Parameter,
    Size,
    /// `nn.Module` and the modelled layers.
    Module,
    Layer(super::layers::LayerTag),
}

/// A class.
#[derive(Debug)]
pub struct Class {
    pub name: Rc<str>,
    pub kind: ClassKind,
    pub bases: Vec<Rc<Class>>,
    /// Method resolution order without the class itself.
    pub mro: Vec<Rc<Class>>,
    pub dict: RefCell<HashMap<Rc<str>, Value>>,
    /// Some base is not modelled: unknown attributes are opaque, not errors.
    pub opaque_base: bool,
}

impl Class {
    /// Look a name up in the class dicts along the MRO.
    pub fn lookup(self: &Rc<Self>, name: &str) -> Option<Value> {
        if let Some(v) = self.dict.borrow().get(name) {
            return Some(v.clone());
        }
        for c in &self.mro {
            if let Some(v) = c.dict.borrow().get(name) {
                return Some(v.clone());
            }
        }
        None
    }
    /// True if `other` is this class or one of its ancestors.
    pub fn is_sub(self: &Rc<Self>, other: &Rc<Class>) -> bool {
        Rc::ptr_eq(self, other) || self.mro.iter().any(|c| Rc::ptr_eq(c, other))
    }
    /// The first modelled (non-user) class kind along the MRO.
    pub fn builtin_kind(self: &Rc<Self>) -> ClassKind {
        if self.kind != ClassKind::User {
            return self.kind;
        }
        for c in &self.mro {
            if c.kind != ClassKind::User {
                return c.kind;
            }
        }
        ClassKind::Object
    }
    /// True for `nn.Module` and its subclasses.
    pub fn is_module(self: &Rc<Self>) -> bool {
        matches!(self.builtin_kind(), ClassKind::Module | ClassKind::Layer(_))
    }
    pub fn is_exception(self: &Rc<Self>) -> bool {
        self.builtin_kind() == ClassKind::Exception
    }
}

/// State of an `nn.Module` instance (as PyTorch keeps it).
#[derive(Debug)]
pub struct ModState {
    pub layer: Layer,
    pub params: Vec<(Rc<str>, Option<Rc<Tensor>>)>,
    pub buffers: Vec<(Rc<str>, Option<Rc<Tensor>>)>,
    pub modules: Vec<(Rc<str>, Value)>,
    pub training: bool,
    /// `nn.Module.__init__` has run.
    pub initialized: bool,
    /// Something about its parameters is not known (an opaque argument or attribute).
    pub uncertain: bool,
    /// Its list of children is not known (so it cannot be iterated or run).
    pub incomplete: bool,
}

impl ModState {
    pub fn new(layer: Layer) -> Self {
        ModState {
            layer,
            params: Vec::new(),
            buffers: Vec::new(),
            modules: Vec::new(),
            training: true,
            initialized: false,
            uncertain: false,
            incomplete: false,
        }
    }
    pub fn module(&self, name: &str) -> Option<&Value> {
        self.modules
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v)
    }
    pub fn set_param(&mut self, name: &str, t: Option<Rc<Tensor>>) {
        if let Some(slot) = self.params.iter_mut().find(|(n, _)| &**n == name) {
            slot.1 = t;
        } else {
            self.params.push((name.into(), t));
        }
    }
    pub fn set_buffer(&mut self, name: &str, t: Option<Rc<Tensor>>) {
        if let Some(slot) = self.buffers.iter_mut().find(|(n, _)| &**n == name) {
            slot.1 = t;
        } else {
            self.buffers.push((name.into(), t));
        }
    }
    pub fn set_module(&mut self, name: &str, m: Value) {
        if let Some(slot) = self.modules.iter_mut().find(|(n, _)| &**n == name) {
            slot.1 = m;
        } else {
            self.modules.push((name.into(), m));
        }
    }
}

/// An instance of a class.
#[derive(Debug)]
pub struct Object {
    pub class: Rc<Class>,
    pub dict: RefCell<HashMap<Rc<str>, Value>>,
    pub module: Option<RefCell<ModState>>,
}

impl Value {
    /// An integer.
    pub fn int(i: i64) -> Value {
        Value::Int(i)
    }
    /// A string.
    pub fn str(s: &str) -> Value {
        Value::Str(s.into())
    }
    /// A tuple.
    pub fn tuple(v: Vec<Value>) -> Value {
        Value::Tuple(v.into())
    }
    /// A list.
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(v)))
    }
    /// A tensor value.
    pub fn tensor(t: Tensor) -> Value {
        Value::Tensor(Rc::new(t))
    }
    /// The shape of a tensor value (`None` entries are unknown dimensions).
    pub fn shape(&self) -> Option<Vec<Option<i64>>> {
        match self {
            Value::Tensor(t) => Some(t.shape.clone()),
            _ => None,
        }
    }
    /// True for values the interpreter does not model.
    pub fn is_opaque(&self) -> bool {
        matches!(self, Value::Opaque)
    }
    /// The known integer, accepting bools as Python does.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Bool(b) => Some(*b as i64 as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The module state if this is an `nn.Module` instance.
    pub fn as_module(&self) -> Option<(&Rc<Object>, &RefCell<ModState>)> {
        match self {
            Value::Object(o) => o.module.as_ref().map(|m| (o, m)),
            _ => None,
        }
    }

    /// Python type name as error messages print it.
    pub fn type_name(&self) -> String {
        match self {
            Value::None => "NoneType".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::List(_) => "list".into(),
            Value::Dict(_) => "dict".into(),
            Value::Set(_) => "set".into(),
            Value::Range(..) => "range".into(),
            Value::Slice(_) => "slice".into(),
            Value::Ellipsis => "ellipsis".into(),
            Value::Size(_) => "Size".into(),
            Value::Tensor(t) => {
                if t.is_param {
                    "Parameter".into()
                } else {
                    "Tensor".into()
                }
            }
            Value::DType(_) => "dtype".into(),
            Value::Device(_) => "device".into(),
            Value::Func(_) => "function".into(),
            Value::Method(_) => "method".into(),
            Value::Builtin(_) => "builtin_function_or_method".into(),
            Value::Class(_) => "type".into(),
            Value::Object(o) => o.class.name.to_string(),
            Value::Super(_) => "super".into(),
            Value::Namespace(_) => "module".into(),
            Value::Iter(_) => "iterator".into(),
            Value::Wrapped(_) => "function".into(),
            Value::Opaque => "object".into(),
        }
    }
}

/// Python truthiness: `None` when unknown.
pub fn truthy(v: &Value) -> Option<bool> {
    Some(match v {
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::Tuple(t) | Value::Size(t) => !t.is_empty(),
        Value::List(l) | Value::Set(l) => !l.borrow().is_empty(),
        Value::Dict(d) => !d.borrow().items.is_empty(),
        Value::Range(a, b, s) => range_len(*a, *b, *s) > 0,
        Value::Opaque | Value::Tensor(_) => return None,
        Value::Object(o) => {
            if let Some(m) = &o.module {
                let m = m.borrow();
                if m.layer.is_container() {
                    return Some(!m.modules.is_empty());
                }
            }
            true
        }
        _ => true,
    })
}

/// Number of items in `range(a, b, s)`.
pub fn range_len(a: i64, b: i64, s: i64) -> i64 {
    if s > 0 && a < b {
        ((b as i128 - a as i128 + s as i128 - 1) / s as i128) as i64
    } else if s < 0 && a > b {
        ((a as i128 - b as i128 - s as i128 - 1) / (-(s as i128))) as i64
    } else {
        0
    }
}

/// Python `==`: `None` when unknown (or when the walk stopped: see [`walk_take`]).
pub fn py_eq(a: &Value, b: &Value) -> Option<bool> {
    eq_at(a, b, 0)
}

fn eq_at(a: &Value, b: &Value, depth: usize) -> Option<bool> {
    use Value::*;
    Some(match (a, b) {
        (Opaque, _) | (_, Opaque) => return Option::None,
        (None, None) => true,
        (Bool(_) | Int(_), Bool(_) | Int(_)) => a.as_int() == b.as_int(),
        (Float(_), Int(_) | Bool(_) | Float(_)) | (Int(_) | Bool(_), Float(_)) => {
            a.as_f64() == b.as_f64()
        }
        (Str(x), Str(y)) => {
            if x.len() > 4096 && !spend(x.len().min(y.len()) as u64 / BYTES_PER_UNIT) {
                return Option::None;
            }
            x == y
        }
        (Tuple(x) | Size(x), Tuple(y) | Size(y)) => {
            if Rc::ptr_eq(x, y) {
                return Some(true);
            }
            return seq_eq(x, y, depth);
        }
        (List(x), List(y)) => {
            if Rc::ptr_eq(x, y) {
                return Some(true);
            }
            return seq_eq(&x.borrow(), &y.borrow(), depth);
        }
        (Dict(x), Dict(y)) => {
            if Rc::ptr_eq(x, y) {
                return Some(true);
            }
            let (x, y) = (x.borrow(), y.borrow());
            if x.items.len() != y.items.len() {
                return Some(false);
            }
            if too_deep(depth, "in comparison") || !spend(x.items.len() as u64) {
                return Option::None;
            }
            for (k, v) in &x.items {
                match y.find(k) {
                    Option::None => return Some(false),
                    Some(i) => match eq_at(v, &y.items[i].1, depth + 1) {
                        Some(true) => {}
                        other => return other,
                    },
                }
            }
            true
        }
        (Range(a1, b1, s1), Range(a2, b2, s2)) => (a1, b1, s1) == (a2, b2, s2),
        (DType(x), DType(y)) => x == y,
        (Device(x), Device(y)) => x == y,
        (Device(x), Str(y)) | (Str(y), Device(x)) => x == y,
        (Class(x), Class(y)) => Rc::ptr_eq(x, y),
        (Object(x), Object(y)) => Rc::ptr_eq(x, y),
        (Func(x), Func(y)) => Rc::ptr_eq(x, y),
        (Tensor(_), _) | (_, Tensor(_)) => return Option::None,
        (Namespace(x), Namespace(y)) => x == y,
        (Ellipsis, Ellipsis) => true,
        _ => false,
    })
}

fn seq_eq(x: &[Value], y: &[Value], depth: usize) -> Option<bool> {
    if x.len() != y.len() {
        return Some(false);
    }
    if too_deep(depth, "in comparison") || !spend(x.len() as u64) {
        return None;
    }
    let mut unknown = false;
    for (a, b) in x.iter().zip(y.iter()) {
        if walk_stopped() {
            return None;
        }
        match eq_at(a, b, depth + 1) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown {
        None
    } else {
        Some(true)
    }
}

// ---------------------------------------------------------------------------------------------
// Walks over nested values

/// Nesting depth at which walks over nested values stop, as CPython's recursion limit does.
pub const MAX_VALUE_DEPTH: usize = 1000;

/// Text bytes that cost one walk unit.
pub const BYTES_PER_UNIT: u64 = 16;

/// Why a walk over nested values (`==`, `repr`, `deepcopy`, …) stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkStop {
    /// The work would exceed what is left of the step budget.
    Budget,
    /// The nesting is deeper than Python's recursion limit (or cyclic); the text completes
    /// CPython's "maximum recursion depth exceeded …" message.
    Depth(&'static str),
}

struct Meter {
    spent: Cell<u64>,
    limit: Cell<u64>,
    stop: Cell<Option<WalkStop>>,
}

thread_local! {
    static METER: Meter = const {
        Meter {
            spent: Cell::new(0),
            limit: Cell::new(u64::MAX),
            stop: Cell::new(None),
        }
    };
}

/// Record `units` of walk work; false when the walk must stop.
pub(crate) fn spend(units: u64) -> bool {
    METER.with(|m| {
        if m.stop.get().is_some() {
            return false;
        }
        let s = m.spent.get().saturating_add(units);
        m.spent.set(s);
        if s > m.limit.get() {
            m.stop.set(Some(WalkStop::Budget));
            return false;
        }
        true
    })
}

/// True (and the walk stops) when `depth` is past the recursion limit.
pub(crate) fn too_deep(depth: usize, what: &'static str) -> bool {
    if depth < MAX_VALUE_DEPTH {
        return false;
    }
    METER.with(|m| {
        if m.stop.get().is_none() {
            m.stop.set(Some(WalkStop::Depth(what)));
        }
    });
    true
}

/// True once the current walk has stopped.
pub(crate) fn walk_stopped() -> bool {
    METER.with(|m| m.stop.get().is_some())
}

/// Anything spent or stopped since the last [`walk_take`].
#[inline]
pub(crate) fn walk_dirty() -> bool {
    METER.with(|m| m.spent.get() != 0 || m.stop.get().is_some())
}

/// The work done since the last call and why a walk stopped, if one did; resets both.
pub(crate) fn walk_take() -> (u64, Option<WalkStop>) {
    METER.with(|m| (m.spent.replace(0), m.stop.take()))
}

/// How many units the next walks may spend before they stop.
pub(crate) fn walk_limit(units: u64) {
    METER.with(|m| m.limit.set(units));
}

/// Python `is`.
pub fn py_is(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    Some(match (a, b) {
        (Opaque, _) | (_, Opaque) => return Option::None,
        (None, None) | (Ellipsis, Ellipsis) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Str(x), Str(y)) => x == y,
        (Tensor(x), Tensor(y)) => Rc::ptr_eq(x, y),
        (List(x), List(y)) => Rc::ptr_eq(x, y),
        (Dict(x), Dict(y)) => Rc::ptr_eq(x, y),
        (Object(x), Object(y)) => Rc::ptr_eq(x, y),
        (Class(x), Class(y)) => Rc::ptr_eq(x, y),
        (Func(x), Func(y)) => Rc::ptr_eq(x, y),
        (DType(x), DType(y)) => x == y,
        (Tuple(x), Tuple(y)) => Rc::ptr_eq(x, y),
        _ => false,
    })
}

/// Format a float the way Python's `repr` does.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == f.trunc() && f.abs() < 1e16 {
        return format!("{f:.1}");
    }
    let a = f.abs();
    if !(1e-4..1e16).contains(&a) {
        // Exponent form: Rust gives "1e-5", Python "1e-05".
        let s = format!("{f:e}");
        if let Some((m, e)) = s.split_once('e') {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            let digits = if digits.len() < 2 {
                format!("0{digits}")
            } else {
                digits.to_string()
            };
            return format!("{m}e{sign}{digits}");
        }
        return s;
    }
    format!("{f}")
}

/// `repr()` of a value; `None` when it is not known statically (or the walk stopped).
pub fn repr(v: &Value) -> Option<String> {
    let mut s = String::new();
    if Repr::default().write(v, &mut s, true, 0) {
        Some(s)
    } else {
        None
    }
}

/// `str()` of a value; `None` when it is not known statically (or the walk stopped).
pub fn to_str(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        _ => {
            let mut s = String::new();
            if Repr::default().write(v, &mut s, false, 0) {
                Some(s)
            } else {
                None
            }
        }
    }
}

fn quote(s: &str, out: &mut String) {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c)
            }
            c => out.push(c),
        }
    }
    out.push(q);
}

/// A `repr` in progress: the mutable containers being printed (CPython's `Py_ReprEnter`), so a
/// container inside itself prints as `[...]` / `{...}`.
#[derive(Default)]
struct Repr {
    open: Vec<usize>,
}

impl Repr {
    fn seq(
        &mut self,
        items: &[Value],
        out: &mut String,
        (open, close): (&str, &str),
        tuple: bool,
        depth: usize,
    ) -> bool {
        if too_deep(depth, "while getting the repr of an object") || !spend(items.len() as u64) {
            return false;
        }
        out.push_str(open);
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if !self.write(it, out, true, depth + 1) {
                return false;
            }
        }
        if tuple && items.len() == 1 {
            out.push(',');
        }
        out.push_str(close);
        true
    }

    /// Write a mutable container once: `[...]` when it is already being printed.
    fn container(
        &mut self,
        ptr: usize,
        out: &mut String,
        cycle: &str,
        body: impl FnOnce(&mut Self, &mut String) -> bool,
    ) -> bool {
        if self.open.contains(&ptr) {
            out.push_str(cycle);
            return true;
        }
        self.open.push(ptr);
        let ok = body(self, out);
        self.open.pop();
        ok
    }

    fn write(&mut self, v: &Value, out: &mut String, is_repr: bool, depth: usize) -> bool {
        match v {
            Value::None => out.push_str("None"),
            Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&float_repr(*f)),
            Value::Str(s) => {
                if !spend(s.len() as u64 / BYTES_PER_UNIT) {
                    return false;
                }
                if is_repr {
                    quote(s, out)
                } else {
                    out.push_str(s)
                }
            }
            Value::Tuple(t) => return self.seq(t, out, ("(", ")"), true, depth),
            Value::List(l) => {
                let items = l.borrow();
                let ptr = Rc::as_ptr(l) as *const () as usize;
                return self.container(ptr, out, "[...]", |r, out| {
                    r.seq(&items, out, ("[", "]"), false, depth)
                });
            }
            Value::Set(l) => {
                let items = l.borrow();
                if items.is_empty() {
                    out.push_str("set()");
                } else {
                    let ptr = Rc::as_ptr(l) as *const () as usize;
                    return self.container(ptr, out, "{...}", |r, out| {
                        r.seq(&items, out, ("{", "}"), false, depth)
                    });
                }
            }
            Value::Dict(d) => {
                let d2 = d.borrow();
                let ptr = Rc::as_ptr(d) as *const () as usize;
                return self.container(ptr, out, "{...}", |r, out| {
                    if too_deep(depth, "while getting the repr of an object")
                        || !spend(d2.items.len() as u64)
                    {
                        return false;
                    }
                    out.push('{');
                    for (i, (k, v)) in d2.items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        if !r.write(k, out, true, depth + 1) {
                            return false;
                        }
                        out.push_str(": ");
                        if !r.write(v, out, true, depth + 1) {
                            return false;
                        }
                    }
                    out.push('}');
                    true
                });
            }
            Value::Range(a, b, s) => {
                if *s == 1 {
                    let _ = write!(out, "range({a}, {b})");
                } else {
                    let _ = write!(out, "range({a}, {b}, {s})");
                }
            }
            Value::Ellipsis => out.push_str("Ellipsis"),
            Value::Size(t) => return self.seq(t, out, ("torch.Size([", "])"), false, depth),
            Value::DType(d) => {
                let _ = write!(out, "torch.{}", d.name());
            }
            Value::Device(d) => {
                if is_repr {
                    let _ = write!(out, "device(type='{d}')");
                } else {
                    out.push_str(d);
                }
            }
            Value::Class(c) => {
                let _ = write!(out, "<class '{}'>", c.name);
            }
            Value::Func(f) => {
                let _ = write!(out, "<function {}>", f.qualname);
            }
            Value::Object(o) if o.class.is_exception() => {
                if too_deep(depth, "while getting the repr of an object") {
                    return false;
                }
                let args = o.dict.borrow().get("args").cloned();
                match args {
                    Some(Value::Tuple(t)) if t.len() == 1 && !is_repr => {
                        return self.write(&t[0], out, false, depth + 1)
                    }
                    Some(Value::Tuple(t)) if t.is_empty() && !is_repr => {}
                    Some(a) if is_repr => {
                        out.push_str(&o.class.name);
                        let mut inner = String::new();
                        if !self.write(&a, &mut inner, true, depth + 1) {
                            return false;
                        }
                        out.push_str(inner.trim_end_matches(",)").trim_end_matches(')'));
                        out.push(')');
                    }
                    Some(a) => return self.write(&a, out, false, depth + 1),
                    None => {}
                }
            }
            _ => return false,
        }
        true
    }
}

/// Element counts: a product with overflow → `None`.
pub fn checked_product(it: impl IntoIterator<Item = Option<i64>>) -> Option<i64> {
    let mut p: i64 = 1;
    for d in it {
        p = p.checked_mul(d?)?;
    }
    Some(p)
}

/// Positional and keyword arguments of a call.
#[derive(Debug, Default, Clone)]
pub struct Args {
    pub pos: Vec<Value>,
    pub kw: Vec<(Rc<str>, Value)>,
}

impl Args {
    /// Positional arguments only.
    pub fn new(pos: Vec<Value>) -> Args {
        Args {
            pos,
            kw: Vec::new(),
        }
    }

    /// A keyword argument's value, removing it.
    pub fn take_kw(&mut self, name: &str) -> Option<Value> {
        let i = self.kw.iter().position(|(k, _)| &**k == name)?;
        Some(self.kw.remove(i).1)
    }

    /// Bind to a Python signature `names` whose first `required` entries are required, with
    /// CPython's `TypeError` texts. `fname` is the qualified name (`Conv2d.__init__`); methods
    /// count `self` in their messages as Python does.
    pub fn bind(self, fname: &str, names: &[&str], required: usize) -> R<Vec<Option<Value>>> {
        let is_method = fname.contains('.');
        let off = usize::from(is_method);
        let mut slots: Vec<Option<Value>> = vec![None; names.len()];
        if self.pos.len() > names.len() {
            let (lo, hi, n) = (required + off, names.len() + off, self.pos.len() + off);
            let takes = if lo == hi {
                format!("{hi} positional argument{}", if hi == 1 { "" } else { "s" })
            } else {
                format!("from {lo} to {hi} positional arguments")
            };
            return type_err(format!(
                "{fname}() takes {takes} but {n} {} given",
                if n == 1 { "was" } else { "were" }
            ));
        }
        for (i, v) in self.pos.into_iter().enumerate() {
            slots[i] = Some(v);
        }
        for (k, v) in self.kw {
            match names.iter().position(|n| **n == *k) {
                Some(i) => {
                    if slots[i].is_some() {
                        return type_err(format!(
                            "{fname}() got multiple values for argument '{k}'"
                        ));
                    }
                    slots[i] = Some(v);
                }
                None => {
                    return type_err(format!(
                        "{fname}() got an unexpected keyword argument '{k}'"
                    ))
                }
            }
        }
        let missing: Vec<String> = (0..required)
            .filter(|&i| slots[i].is_none())
            .map(|i| format!("'{}'", names[i]))
            .collect();
        if !missing.is_empty() {
            return type_err(format!(
                "{fname}() missing {} required positional argument{}: {}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                super::interp::join_names(&missing)
            ));
        }
        Ok(slots)
    }
}
