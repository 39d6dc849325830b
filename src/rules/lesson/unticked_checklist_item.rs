use crate::declare_rule;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports every checklist item that is not ticked (`- [ ]`).
    ///
    /// ## Why is this bad?
    /// The checklists are the author's own audit; an open item is work the plan admits it has
    /// not done.
    ///
    /// ## Example
    /// `- [ ] Every new concept connected to at least one existing concept`
    pub struct UntickedChecklistItem {
        id: "unticked-checklist-item",
        category: Pedagogy,
        summary: "A checklist item is not ticked",
    }
}

impl LessonRule for UntickedChecklistItem {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        for item in ctx.lesson.checklist.iter().filter(|i| !i.checked) {
            out.push(
                ctx.finding(Self::META.id, item.span, format!("checklist item not ticked: {}", item.text))
                    .label("open item")
                    .help("do what the item asks and tick it (`- [x]`), or explain in the plan why it does not apply"),
            );
        }
    }
}
