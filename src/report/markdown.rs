//! `--format markdown`: a summary sized for a pull-request comment: the verdict and counts,
//! findings per rule, and the findings grouped by file (folded), capped so that the comment
//! stays well under the 65,536 characters a GitHub comment may hold.

use super::{counts_line, level_word, region, Report};
use crate::rules::Severity;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Most findings listed one by one.
pub const MAX_LISTED: usize = 50;
/// Size past which the listing stops, in bytes.
pub const MAX_BYTES: usize = 60_000;

/// Text for a Markdown table cell or list item: pipes escaped, HTML neutralised, one line.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Inline code for a table cell (pipes escaped, since tables split before code spans).
pub fn code_cell(s: &str) -> String {
    let fence = if s.contains('`') { "``" } else { "`" };
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!(
        "{fence}{pad}{}{pad}{fence}",
        s.replace('|', "\\|").replace(['\n', '\r'], " ")
    )
}

/// Most characters of one message or help text in the comment.
const MAX_TEXT: usize = 1000;

fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_TEXT {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_TEXT - 1).collect();
        t.push('…');
        t
    }
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴",
        Severity::Warning => "🟡",
        _ => "🔵",
    }
}

/// Renders the pull-request comment.
pub fn render(r: &Report) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let (mark, word) = if s.errors > 0 {
        ("❌", "failed")
    } else if s.warnings > 0 {
        ("⚠️", "passed with warnings")
    } else {
        ("✅", "passed")
    };
    let _ = writeln!(out, "### {mark} lessonlint {word}\n\n{}\n", counts_line(s));
    if r.findings.is_empty() {
        for n in r.notes {
            let _ = writeln!(out, "> note: {}", cell(n));
        }
        return out;
    }
    // Per rule: counts by level.
    let mut per_rule: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for f in r.findings {
        let e = per_rule.entry(f.rule).or_default();
        match f.severity {
            Severity::Error => e.0 += 1,
            Severity::Warning => e.1 += 1,
            _ => e.2 += 1,
        }
    }
    out.push_str("| Rule | Errors | Warnings | Notes |\n|---|---:|---:|---:|\n");
    for (rule, (e, w, i)) in &per_rule {
        let _ = writeln!(out, "| {} | {e} | {w} | {i} |", code_cell(rule));
    }
    out.push('\n');
    // By file, errors first within the listing budget.
    let mut by_file: BTreeMap<&str, Vec<&crate::rules::Finding>> = BTreeMap::new();
    for f in r.findings {
        by_file
            .entry(r.sources.get(f.file).name.as_str())
            .or_default()
            .push(f);
    }
    let mut listed = 0usize;
    let mut cut = false;
    for (name, fs) in &by_file {
        if listed >= MAX_LISTED || out.len() >= MAX_BYTES {
            cut = true;
            break;
        }
        let errors = fs.iter().filter(|f| f.severity == Severity::Error).count();
        let open = if errors > 0 { " open" } else { "" };
        let _ = writeln!(
            out,
            "<details{open}><summary><code>{}</code>: {}</summary>\n",
            cell(name),
            super::plural(fs.len(), "finding")
        );
        let mut sorted = fs.clone();
        sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
        for f in sorted {
            if listed >= MAX_LISTED || out.len() >= MAX_BYTES {
                cut = true;
                break;
            }
            let p = region(r.sources.get(f.file), f.span);
            let _ = write!(
                out,
                "- {} **{}** line {} `{}`: {}",
                icon(f.severity),
                level_word(f.severity),
                p.line,
                f.rule,
                cell(&clip(&f.message))
            );
            if let Some(h) = &f.help {
                let _ = write!(out, "<br>*help:* {}", cell(&clip(h)));
            }
            out.push('\n');
            listed += 1;
        }
        out.push_str("\n</details>\n\n");
    }
    if cut {
        let _ = writeln!(
            out,
            "… {} more not listed here: run `lessonlint lint` locally, or see the code-scanning results.\n",
            r.findings.len() - listed
        );
    }
    for n in r.notes {
        let _ = writeln!(out, "> note: {}", cell(n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_html() {
        assert_eq!(
            cell("p(x|y) <b> & more\nline"),
            "p(x\\|y) &lt;b&gt; &amp; more line"
        );
        assert_eq!(code_cell("a|b"), "`a\\|b`");
        assert_eq!(code_cell("`x`"), "`` `x` ``");
    }
}
