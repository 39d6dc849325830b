use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports lines written as table rows (`| a | b | c |`) that belong to no table: Markdown
    /// ends a table at a blank line or at an HTML comment, and every row after that point is
    /// plain text.
    ///
    /// ## Why is this bad?
    /// Rows outside the table are not read as rows, so nothing in them is checked: a typo in a
    /// depth word or a wrong status there passes silently.
    ///
    /// ## Example
    /// A `<!-- TODO -->` comment between two rows of the Phase 1 table: the rows after it are
    /// paragraph text.
    pub struct StrayTableRow {
        id: "stray-table-row",
        category: Format,
        summary: "A table row that belongs to no table, so it is never checked",
    }
}

impl LessonRule for StrayTableRow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        // One finding per run of consecutive stray lines.
        let mut last_line = 0;
        for row in &ctx.lesson.stray_table_rows {
            if last_line != 0 && row.line == last_line + 1 {
                last_line = row.line;
                continue;
            }
            last_line = row.line;
            out.push(
                ctx.finding(
                    Self::META.id,
                    row.span,
                    "this line looks like a table row but belongs to no table, so it is not checked",
                )
                .label("read as plain text")
                .help("remove the blank line or HTML comment that ends the table above, or move the comment out of the table"),
            );
        }
    }
}
