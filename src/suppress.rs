//! Suppressions written in a lesson plan as HTML comments:
//!
//! ```markdown
//! <!-- lessonlint-disable too-few-examples: the examples live in the notebook -->
//! …
//! <!-- lessonlint-enable too-few-examples -->
//!
//! <!-- lessonlint-disable-next-line unknown-vocabulary-word: quoting a reviewer's typo -->
//! ```
//!
//! A `disable` lasts until the matching `enable` (or the end of the file) and covers findings
//! that start on its lines; a `disable-next-line` covers the next non-blank line. Several rules
//! may be named, separated by commas; the reason follows a colon (or ` -- `). A suppression
//! without a reason still applies but is reported; one that suppresses nothing is reported too.

use crate::config::Config;
use crate::declare_rule;
use crate::model::{Cell, SourceFile, Span};
use crate::rules::{self, Finding, Severity};
use crate::workspace::Workspace;

declare_rule! {
    /// ## What it does
    /// Reports a `lessonlint-disable` or `lessonlint-disable-next-line` comment that gives no
    /// reason after the rule names.
    ///
    /// ## Why is this bad?
    /// A suppression hides a house-rule check from every later reader and from CI. Without a
    /// reason, nobody can tell a deliberate exception from a silenced mistake.
    ///
    /// ## Example
    /// `<!-- lessonlint-disable-next-line too-few-examples -->`; write
    /// `<!-- lessonlint-disable-next-line too-few-examples: the examples live in the notebook -->`.
    pub struct SuppressionWithoutReason {
        id: "suppression-without-reason",
        category: Review,
        summary: "A suppression comment gives no reason",
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a suppression comment that suppresses no finding: the rule does not fire on the
    /// lines it covers (any more), the rule name is unknown, or an `enable` has no matching
    /// `disable`.
    ///
    /// ## Why is this bad?
    /// A stale suppression would silently hide the next real finding of that rule on those
    /// lines; an unknown rule name suppresses nothing at all.
    ///
    /// ## Example
    /// `<!-- lessonlint-disable-next-line too-few-examples: … -->` above a line where
    /// too-few-examples reports nothing.
    pub struct UnusedSuppression {
        id: "unused-suppression",
        category: Style,
        summary: "A suppression comment suppresses nothing",
    }
}

/// Rule ids of this module.
pub const WITHOUT_REASON: &str = SuppressionWithoutReason::META.id;
pub const UNUSED: &str = UnusedSuppression::META.id;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Disable,
    DisableNextLine,
    Enable,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Disable => "lessonlint-disable",
            Kind::DisableNextLine => "lessonlint-disable-next-line",
            Kind::Enable => "lessonlint-enable",
        }
    }
}

/// One parsed suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Directive {
    kind: Kind,
    rules: Vec<String>,
    reason: Option<String>,
    span: Span,
    /// First and last line of the comment.
    line: usize,
    end_line: usize,
}

/// Reads a comment (`<!-- … -->`) as a directive, if it is one.
fn parse_comment(text: &str) -> Option<(Kind, Vec<String>, Option<String>)> {
    let body = text.trim().strip_prefix("<!--")?;
    let body = body.strip_suffix("-->").unwrap_or(body).trim();
    let (kind, rest) = [Kind::DisableNextLine, Kind::Disable, Kind::Enable]
        .into_iter()
        .find_map(|k| {
            let rest = body.strip_prefix(k.word())?;
            // The keyword must end here: `lessonlint-disabled` is not a directive.
            (rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r', ':'])).then_some((k, rest))
        })?;
    let (names, reason) = match (rest.find(':'), rest.find(" -- ")) {
        (Some(c), Some(d)) if d < c => (&rest[..d], Some(&rest[d + 4..])),
        (Some(c), _) => (&rest[..c], Some(&rest[c + 1..])),
        (None, Some(d)) => (&rest[..d], Some(&rest[d + 4..])),
        (None, None) => (rest, None),
    };
    let rules: Vec<String> = names
        .split([',', ' ', '\t', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let reason = reason
        .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|r| !r.is_empty());
    Some((kind, rules, reason))
}

fn directives(file: &SourceFile, comments: &[Cell]) -> Vec<Directive> {
    let mut v: Vec<Directive> = comments
        .iter()
        .filter_map(|c| {
            let (kind, rules, reason) = parse_comment(&c.text)?;
            let (line, _) = file.line_col(c.span.start);
            let (end_line, _) = file.line_col(c.span.end.saturating_sub(1).max(c.span.start));
            Some(Directive {
                kind,
                rules,
                reason,
                span: c.span,
                line,
                end_line,
            })
        })
        .collect();
    v.sort_by_key(|d| d.span.start);
    v
}

/// The first non-blank line after `line`.
fn next_content_line(file: &SourceFile, line: usize) -> usize {
    let mut n = line + 1;
    while n < file.line_count() {
        let s = file.line_span(n);
        if !file.text[s.start..s.end].trim().is_empty() {
            return n;
        }
        n += 1;
    }
    line + 1
}

/// One rule of one directive and the lines it covers.
struct Cover {
    directive: usize,
    rule: String,
    from: usize,
    to: usize,
    used: usize,
}

fn finding(
    config: &Config,
    rule: &'static str,
    file: crate::model::FileId,
    d: &Directive,
    message: String,
    help: String,
) -> Option<Finding> {
    let level = config.rule(rule).level;
    if level == Severity::Off {
        return None;
    }
    let mut f = Finding::new(rule, file, d.span, message)
        .label("this comment")
        .help(help);
    f.severity = level;
    Some(f)
}

fn known_rule(id: &str) -> bool {
    rules::find_meta(id).is_some()
}

/// Applies the suppression comments of every lesson plan in `ws` to `findings`: drops the
/// findings they cover and adds a finding for each suppression without a reason and each one
/// that suppresses nothing.
pub fn apply(ws: &Workspace, config: &Config, findings: &mut Vec<Finding>) {
    let mut added: Vec<Finding> = Vec::new();
    let mut drop = vec![false; findings.len()];
    for lesson in &ws.lessons {
        if lesson.comments.is_empty() {
            continue;
        }
        let fid = lesson.file;
        let file = ws.sources.get(fid);
        let ds = directives(file, &lesson.comments);
        if ds.is_empty() {
            continue;
        }
        let last_line = file.line_count().max(1);
        let mut covers: Vec<Cover> = Vec::new();
        let mut enable_used = vec![false; ds.len()];
        for (i, d) in ds.iter().enumerate() {
            match d.kind {
                Kind::DisableNextLine => {
                    let t = next_content_line(file, d.end_line);
                    for r in &d.rules {
                        covers.push(Cover {
                            directive: i,
                            rule: r.clone(),
                            from: t,
                            to: t,
                            used: 0,
                        });
                    }
                }
                Kind::Disable => {
                    for r in &d.rules {
                        // The first later `enable` naming this rule (or naming none) ends it.
                        let end = ds.iter().enumerate().skip(i + 1).find(|(_, e)| {
                            e.kind == Kind::Enable
                                && (e.rules.is_empty() || e.rules.iter().any(|x| x == r))
                        });
                        let to = match end {
                            Some((j, e)) => {
                                enable_used[j] = true;
                                e.line
                            }
                            None => last_line,
                        };
                        covers.push(Cover {
                            directive: i,
                            rule: r.clone(),
                            from: d.line,
                            to,
                            used: 0,
                        });
                    }
                }
                Kind::Enable => {}
            }
        }
        for (k, f) in findings.iter().enumerate() {
            if f.file != fid || f.rule == WITHOUT_REASON || f.rule == UNUSED {
                continue;
            }
            let (line, _) = file.line_col(f.span.start);
            for c in covers.iter_mut() {
                if c.rule == f.rule && (c.from..=c.to).contains(&line) {
                    c.used += 1;
                    drop[k] = true;
                }
            }
        }
        for (i, d) in ds.iter().enumerate() {
            let word = d.kind.word();
            if d.kind != Kind::Enable && d.rules.is_empty() {
                added.extend(finding(
                    config,
                    UNUSED,
                    fid,
                    d,
                    format!("`{word}` names no rule, so it suppresses nothing"),
                    format!("name the rule: `<!-- {word} RULE: reason -->` (`lessonlint rules` lists them)"),
                ));
                continue;
            }
            if d.kind == Kind::Enable {
                if !enable_used[i] {
                    let what = if d.rules.is_empty() {
                        "any rule".to_string()
                    } else {
                        d.rules.join(", ")
                    };
                    added.extend(finding(
                        config,
                        UNUSED,
                        fid,
                        d,
                        format!("`{word}` re-enables {what}, which no earlier `lessonlint-disable` turned off"),
                        "remove the comment, or add the matching `lessonlint-disable` above".to_string(),
                    ));
                }
                continue;
            }
            if d.reason.is_none() {
                added.extend(finding(
                    config,
                    WITHOUT_REASON,
                    fid,
                    d,
                    format!(
                        "the suppression of {} gives no reason",
                        d.rules
                            .iter()
                            .map(|r| format!("`{r}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!(
                        "say why after a colon: `<!-- {word} {}: why this lesson is an exception -->`",
                        d.rules.join(", ")
                    ),
                ));
            }
            for c in covers.iter().filter(|c| c.directive == i && c.used == 0) {
                let (message, help) = if !known_rule(&c.rule) {
                    let ids: Vec<&str> = rules::all_meta().iter().map(|m| m.id).collect();
                    let best = ids
                        .iter()
                        .map(|id| (strsim::jaro_winkler(id, &c.rule), *id))
                        .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a });
                    let help = if best.0 > 0.8 {
                        format!("did you mean `{}`?", best.1)
                    } else {
                        "`lessonlint rules` lists every rule".to_string()
                    };
                    (
                        format!(
                            "`{}` is not a lessonlint rule, so this suppresses nothing",
                            c.rule
                        ),
                        help,
                    )
                } else if c.from == c.to {
                    (
                        format!(
                            "`{word} {}` suppresses nothing: {} reports nothing on line {}",
                            c.rule, c.rule, c.from
                        ),
                        "remove the stale comment, or move it above the line the finding points at"
                            .to_string(),
                    )
                } else {
                    (
                        format!(
                            "`{word} {}` suppresses nothing: {} reports nothing on lines {}–{}",
                            c.rule, c.rule, c.from, c.to
                        ),
                        "remove the stale comment (and its `lessonlint-enable`)".to_string(),
                    )
                };
                added.extend(finding(config, UNUSED, fid, d, message, help));
            }
        }
    }
    let mut it = drop.iter();
    findings.retain(|_| !*it.next().unwrap_or(&false));
    findings.extend(added);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileId, Lesson, SourceFile};

    #[test]
    fn parses_directives() {
        assert_eq!(
            parse_comment(
                "<!-- lessonlint-disable-next-line too-few-examples: notebook has them -->"
            ),
            Some((
                Kind::DisableNextLine,
                vec!["too-few-examples".to_string()],
                Some("notebook has them".to_string())
            ))
        );
        assert_eq!(
            parse_comment("<!-- lessonlint-disable a, b -- because -->"),
            Some((
                Kind::Disable,
                vec!["a".to_string(), "b".to_string()],
                Some("because".to_string())
            ))
        );
        assert_eq!(
            parse_comment("<!--lessonlint-enable a-->"),
            Some((Kind::Enable, vec!["a".to_string()], None))
        );
        assert_eq!(
            parse_comment("<!-- lessonlint-disable x:   -->"),
            Some((Kind::Disable, vec!["x".to_string()], None))
        );
        assert_eq!(parse_comment("<!-- lessonlint: skip -->"), None);
        assert_eq!(parse_comment("<!-- lessonlint-disabled x -->"), None);
        assert_eq!(parse_comment("<!-- a note -->"), None);
    }

    fn ws(text: &str) -> Workspace {
        let mut ws = Workspace::default();
        let id = ws.sources.add(SourceFile::new("l.md", text.to_string()));
        let mut comments = Vec::new();
        let mut from = 0;
        while let Some(i) = text[from..].find("<!--") {
            let s = from + i;
            let e = text[s..]
                .find("-->")
                .map(|j| s + j + 3)
                .unwrap_or(text.len());
            let line = text[..s].matches('\n').count() + 1;
            comments.push(Cell::new(&text[s..e], Span::new(s, e), line));
            from = e;
        }
        ws.lessons.push(Lesson {
            file: id,
            comments,
            ..Default::default()
        });
        ws
    }

    fn at_line(text: &str, line: usize, rule: &'static str) -> Finding {
        let off: usize = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        let mut f = Finding::new(rule, FileId(0), Span::new(off, off + 1), "x");
        f.severity = Severity::Error;
        f
    }

    #[test]
    fn next_line_suppresses_and_reasonless_is_reported() {
        let t = "a\n<!-- lessonlint-disable-next-line too-few-examples -->\n\nb\nc\n";
        let w = ws(t);
        let mut f = vec![
            at_line(t, 4, "too-few-examples"),
            at_line(t, 5, "too-few-examples"),
        ];
        apply(&w, &Config::defaults(), &mut f);
        let rules: Vec<(&str, usize)> = f
            .iter()
            .map(|x| (x.rule, w.sources.get(x.file).line_col(x.span.start).0))
            .collect();
        assert_eq!(rules, vec![("too-few-examples", 5), (WITHOUT_REASON, 2)]);
    }

    #[test]
    fn block_covers_until_enable_and_unused_is_reported() {
        let t = "<!-- lessonlint-disable too-few-examples: r -->\nx\n<!-- lessonlint-enable too-few-examples -->\ny\n<!-- lessonlint-disable-next-line too-few-modalities: r -->\nz\n";
        let w = ws(t);
        let mut f = vec![
            at_line(t, 2, "too-few-examples"),
            at_line(t, 4, "too-few-examples"),
        ];
        apply(&w, &Config::defaults(), &mut f);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[0].rule, "too-few-examples");
        assert_eq!(w.sources.get(FileId(0)).line_col(f[0].span.start).0, 4);
        assert_eq!(f[1].rule, UNUSED);
        assert_eq!(
            f[1].message,
            "`lessonlint-disable-next-line too-few-modalities` suppresses nothing: too-few-modalities reports nothing on line 6"
        );
    }

    #[test]
    fn unknown_rule_and_stray_enable() {
        let t = "<!-- lessonlint-disable-next-line too-few-exampels: r -->\nx\n<!-- lessonlint-enable -->\n";
        let w = ws(t);
        let mut f = vec![];
        apply(&w, &Config::defaults(), &mut f);
        assert_eq!(f.len(), 2);
        assert!(f[0]
            .message
            .contains("`too-few-exampels` is not a lessonlint rule"));
        assert_eq!(
            f[0].help.as_deref(),
            Some("did you mean `too-few-examples`?")
        );
        assert!(f[1].message.contains("re-enables any rule"));
    }
}
