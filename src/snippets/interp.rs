//! The tree-walking interpreter over ruff's AST: scopes, statements, expressions, calls,
//! classes and `nn.Module` semantics. Library behaviour (builtins, torch, layers) lives in
//! `builtins.rs` and `layers.rs`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::{
    self as ast, BoolOp, CmpOp, ConversionFlag, Expr, InterpolatedStringElement, Number, Operator,
    Stmt, UnaryOp,
};
use ruff_text_size::{Ranged, TextRange};

use super::builtins::{self, Builtins};
use super::errors::{err, type_err, ExcKind, Exception, Flow, Loc, SourceInfo, R};
use super::layers::Layer;
use super::tensor::Tensor;
use super::value::{
    self as value, py_eq, py_is, range_len, repr, to_str, truthy, Args, Class, ClassKind, Dict,
    FuncCode, Function, IterState, ModState, Object, Param, Scope, Value, WrapKind,
};
use super::Budget;

/// Walk units (`value::spend`) that cost one step.
const UNITS_PER_STEP: u64 = 4;
/// Bytes of fresh data that cost one step (a list of 64 items, or 2 KB of text).
const BYTES_PER_STEP: u64 = 2048;
/// Bytes of one value (a list item).
pub(crate) const ITEM_BYTES: u64 = 32;
/// Most bytes of new lists, tuples, dicts and text one block may make.
const MAX_ALLOC_BYTES: u64 = 128 << 20;
/// Most bytes one list, tuple or text may have (4M items, 32 MB of text).
const MAX_ONE_BYTES: u64 = 128 << 20;
const MAX_TEXT_BYTES: u64 = 32 << 20;

/// Deepest host recursion of `eval`/`exec` allowed (keeps the host stack safe).
const MAX_NEST: usize = 3000;

/// One activation: a module body, a function body or a class body.
pub(crate) struct Frame {
    pub locals: Rc<Scope>,
    pub src: Rc<SourceInfo>,
    pub func: Option<Rc<Function>>,
    pub class_body: bool,
    pub module_level: bool,
    pub declared_global: Vec<Rc<str>>,
    pub declared_nonlocal: Vec<Rc<str>>,
}

/// Iteration over a value.
pub(crate) enum It {
    Seq(Vec<Value>, usize),
    Range(i64, i64, i64),
    /// An opaque iterable: one opaque item.
    Once(bool),
}

impl It {
    fn next(&mut self) -> Option<Value> {
        match self {
            It::Seq(v, i) => {
                let r = v.get(*i).cloned();
                *i += 1;
                r
            }
            It::Range(cur, stop, step) => {
                if (*step > 0 && *cur < *stop) || (*step < 0 && *cur > *stop) {
                    let r = *cur;
                    *cur = cur.saturating_add(*step);
                    if (*step > 0 && *cur < r) || (*step < 0 && *cur > r) {
                        *cur = *stop;
                    }
                    Some(Value::Int(r))
                } else {
                    None
                }
            }
            It::Once(done) => {
                if *done {
                    None
                } else {
                    *done = true;
                    Some(Value::Opaque)
                }
            }
        }
    }
    fn is_opaque(&self) -> bool {
        matches!(self, It::Once(_))
    }
}

/// A bounded interpreter for lesson code. All code it runs shares one global namespace.
pub struct Interp {
    pub(crate) max_steps: u64,
    pub(crate) max_depth: usize,
    pub(crate) steps: u64,
    /// Walk units and fresh bytes not yet worth a whole step.
    walk_rem: u64,
    alloc_rem: u64,
    /// Bytes of new data made in this block.
    allocated: u64,
    depth: usize,
    nest: usize,
    pub(crate) globals: Rc<Scope>,
    pub(crate) bi: Rc<Builtins>,
    builtin_names: HashMap<&'static str, Value>,
    defs: HashMap<(usize, u32), Rc<ast::StmtFunctionDef>>,
    lambdas: HashMap<(usize, u32), Rc<ast::ExprLambda>>,
    sources: Vec<Rc<SourceInfo>>,
    pub(crate) grad_enabled: bool,
    /// An opaque `if` held a `break`: the enclosing loop stops and forgets its names.
    opaque_break: bool,
    /// Exceptions being handled (for bare `raise`).
    handling: Vec<Exception>,
    /// A star-import from an unmodelled module: unknown names are opaque.
    opaque_star: bool,
}

impl Drop for Interp {
    fn drop(&mut self) {
        // Break the usual reference cycles (functions ↔ globals) so memory is returned.
        if let Ok(mut v) = self.globals.vars.try_borrow_mut() {
            v.clear();
        }
    }
}

fn src_key(src: &Rc<SourceInfo>) -> usize {
    Rc::as_ptr(src) as usize
}

impl Interp {
    /// A fresh interpreter with the given limits.
    pub fn new(budget: &Budget) -> Interp {
        let (bi, names) = builtins::make();
        value::walk_take();
        value::walk_limit(budget.max_steps.saturating_mul(UNITS_PER_STEP));
        Interp {
            max_steps: budget.max_steps,
            max_depth: budget.max_depth.max(1),
            steps: 0,
            walk_rem: 0,
            alloc_rem: 0,
            allocated: 0,
            depth: 0,
            nest: 0,
            globals: Scope::new(None),
            bi: Rc::new(bi),
            builtin_names: names,
            defs: HashMap::new(),
            lambdas: HashMap::new(),
            sources: Vec::new(),
            grad_enabled: true,
            opaque_break: false,
            handling: Vec::new(),
            opaque_star: false,
        }
    }

    /// Reset the step counter (each block gets the full budget).
    pub(crate) fn reset_steps(&mut self) {
        self.steps = 0;
        self.walk_rem = 0;
        self.alloc_rem = 0;
        self.allocated = 0;
        value::walk_take();
        value::walk_limit(self.max_steps.saturating_mul(UNITS_PER_STEP));
        self.depth = 0;
        self.nest = 0;
        self.grad_enabled = true;
        self.handling.clear();
    }

    /// A global name, or a Python builtin.
    pub(crate) fn global_or_builtin(&self, name: &str) -> Option<Value> {
        self.globals
            .get(name)
            .or_else(|| self.builtin_names.get(name).cloned())
    }

    pub(crate) fn keep_source(&mut self, src: Rc<SourceInfo>) {
        self.sources.push(src);
    }

    // -----------------------------------------------------------------------------------------
    // Budget

    fn budget_exc(&self) -> Flow {
        let mut e = Exception::new(
            "",
            format!("did not finish within {} steps", self.max_steps),
        );
        e.kind = ExcKind::Steps;
        Flow::Exc(Box::new(e))
    }

    #[inline]
    pub(crate) fn tick(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > self.max_steps {
            return Err(self.budget_exc());
        }
        Ok(())
    }

    /// Charge for work proportional to `n` (building big lists and strings).
    pub(crate) fn charge(&mut self, n: u64) -> R<()> {
        self.steps = self.steps.saturating_add(n);
        if self.steps > self.max_steps {
            return Err(self.budget_exc());
        }
        Ok(())
    }

    /// A budget overrun caused by one operation (located at it).
    fn op_budget_exc(&self, msg: Option<String>) -> Flow {
        let mut fl = self.budget_exc();
        if let Flow::Exc(e) = &mut fl {
            e.at_op = true;
            if let Some(m) = msg {
                e.msg = m;
            }
        }
        fl
    }

    fn memory_exc(&self) -> Flow {
        self.op_budget_exc(Some(format!(
            "needs more memory than the checker allows ({} MB)",
            MAX_ALLOC_BYTES >> 20
        )))
    }

    /// Charge the work of walks over nested values (`==`, `repr`, `deepcopy`, …) and report a
    /// walk that stopped: on the budget, or past Python's recursion limit.
    pub(crate) fn settle_walk(&mut self) -> R<()> {
        let (units, stop) = value::walk_take();
        let units = units.saturating_add(self.walk_rem);
        self.walk_rem = units % UNITS_PER_STEP;
        self.steps = self.steps.saturating_add(units / UNITS_PER_STEP);
        value::walk_limit(
            self.max_steps
                .saturating_sub(self.steps)
                .saturating_mul(UNITS_PER_STEP)
                .saturating_add(UNITS_PER_STEP),
        );
        if self.steps > self.max_steps || stop == Some(value::WalkStop::Budget) {
            return Err(self.op_budget_exc(None));
        }
        if let Some(value::WalkStop::Depth(what)) = stop {
            return err(
                "RecursionError",
                format!("maximum recursion depth exceeded {what}"),
            );
        }
        Ok(())
    }

    /// Check, before making it, that a new value of `bytes` fits the memory allowance.
    pub(crate) fn will_alloc(&mut self, bytes: u64, text: bool) -> R<()> {
        let one = if text { MAX_TEXT_BYTES } else { MAX_ONE_BYTES };
        if bytes > one || self.allocated.saturating_add(bytes) > MAX_ALLOC_BYTES {
            return Err(self.memory_exc());
        }
        Ok(())
    }

    /// Charge for `bytes` of data made or copied for the moment (an argument list, a
    /// materialised iterable): steps in proportion, and a bound on its size.
    pub(crate) fn transient(&mut self, bytes: u64) -> R<()> {
        if bytes > MAX_ONE_BYTES {
            return Err(self.memory_exc());
        }
        let b = bytes.saturating_add(self.alloc_rem);
        self.alloc_rem = b % BYTES_PER_STEP;
        let n = b / BYTES_PER_STEP;
        self.steps = self.steps.saturating_add(n);
        if self.steps > self.max_steps {
            return Err(self.op_budget_exc(None));
        }
        Ok(())
    }

    /// Charge for `bytes` of new data that may live on: steps in proportion, and the block's
    /// memory allowance.
    pub(crate) fn alloc(&mut self, bytes: u64) -> R<()> {
        self.allocated = self.allocated.saturating_add(bytes);
        if self.allocated > MAX_ALLOC_BYTES {
            return Err(self.memory_exc());
        }
        self.transient(bytes)
    }

    /// Charge for a value an operation just returned, if it is new (nobody else holds it).
    pub(crate) fn account_fresh(&mut self, v: &Value) -> R<()> {
        let bytes = match v {
            Value::List(l) | Value::Set(l) if Rc::strong_count(l) == 1 => {
                l.borrow().len() as u64 * ITEM_BYTES
            }
            Value::Tuple(t) if Rc::strong_count(t) == 1 => t.len() as u64 * ITEM_BYTES,
            Value::Dict(d) if Rc::strong_count(d) == 1 => {
                d.borrow().items.len() as u64 * 2 * ITEM_BYTES
            }
            Value::Str(s) if Rc::strong_count(s) == 1 => s.len() as u64,
            _ => return Ok(()),
        };
        if bytes < 64 {
            return Ok(());
        }
        self.alloc(bytes)
    }

    fn enter(&mut self) -> R<()> {
        self.nest += 1;
        if self.nest > MAX_NEST {
            self.nest -= 1;
            let mut e = Exception::new("RecursionError", "maximum recursion depth exceeded");
            e.kind = ExcKind::Depth;
            return Err(Flow::Exc(Box::new(e)));
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Locations

    fn loc(&self, f: &Frame, range: TextRange) -> Loc {
        Loc {
            src: f.src.clone(),
            start: range.start().into(),
            end: range.end().into(),
            func: f.func.as_ref().map(|x| x.name.clone()),
        }
    }

    /// Attach `range` to a pending exception. `anchor` is true for loops and calls, which also
    /// locate budget overruns.
    fn locate(&self, fl: Flow, f: &Frame, range: TextRange, anchor: bool) -> Flow {
        match fl {
            Flow::Exc(mut e) => {
                let take = match e.kind {
                    ExcKind::Py => true,
                    ExcKind::Steps | ExcKind::Depth => anchor || e.at_op,
                };
                if e.pending && take {
                    e.frames.push(self.loc(f, range));
                    e.pending = false;
                }
                Flow::Exc(e)
            }
            other => other,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Running code

    /// Run a module body. On failure returns the exception and the index of the top-level
    /// statement that failed.
    pub(crate) fn run_body(
        &mut self,
        src: Rc<SourceInfo>,
        body: &[Stmt],
    ) -> Result<(), (Box<Exception>, usize)> {
        let mut f = Frame {
            locals: self.globals.clone(),
            src,
            func: None,
            class_body: false,
            module_level: true,
            declared_global: Vec::new(),
            declared_nonlocal: Vec::new(),
        };
        for (i, s) in body.iter().enumerate() {
            match self.exec(s, &mut f) {
                Ok(()) => {}
                Err(Flow::Exc(e)) => return Err((e, i)),
                Err(Flow::Return(_)) | Err(Flow::Break) | Err(Flow::Continue) => {
                    // Rejected earlier as syntax errors; ignore here.
                }
            }
        }
        Ok(())
    }

    /// Make every name the statements would bind opaque (after an error, or for code that
    /// runs under an unknown condition).
    pub(crate) fn havoc_module(&mut self, src: Rc<SourceInfo>, body: &[Stmt]) {
        let mut f = Frame {
            locals: self.globals.clone(),
            src,
            func: None,
            class_body: false,
            module_level: true,
            declared_global: Vec::new(),
            declared_nonlocal: Vec::new(),
        };
        self.havoc(body, &mut f);
    }

    /// Bind `name` to an opaque value unless it is already bound.
    pub(crate) fn forget_global(&mut self, name: &str) {
        if self.globals.get(name).is_none() {
            self.globals.set(name, Value::Opaque);
        }
    }

    fn exec_body(&mut self, body: &[Stmt], f: &mut Frame) -> R<()> {
        for s in body {
            self.exec(s, f)?;
        }
        Ok(())
    }

    fn exec(&mut self, s: &Stmt, f: &mut Frame) -> R<()> {
        self.tick()
            .map_err(|e| self.locate(e, f, s.range(), false))?;
        self.enter()?;
        let r = self.exec_inner(s, f);
        self.nest -= 1;
        match r {
            Ok(()) => Ok(()),
            Err(fl) => {
                let range = match s {
                    Stmt::For(_)
                    | Stmt::While(_)
                    | Stmt::If(_)
                    | Stmt::With(_)
                    | Stmt::Try(_)
                    | Stmt::FunctionDef(_)
                    | Stmt::ClassDef(_)
                    | Stmt::Match(_) => header_range(&f.src, s.range()),
                    _ => s.range(),
                };
                let anchor = matches!(s, Stmt::For(_) | Stmt::While(_));
                Err(self.locate(fl, f, range, anchor))
            }
        }
    }

    fn exec_inner(&mut self, s: &Stmt, f: &mut Frame) -> R<()> {
        match s {
            Stmt::Expr(e) => {
                self.eval(&e.value, f)?;
                Ok(())
            }
            Stmt::Assign(a) => {
                let v = self.eval(&a.value, f)?;
                for t in &a.targets {
                    self.assign(t, v.clone(), f)?;
                }
                Ok(())
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    let v = self.eval(v, f)?;
                    self.assign(&a.target, v, f)?;
                }
                Ok(())
            }
            Stmt::AugAssign(a) => self.exec_augassign(a, f),
            Stmt::Pass(_) => Ok(()),
            Stmt::Return(r) => {
                let v = match &r.value {
                    Some(e) => self.eval(e, f)?,
                    None => Value::None,
                };
                Err(Flow::Return(v))
            }
            Stmt::Break(_) => Err(Flow::Break),
            Stmt::Continue(_) => Err(Flow::Continue),
            Stmt::If(i) => self.exec_if(i, f),
            Stmt::For(fs) => self.exec_for(fs, f),
            Stmt::While(w) => self.exec_while(w, f),
            Stmt::FunctionDef(d) => {
                let v = self.make_def(d, f)?;
                self.bind_name(&d.name.id, v, f);
                Ok(())
            }
            Stmt::ClassDef(c) => {
                let v = self.make_class(c, f)?;
                self.bind_name(&c.name.id, v, f);
                Ok(())
            }
            Stmt::Import(im) => {
                for a in &im.names {
                    let full = a.name.id.as_str();
                    match &a.asname {
                        Some(asn) => {
                            let v = builtins::import_module(full);
                            self.bind_name(&asn.id, v, f);
                        }
                        None => {
                            let top = full.split('.').next().unwrap_or(full);
                            let v = builtins::import_module(top);
                            self.bind_name(top, v, f);
                        }
                    }
                }
                Ok(())
            }
            Stmt::ImportFrom(im) => {
                let module = im.module.as_ref().map(|m| m.id.as_str()).unwrap_or("");
                let modv = if im.level > 0 {
                    Value::Opaque
                } else {
                    builtins::import_module(module)
                };
                for a in &im.names {
                    let name = a.name.id.as_str();
                    if name == "*" {
                        match &modv {
                            Value::Namespace(ns) => {
                                for (n, v) in builtins::star_names(*ns, &self.bi) {
                                    self.bind_name(n, v, f);
                                }
                            }
                            _ => self.opaque_star = true,
                        }
                        continue;
                    }
                    let v = builtins::import_from(self, &modv, module, name);
                    let bind = a.asname.as_ref().map(|x| x.id.as_str()).unwrap_or(name);
                    self.bind_name(bind, v, f);
                }
                Ok(())
            }
            Stmt::Global(g) => {
                for n in &g.names {
                    f.declared_global.push(n.id.as_str().into());
                }
                Ok(())
            }
            Stmt::Nonlocal(g) => {
                for n in &g.names {
                    f.declared_nonlocal.push(n.id.as_str().into());
                }
                Ok(())
            }
            Stmt::Assert(a) => self.exec_assert(a, f),
            Stmt::Raise(r) => self.exec_raise(r, f),
            Stmt::Try(t) => self.exec_try(t, f),
            Stmt::With(w) => self.exec_with(w, f),
            Stmt::Delete(d) => {
                for t in &d.targets {
                    self.delete(t, f)?;
                }
                Ok(())
            }
            Stmt::Match(_) => {
                self.havoc(std::slice::from_ref(s), f);
                Ok(())
            }
            Stmt::TypeAlias(_) | Stmt::IpyEscapeCommand(_) => Ok(()),
        }
    }

    fn exec_if(&mut self, i: &ast::StmtIf, f: &mut Frame) -> R<()> {
        let c = self.eval(&i.test, f)?;
        match self.truth(&c)? {
            Some(true) => return self.exec_body(&i.body, f),
            Some(false) => {}
            None => return self.opaque_branches(i, 0, f),
        }
        for (k, clause) in i.elif_else_clauses.iter().enumerate() {
            match &clause.test {
                None => return self.exec_body(&clause.body, f),
                Some(t) => {
                    let c = self.eval(t, f)?;
                    match self.truth(&c)? {
                        Some(true) => return self.exec_body(&clause.body, f),
                        Some(false) => {}
                        None => return self.opaque_branches(i, k + 1, f),
                    }
                }
            }
        }
        Ok(())
    }

    /// An `if` whose condition is unknown, from branch `from` on: no branch runs, the names
    /// they bind become opaque.
    fn opaque_branches(&mut self, i: &ast::StmtIf, from: usize, f: &mut Frame) -> R<()> {
        let mut bodies: Vec<&[Stmt]> = Vec::new();
        if from == 0 {
            bodies.push(&i.body);
        }
        for clause in i.elif_else_clauses.iter().skip(from.saturating_sub(1)) {
            bodies.push(&clause.body);
        }
        let mut breaks = false;
        for b in &bodies {
            self.havoc(b, f);
            breaks |= contains_break(b);
        }
        if breaks {
            self.opaque_break = true;
            return Err(Flow::Break);
        }
        Ok(())
    }

    fn exec_for(&mut self, fs: &ast::StmtFor, f: &mut Frame) -> R<()> {
        let itv = self.eval(&fs.iter, f)?;
        let mut it = self.get_iter(&itv)?;
        if let Value::Iter(st) = &itv {
            let mut st = st.borrow_mut();
            st.pos = st.items.len();
        }
        let opaque = it.is_opaque();
        let mut broke = false;
        while let Some(item) = it.next() {
            self.tick()?;
            self.assign(&fs.target, item, f)?;
            match self.exec_body(&fs.body, f) {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => {
                    if self.opaque_break {
                        self.opaque_break = false;
                        self.havoc(&fs.body, f);
                    }
                    broke = true;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        if opaque {
            // The loop may run any number of times: what it binds (accumulators, last
            // batch) is unknown afterwards.
            self.havoc_target(&fs.target, f);
            self.havoc(&fs.body, f);
        }
        if !broke {
            self.exec_body(&fs.orelse, f)?;
        }
        Ok(())
    }

    fn exec_while(&mut self, w: &ast::StmtWhile, f: &mut Frame) -> R<()> {
        loop {
            self.tick()?;
            let c = self.eval(&w.test, f)?;
            match self.truth(&c)? {
                Some(true) => match self.exec_body(&w.body, f) {
                    Ok(()) | Err(Flow::Continue) => {}
                    Err(Flow::Break) => {
                        if self.opaque_break {
                            self.opaque_break = false;
                            self.havoc(&w.body, f);
                        }
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                },
                Some(false) => return self.exec_body(&w.orelse, f),
                None => {
                    self.havoc(&w.body, f);
                    self.havoc(&w.orelse, f);
                    return Ok(());
                }
            }
        }
    }

    fn exec_augassign(&mut self, a: &ast::StmtAugAssign, f: &mut Frame) -> R<()> {
        let cur = self.eval(&a.target, f)?;
        let rhs = self.eval(&a.value, f)?;
        let v = match &cur {
            Value::List(l) if a.op == Operator::Add => {
                let items = self.iterate(&rhs)?;
                self.alloc(items.len() as u64 * ITEM_BYTES)?;
                l.borrow_mut().extend(items);
                cur.clone()
            }
            Value::Tensor(t) => builtins::tensor_inplace(self, t, a.op, &rhs)?,
            _ => {
                let v = self.binop(a.op, &cur, &rhs)?;
                drop(cur);
                self.account_fresh(&v)?;
                v
            }
        };
        self.assign(&a.target, v, f)
    }

    fn exec_assert(&mut self, a: &ast::StmtAssert, f: &mut Frame) -> R<()> {
        // Evaluate a comparison's left side separately so the message can show it.
        let (ok, left) = match &*a.test {
            Expr::Compare(c) if c.ops.len() == 1 => {
                let l = self.eval(&c.left, f)?;
                let r = self.eval(&c.comparators[0], f)?;
                let mut v = self.compare(c.ops[0], &l, &r);
                if value::walk_dirty() {
                    v = v.and_then(|v| self.settle_walk().map(|_| v));
                }
                let v = v.map_err(|e| self.locate(e, f, c.range, false))?;
                (v, Some(l))
            }
            t => (self.eval(t, f)?, None),
        };
        if self.truth(&ok)? != Some(false) {
            return Ok(());
        }
        let msg = match &a.msg {
            Some(m) => {
                let v = self.eval(m, f)?;
                to_str(&v).unwrap_or_else(|| "…".into())
            }
            None => left.as_ref().and_then(repr).unwrap_or_default(),
        };
        err("AssertionError", msg)
    }

    fn exec_raise(&mut self, r: &ast::StmtRaise, f: &mut Frame) -> R<()> {
        let Some(e) = &r.exc else {
            return match self.handling.last() {
                Some(e) => {
                    let mut e = Box::new(e.clone());
                    e.frames.clear();
                    e.pending = true;
                    Err(Flow::Exc(e))
                }
                None => err("RuntimeError", "No active exception to reraise"),
            };
        };
        if let Some(c) = &r.cause {
            self.eval(c, f)?;
        }
        let v = self.eval(e, f)?;
        Err(Flow::Exc(Box::new(self.exception_from_value(v)?)))
    }

    /// Turn a raised value into an exception.
    fn exception_from_value(&mut self, v: Value) -> R<Exception> {
        let v = match v {
            Value::Class(c) => self.instantiate(&c, Args::default())?,
            v => v,
        };
        match &v {
            Value::Object(o) if o.class.is_exception() => {
                let msg = to_str(&v).unwrap_or_else(|| "…".into());
                let mut e = Exception::new(&o.class.name, msg);
                e.value = Some(v.clone());
                Ok(e)
            }
            Value::Opaque => Ok(Exception::new("Exception", "…")),
            other => Ok(Exception::new(
                "TypeError",
                format!(
                    "exceptions must derive from BaseException, not {}",
                    other.type_name()
                ),
            )),
        }
    }

    /// The class of an in-flight exception.
    fn exc_class(&self, e: &Exception) -> Rc<Class> {
        if let Some(Value::Object(o)) = &e.value {
            return o.class.clone();
        }
        self.bi
            .exceptions
            .get(&*e.ty)
            .cloned()
            .unwrap_or_else(|| self.bi.exception.clone())
    }

    fn exc_matches(&self, e: &Exception, handler: &Value) -> bool {
        let cls = self.exc_class(e);
        match handler {
            Value::Class(c) => cls.is_sub(c),
            Value::Tuple(t) => t.iter().any(|h| self.exc_matches(e, h)),
            // Unknown handler types: assume they catch (never report a caught error).
            _ => true,
        }
    }

    fn exc_object(&self, e: &Exception) -> Value {
        if let Some(v) = &e.value {
            return v.clone();
        }
        let cls = self.exc_class(e);
        let o = Object {
            class: cls,
            dict: RefCell::new(HashMap::new()),
            module: None,
        };
        o.dict
            .borrow_mut()
            .insert("args".into(), Value::tuple(vec![Value::str(&e.msg)]));
        Value::Object(Rc::new(o))
    }

    fn exec_try(&mut self, t: &ast::StmtTry, f: &mut Frame) -> R<()> {
        let r = self.exec_body(&t.body, f);
        let r = match r {
            Err(Flow::Exc(e)) if e.kind == ExcKind::Py => {
                let mut handled = None;
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    let matches = match &h.type_ {
                        None => true,
                        Some(te) => {
                            let hv = self.eval(te, f)?;
                            self.exc_matches(&e, &hv)
                        }
                    };
                    if matches {
                        handled = Some(h);
                        break;
                    }
                }
                match handled {
                    Some(h) => {
                        if let Some(n) = &h.name {
                            let obj = self.exc_object(&e);
                            self.bind_name(&n.id, obj, f);
                        }
                        self.handling.push(*e);
                        let r = self.exec_body(&h.body, f);
                        self.handling.pop();
                        r
                    }
                    None => Err(Flow::Exc(e)),
                }
            }
            Ok(()) => self.exec_body(&t.orelse, f),
            other => other,
        };
        // Budget overruns skip `finally` (it would only overrun again).
        if let Err(Flow::Exc(e)) = &r {
            if e.kind != ExcKind::Py {
                return r;
            }
        }
        if !t.finalbody.is_empty() {
            self.exec_body(&t.finalbody, f)?;
        }
        r
    }

    fn exec_with(&mut self, w: &ast::StmtWith, f: &mut Frame) -> R<()> {
        let saved_grad = self.grad_enabled;
        let mut exits: Vec<Value> = Vec::new();
        for item in &w.items {
            let ctx = self.eval(&item.context_expr, f)?;
            let entered = match &ctx {
                Value::Builtin(b) if &*b.name == "no_grad" || &*b.name == "inference_mode" => {
                    self.grad_enabled = false;
                    Value::None
                }
                Value::Builtin(b) if &*b.name == "enable_grad" => {
                    self.grad_enabled = true;
                    Value::None
                }
                Value::Object(o) if o.class.lookup("__enter__").is_some() => {
                    let enter = self.get_attr(&ctx, "__enter__")?;
                    if o.class.lookup("__exit__").is_some() {
                        exits.push(self.get_attr(&ctx, "__exit__")?);
                    }
                    self.call(&enter, Args::default())?
                }
                _ => Value::Opaque,
            };
            if let Some(t) = &item.optional_vars {
                self.assign(t, entered, f)?;
            }
        }
        let r = self.exec_body(&w.body, f);
        self.grad_enabled = saved_grad;
        for ex in exits.iter().rev() {
            self.call(ex, Args::new(vec![Value::None, Value::None, Value::None]))?;
        }
        r
    }

    // -----------------------------------------------------------------------------------------
    // Names and assignment

    fn bind_name(&mut self, name: &str, v: Value, f: &mut Frame) {
        if f.module_level || f.declared_global.iter().any(|g| &**g == name) {
            self.globals.set(name, v);
            return;
        }
        if f.declared_nonlocal.iter().any(|g| &**g == name) {
            let mut s = f.locals.parent.clone();
            while let Some(sc) = s {
                if sc.vars.borrow().contains_key(name) {
                    sc.set(name, v);
                    return;
                }
                s = sc.parent.clone();
            }
        }
        f.locals.set(name, v);
    }

    fn lookup(&self, name: &str, f: &Frame) -> R<Value> {
        let mut s: Option<&Rc<Scope>> = Some(&f.locals);
        while let Some(sc) = s {
            if let Some(v) = sc.get(name) {
                return Ok(v);
            }
            s = sc.parent.as_ref();
        }
        if let Some(v) = self.globals.get(name) {
            return Ok(v);
        }
        if let Some(v) = self.builtin_names.get(name) {
            return Ok(v.clone());
        }
        if self.opaque_star {
            return Ok(Value::Opaque);
        }
        let mut msg = format!("name '{name}' is not defined");
        // CPython first checks `self.<name>` inside methods.
        if let Some(Value::Object(o)) = f.locals.get("self") {
            {
                let has = o.dict.borrow().contains_key(name)
                    || o.class.lookup(name).is_some()
                    || o.module.as_ref().is_some_and(|m| {
                        let m = m.borrow();
                        m.module(name).is_some()
                            || m.params.iter().any(|(n, _)| &**n == name)
                            || m.buffers.iter().any(|(n, _)| &**n == name)
                    });
                if has {
                    msg.push_str(&format!(". Did you mean: 'self.{name}'?"));
                    return err("NameError", msg);
                }
            }
        }
        let mut cands: Vec<Rc<str>> = Vec::new();
        let mut s: Option<&Rc<Scope>> = Some(&f.locals);
        while let Some(sc) = s {
            cands.extend(sc.names());
            s = sc.parent.as_ref();
        }
        if !f.module_level {
            cands.extend(self.globals.names());
        }
        let mut bnames: Vec<&str> = self.builtin_names.keys().copied().collect();
        bnames.sort_unstable();
        cands.extend(bnames.into_iter().map(Rc::from));
        if let Some(sug) = suggest(name, cands.iter().map(|s| &**s)) {
            msg.push_str(&format!(". Did you mean: '{sug}'?"));
        }
        err("NameError", msg)
    }

    fn assign(&mut self, t: &Expr, v: Value, f: &mut Frame) -> R<()> {
        match t {
            Expr::Name(n) => {
                self.bind_name(&n.id, v, f);
                Ok(())
            }
            Expr::Attribute(a) => {
                let obj = self.eval(&a.value, f)?;
                self.set_attr(&obj, &a.attr.id, v)
                    .map_err(|e| self.locate(e, f, a.range, false))
            }
            Expr::Subscript(s) => {
                let obj = self.eval(&s.value, f)?;
                let idx = self.eval(&s.slice, f)?;
                self.set_item(&obj, &idx, v)
                    .map_err(|e| self.locate(e, f, s.range, false))
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                self.unpack(elts, v, f)
            }
            Expr::Starred(s) => self.assign(&s.value, v, f),
            _ => err("SyntaxError", "cannot assign to expression"),
        }
    }

    fn unpack(&mut self, elts: &[Expr], v: Value, f: &mut Frame) -> R<()> {
        let star = elts.iter().position(|e| matches!(e, Expr::Starred(_)));
        if v.is_opaque() {
            for e in elts {
                self.assign(e, Value::Opaque, f)?;
            }
            return Ok(());
        }
        if let Value::Tensor(t) = &v {
            // Unpacking a tensor iterates its first dimension.
            if t.shape.first().copied().flatten().is_none() {
                for e in elts {
                    self.assign(e, Value::Opaque, f)?;
                }
                return Ok(());
            }
        }
        let items = self.iterate(&v)?;
        match star {
            None => {
                if items.len() > elts.len() {
                    return err(
                        "ValueError",
                        format!("too many values to unpack (expected {})", elts.len()),
                    );
                }
                if items.len() < elts.len() {
                    return err(
                        "ValueError",
                        format!(
                            "not enough values to unpack (expected {}, got {})",
                            elts.len(),
                            items.len()
                        ),
                    );
                }
                for (e, it) in elts.iter().zip(items) {
                    self.assign(e, it, f)?;
                }
                Ok(())
            }
            Some(si) => {
                let after = elts.len() - si - 1;
                if items.len() < elts.len() - 1 {
                    return err(
                        "ValueError",
                        format!(
                            "not enough values to unpack (expected at least {}, got {})",
                            elts.len() - 1,
                            items.len()
                        ),
                    );
                }
                let n = items.len();
                for (k, e) in elts.iter().enumerate() {
                    if k < si {
                        self.assign(e, items[k].clone(), f)?;
                    } else if k == si {
                        let mid = items[si..n - after].to_vec();
                        self.assign(e, Value::list(mid), f)?;
                    } else {
                        let idx = n - (elts.len() - k);
                        self.assign(e, items[idx].clone(), f)?;
                    }
                }
                Ok(())
            }
        }
    }

    fn delete(&mut self, t: &Expr, f: &mut Frame) -> R<()> {
        match t {
            Expr::Name(n) => {
                let removed = if f.module_level {
                    self.globals.vars.borrow_mut().remove(n.id.as_str())
                } else {
                    f.locals.vars.borrow_mut().remove(n.id.as_str())
                };
                if removed.is_none() {
                    return err("NameError", format!("name '{}' is not defined", n.id));
                }
                Ok(())
            }
            Expr::Subscript(s) => {
                let obj = self.eval(&s.value, f)?;
                let idx = self.eval(&s.slice, f)?;
                builtins::del_item(self, &obj, &idx)
            }
            Expr::Attribute(a) => {
                let obj = self.eval(&a.value, f)?;
                if let Value::Object(o) = &obj {
                    o.dict.borrow_mut().remove(a.attr.id.as_str());
                    if let Some(m) = &o.module {
                        let mut m = m.borrow_mut();
                        m.modules.retain(|(n, _)| **n != *a.attr.id.as_str());
                        m.params.retain(|(n, _)| **n != *a.attr.id.as_str());
                        m.buffers.retain(|(n, _)| **n != *a.attr.id.as_str());
                    }
                }
                Ok(())
            }
            Expr::Tuple(tu) => {
                for e in &tu.elts {
                    self.delete(e, f)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Havoc: forget what code that did not run (or may not have run) would have bound.

    fn havoc(&mut self, body: &[Stmt], f: &mut Frame) {
        for s in body {
            match s {
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        self.havoc_target(t, f);
                    }
                }
                Stmt::AnnAssign(a) => self.havoc_target(&a.target, f),
                Stmt::AugAssign(a) => self.havoc_target(&a.target, f),
                Stmt::For(fs) => {
                    self.havoc_target(&fs.target, f);
                    self.havoc(&fs.body, f);
                    self.havoc(&fs.orelse, f);
                }
                Stmt::While(w) => {
                    self.havoc(&w.body, f);
                    self.havoc(&w.orelse, f);
                }
                Stmt::If(i) => {
                    self.havoc(&i.body, f);
                    for c in &i.elif_else_clauses {
                        self.havoc(&c.body, f);
                    }
                }
                Stmt::With(w) => {
                    for it in &w.items {
                        if let Some(t) = &it.optional_vars {
                            self.havoc_target(t, f);
                        }
                    }
                    self.havoc(&w.body, f);
                }
                Stmt::Try(t) => {
                    self.havoc(&t.body, f);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        if let Some(n) = &h.name {
                            self.bind_name(&n.id, Value::Opaque, f);
                        }
                        self.havoc(&h.body, f);
                    }
                    self.havoc(&t.orelse, f);
                    self.havoc(&t.finalbody, f);
                }
                Stmt::Match(m) => {
                    for c in &m.cases {
                        self.havoc(&c.body, f);
                    }
                }
                Stmt::FunctionDef(d) => self.bind_name(&d.name.id, Value::Opaque, f),
                Stmt::ClassDef(c) => self.bind_name(&c.name.id, Value::Opaque, f),
                Stmt::Import(im) => {
                    for a in &im.names {
                        let n = match &a.asname {
                            Some(x) => x.id.as_str(),
                            None => a.name.id.split('.').next().unwrap_or(""),
                        };
                        self.bind_name(n, Value::Opaque, f);
                    }
                }
                Stmt::ImportFrom(im) => {
                    for a in &im.names {
                        let n = a.asname.as_ref().unwrap_or(&a.name).id.as_str();
                        if n != "*" {
                            self.bind_name(n, Value::Opaque, f);
                        }
                    }
                }
                Stmt::Delete(d) => {
                    for t in &d.targets {
                        self.havoc_target(t, f);
                    }
                }
                Stmt::Expr(e) => {
                    // Mutating method calls: `xs.append(...)`, `self.layers.extend(...)`.
                    if let Expr::Call(c) = &*e.value {
                        if let Expr::Attribute(a) = &*c.func {
                            if MUTATORS.contains(&a.attr.id.as_str()) {
                                self.havoc_target(&a.value, f);
                            }
                        }
                    }
                }
                Stmt::Global(g) => {
                    for n in &g.names {
                        f.declared_global.push(n.id.as_str().into());
                    }
                }
                _ => {}
            }
        }
    }

    fn havoc_target(&mut self, t: &Expr, f: &mut Frame) {
        match t {
            Expr::Name(n) => self.bind_name(&n.id, Value::Opaque, f),
            Expr::Attribute(a) => {
                if let Some(obj) = self.quiet_eval(&a.value, f) {
                    forget_attr(&obj, &a.attr.id);
                }
            }
            Expr::Subscript(s) => self.havoc_target(&s.value, f),
            Expr::Tuple(tu) => {
                for e in &tu.elts {
                    self.havoc_target(e, f);
                }
            }
            Expr::List(l) => {
                for e in &l.elts {
                    self.havoc_target(e, f);
                }
            }
            Expr::Starred(s) => self.havoc_target(&s.value, f),
            _ => {}
        }
    }

    /// Evaluate a side-effect-free name/attribute chain without raising.
    fn quiet_eval(&mut self, e: &Expr, f: &mut Frame) -> Option<Value> {
        match e {
            Expr::Name(n) => self.lookup(&n.id, f).ok(),
            Expr::Attribute(a) => {
                let o = self.quiet_eval(&a.value, f)?;
                self.get_attr(&o, &a.attr.id).ok()
            }
            _ => None,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Definitions

    fn build_params(&mut self, p: Option<&ast::Parameters>, f: &mut Frame) -> R<FuncSig> {
        let mut sig = FuncSig::default();
        let Some(p) = p else {
            return Ok(sig);
        };
        for a in p.posonlyargs.iter().chain(p.args.iter()) {
            let default = match &a.default {
                Some(d) => Some(self.eval(d, f)?),
                None => None,
            };
            sig.params.push(Param {
                name: a.parameter.name.id.as_str().into(),
                default,
            });
        }
        sig.posonly = p.posonlyargs.len();
        sig.vararg = p.vararg.as_ref().map(|v| v.name.id.as_str().into());
        for a in &p.kwonlyargs {
            let default = match &a.default {
                Some(d) => Some(self.eval(d, f)?),
                None => None,
            };
            sig.kwonly.push(Param {
                name: a.parameter.name.id.as_str().into(),
                default,
            });
        }
        sig.kwarg = p.kwarg.as_ref().map(|v| v.name.id.as_str().into());
        Ok(sig)
    }

    fn closure_of(&self, f: &Frame) -> Option<Rc<Scope>> {
        if f.module_level {
            None
        } else if f.class_body {
            f.locals.parent.clone()
        } else {
            Some(f.locals.clone())
        }
    }

    fn make_def(&mut self, d: &ast::StmtFunctionDef, f: &mut Frame) -> R<Value> {
        let key = (src_key(&f.src), u32::from(d.range.start()));
        let def = match self.defs.get(&key) {
            Some(x) => x.clone(),
            None => {
                let x = Rc::new(d.clone());
                self.defs.insert(key, x.clone());
                x
            }
        };
        let sig = self.build_params(Some(&d.parameters), f)?;
        let qual = match (&f.func, f.class_body) {
            (_, true) => format!(
                "{}.{}",
                f.locals
                    .get("__qualname__")
                    .as_ref()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                d.name.id
            ),
            (Some(outer), false) => format!("{}.<locals>.{}", outer.qualname, d.name.id),
            _ => d.name.id.to_string(),
        };
        let func = Function {
            name: d.name.id.as_str().into(),
            qualname: qual.trim_start_matches('.').into(),
            code: FuncCode::Def(def.clone()),
            posonly: sig.posonly,
            params: sig.params,
            vararg: sig.vararg,
            kwonly: sig.kwonly,
            kwarg: sig.kwarg,
            src: f.src.clone(),
            globals: self.globals.clone(),
            closure: self.closure_of(f),
            class: RefCell::new(std::rc::Weak::new()),
            is_generator: body_yields(&def.body),
        };
        let mut v = Value::Func(Rc::new(func));
        for dec in d.decorator_list.iter().rev() {
            let dv = self.eval(&dec.expression, f)?;
            v = self.apply_decorator(&dv, v)?;
            if caching_decorator(&dec.expression) {
                // A memoised function runs in a time the interpreter does not model.
                v = Value::Opaque;
            }
        }
        Ok(v)
    }

    fn apply_decorator(&mut self, dec: &Value, v: Value) -> R<Value> {
        match dec {
            Value::Builtin(b) => match &*b.name {
                "staticmethod" => Ok(Value::Wrapped(Rc::new((WrapKind::Static, v)))),
                "classmethod" => Ok(Value::Wrapped(Rc::new((WrapKind::ClassMethod, v)))),
                "property" => Ok(Value::Wrapped(Rc::new((WrapKind::Property, v)))),
                "no_grad" | "inference_mode" | "enable_grad" => Ok(v),
                _ => self.call(dec, Args::new(vec![v])),
            },
            // Unknown decorators (`functools.lru_cache`, `torch.jit.script`, …) are taken to
            // return a function that behaves like the original.
            Value::Opaque => Ok(v),
            _ => self.call(dec, Args::new(vec![v])),
        }
    }

    fn make_class(&mut self, c: &ast::StmtClassDef, f: &mut Frame) -> R<Value> {
        let mut bases: Vec<Rc<Class>> = Vec::new();
        let mut opaque_base = false;
        if let Some(args) = &c.arguments {
            for b in args.args.iter() {
                match self.eval(b, f)? {
                    Value::Class(cl) => {
                        opaque_base |= cl.opaque_base;
                        bases.push(cl);
                    }
                    _ => opaque_base = true,
                }
            }
            for k in args.keywords.iter() {
                self.eval(&k.value, f)?;
            }
        }
        let qual = match &f.func {
            Some(outer) if !f.class_body => format!("{}.<locals>.{}", outer.qualname, c.name.id),
            _ => c.name.id.to_string(),
        };
        let scope = Scope::new(if f.module_level {
            None
        } else if f.class_body {
            f.locals.parent.clone()
        } else {
            Some(f.locals.clone())
        });
        scope.set("__qualname__", Value::str(&qual));
        scope.set("__module__", Value::str("__main__"));
        let mut cf = Frame {
            locals: scope.clone(),
            src: f.src.clone(),
            func: f.func.clone(),
            class_body: true,
            module_level: false,
            declared_global: Vec::new(),
            declared_nonlocal: Vec::new(),
        };
        self.exec_body(&c.body, &mut cf)?;
        let mro = compute_mro(&bases, &self.bi.object);
        let dict: HashMap<Rc<str>, Value> = scope.vars.borrow().clone();
        let cls = Rc::new(Class {
            name: c.name.id.as_str().into(),
            kind: ClassKind::User,
            bases,
            mro,
            dict: RefCell::new(dict),
            opaque_base,
        });
        for v in cls.dict.borrow().values() {
            let func = match v {
                Value::Func(fu) => Some(fu.clone()),
                Value::Wrapped(w) => match &w.1 {
                    Value::Func(fu) => Some(fu.clone()),
                    _ => None,
                },
                _ => None,
            };
            if let Some(fu) = func {
                *fu.class.borrow_mut() = Rc::downgrade(&cls);
            }
        }
        let mut v = Value::Class(cls);
        for dec in c.decorator_list.iter().rev() {
            let dv = self.eval(&dec.expression, f)?;
            v = match dv {
                // `@dataclass` and friends generate methods the interpreter does not model.
                Value::Opaque => Value::Opaque,
                other => self.call(&other, Args::new(vec![v]))?,
            };
        }
        Ok(v)
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    pub(crate) fn eval(&mut self, e: &Expr, f: &mut Frame) -> R<Value> {
        self.tick()?;
        self.enter()?;
        let mut r = self.eval_inner(e, f);
        self.nest -= 1;
        let fresh = match (&r, e) {
            (Ok(v), Expr::BinOp(_) | Expr::Subscript(_)) => self.account_fresh(v),
            _ => Ok(()),
        };
        if let Err(x) = fresh {
            r = Err(x);
        }
        if value::walk_dirty() {
            r = r.and_then(|v| self.settle_walk().map(|_| v));
        }
        r.map_err(|fl| {
            let anchor = matches!(
                e,
                Expr::Call(_)
                    | Expr::ListComp(_)
                    | Expr::Generator(_)
                    | Expr::DictComp(_)
                    | Expr::SetComp(_)
            );
            self.locate(fl, f, e.range(), anchor)
        })
    }

    fn eval_inner(&mut self, e: &Expr, f: &mut Frame) -> R<Value> {
        match e {
            Expr::Name(n) => self.lookup(&n.id, f),
            Expr::NumberLiteral(n) => Ok(match &n.value {
                Number::Int(i) => i.as_i64().map(Value::Int).unwrap_or(Value::Opaque),
                Number::Float(x) => Value::Float(*x),
                Number::Complex { .. } => Value::Opaque,
            }),
            Expr::StringLiteral(s) => Ok(Value::Str(s.value.to_str().into())),
            Expr::BooleanLiteral(b) => Ok(Value::Bool(b.value)),
            Expr::NoneLiteral(_) => Ok(Value::None),
            Expr::EllipsisLiteral(_) => Ok(Value::Ellipsis),
            Expr::BytesLiteral(_) => Ok(Value::Opaque),
            Expr::FString(fs) => self.eval_fstring(fs, f),
            Expr::TString(_) => Ok(Value::Opaque),
            Expr::Attribute(a) => {
                let o = self.eval(&a.value, f)?;
                self.get_attr(&o, &a.attr.id)
            }
            Expr::Call(c) => self.eval_call(c, f),
            Expr::BinOp(b) => {
                let l = self.eval(&b.left, f)?;
                let r = self.eval(&b.right, f)?;
                self.binop(b.op, &l, &r)
            }
            Expr::UnaryOp(u) => {
                let v = self.eval(&u.operand, f)?;
                self.unary(u.op, &v)
            }
            Expr::BoolOp(b) => {
                let mut last = Value::None;
                for (i, v) in b.values.iter().enumerate() {
                    last = self.eval(v, f)?;
                    if i + 1 == b.values.len() {
                        break;
                    }
                    match (self.truth(&last)?, b.op) {
                        (None, _) => return Ok(Value::Opaque),
                        (Some(false), BoolOp::And) | (Some(true), BoolOp::Or) => return Ok(last),
                        _ => {}
                    }
                }
                Ok(last)
            }
            Expr::Compare(c) => {
                let mut left = self.eval(&c.left, f)?;
                let mut result = Value::Bool(true);
                let last = c.ops.len().saturating_sub(1);
                for (k, (op, right)) in c.ops.iter().zip(c.comparators.iter()).enumerate() {
                    let r = self.eval(right, f)?;
                    let v = self.compare(*op, &left, &r)?;
                    if k == last {
                        // The last comparison's value is the result (tensors stay tensors).
                        return Ok(v);
                    }
                    match self.truth(&v)? {
                        Some(false) => return Ok(v),
                        None if c.ops.len() > 1 => return Ok(Value::Opaque),
                        _ => result = v,
                    }
                    left = r;
                }
                Ok(result)
            }
            Expr::If(i) => {
                let c = self.eval(&i.test, f)?;
                match self.truth(&c)? {
                    Some(true) => self.eval(&i.body, f),
                    Some(false) => self.eval(&i.orelse, f),
                    None => Ok(Value::Opaque),
                }
            }
            Expr::Tuple(t) => Ok(Value::tuple(self.eval_elts(&t.elts, f)?)),
            Expr::List(l) => {
                let v = self.eval_elts(&l.elts, f)?;
                Ok(Value::list(v))
            }
            Expr::Set(s) => {
                let v = self.eval_elts(&s.elts, f)?;
                let mut out: Vec<Value> = Vec::new();
                for x in v {
                    if !out.iter().any(|y| py_eq(y, &x) == Some(true)) {
                        out.push(x);
                    }
                }
                Ok(Value::Set(Rc::new(RefCell::new(out))))
            }
            Expr::Dict(d) => {
                let mut dict = Dict::default();
                for item in &d.items {
                    match &item.key {
                        Some(k) => {
                            let k = self.eval(k, f)?;
                            let v = self.eval(&item.value, f)?;
                            dict.set(k, v);
                        }
                        None => {
                            let other = self.eval(&item.value, f)?;
                            match other {
                                Value::Dict(o) => {
                                    for (k, v) in o.borrow().items.iter() {
                                        dict.set(k.clone(), v.clone());
                                    }
                                }
                                _ => return Ok(Value::Opaque),
                            }
                        }
                    }
                }
                Ok(Value::Dict(Rc::new(RefCell::new(dict))))
            }
            // Unknown length: the elements were still evaluated (for their errors).
            Expr::ListComp(lc) => Ok(match self.collect(&lc.elt, &lc.generators, f)? {
                Some(out) => Value::list(out),
                None => Value::Opaque,
            }),
            Expr::Generator(g) => {
                let Some(out) = self.collect(&g.elt, &g.generators, f)? else {
                    return Ok(Value::Opaque);
                };
                Ok(Value::Iter(Rc::new(RefCell::new(IterState {
                    items: out,
                    pos: 0,
                }))))
            }
            Expr::SetComp(sc) => {
                let mut out: Vec<Value> = Vec::new();
                let opaque = self.comprehension(&sc.generators, 0, f, &mut |me, cf| {
                    let v = me.eval(&sc.elt, cf)?;
                    if !out.iter().any(|y| py_eq(y, &v) == Some(true)) {
                        out.push(v);
                    }
                    Ok(())
                })?;
                if opaque {
                    return Ok(Value::Opaque);
                }
                Ok(Value::Set(Rc::new(RefCell::new(out))))
            }
            Expr::DictComp(dc) => {
                let mut d = Dict::default();
                let opaque = self.comprehension(&dc.generators, 0, f, &mut |me, cf| {
                    let v = me.eval(&dc.value, cf)?;
                    if let Some(k) = &dc.key {
                        let k = me.eval(k, cf)?;
                        d.set(k, v);
                    }
                    Ok(())
                })?;
                if opaque {
                    return Ok(Value::Opaque);
                }
                Ok(Value::Dict(Rc::new(RefCell::new(d))))
            }
            Expr::Subscript(s) => {
                let o = self.eval(&s.value, f)?;
                let i = self.eval(&s.slice, f)?;
                self.get_item(&o, &i)
            }
            Expr::Slice(s) => {
                let mut parts = [Value::None, Value::None, Value::None];
                for (k, p) in [&s.lower, &s.upper, &s.step].into_iter().enumerate() {
                    if let Some(p) = p {
                        parts[k] = self.eval(p, f)?;
                    }
                }
                Ok(Value::Slice(Rc::new(parts)))
            }
            Expr::Starred(s) => self.eval(&s.value, f),
            Expr::Lambda(l) => {
                let key = (src_key(&f.src), u32::from(l.range.start()));
                let lam = match self.lambdas.get(&key) {
                    Some(x) => x.clone(),
                    None => {
                        let x = Rc::new(l.clone());
                        self.lambdas.insert(key, x.clone());
                        x
                    }
                };
                let sig = self.build_params(l.parameters.as_deref(), f)?;
                Ok(Value::Func(Rc::new(Function {
                    name: "<lambda>".into(),
                    qualname: "<lambda>".into(),
                    code: FuncCode::Lambda(lam),
                    posonly: sig.posonly,
                    params: sig.params,
                    vararg: sig.vararg,
                    kwonly: sig.kwonly,
                    kwarg: sig.kwarg,
                    src: f.src.clone(),
                    globals: self.globals.clone(),
                    closure: self.closure_of(f),
                    class: RefCell::new(std::rc::Weak::new()),
                    is_generator: false,
                })))
            }
            Expr::Named(n) => {
                let v = self.eval(&n.value, f)?;
                self.assign(&n.target, v.clone(), f)?;
                Ok(v)
            }
            Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_) | Expr::IpyEscapeCommand(_) => {
                Ok(Value::Opaque)
            }
        }
    }

    fn eval_elts(&mut self, elts: &[Expr], f: &mut Frame) -> R<Vec<Value>> {
        let mut out = Vec::with_capacity(elts.len());
        for e in elts {
            if let Expr::Starred(s) = e {
                let v = self.eval(&s.value, f)?;
                let items = self.iterate(&v)?;
                self.alloc(items.len() as u64 * ITEM_BYTES)?;
                out.extend(items);
            } else {
                out.push(self.eval(e, f)?);
            }
        }
        Ok(out)
    }

    /// Run nested comprehension loops in a child scope. Returns true if an iterable was opaque.
    /// The elements of a list comprehension or generator expression, or `None` where the
    /// iteration is opaque.
    fn collect(
        &mut self,
        elt: &Expr,
        gens: &[ast::Comprehension],
        f: &mut Frame,
    ) -> R<Option<Vec<Value>>> {
        let mut out = Vec::new();
        let opaque = self.comprehension(gens, 0, f, &mut |me, cf| {
            out.push(me.eval(elt, cf)?);
            Ok(())
        })?;
        Ok((!opaque).then_some(out))
    }

    fn comprehension(
        &mut self,
        gens: &[ast::Comprehension],
        k: usize,
        f: &mut Frame,
        body: &mut dyn FnMut(&mut Interp, &mut Frame) -> R<()>,
    ) -> R<bool> {
        if k == 0 {
            // The first iterable is evaluated in the enclosing scope.
            let first = self.eval(&gens[0].iter, f)?;
            let mut cf = Frame {
                locals: Scope::new(Some(f.locals.clone())),
                src: f.src.clone(),
                func: f.func.clone(),
                class_body: false,
                module_level: false,
                declared_global: Vec::new(),
                declared_nonlocal: Vec::new(),
            };
            return self.comp_loop(gens, 0, first, &mut cf, body);
        }
        let itv = self.eval(&gens[k].iter, f)?;
        self.comp_loop(gens, k, itv, f, body)
    }

    fn comp_loop(
        &mut self,
        gens: &[ast::Comprehension],
        k: usize,
        itv: Value,
        f: &mut Frame,
        body: &mut dyn FnMut(&mut Interp, &mut Frame) -> R<()>,
    ) -> R<bool> {
        let g = &gens[k];
        let mut it = self.get_iter(&itv)?;
        let mut opaque = it.is_opaque();
        'items: while let Some(item) = it.next() {
            self.tick()?;
            self.assign(&g.target, item, f)?;
            for cond in &g.ifs {
                let c = self.eval(cond, f)?;
                match self.truth(&c)? {
                    Some(true) => {}
                    Some(false) => continue 'items,
                    None => {
                        opaque = true;
                        continue 'items;
                    }
                }
            }
            if k + 1 < gens.len() {
                opaque |= self.comprehension(gens, k + 1, f, body)?;
            } else {
                body(self, f)?;
            }
        }
        Ok(opaque)
    }

    fn eval_fstring(&mut self, fs: &ast::ExprFString, f: &mut Frame) -> R<Value> {
        let mut out = String::new();
        let mut known = true;
        for part in fs.value.iter() {
            match part {
                ast::FStringPart::Literal(l) => out.push_str(&l.value),
                ast::FStringPart::FString(fstr) => {
                    known &= self.fstring_elements(&fstr.elements, f, &mut out)?;
                }
            }
        }
        if known {
            Ok(Value::Str(out.into()))
        } else {
            Ok(Value::Opaque)
        }
    }

    fn fstring_elements(
        &mut self,
        elems: &[InterpolatedStringElement],
        f: &mut Frame,
        out: &mut String,
    ) -> R<bool> {
        let mut known = true;
        for el in elems {
            match el {
                InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                InterpolatedStringElement::Interpolation(ie) => {
                    let v = self.eval(&ie.expression, f)?;
                    let mut spec = String::new();
                    if let Some(fmt) = &ie.format_spec {
                        known &= self.fstring_elements(&fmt.elements, f, &mut spec)?;
                    }
                    if let Some(dt) = &ie.debug_text {
                        out.push_str(dt.as_str());
                    }
                    let conv = match ie.conversion {
                        ConversionFlag::Repr | ConversionFlag::Ascii => repr(&v),
                        ConversionFlag::Str => to_str(&v),
                        ConversionFlag::None => {
                            if ie.debug_text.is_some() && spec.is_empty() {
                                repr(&v)
                            } else {
                                builtins::format_value(&v, &spec)
                            }
                        }
                    };
                    match conv {
                        Some(s) => {
                            self.alloc(s.len() as u64)?;
                            out.push_str(&s)
                        }
                        None => known = false,
                    }
                }
            }
        }
        Ok(known)
    }

    fn eval_call(&mut self, c: &ast::ExprCall, f: &mut Frame) -> R<Value> {
        // `super()` needs the current frame.
        if let Expr::Name(n) = &*c.func {
            if n.id.as_str() == "super"
                && c.arguments.args.is_empty()
                && self
                    .lookup("super", f)
                    .ok()
                    .is_some_and(|v| matches!(&v, Value::Builtin(b) if &*b.name == "super"))
            {
                return self.zero_arg_super(f);
            }
        }
        let func = self.eval(&c.func, f)?;
        let mut args = Args::default();
        for a in c.arguments.args.iter() {
            if let Expr::Starred(s) = a {
                let v = self.eval(&s.value, f)?;
                if v.is_opaque() {
                    // Unknown number of arguments.
                    return Ok(Value::Opaque);
                }
                let items = self.iterate(&v)?;
                args.pos.extend(items);
            } else {
                args.pos.push(self.eval(a, f)?);
            }
        }
        for k in c.arguments.keywords.iter() {
            let v = self.eval(&k.value, f)?;
            match &k.arg {
                Some(name) => args.kw.push((name.id.as_str().into(), v)),
                None => match v {
                    Value::Dict(d) => {
                        for (k, v) in d.borrow().items.iter() {
                            match k {
                                Value::Str(s) => args.kw.push((s.clone(), v.clone())),
                                _ => return type_err("keywords must be strings"),
                            }
                        }
                    }
                    _ => return Ok(Value::Opaque),
                },
            }
        }
        self.call(&func, args)
    }

    fn zero_arg_super(&mut self, f: &Frame) -> R<Value> {
        let Some(func) = &f.func else {
            return err("RuntimeError", "super(): no arguments");
        };
        let Some(cls) = func.class.borrow().upgrade() else {
            return err("RuntimeError", "super(): __class__ cell not found");
        };
        let first = func.params.first().map(|p| p.name.clone());
        let Some(first) = first else {
            return err("RuntimeError", "super(): no arguments");
        };
        let this = f.locals.get(&first).unwrap_or(Value::Opaque);
        Ok(Value::Super(Rc::new((cls, this))))
    }

    // -----------------------------------------------------------------------------------------
    // Calls

    /// Call any callable value.
    pub(crate) fn call(&mut self, fv: &Value, mut args: Args) -> R<Value> {
        match fv {
            Value::Func(func) => self.call_function(func, args),
            Value::Method(m) => {
                args.pos.insert(0, m.0.clone());
                let inner = m.1.clone();
                self.call(&inner, args)
            }
            Value::Builtin(b) => {
                let b = b.clone();
                let v = builtins::call_builtin(self, &b, args)?;
                self.account_fresh(&v)?;
                Ok(v)
            }
            Value::Class(c) => {
                let c = c.clone();
                let v = self.instantiate(&c, args)?;
                self.account_fresh(&v)?;
                Ok(v)
            }
            Value::Object(o) => {
                if o.module.is_some() {
                    let o = o.clone();
                    return self.call_module(&o, args);
                }
                if o.class.lookup("__call__").is_some() {
                    let m = self.get_attr(fv, "__call__")?;
                    return self.call(&m, args);
                }
                if o.class.opaque_base {
                    return Ok(Value::Opaque);
                }
                type_err(format!("'{}' object is not callable", o.class.name))
            }
            Value::Wrapped(w) => {
                let inner = w.1.clone();
                self.call(&inner, args)
            }
            Value::Opaque => Ok(Value::Opaque),
            Value::Namespace(_) => type_err("'module' object is not callable"),
            other => type_err(format!("'{}' object is not callable", other.type_name())),
        }
    }

    fn call_function(&mut self, func: &Rc<Function>, args: Args) -> R<Value> {
        if self.depth >= self.max_depth {
            let mut e = Exception::new("RecursionError", "maximum recursion depth exceeded");
            e.kind = ExcKind::Depth;
            return Err(Flow::Exc(Box::new(e)));
        }
        let locals = Scope::new(func.closure.clone());
        bind_args(func, args, &locals)?;
        if func.is_generator {
            return Ok(Value::Opaque);
        }
        let mut frame = Frame {
            locals,
            src: func.src.clone(),
            func: Some(func.clone()),
            class_body: false,
            module_level: false,
            declared_global: Vec::new(),
            declared_nonlocal: Vec::new(),
        };
        self.depth += 1;
        let r = match &func.code {
            FuncCode::Def(d) => {
                let d = d.clone();
                match self.exec_body(&d.body, &mut frame) {
                    Ok(()) => Ok(Value::None),
                    Err(Flow::Return(v)) => Ok(v),
                    Err(Flow::Break) | Err(Flow::Continue) => Ok(Value::None),
                    Err(e) => Err(e),
                }
            }
            FuncCode::Lambda(l) => {
                let l = l.clone();
                self.eval(&l.body, &mut frame)
            }
        };
        self.depth -= 1;
        r.map_err(|fl| match fl {
            Flow::Exc(mut e) => {
                e.pending = true;
                Flow::Exc(e)
            }
            other => other,
        })
    }

    /// Create an instance of a class (`Cls(...)`).
    pub(crate) fn instantiate(&mut self, cls: &Rc<Class>, args: Args) -> R<Value> {
        if cls.kind != ClassKind::User {
            return builtins::construct(self, cls, args);
        }
        let bk = cls.builtin_kind();
        let module = match bk {
            ClassKind::Module | ClassKind::Layer(_) => {
                Some(RefCell::new(ModState::new(Layer::Plain)))
            }
            _ => None,
        };
        let obj = Rc::new(Object {
            class: cls.clone(),
            dict: RefCell::new(HashMap::new()),
            module,
        });
        let this = Value::Object(obj.clone());
        match cls.lookup("__init__") {
            Some(init) => {
                let init = match init {
                    Value::Func(fu) => Value::Method(Rc::new((this.clone(), Value::Func(fu)))),
                    other => other,
                };
                self.call(&init, args)?;
            }
            None => {
                // Inherited builtin __init__.
                builtins::builtin_init(self, &this, bk, cls.opaque_base, args)?;
            }
        }
        Ok(this)
    }

    /// `module(*args)`: run `forward`.
    fn call_module(&mut self, o: &Rc<Object>, args: Args) -> R<Value> {
        let this = Value::Object(o.clone());
        if let Some(fwd) = o.class.lookup("forward") {
            if let Value::Func(fu) = fwd {
                let m = Value::Method(Rc::new((this, Value::Func(fu))));
                return self.call(&m, args);
            }
            return self.call(&fwd, args);
        }
        builtins::module_forward(self, o, args)
    }

    // -----------------------------------------------------------------------------------------
    // Attributes and items

    /// `v.name`.
    pub(crate) fn get_attr(&mut self, v: &Value, name: &str) -> R<Value> {
        // `torch.return_types` named tuples (`max`, `min`, `sort`, `topk`, `mode`, …).
        if let Value::Tuple(t) = v {
            if let [a @ Value::Tensor(_), b @ Value::Tensor(_)] = &t[..] {
                match name {
                    "values" => return Ok(a.clone()),
                    "indices" => return Ok(b.clone()),
                    _ => {}
                }
            }
        }
        match v {
            Value::Opaque => Ok(Value::Opaque),
            Value::Object(o) => self.object_attr(o, name),
            Value::Class(c) => {
                if let Some(x) = c.lookup(name) {
                    return Ok(match x {
                        Value::Wrapped(w) if w.0 == WrapKind::Static => w.1.clone(),
                        Value::Wrapped(w) if w.0 == WrapKind::ClassMethod => {
                            Value::Method(Rc::new((v.clone(), w.1.clone())))
                        }
                        other => other,
                    });
                }
                match name {
                    "__name__" | "__qualname__" => return Ok(Value::str(&c.name)),
                    "__init__" | "forward" | "__call__" if c.kind != ClassKind::User => {
                        return Ok(Value::Builtin(Rc::new(builtins::class_method_ref(c, name))))
                    }
                    _ => {}
                }
                if c.opaque_base || c.kind != ClassKind::User {
                    return Ok(Value::Opaque);
                }
                err(
                    "AttributeError",
                    format!("type object '{}' has no attribute '{name}'", c.name),
                )
            }
            Value::Super(s) => {
                let (cls, this) = (&s.0, &s.1);
                let this_cls = match this {
                    Value::Object(o) => o.class.clone(),
                    Value::Class(c) => c.clone(),
                    _ => return Ok(Value::Opaque),
                };
                // MRO of type(self) after `cls`.
                let mut chain: Vec<Rc<Class>> = vec![this_cls.clone()];
                chain.extend(this_cls.mro.iter().cloned());
                let pos = chain.iter().position(|c| Rc::ptr_eq(c, cls));
                let after = match pos {
                    Some(p) => &chain[p + 1..],
                    None => &chain[..0],
                };
                for c in after {
                    if c.kind == ClassKind::User {
                        if let Some(x) = c.dict.borrow().get(name) {
                            return Ok(match x {
                                Value::Func(fu) => {
                                    Value::Method(Rc::new((this.clone(), Value::Func(fu.clone()))))
                                }
                                other => other.clone(),
                            });
                        }
                        if c.opaque_base && !c.bases.iter().any(|b| b.kind != ClassKind::User) {
                            continue;
                        }
                    } else {
                        return Ok(Value::Builtin(Rc::new(builtins::super_method(
                            c, name, this,
                        ))));
                    }
                }
                if this_cls.opaque_base {
                    return Ok(Value::Opaque);
                }
                err(
                    "AttributeError",
                    format!("'super' object has no attribute '{name}'"),
                )
            }
            _ => builtins::value_attr(self, v, name),
        }
    }

    fn object_attr(&mut self, o: &Rc<Object>, name: &str) -> R<Value> {
        if let Some(v) = o.dict.borrow().get(name) {
            return Ok(v.clone());
        }
        let this = Value::Object(o.clone());
        if let Some(x) = o.class.lookup(name) {
            return match x {
                Value::Func(fu) => Ok(Value::Method(Rc::new((this, Value::Func(fu))))),
                Value::Wrapped(w) => match w.0 {
                    WrapKind::Static => Ok(w.1.clone()),
                    WrapKind::ClassMethod => Ok(Value::Method(Rc::new((
                        Value::Class(o.class.clone()),
                        w.1.clone(),
                    )))),
                    WrapKind::Property => self.call(&w.1, Args::new(vec![this])),
                },
                other => Ok(other),
            };
        }
        if let Some(m) = &o.module {
            if let Some(v) = builtins::module_attr(o, m, name) {
                return Ok(v);
            }
        }
        if o.class.is_exception() && name == "args" {
            return Ok(Value::tuple(vec![]));
        }
        if name == "__class__" {
            return Ok(Value::Class(o.class.clone()));
        }
        if name == "__dict__" {
            return Ok(Value::Opaque);
        }
        if o.class.opaque_base {
            return Ok(Value::Opaque);
        }
        let mut msg = format!("'{}' object has no attribute '{name}'", o.class.name);
        // `dir(obj)`: sorted; underscored names only when the wrong name has one.
        let mut cands: Vec<String> = o.dict.borrow().keys().map(|k| k.to_string()).collect();
        if let Some(m) = &o.module {
            let m = m.borrow();
            cands.extend(m.modules.iter().map(|(n, _)| n.to_string()));
            cands.extend(m.params.iter().map(|(n, _)| n.to_string()));
            cands.extend(m.buffers.iter().map(|(n, _)| n.to_string()));
            cands.extend(builtins::MODULE_METHOD_NAMES.iter().map(|s| s.to_string()));
            cands.push("training".into());
        }
        cands.extend(o.class.dict.borrow().keys().map(|k| k.to_string()));
        for c in &o.class.mro {
            cands.extend(c.dict.borrow().keys().map(|k| k.to_string()));
        }
        if !name.starts_with('_') {
            cands.retain(|c| !c.starts_with('_'));
        }
        cands.retain(|c| !c.starts_with(|ch: char| ch.is_ascii_digit()));
        cands.sort();
        cands.dedup();
        if let Some(s) = suggest(name, cands.iter().map(|s| s.as_str())) {
            msg.push_str(&format!(". Did you mean: '{s}'?"));
        }
        err("AttributeError", msg)
    }

    /// `obj.name = v`.
    pub(crate) fn set_attr(&mut self, obj: &Value, name: &str, v: Value) -> R<()> {
        match obj {
            Value::Object(o) => {
                if let Some(m) = &o.module {
                    return builtins::module_setattr(o, m, name, v);
                }
                // Properties with setters are not modelled: a plain attribute is fine.
                o.dict.borrow_mut().insert(name.into(), v);
                Ok(())
            }
            Value::Class(c) => {
                c.dict.borrow_mut().insert(name.into(), v);
                Ok(())
            }
            Value::Tensor(t) => {
                if name == "requires_grad" {
                    if let Some(b) = truthy(&v) {
                        t.requires_grad.set(b);
                    }
                }
                Ok(())
            }
            Value::Opaque | Value::Func(_) | Value::Namespace(_) => Ok(()),
            other => err(
                "AttributeError",
                format!("'{}' object has no attribute '{name}'", other.type_name()),
            ),
        }
    }

    /// `obj[idx]`.
    pub(crate) fn get_item(&mut self, obj: &Value, idx: &Value) -> R<Value> {
        if let Value::Object(o) = obj {
            if o.module.is_none() {
                if o.class.lookup("__getitem__").is_some() {
                    let m = self.get_attr(obj, "__getitem__")?;
                    return self.call(&m, Args::new(vec![idx.clone()]));
                }
                if o.class.opaque_base {
                    return Ok(Value::Opaque);
                }
            }
        }
        builtins::get_item(self, obj, idx)
    }

    fn set_item(&mut self, obj: &Value, idx: &Value, v: Value) -> R<()> {
        if let Value::Object(o) = obj {
            if o.module.is_none() && o.class.lookup("__setitem__").is_some() {
                let m = self.get_attr(obj, "__setitem__")?;
                self.call(&m, Args::new(vec![idx.clone(), v]))?;
                return Ok(());
            }
        }
        builtins::set_item(self, obj, idx, v)
    }

    // -----------------------------------------------------------------------------------------
    // Operators

    /// Truthiness; user `__bool__`/`__len__` and tensors handled.
    pub(crate) fn truth(&mut self, v: &Value) -> R<Option<bool>> {
        match v {
            Value::Tensor(t) => {
                if let Some(n) = t.numel() {
                    if n > 1 {
                        return err(
                            "RuntimeError",
                            "Boolean value of Tensor with more than one value is ambiguous",
                        );
                    }
                }
                Ok(None)
            }
            Value::Object(o) if o.module.is_none() => {
                for m in ["__bool__", "__len__"] {
                    if o.class.lookup(m).is_some() {
                        let f = self.get_attr(v, m)?;
                        let r = self.call(&f, Args::default())?;
                        return Ok(match r {
                            Value::Bool(b) => Some(b),
                            Value::Int(i) => Some(i != 0),
                            _ => None,
                        });
                    }
                }
                Ok(Some(true))
            }
            _ => Ok(truthy(v)),
        }
    }

    pub(crate) fn binop(&mut self, op: Operator, l: &Value, r: &Value) -> R<Value> {
        if let (Value::Object(o), _) = (l, r) {
            if o.module.is_none() {
                if let Some(m) = o.class.lookup(op.dunder()) {
                    let m = match m {
                        Value::Func(fu) => Value::Method(Rc::new((l.clone(), Value::Func(fu)))),
                        other => other,
                    };
                    return self.call(&m, Args::new(vec![r.clone()]));
                }
                if o.class.opaque_base {
                    return Ok(Value::Opaque);
                }
            }
        }
        if let (_, Value::Object(o)) = (l, r) {
            if o.module.is_none() {
                if let Some(m) = o.class.lookup(op.reflected_dunder()) {
                    let m = match m {
                        Value::Func(fu) => Value::Method(Rc::new((r.clone(), Value::Func(fu)))),
                        other => other,
                    };
                    return self.call(&m, Args::new(vec![l.clone()]));
                }
                if o.class.opaque_base {
                    return Ok(Value::Opaque);
                }
            }
        }
        builtins::binop(self, op, l, r)
    }

    fn unary(&mut self, op: UnaryOp, v: &Value) -> R<Value> {
        match op {
            UnaryOp::Not => Ok(match self.truth(v)? {
                Some(b) => Value::Bool(!b),
                None => match v {
                    Value::Tensor(t) => {
                        Value::tensor(Tensor::new(t.shape.clone(), super::tensor::DType::Bool))
                    }
                    _ => Value::Opaque,
                },
            }),
            UnaryOp::USub => match v {
                Value::Int(i) => Ok(i.checked_neg().map(Value::Int).unwrap_or(Value::Opaque)),
                Value::Bool(b) => Ok(Value::Int(-(*b as i64))),
                Value::Float(x) => Ok(Value::Float(-x)),
                Value::Tensor(t) => Ok(Value::tensor(t.with_shape(t.shape.clone()))),
                Value::Opaque => Ok(Value::Opaque),
                other => type_err(format!(
                    "bad operand type for unary -: '{}'",
                    other.type_name()
                )),
            },
            UnaryOp::UAdd => match v {
                Value::Int(_) | Value::Float(_) | Value::Tensor(_) | Value::Opaque => Ok(v.clone()),
                Value::Bool(b) => Ok(Value::Int(*b as i64)),
                other => type_err(format!(
                    "bad operand type for unary +: '{}'",
                    other.type_name()
                )),
            },
            UnaryOp::Invert => match v {
                Value::Int(i) => Ok(Value::Int(!i)),
                Value::Bool(b) => Ok(Value::Int(!(*b as i64))),
                Value::Tensor(t) => Ok(Value::tensor(t.with_shape(t.shape.clone()))),
                Value::Opaque => Ok(Value::Opaque),
                other => type_err(format!(
                    "bad operand type for unary ~: '{}'",
                    other.type_name()
                )),
            },
        }
    }

    pub(crate) fn compare(&mut self, op: CmpOp, l: &Value, r: &Value) -> R<Value> {
        let opt = |b: Option<bool>| b.map(Value::Bool).unwrap_or(Value::Opaque);
        match op {
            CmpOp::Is => Ok(opt(py_is(l, r))),
            CmpOp::IsNot => Ok(opt(py_is(l, r).map(|b| !b))),
            CmpOp::In | CmpOp::NotIn => {
                let c = builtins::contains(self, r, l)?;
                Ok(opt(if op == CmpOp::In { c } else { c.map(|b| !b) }))
            }
            _ => {
                if matches!(l, Value::Tensor(_)) || matches!(r, Value::Tensor(_)) {
                    return builtins::tensor_compare(self, l, r);
                }
                if let Value::Object(o) = l {
                    let dunder = match op {
                        CmpOp::Eq => "__eq__",
                        CmpOp::NotEq => "__ne__",
                        CmpOp::Lt => "__lt__",
                        CmpOp::LtE => "__le__",
                        CmpOp::Gt => "__gt__",
                        _ => "__ge__",
                    };
                    if o.class.lookup(dunder).is_some() {
                        let m = self.get_attr(l, dunder)?;
                        return self.call(&m, Args::new(vec![r.clone()]));
                    }
                }
                match op {
                    CmpOp::Eq => Ok(opt(py_eq(l, r))),
                    CmpOp::NotEq => Ok(opt(py_eq(l, r).map(|b| !b))),
                    _ => {
                        let ord = builtins::py_cmp(l, r, op)?;
                        Ok(opt(ord))
                    }
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Iteration

    pub(crate) fn get_iter(&mut self, v: &Value) -> R<It> {
        Ok(match v {
            Value::Range(a, b, s) => It::Range(*a, *b, *s),
            Value::Opaque => It::Once(false),
            // Not consumed here (callers often look before they iterate); `for` consumes.
            Value::Iter(it) => {
                let st = it.borrow();
                It::Seq(st.items[st.pos.min(st.items.len())..].to_vec(), 0)
            }
            Value::Object(o) if o.module.is_none() && o.class.lookup("__iter__").is_some() => {
                let m = self.get_attr(v, "__iter__")?;
                let it = self.call(&m, Args::default())?;
                if matches!(it, Value::Object(_)) && it.as_module().is_none() {
                    // A hand-written iterator object: unknown length.
                    return Ok(It::Once(false));
                }
                return self.get_iter(&it);
            }
            Value::Object(o) if o.module.is_none() && o.class.lookup("__getitem__").is_some() => {
                It::Once(false)
            }
            Value::Object(o) if o.class.opaque_base && o.module.is_none() => It::Once(false),
            Value::Tensor(t) if t.shape.first().copied().flatten().is_none() => {
                if t.shape.is_empty() {
                    return type_err("iteration over a 0-d tensor");
                }
                It::Once(false)
            }
            _ => It::Seq(self.iterate(v)?, 0),
        })
    }

    /// The items of an iterable, or `None` where iterating it is opaque. A one-shot iterator
    /// (a generator expression) is drained exactly once.
    pub(crate) fn items_or_opaque(&mut self, v: &Value) -> R<Option<Vec<Value>>> {
        if let Value::Iter(_) = v {
            return self.iterate(v).map(Some);
        }
        match self.get_iter(v)? {
            It::Once(_) => Ok(None),
            It::Seq(items, pos) => Ok(Some(items.get(pos..).unwrap_or_default().to_vec())),
            It::Range(..) => self.iterate(v).map(Some),
        }
    }

    /// Materialise the items of an iterable (charged to the budget).
    pub(crate) fn iterate(&mut self, v: &Value) -> R<Vec<Value>> {
        let items: Vec<Value> = match v {
            Value::List(l) | Value::Set(l) => l.borrow().clone(),
            Value::Tuple(t) | Value::Size(t) => t.to_vec(),
            Value::Str(s) => {
                self.transient(s.len() as u64 * ITEM_BYTES)?;
                s.chars()
                    .map(|c| Value::Str(c.to_string().into()))
                    .collect()
            }
            Value::Dict(d) => d.borrow().items.iter().map(|(k, _)| k.clone()).collect(),
            Value::Range(a, b, s) => {
                let n = range_len(*a, *b, *s);
                self.transient((n.max(0) as u64).saturating_mul(ITEM_BYTES))?;
                let mut out = Vec::with_capacity(n as usize);
                let mut it = It::Range(*a, *b, *s);
                while let Some(x) = it.next() {
                    out.push(x);
                }
                out
            }
            Value::Iter(it) => {
                let mut st = it.borrow_mut();
                let rest = st.items[st.pos.min(st.items.len())..].to_vec();
                st.pos = st.items.len();
                rest
            }
            Value::Tensor(t) => match t.shape.first().copied().flatten() {
                Some(n) => {
                    self.charge(n.max(0) as u64)?;
                    let inner = t.shape[1..].to_vec();
                    (0..n)
                        .map(|_| Value::tensor(t.with_shape(inner.clone())))
                        .collect()
                }
                None => {
                    if t.shape.is_empty() {
                        return type_err("iteration over a 0-d tensor");
                    }
                    return Ok(vec![Value::Opaque]);
                }
            },
            Value::Object(o) if o.module.is_some() => builtins::module_iter(o)?,
            Value::Object(_) => {
                let mut it = self.get_iter(v)?;
                if it.is_opaque() {
                    return Ok(vec![Value::Opaque]);
                }
                let mut out = Vec::new();
                while let Some(x) = it.next() {
                    out.push(x);
                }
                out
            }
            Value::Opaque => return Ok(vec![Value::Opaque]),
            other => return type_err(format!("'{}' object is not iterable", other.type_name())),
        };
        self.transient(items.len() as u64 * ITEM_BYTES)?;
        Ok(items)
    }
}

#[derive(Default)]
struct FuncSig {
    posonly: usize,
    params: Vec<Param>,
    vararg: Option<Rc<str>>,
    kwonly: Vec<Param>,
    kwarg: Option<Rc<str>>,
}

/// Bind call arguments to a function's parameters, with CPython's error messages.
fn bind_args(func: &Function, args: Args, locals: &Rc<Scope>) -> R<()> {
    let name = &func.qualname;
    let np = func.params.len();
    let Args { pos, kw } = args;
    let npos = pos.len();
    let mut slots: Vec<Option<Value>> = vec![None; np];
    let mut extra: Vec<Value> = Vec::new();
    for (i, v) in pos.into_iter().enumerate() {
        if i < np {
            slots[i] = Some(v);
        } else {
            extra.push(v);
        }
    }
    if !extra.is_empty() && func.vararg.is_none() {
        let required = func.params.iter().filter(|p| p.default.is_none()).count();
        let takes = if required == np {
            format!("{np} positional argument{}", if np == 1 { "" } else { "s" })
        } else {
            format!("from {required} to {np} positional arguments")
        };
        let given = if npos == 1 { "was" } else { "were" };
        return type_err(format!("{name}() takes {takes} but {npos} {given} given"));
    }
    let mut kwonly: Vec<Option<Value>> = vec![None; func.kwonly.len()];
    let mut kwargs = Dict::default();
    for (k, v) in kw {
        if let Some(i) = func.params.iter().position(|p| p.name == k) {
            if i < func.posonly {
                if func.kwarg.is_some() {
                    kwargs.set(Value::Str(k), v);
                    continue;
                }
                return type_err(format!(
                    "{name}() got some positional-only arguments passed as keyword arguments: '{k}'"
                ));
            }
            if slots[i].is_some() {
                return type_err(format!("{name}() got multiple values for argument '{k}'"));
            }
            slots[i] = Some(v);
        } else if let Some(i) = func.kwonly.iter().position(|p| p.name == k) {
            kwonly[i] = Some(v);
        } else if func.kwarg.is_some() {
            kwargs.set(Value::Str(k), v);
        } else {
            return type_err(format!("{name}() got an unexpected keyword argument '{k}'"));
        }
    }
    let mut missing: Vec<String> = Vec::new();
    for (i, p) in func.params.iter().enumerate() {
        let v = match slots[i].take() {
            Some(v) => v,
            None => match &p.default {
                Some(d) => d.clone(),
                None => {
                    missing.push(format!("'{}'", p.name));
                    continue;
                }
            },
        };
        locals.set(&p.name, v);
    }
    if !missing.is_empty() {
        return type_err(format!(
            "{name}() missing {} required positional argument{}: {}",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            join_names(&missing)
        ));
    }
    let mut missing_kw: Vec<String> = Vec::new();
    for (i, p) in func.kwonly.iter().enumerate() {
        match kwonly[i].take().or_else(|| p.default.clone()) {
            Some(v) => locals.set(&p.name, v),
            None => missing_kw.push(format!("'{}'", p.name)),
        }
    }
    if !missing_kw.is_empty() {
        return type_err(format!(
            "{name}() missing {} required keyword-only argument{}: {}",
            missing_kw.len(),
            if missing_kw.len() == 1 { "" } else { "s" },
            join_names(&missing_kw)
        ));
    }
    if let Some(va) = &func.vararg {
        locals.set(va, Value::tuple(extra));
    }
    if let Some(kwn) = &func.kwarg {
        locals.set(kwn, Value::Dict(Rc::new(RefCell::new(kwargs))));
    }
    Ok(())
}

/// `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'` (CPython's list style).
pub(crate) fn join_names(v: &[String]) -> String {
    match v.len() {
        0 => String::new(),
        1 => v[0].clone(),
        2 => format!("{} and {}", v[0], v[1]),
        n => format!("{}, and {}", v[..n - 1].join(", "), v[n - 1]),
    }
}

/// C3 linearisation of the bases (without the class itself).
pub(crate) fn compute_mro(bases: &[Rc<Class>], object: &Rc<Class>) -> Vec<Rc<Class>> {
    let mut seqs: Vec<Vec<Rc<Class>>> = bases
        .iter()
        .map(|b| {
            let mut v = vec![b.clone()];
            v.extend(b.mro.iter().cloned());
            v
        })
        .collect();
    seqs.push(bases.to_vec());
    let mut out: Vec<Rc<Class>> = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            break;
        }
        let mut pick = None;
        for s in &seqs {
            let cand = &s[0];
            if !seqs
                .iter()
                .any(|o| o[1..].iter().any(|c| Rc::ptr_eq(c, cand)))
            {
                pick = Some(cand.clone());
                break;
            }
        }
        // Inconsistent hierarchy: fall back to depth-first order.
        let pick = match pick {
            Some(p) => p,
            None => seqs[0][0].clone(),
        };
        for s in seqs.iter_mut() {
            if Rc::ptr_eq(&s[0], &pick) {
                s.remove(0);
            }
        }
        if !out.iter().any(|c| Rc::ptr_eq(c, &pick)) {
            out.push(pick);
        }
    }
    if !out.iter().any(|c| Rc::ptr_eq(c, object)) {
        out.push(object.clone());
    }
    out
}

/// Methods whose call mutates the receiver (for havoc).
const MUTATORS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "update",
    "setdefault",
    "add",
    "add_module",
    "register_buffer",
    "register_parameter",
    "register_module",
    "sort",
    "reverse",
];

/// `functools.cache`, `functools.lru_cache(...)` and the like.
fn caching_decorator(e: &Expr) -> bool {
    let e = match e {
        Expr::Call(c) => &*c.func,
        other => other,
    };
    let name = match e {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    };
    matches!(name, "cache" | "lru_cache")
}

fn forget_attr(obj: &Value, name: &str) {
    if let Value::Object(o) = obj {
        if let Some(m) = &o.module {
            let mut m = m.borrow_mut();
            m.modules.retain(|(n, _)| &**n != name);
            m.params.retain(|(n, _)| &**n != name);
            m.buffers.retain(|(n, _)| &**n != name);
            m.uncertain = true;
        }
        o.dict.borrow_mut().insert(name.into(), Value::Opaque);
    }
}

fn contains_break(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::Break(_) => true,
        Stmt::If(i) => {
            contains_break(&i.body) || i.elif_else_clauses.iter().any(|c| contains_break(&c.body))
        }
        Stmt::With(w) => contains_break(&w.body),
        Stmt::Try(t) => {
            contains_break(&t.body)
                || contains_break(&t.orelse)
                || contains_break(&t.finalbody)
                || t.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    contains_break(&h.body)
                })
        }
        _ => false,
    })
}

fn body_yields(body: &[Stmt]) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Y(bool);
    impl<'a> Visitor<'a> for Y {
        fn visit_expr(&mut self, e: &'a Expr) {
            if matches!(e, Expr::Yield(_) | Expr::YieldFrom(_)) {
                self.0 = true;
            } else if !matches!(e, Expr::Lambda(_)) {
                visitor::walk_expr(self, e);
            }
        }
        fn visit_stmt(&mut self, s: &'a Stmt) {
            if !matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, s);
            }
        }
    }
    let mut y = Y(false);
    for s in body {
        y.visit_stmt(s);
    }
    y.0
}

/// The first line of a compound statement (its header).
fn header_range(src: &SourceInfo, r: TextRange) -> TextRange {
    let start = usize::from(r.start());
    let end = usize::from(r.end());
    let code = &src.code;
    let stop = code
        .get(start..end)
        .and_then(|s| s.find('\n'))
        .map(|i| start + i)
        .unwrap_or(end);
    let stop = code
        .get(start..stop)
        .map(|s| start + s.trim_end().len())
        .unwrap_or(stop);
    TextRange::new(r.start(), ruff_text_size::TextSize::new(stop as u32))
}

/// CPython's "Did you mean" suggestion (`_Py_CalculateSuggestions`): a Levenshtein distance
/// where a case flip costs 1 and other edits 2, at most a third of the characters changed; the
/// first best candidate in order wins.
pub(crate) fn suggest<'a>(name: &str, cands: impl Iterator<Item = &'a str>) -> Option<String> {
    const MOVE: usize = 2;
    let cands: Vec<&str> = cands.collect();
    if cands.len() >= 750 || name.len() > 40 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in cands {
        if c == name {
            continue;
        }
        let mut max = (name.len() + c.len() + 3) * MOVE / 6;
        if let Some((bd, _)) = best {
            max = max.min(bd.saturating_sub(1));
        }
        let d = levenshtein(name.as_bytes(), c.as_bytes(), max);
        if d > max {
            continue;
        }
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

fn levenshtein(a: &[u8], b: &[u8], max_cost: usize) -> usize {
    const MOVE: usize = 2;
    let sub_cost = |x: u8, y: u8| -> usize {
        if x == y {
            0
        } else if x.eq_ignore_ascii_case(&y) {
            1
        } else {
            MOVE
        }
    };
    let (mut a, mut b) = (a, b);
    while let (Some(x), Some(y)) = (a.first(), b.first()) {
        if x != y {
            break;
        }
        a = &a[1..];
        b = &b[1..];
    }
    while let (Some(x), Some(y)) = (a.last(), b.last()) {
        if x != y {
            break;
        }
        a = &a[..a.len() - 1];
        b = &b[..b.len() - 1];
    }
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE;
    }
    if a.len() > 40 || b.len() > 40 {
        return max_cost + 1;
    }
    if b.len() < a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    if (b.len() - a.len()) * MOVE > max_cost {
        return max_cost + 1;
    }
    let mut buffer: Vec<usize> = (1..=a.len()).map(|i| i * MOVE).collect();
    let mut result = 0;
    for (bi, &code) in b.iter().enumerate() {
        let mut distance = bi * MOVE;
        result = distance;
        let mut minimum = usize::MAX;
        for (ai, &ac) in a.iter().enumerate() {
            let substitute = distance + sub_cost(code, ac);
            distance = buffer[ai];
            let insert_delete = result.min(distance) + MOVE;
            result = insert_delete.min(substitute);
            buffer[ai] = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}
