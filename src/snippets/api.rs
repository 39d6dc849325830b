//! Entry points for tools that drive the interpreter beyond [`super::check_blocks`]: inspecting
//! the namespace after the blocks ran (the classes a lesson defined and their constructor
//! signatures), and outlines of code (top-level statements, the names they define, and which of
//! them are scaffolding placeholders such as `self.conv1 = ...  # YOUR CODE HERE`).

use ruff_python_ast::{visitor, Expr, PySourceType, Stmt};
use ruff_python_parser::parse_unchecked_source;
use ruff_text_size::Ranged;

use super::value::{ClassKind, FuncCode, Value};
use super::{with_big_stack, Block, Budget, Interp, SnippetDiag};

/// Runs `blocks` as [`super::check_blocks`] does, then calls `after` with the interpreter
/// (its namespace holds everything the blocks defined). Both run on the interpreter's
/// big-stack thread.
pub fn check_blocks_with<T: Send>(
    blocks: &[Block],
    budget: &Budget,
    after: impl FnOnce(&mut Interp, &[SnippetDiag]) -> T + Send,
) -> (Vec<SnippetDiag>, Option<T>) {
    with_big_stack(|| {
        let mut interp = Interp::new(budget);
        let diags = super::run_blocks(&mut interp, blocks);
        let t = after(&mut interp, &diags);
        (diags, Some(t))
    })
    .unwrap_or_default()
}

/// A constructor parameter of a class (after `self`).
#[derive(Debug, Clone)]
pub struct ParamInfo {
    pub name: String,
    /// The default value, if any.
    pub default: Option<Value>,
    /// Keyword-only (after `*`).
    pub kw_only: bool,
}

/// A class defined by the code that ran.
#[derive(Debug, Clone)]
pub struct ClassInfo {
    /// The global name it is bound to.
    pub name: String,
    /// A subclass of `nn.Module`.
    pub is_module: bool,
    /// `__init__` parameters after `self`; `None` when the constructor takes `*args` or
    /// `**kwargs` or is inherited from a class the interpreter does not model.
    pub params: Option<Vec<ParamInfo>>,
    /// Index of the block that defined it, and the byte offset (as the block's `offset` plus
    /// the position in its code) and length of its `class` line.
    pub block: usize,
    pub offset: usize,
    pub len: usize,
    /// The class body defines `forward`.
    pub has_forward: bool,
}

impl Interp {
    /// Every user-defined class bound to a global name, in definition order.
    pub fn user_classes(&self) -> Vec<ClassInfo> {
        let vars = self.globals.vars.borrow();
        let mut out: Vec<ClassInfo> = Vec::new();
        for (name, v) in vars.iter() {
            let Value::Class(c) = v else { continue };
            if c.kind != ClassKind::User || *c.name != **name {
                continue;
            }
            // Locate the class through a method defined in its own body.
            let own = |m: &str| match c.dict.borrow().get(m) {
                Some(Value::Func(f)) => Some(f.clone()),
                _ => None,
            };
            let init = own("__init__");
            let Some(anchor) = init.clone().or_else(|| own("forward")).or_else(|| {
                c.dict.borrow().values().find_map(|v| match v {
                    Value::Func(f) => Some(f.clone()),
                    _ => None,
                })
            }) else {
                continue;
            };
            let FuncCode::Def(def) = &anchor.code else {
                continue;
            };
            let code = &anchor.src.code;
            let def_at = usize::from(def.range.start()).min(code.len());
            let needle = format!("class {name}");
            let class_at = code[..def_at].rfind(&needle).unwrap_or(def_at);
            let line_end = code[class_at..]
                .find('\n')
                .map_or(code.len(), |e| class_at + e);
            let params = match &init {
                Some(f) if f.vararg.is_none() && f.kwarg.is_none() => Some(
                    f.params
                        .iter()
                        .skip(1)
                        .map(|p| ParamInfo {
                            name: p.name.to_string(),
                            default: p.default.clone(),
                            kw_only: false,
                        })
                        .chain(f.kwonly.iter().map(|p| ParamInfo {
                            name: p.name.to_string(),
                            default: p.default.clone(),
                            kw_only: true,
                        }))
                        .collect(),
                ),
                Some(_) => None,
                // Inherited: only `nn.Module`'s own (no parameters) is known.
                None if c.bases.iter().all(|b| b.kind != ClassKind::User) => Some(Vec::new()),
                None => None,
            };
            out.push(ClassInfo {
                name: name.to_string(),
                is_module: c.is_module(),
                params,
                block: anchor.src.block,
                offset: anchor.src.file_offset + class_at,
                len: line_end - class_at,
                has_forward: c.dict.borrow().contains_key("forward"),
            });
        }
        out.sort_by_key(|c| (c.block, c.offset));
        out
    }

    /// Calls a global class or function by name with keyword arguments only (a shorthand for
    /// [`Interp::call_global`]).
    pub fn construct(
        &mut self,
        name: &str,
        args: &[Value],
        kwargs: &[(&str, Value)],
    ) -> Result<Value, SnippetDiag> {
        self.call_global(name, args, kwargs)
    }
}

/// A top-level statement of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Byte range in the code, from the first decorator or keyword to the end of its last
    /// line (newline included).
    pub start: usize,
    pub end: usize,
    /// Holds a scaffolding placeholder: an `...` used as a value, `raise NotImplementedError`,
    /// or a `YOUR CODE HERE` / `FILL IN` comment (or `TODO` beside a `pass` or `None`).
    pub placeholder: bool,
    /// Names the statement binds at module level (`class X`, `def f`, `x = …`, imports).
    pub defines: Vec<String>,
}

/// The top-level statements of `code`, or `None` when it does not parse.
pub fn segments(code: &str) -> Option<Vec<Segment>> {
    let parsed = parse_unchecked_source(code, PySourceType::Ipynb);
    if !parsed.errors().is_empty() {
        return None;
    }
    let module = parsed.into_syntax();
    let n = module.body.len();
    let mut out = Vec::with_capacity(n);
    for (i, s) in module.body.iter().enumerate() {
        let start = line_start(code, stmt_start(s));
        let end = if i + 1 < n {
            line_start(code, stmt_start(&module.body[i + 1]))
        } else {
            code.len()
        };
        let end = end.max(start);
        let text = &code[start..end];
        let placeholder = has_placeholder(s) || marker_comment(text);
        out.push(Segment {
            start,
            end,
            placeholder,
            defines: bound_names(s),
        });
    }
    Some(out)
}

fn stmt_start(s: &Stmt) -> usize {
    let decorated = match s {
        Stmt::FunctionDef(d) => d.decorator_list.first().map(|d| d.range.start()),
        Stmt::ClassDef(c) => c.decorator_list.first().map(|d| d.range.start()),
        _ => None,
    };
    usize::from(decorated.unwrap_or(s.range().start()))
}

fn line_start(code: &str, at: usize) -> usize {
    let at = at.min(code.len());
    code[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn marker_comment(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let comments: Vec<&str> = lower
        .lines()
        .filter_map(|l| l.find('#').map(|i| &l[i..]))
        .collect();
    let strong = comments.iter().any(|c| {
        c.contains("your code")
            || c.contains("your answer")
            || c.contains("fill in")
            || c.contains("fill this")
            || c.contains("implement me")
    });
    let todo_beside_stub = lower.lines().any(|l| {
        let Some(i) = l.find('#') else { return false };
        let (code, comment) = l.split_at(i);
        comment.contains("todo") && (code.trim() == "pass" || code.trim_end().ends_with("= none"))
    });
    strong || todo_beside_stub
}

/// Names a top-level statement binds.
pub fn bound_names(s: &Stmt) -> Vec<String> {
    fn targets(e: &Expr, out: &mut Vec<String>) {
        match e {
            Expr::Name(n) => out.push(n.id.to_string()),
            Expr::Tuple(t) => t.elts.iter().for_each(|x| targets(x, out)),
            Expr::List(l) => l.elts.iter().for_each(|x| targets(x, out)),
            Expr::Starred(s) => targets(&s.value, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    match s {
        Stmt::FunctionDef(d) => out.push(d.name.id.to_string()),
        Stmt::ClassDef(c) => out.push(c.name.id.to_string()),
        Stmt::Assign(a) => a.targets.iter().for_each(|t| targets(t, &mut out)),
        Stmt::AnnAssign(a) => targets(&a.target, &mut out),
        Stmt::AugAssign(a) => targets(&a.target, &mut out),
        Stmt::Import(i) => {
            for a in &i.names {
                match &a.asname {
                    Some(n) => out.push(n.id.to_string()),
                    None => out.push(a.name.id.split('.').next().unwrap_or("").to_string()),
                }
            }
        }
        Stmt::ImportFrom(i) => {
            for a in &i.names {
                out.push(
                    a.asname
                        .as_ref()
                        .map_or_else(|| a.name.id.to_string(), |n| n.id.to_string()),
                );
            }
        }
        _ => {}
    }
    out
}

/// Names defined at the top level of `code` (classes, functions, assignments, imports);
/// empty when it does not parse.
pub fn defined_names(code: &str) -> Vec<String> {
    segments(code)
        .unwrap_or_default()
        .into_iter()
        .flat_map(|s| s.defines)
        .collect()
}

/// An `...` used as a value (not as an index, as in `x[..., 0]`), or `raise
/// NotImplementedError`.
fn has_placeholder(s: &Stmt) -> bool {
    struct V {
        found: bool,
    }
    impl<'a> visitor::Visitor<'a> for V {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            if let Stmt::Raise(r) = s {
                let name = match r.exc.as_deref() {
                    Some(Expr::Name(n)) => Some(n.id.as_str()),
                    Some(Expr::Call(c)) => match &*c.func {
                        Expr::Name(n) => Some(n.id.as_str()),
                        _ => None,
                    },
                    _ => None,
                };
                if name == Some("NotImplementedError") {
                    self.found = true;
                }
            }
            visitor::walk_stmt(self, s);
        }
        fn visit_expr(&mut self, e: &'a Expr) {
            match e {
                Expr::EllipsisLiteral(_) => self.found = true,
                Expr::Subscript(sub) => {
                    // `x[...]`, `x[..., 0]`: Ellipsis as an index is ordinary code.
                    self.visit_expr(&sub.value);
                    match &*sub.slice {
                        Expr::EllipsisLiteral(_) => {}
                        Expr::Tuple(t) => {
                            for el in &t.elts {
                                if !matches!(el, Expr::EllipsisLiteral(_)) {
                                    self.visit_expr(el);
                                }
                            }
                        }
                        other => self.visit_expr(other),
                    }
                }
                _ => visitor::walk_expr(self, e),
            }
        }
    }
    let mut v = V { found: false };
    visitor::Visitor::visit_stmt(&mut v, s);
    v.found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_indexing_is_not() {
        let code = "import torch\n\nclass Block(nn.Module):\n    def __init__(self):\n        self.conv1 = ...  # YOUR CODE HERE\n\ny = x[..., 0]\n\ndef f():\n    raise NotImplementedError\n\ndef g():\n    pass  # TODO\n\nz = 1  # TODO: try 2\n";
        let s = segments(code).unwrap();
        let got: Vec<(bool, Vec<String>)> = s
            .iter()
            .map(|s| (s.placeholder, s.defines.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (false, vec!["torch".to_string()]),
                (true, vec!["Block".to_string()]),
                (false, vec!["y".to_string()]),
                (true, vec!["f".to_string()]),
                (true, vec!["g".to_string()]),
                (false, vec!["z".to_string()]),
            ]
        );
        assert_eq!(&code[s[1].start..s[1].start + 11], "class Block");
        assert_eq!(s.last().unwrap().end, code.len());
    }

    #[test]
    fn decorators_belong_to_their_statement() {
        let code = "@dataclass\nclass A:\n    x: int = 1\n";
        let s = segments(code).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].start, 0);
    }

    #[test]
    fn syntax_errors_give_no_outline() {
        assert!(segments("def f(:\n").is_none());
    }
}
