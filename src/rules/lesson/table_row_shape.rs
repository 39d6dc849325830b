use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports table rows with more or fewer cells than the table's header.
    ///
    /// ## Why is this bad?
    /// A row with an extra cell usually holds an unescaped `|` (in math such as `p(x_t|x_0)`),
    /// and every column after it is read from the wrong place. Escape it as `\|`.
    ///
    /// ## Example
    /// `| Bayes | p(x_t|x_0) | DEVELOPED | ok |` under a 4-column header has 5 cells.
    pub struct TableRowShape {
        id: "table-row-shape",
        category: Format,
        summary: "A table row has the wrong number of cells",
    }
}

impl LessonRule for TableRowShape {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        for t in &ctx.lesson.table_shape_issues {
            let help = if t.found > t.expected {
                "a `|` inside a cell splits it: escape it as `\\|`"
            } else {
                "fill the missing cells (use `-` for an empty one)"
            };
            out.push(
                ctx.finding(
                    Self::META.id,
                    t.span,
                    format!(
                        "table row has {} cells; its header has {}",
                        t.found, t.expected
                    ),
                )
                .label(format!("{} cells", t.found))
                .help(help),
            );
        }
    }
}
