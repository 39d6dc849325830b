//! Concept-name normalisation and similarity, shared by lesson and cross-lesson checks.
//!
//! The same concept is written `Batch normalization`, `Batch normalization (concept)` and
//! `Batch normalization in CNN practice (nn.BatchNorm2d, …)`: names are compared after
//! lower-casing, dropping parentheticals and punctuation, and then scored.

/// Lower-cased words of a name, parentheticals removed, punctuation as spaces.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => out.push(' '),
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    if words.is_empty() && depth == 0 && name.contains('(') {
        // The whole name was a parenthetical: keep its words.
        return normalize(&name.replace(['(', ')', '[', ']'], " "));
    }
    words.join(" ")
}

/// Lower-cased words, keeping parentheticals.
pub fn normalize_full(name: &str) -> String {
    normalize(&name.replace(['(', ')', '[', ']'], " "))
}

fn singular(w: &str) -> &str {
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

/// Similarity of two concept names in `0.0..=1.0`.
///
/// 1.0 for equal normalised names; 0.9 when every word of the shorter name is in the longer
/// (`ReLU activation` ⊂ `ReLU as modern default activation`); otherwise the normalised
/// Levenshtein similarity of the normalised names (catches typos and plurals).
pub fn similarity(a: &str, b: &str) -> f64 {
    similarity_normalized(&normalize(a), &normalize(b), 0.0)
}

/// [`similarity`] of two already normalised names. Where the edit-distance score could not
/// reach `floor` (the lengths differ too much) it is not computed and 0.0 is returned.
pub fn similarity_normalized(na: &str, nb: &str, floor: f64) -> f64 {
    if na.is_empty() || nb.is_empty() {
        return 0.0;
    }
    if na == nb {
        return 1.0;
    }
    let wa: Vec<&str> = na.split(' ').map(singular).collect();
    let wb: Vec<&str> = nb.split(' ').map(singular).collect();
    if wa == wb {
        return 0.98;
    }
    let (short, long) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    if short.iter().all(|w| long.contains(w)) {
        return 0.9;
    }
    // Levenshtein distance is at least the length difference: skip hopeless pairs.
    let (la, lb) = (na.chars().count(), nb.chars().count());
    let bound = 1.0 - la.abs_diff(lb) as f64 / la.max(lb) as f64;
    if bound < floor {
        return 0.0;
    }
    strsim::normalized_levenshtein(na, nb)
}

/// Whether every word of `needle` occurs among the words of `haystack` (both normalised,
/// parentheticals kept).
pub fn words_within(needle: &str, haystack: &str) -> bool {
    let n = normalize_full(needle);
    let h = normalize_full(haystack);
    let hw: Vec<&str> = h.split(' ').map(singular).collect();
    !n.is_empty() && n.split(' ').map(singular).all(|w| hw.contains(&w))
}

/// The best match of `name` among `candidates` with its score, if any reaches `threshold`.
pub fn best_match<'a, T>(
    name: &str,
    candidates: impl IntoIterator<Item = (&'a str, T)>,
    threshold: f64,
) -> Option<(T, f64)> {
    let n = normalize(name);
    let mut best: Option<(T, f64)> = None;
    for (cand, item) in candidates {
        let s = similarity_normalized(&n, &normalize(cand), threshold);
        if s >= threshold && best.as_ref().is_none_or(|b| s > b.1) {
            best = Some((item, s));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            normalize("Batch normalization (concept)"),
            "batch normalization"
        );
        assert_eq!(
            normalize("model.train() / model.eval()"),
            "model train model eval"
        );
        assert_eq!(
            similarity("Batch normalization (concept)", "Batch normalization"),
            1.0
        );
        assert_eq!(
            similarity("nn.Conv2d API", "nn.Conv2d / nn.MaxPool2d API"),
            0.9
        );
        assert!(similarity("Dropout", "He initialization") < 0.5);
        assert!(similarity("Batch normalisation", "Batch normalization") > 0.9);
        assert!(words_within(
            "nn.BatchNorm2d API",
            "Batch normalization (PyTorch API) Student needs nn.BatchNorm2d in the notebook"
        ));
    }
}
