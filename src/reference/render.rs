//! Text and JSON for `lessonlint reference`.

use super::{figures, fmt_shape, thousands, ModelSpec, ReferenceError, StageRow, MODELS};
use serde_json::json;

/// Parses `N,C,H,W` (or `NxCxHxW`) into a shape of positive sizes.
pub fn parse_input(s: &str) -> Result<Vec<i64>, String> {
    let parts: Vec<&str> = if s.contains(',') {
        s.split(',').map(str::trim).collect()
    } else {
        s.split(['x', 'X', '×']).map(str::trim).collect()
    };
    if parts.len() < 2 {
        return Err(format!(
            "`{s}` is not a shape: write the sizes separated by commas, as in 1,3,224,224"
        ));
    }
    parts
        .iter()
        .map(|p| match p.parse::<i64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("`{p}` in `{s}` is not a positive size")),
        })
        .collect()
}

/// The stage table of one model.
pub fn stage_text(
    spec: &ModelSpec,
    input: &[i64],
    rows: &[StageRow],
    parameters: i64,
    buffers: i64,
) -> String {
    let mut out = format!(
        "{} ({}): {}\ninput {}, evaluation mode\n\n",
        spec.title,
        spec.name,
        spec.description,
        fmt_shape(input)
    );
    let shapes: Vec<String> = rows.iter().map(|r| fmt_shape(&r.output)).collect();
    let nw = rows.iter().map(|r| r.name.len()).max().unwrap_or(5).max(5);
    let sw = shapes.iter().map(String::len).max().unwrap_or(12).max(12);
    let pw = thousands(parameters).len().max(10);
    out.push_str(&format!(
        "{:nw$}  {:sw$}  {:>pw$}\n",
        "stage", "output shape", "parameters"
    ));
    for (r, s) in rows.iter().zip(&shapes) {
        out.push_str(&format!(
            "{:nw$}  {:sw$}  {:>pw$}\n",
            r.name,
            s,
            thousands(r.parameters)
        ));
    }
    out.push_str(&format!(
        "{:nw$}  {:sw$}  {:>pw$}\n",
        "total",
        "",
        thousands(parameters)
    ));
    out.push_str(&format!(
        "\nbuffers: {} (BatchNorm running means, variances and batch counters)\n",
        thousands(buffers)
    ));
    out
}

/// The stage table of one model as JSON.
pub fn stage_json(
    spec: &ModelSpec,
    input: &[i64],
    rows: &[StageRow],
    parameters: i64,
    buffers: i64,
) -> serde_json::Value {
    json!({
        "model": spec.name,
        "title": spec.title,
        "input": input,
        "mode": "eval",
        "stages": rows,
        "parameters": parameters,
        "buffers": buffers,
    })
}

/// One row of the table of all models.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SummaryRow {
    pub model: &'static str,
    pub title: &'static str,
    pub family: super::Family,
    pub parameters: i64,
    pub buffers: i64,
    pub depth: usize,
    pub input: [i64; 4],
    pub description: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imagenet_acc1: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imagenet_acc5: Option<f64>,
}

/// Figures of every model.
pub fn summary() -> Result<Vec<SummaryRow>, ReferenceError> {
    MODELS
        .iter()
        .map(|m| {
            let f = figures::of(m).map_err(Clone::clone)?;
            Ok(SummaryRow {
                model: m.name,
                title: m.title,
                family: m.family,
                parameters: f.parameters,
                buffers: f.buffers,
                depth: f.structure.depth(),
                input: m.input,
                description: m.description,
                imagenet_acc1: m.accuracy.map(|a| a.0),
                imagenet_acc5: m.accuracy.map(|a| a.1),
            })
        })
        .collect()
}

/// The table of all models.
pub fn summary_text(rows: &[SummaryRow]) -> String {
    let mw = rows.iter().map(|r| r.model.len()).max().unwrap_or(5).max(5);
    let tw = rows.iter().map(|r| r.title.len()).max().unwrap_or(4).max(4);
    let mut out = format!(
        "{:mw$}  {:tw$}  {:>11}  {:>8}  {:9}  {:15}  {}\n",
        "model", "name", "parameters", "buffers", "input", "acc@1 / acc@5", "structure"
    );
    for r in rows {
        let input = format!("{}x{}x{}", r.input[1], r.input[2], r.input[3]);
        let acc = match (r.imagenet_acc1, r.imagenet_acc5) {
            (Some(a), Some(b)) => format!("{a:.3} / {b:.3}"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{:mw$}  {:tw$}  {:>11}  {:>8}  {:9}  {:15}  {}\n",
            r.model,
            r.title,
            thousands(r.parameters),
            thousands(r.buffers),
            input,
            acc,
            r.description
        ));
    }
    out.push_str("\nParameters are trainable; buffers are BatchNorm running statistics and counters. Accuracies: ImageNet single 224-crop, torchvision V1 weights.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_parse() {
        assert_eq!(parse_input("1,3,224,224"), Ok(vec![1, 3, 224, 224]));
        assert_eq!(parse_input("2x3x32x32"), Ok(vec![2, 3, 32, 32]));
        assert!(parse_input("1,3,0,224").is_err());
        assert!(parse_input("big").is_err());
        assert!(parse_input("1,3,x,224").is_err());
        assert!(parse_input("1,3,,224").is_err());
    }
}
