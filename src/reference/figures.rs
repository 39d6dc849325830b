//! Per-model figures (parameters, buffers, layers, blocks), computed by the interpreter once per
//! process and only for the models asked for: a lesson that names no model costs nothing.

use super::{with_reference, ModelSpec, ReferenceError, Structure, MODELS};
use std::sync::OnceLock;

/// What the claim rules compare against.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ModelFigures {
    pub name: &'static str,
    pub parameters: i64,
    pub buffers: i64,
    pub structure: Structure,
}

type Slot = OnceLock<Result<ModelFigures, ReferenceError>>;

fn slots() -> &'static [Slot] {
    static SLOTS: OnceLock<Vec<Slot>> = OnceLock::new();
    SLOTS.get_or_init(|| MODELS.iter().map(|_| OnceLock::new()).collect())
}

/// The figures of a registry model (computed on first use, then shared).
pub fn of(spec: &ModelSpec) -> Result<&'static ModelFigures, &'static ReferenceError> {
    let idx = MODELS
        .iter()
        .position(|m| m.name == spec.name)
        .unwrap_or_default();
    slots()[idx].get_or_init(|| compute(spec)).as_ref()
}

fn compute(spec: &ModelSpec) -> Result<ModelFigures, ReferenceError> {
    let spec = *spec;
    with_reference(move |r| {
        let m = r.build(&spec)?;
        let missing = |what: &str| ReferenceError {
            context: spec.name.to_string(),
            message: format!("the {what} count is not known"),
        };
        Ok(ModelFigures {
            name: spec.name,
            parameters: r.parameters(&m).ok_or_else(|| missing("parameter"))?,
            buffers: r.buffers(&m).ok_or_else(|| missing("buffer"))?,
            structure: r.structure(&m)?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_once_and_shared() {
        let spec = crate::reference::find_model("resnet18").unwrap();
        let a = of(spec).unwrap();
        let b = of(spec).unwrap();
        assert!(std::ptr::eq(a, b));
        assert_eq!(a.parameters, 11_689_512);
        assert_eq!(a.structure.block_count(), 8);
    }
}
