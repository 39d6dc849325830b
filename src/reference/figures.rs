//! Per-model figures, computed once per process.
