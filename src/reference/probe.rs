//! Probing lesson classes against the reference.
