use crate::declare_rule;
use crate::model::{DepthCell, PrereqStatus};
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares each prerequisite's Status with its Required and Actual depths: `OK` needs
    /// actual ≥ required; `GAP`/`MISSING` needs actual < required, unless the row says the
    /// concept is fading (one of the `fading_words` in the Actual, Status or Reasoning cell).
    ///
    /// ## Why is this bad?
    /// A row marked OK below its required depth hides a gap nobody will close; a row marked GAP
    /// although met sends effort to the wrong place.
    ///
    /// ## Example
    /// `| Dropout | DEVELOPED | INTRODUCED | … | OK | … |`: INTRODUCED is below DEVELOPED.
    pub struct StatusContradictsDepths {
        id: "status-contradicts-depths",
        category: Consistency,
        summary: "A prerequisite status contradicts its required and actual depths",
    }
}

impl LessonRule for StatusContradictsDepths {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let fading = ctx.settings.str_list("fading_words");
        for p in &ctx.lesson.prerequisites {
            if super::malformed_row(ctx.lesson, p.line) {
                continue;
            }
            let status = PrereqStatus::parse(&p.status.text);
            let Some(required) = DepthCell::parse(&p.required.text).floor() else {
                continue;
            };
            let actual = DepthCell::parse(&p.actual.text);
            if matches!(actual, DepthCell::Unknown { .. }) {
                continue;
            }
            let met = actual.reached().is_some_and(|a| a >= required);
            let actual_word = actual
                .reached()
                .map(|d| d.as_str().to_string())
                .unwrap_or_else(|| "not taught".into());
            let (msg, help) = match (&status, met) {
                (PrereqStatus::Ok, false) => (
                    format!("status OK, but the actual depth ({actual_word}) is below the required {required}"),
                    "mark the row GAP and add a Gap Resolution row, or lower the required depth with a reason",
                ),
                (PrereqStatus::Gap { .. } | PrereqStatus::Missing, true) => {
                    let row = format!("{} {} {}", p.actual.text, p.status.text, p.reasoning.text).to_lowercase();
                    if fading.iter().any(|w| row.contains(&w.to_lowercase())) {
                        continue;
                    }
                    (
                        format!("status {}, but the actual depth ({actual_word}) already meets the required {required}", p.status.text.trim()),
                        "mark the row OK, or say in the row that the concept is fading and needs a refresh",
                    )
                }
                _ => continue,
            };
            out.push(
                ctx.finding(Self::META.id, p.status.span, msg)
                    .label("status")
                    .related(ctx.lesson.file, p.required.span, "required")
                    .related(ctx.lesson.file, p.actual.span, "actual")
                    .help(help),
            );
        }
    }
}
