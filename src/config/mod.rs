//! Rule configuration: the defaults shipped in `rules/*.yaml` (embedded in the binary) and a
//! curriculum's own `lessonlint.yaml` overriding them.
//!
//! This is the only module that imports `serde_yaml`. Every error points into the YAML file.

use crate::model::Span;
use crate::rules::Severity;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

/// Name of a curriculum's own configuration file.
pub const CONFIG_FILE_NAME: &str = "lessonlint.yaml";

/// A configuration value (a YAML scalar, list or map), independent of the YAML library.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Param>),
    Map(BTreeMap<String, Param>),
}

impl Param {
    fn from_yaml(v: &serde_yaml::Value) -> Param {
        use serde_yaml::Value as V;
        match v {
            V::Null => Param::Null,
            V::Bool(b) => Param::Bool(*b),
            V::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Param::Int(i)
                } else {
                    Param::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            V::String(s) => Param::Str(s.clone()),
            V::Sequence(s) => Param::List(s.iter().map(Param::from_yaml).collect()),
            V::Mapping(m) => Param::Map(
                m.iter()
                    .map(|(k, v)| (yaml_key(k), Param::from_yaml(v)))
                    .collect(),
            ),
            V::Tagged(t) => Param::from_yaml(&t.value),
        }
    }
    fn kind(&self) -> &'static str {
        match self {
            Param::Null => "null",
            Param::Bool(_) => "a boolean",
            Param::Int(_) => "an integer",
            Param::Float(_) => "a number",
            Param::Str(_) => "a string",
            Param::List(_) => "a list",
            Param::Map(_) => "a map",
        }
    }
    fn same_kind(&self, other: &Param) -> bool {
        matches!(
            (self, other),
            (Param::Int(_), Param::Int(_))
                | (Param::Float(_), Param::Float(_) | Param::Int(_))
                | (Param::Bool(_), Param::Bool(_))
                | (Param::Str(_), Param::Str(_))
                | (Param::List(_), Param::List(_))
                | (Param::Map(_), Param::Map(_))
                | (Param::Null, _)
        )
    }
}

/// A YAML flow-style rendering, as it would be written in `lessonlint.yaml`: `100`, `0.85`,
/// `true`, `[fading, refresh]`, `{a: 1}`; strings are quoted only when YAML needs it.
impl std::fmt::Display for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Param::Null => f.write_str("null"),
            Param::Bool(b) => write!(f, "{b}"),
            Param::Int(i) => write!(f, "{i}"),
            Param::Float(x) if x.is_nan() => f.write_str(".nan"),
            Param::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { ".inf" } else { "-.inf" })
            }
            // Debug keeps the decimal point of whole numbers (`1.0`), so the value reads back
            // as a float.
            Param::Float(x) => write!(f, "{x:?}"),
            Param::Str(s) => f.write_str(&yaml_scalar(s)),
            Param::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Param::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {v}", yaml_scalar(k))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A string as a YAML flow scalar: plain when it reads back as the same string, else quoted.
fn yaml_scalar(s: &str) -> String {
    let special_start = s.starts_with([
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
        '`', ' ',
    ]);
    let special_inside = s.contains([',', '[', ']', '{', '}', '"', '\'', '\\', '\n', '\t'])
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with([' ', ':']);
    let other_type = matches!(
        s.to_ascii_lowercase().as_str(),
        "" | "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) || s.parse::<f64>().is_ok()
        || s.starts_with('.');
    if special_start || special_inside || other_type {
        serde_json::to_string(s).unwrap_or_default()
    } else {
        s.to_string()
    }
}

fn yaml_key(k: &serde_yaml::Value) -> String {
    match k {
        serde_yaml::Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// One rule's level and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSettings {
    pub level: Severity,
    pub params: BTreeMap<String, Param>,
}

impl RuleSettings {
    /// An integer parameter. Defaults are guaranteed by `rules/<id>.yaml` (a test checks that
    /// every rule's file parses); a missing one reads as 0.
    pub fn int(&self, name: &str) -> i64 {
        match self.params.get(name) {
            Some(Param::Int(i)) => *i,
            Some(Param::Float(f)) => *f as i64,
            _ => 0,
        }
    }
    pub fn float(&self, name: &str) -> f64 {
        match self.params.get(name) {
            Some(Param::Int(i)) => *i as f64,
            Some(Param::Float(f)) => *f,
            _ => 0.0,
        }
    }
    pub fn bool(&self, name: &str) -> bool {
        matches!(self.params.get(name), Some(Param::Bool(true)))
    }
    pub fn str(&self, name: &str) -> &str {
        match self.params.get(name) {
            Some(Param::Str(s)) => s,
            _ => "",
        }
    }
    pub fn str_list(&self, name: &str) -> Vec<String> {
        match self.params.get(name) {
            Some(Param::List(l)) => l
                .iter()
                .filter_map(|p| match p {
                    Param::Str(s) => Some(s.clone()),
                    Param::Int(i) => Some(i.to_string()),
                    _ => None,
                })
                .collect(),
            Some(Param::Str(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }
    pub fn map(&self, name: &str) -> BTreeMap<String, Param> {
        match self.params.get(name) {
            Some(Param::Map(m)) => m.clone(),
            _ => BTreeMap::new(),
        }
    }
}

/// The effective configuration of a run.
#[derive(Debug, Clone)]
pub struct Config {
    rules: BTreeMap<String, RuleSettings>,
    off: RuleSettings,
    /// The file the overrides came from, if any.
    pub source: Option<PathBuf>,
}

/// A configuration problem, located in the YAML text.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl Config {
    /// The defaults shipped in `rules/`.
    pub fn defaults() -> Config {
        let mut rules = BTreeMap::new();
        for (id, text) in DEFAULT_RULES {
            // The shipped files are tested to parse; a broken one is a build defect.
            match parse_rule_file(Path::new(&format!("rules/{id}.yaml")), text) {
                Ok(s) => {
                    rules.insert((*id).to_string(), s);
                }
                Err(e) => panic!("shipped rules/{id}.yaml is invalid: {}", e.message),
            }
        }
        Config {
            rules,
            off: RuleSettings {
                level: Severity::Off,
                params: BTreeMap::new(),
            },
            source: None,
        }
    }

    /// Settings of a rule; a rule with no defaults file is off.
    pub fn rule(&self, id: &str) -> &RuleSettings {
        self.rules.get(id).unwrap_or(&self.off)
    }

    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules.keys().map(|s| s.as_str())
    }

    /// Overrides a rule's level (from the command line).
    pub fn set_level(&mut self, id: &str, level: Severity) {
        if let Some(r) = self.rules.get_mut(id) {
            r.level = level;
        }
    }

    /// Defaults overridden by a `lessonlint.yaml` file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            text: String::new(),
            span: Span::default(),
            message: format!("cannot read configuration {}: {e}", path.display()),
            help: None,
        })?;
        Config::from_override_text(path, &text)
    }

    pub fn from_override_text(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let mut cfg = Config::defaults();
        cfg.source = Some(path.to_path_buf());
        let err = |span: Span, message: String, help: Option<String>| ConfigError {
            path: path.to_path_buf(),
            text: text.to_string(),
            span,
            message,
            help,
        };
        let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
            let off = e.location().map(|l| l.index()).unwrap_or(0);
            err(
                Span::new(off, (off + 1).min(text.len())),
                format!("invalid YAML: {e}"),
                None,
            )
        })?;
        let top = match &value {
            serde_yaml::Value::Null => return Ok(cfg),
            serde_yaml::Value::Mapping(m) => m,
            _ => {
                return Err(err(
                    Span::new(0, text.len().min(1)),
                    "the configuration must be a mapping with a `rules:` key".into(),
                    None,
                ))
            }
        };
        let mut search_from = 0;
        for (k, v) in top {
            let key = yaml_key(k);
            if key != "rules" {
                return Err(err(
                    key_span(text, &key, 0),
                    format!("unknown top-level key `{key}`"),
                    Some("the only top-level key is `rules:`".into()),
                ));
            }
            let rules = match v {
                serde_yaml::Value::Mapping(m) => m,
                serde_yaml::Value::Null => continue,
                _ => {
                    return Err(err(
                        key_span(text, "rules", 0),
                        "`rules:` must map rule ids to settings".into(),
                        None,
                    ))
                }
            };
            for (rk, rv) in rules {
                let id = yaml_key(rk);
                let id_span = key_span(text, &id, search_from);
                search_from = id_span.end;
                let Some(base) = cfg.rules.get_mut(&id) else {
                    let known: Vec<&str> = DEFAULT_RULES.iter().map(|(i, _)| *i).collect();
                    let best = known
                        .iter()
                        .map(|k| (strsim::jaro_winkler(k, &id), *k))
                        .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a });
                    let help = if best.0 > 0.8 {
                        format!(
                            "did you mean `{}`? (`lessonlint rules` lists them all)",
                            best.1
                        )
                    } else {
                        "`lessonlint rules` lists the rule ids".into()
                    };
                    return Err(err(id_span, format!("unknown rule `{id}`"), Some(help)));
                };
                match rv {
                    serde_yaml::Value::String(s) => {
                        base.level = Severity::parse(s).ok_or_else(|| {
                            err(
                                value_span(text, id_span),
                                format!("unknown level `{s}` for `{id}`"),
                                Some("levels: error, warning, info, off".into()),
                            )
                        })?;
                    }
                    serde_yaml::Value::Mapping(m) => {
                        for (pk, pv) in m {
                            let pname = yaml_key(pk);
                            let pspan = key_span(text, &pname, id_span.end);
                            if pname == "level" {
                                let s = pv.as_str().unwrap_or("");
                                base.level = Severity::parse(s).ok_or_else(|| {
                                    err(
                                        value_span(text, pspan),
                                        format!("unknown level `{s}` for `{id}`"),
                                        Some("levels: error, warning, info, off".into()),
                                    )
                                })?;
                                continue;
                            }
                            let Some(default) = base.params.get(&pname) else {
                                let known: Vec<String> = base.params.keys().cloned().collect();
                                return Err(err(
                                    pspan,
                                    format!("unknown setting `{pname}` for rule `{id}`"),
                                    Some(if known.is_empty() {
                                        format!("`{id}` takes only `level`")
                                    } else {
                                        format!("`{id}` takes `level`, `{}`", known.join("`, `"))
                                    }),
                                ));
                            };
                            let new = Param::from_yaml(pv);
                            if !default.same_kind(&new) {
                                return Err(err(
                                    value_span(text, pspan),
                                    format!(
                                        "`{pname}` of `{id}` must be {}, not {}",
                                        default.kind(),
                                        new.kind()
                                    ),
                                    None,
                                ));
                            }
                            if let (Param::Int(d), Param::Int(n)) = (default, &new) {
                                if *d >= 0 && *n < 0 {
                                    return Err(err(
                                        value_span(text, pspan),
                                        format!(
                                            "`{pname}` of `{id}` must not be negative (got {n})"
                                        ),
                                        Some(format!("the default is {d}")),
                                    ));
                                }
                            }
                            if let (Param::Float(_) | Param::Int(_), Param::Float(x)) =
                                (default, &new)
                            {
                                if !x.is_finite() {
                                    return Err(err(
                                        value_span(text, pspan),
                                        format!("`{pname}` of `{id}` must be a finite number"),
                                        None,
                                    ));
                                }
                            }
                            base.params.insert(pname, new);
                        }
                    }
                    _ => {
                        return Err(err(
                            id_span,
                            format!("settings of `{id}` must be a level or a mapping"),
                            None,
                        ))
                    }
                }
            }
        }
        Ok(cfg)
    }

    /// Finds `lessonlint.yaml` in `start` or its ancestors.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let mut dir = if start.is_dir() {
            Some(start)
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(CONFIG_FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }
}

/// Parses one shipped `rules/<id>.yaml`: `level` plus parameters.
fn parse_rule_file(path: &Path, text: &str) -> Result<RuleSettings, ConfigError> {
    let err = |message: String| ConfigError {
        path: path.to_path_buf(),
        text: text.to_string(),
        span: Span::default(),
        message,
        help: None,
    };
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| err(format!("invalid YAML: {e}")))?;
    let serde_yaml::Value::Mapping(m) = value else {
        return Err(err("a rule file must be a mapping".into()));
    };
    let mut level = None;
    let mut params = BTreeMap::new();
    for (k, v) in &m {
        let key = yaml_key(k);
        if key == "level" {
            level = v.as_str().and_then(Severity::parse);
        } else {
            params.insert(key, Param::from_yaml(v));
        }
    }
    Ok(RuleSettings {
        level: level.ok_or_else(|| err("missing or unknown `level`".into()))?,
        params,
    })
}

/// Span of `key:` in YAML text, searching from `from` (falls back to the start).
fn key_span(text: &str, key: &str, from: usize) -> Span {
    let from = from.min(text.len());
    let pat = format!("{key}:");
    let find = |start: usize| {
        text[start..]
            .match_indices(&pat)
            .map(move |(i, _)| i + start)
            .find(|&i| {
                i == 0 || matches!(text.as_bytes()[i - 1], b' ' | b'\n' | b'\t' | b'"' | b'\'')
            })
    };
    match find(from).or_else(|| find(0)) {
        Some(i) => Span::new(i, i + key.len()),
        None => Span::new(0, 0),
    }
}

/// Span of the value after a `key:` span, up to the end of the line.
fn value_span(text: &str, key: Span) -> Span {
    let start = (key.end + 1).min(text.len());
    let rest = &text[start..];
    let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let end = rest.find('\n').map(|i| start + i).unwrap_or(text.len());
    let s = (start + lead).min(end);
    Span::new(s, end.max(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_display_as_yaml_that_reads_back() {
        let list = |v: &[&str]| Param::List(v.iter().map(|s| Param::Str(s.to_string())).collect());
        assert_eq!(Param::Int(100).to_string(), "100");
        assert_eq!(Param::Float(0.85).to_string(), "0.85");
        assert_eq!(Param::Float(1.0).to_string(), "1.0");
        assert_eq!(Param::Bool(true).to_string(), "true");
        assert_eq!(Param::Null.to_string(), "null");
        assert_eq!(
            list(&["fading", "refresh"]).to_string(),
            "[fading, refresh]"
        );
        assert_eq!(list(&["MAJOR REVISION"]).to_string(), "[MAJOR REVISION]");
        assert_eq!(list(&[]).to_string(), "[]");
        let awkward = [
            "a, b",
            "true",
            "3",
            "",
            "x: y",
            "#c",
            "[a]",
            "say \"hi\"",
            "on",
        ];
        let shown = list(&awkward).to_string();
        assert_eq!(
            shown,
            r##"["a, b", "true", "3", "", "x: y", "#c", "[a]", "say \"hi\"", "on"]"##
        );
        let mut m = BTreeMap::new();
        m.insert("k".to_string(), Param::Int(1));
        m.insert("a b".to_string(), list(&["x"]));
        assert_eq!(Param::Map(m).to_string(), "{a b: [x], k: 1}");
        // Every shipped setting reads back as the value it shows.
        for (id, _) in DEFAULT_RULES {
            for (k, v) in &Config::defaults().rule(id).params {
                let back: serde_yaml::Value = serde_yaml::from_str(&v.to_string()).unwrap();
                assert_eq!(&Param::from_yaml(&back), v, "{id}.{k}: {v}");
            }
        }
        let back: serde_yaml::Value = serde_yaml::from_str(&shown).unwrap();
        assert_eq!(Param::from_yaml(&back), list(&awkward));
    }

    #[test]
    fn every_shipped_rule_file_parses() {
        for (id, text) in DEFAULT_RULES {
            parse_rule_file(Path::new(id), text).unwrap_or_else(|e| panic!("{id}: {}", e.message));
        }
    }

    #[test]
    fn unknown_rule_points_into_yaml() {
        let text = "rules:\n  not-a-rule: warning\n";
        let e = Config::from_override_text(Path::new("x.yaml"), text).unwrap_err();
        assert_eq!(&text[e.span.start..e.span.end], "not-a-rule");
        assert!(e.message.contains("unknown rule"));
    }

    #[test]
    fn negative_threshold_is_refused_at_its_value() {
        let text = "rules:\n  too-few-misconceptions:\n    min: -3\n";
        let e = Config::from_override_text(Path::new("x.yaml"), text).unwrap_err();
        assert_eq!(&text[e.span.start..e.span.end], "-3");
        assert!(e.message.contains("must not be negative"), "{}", e.message);
    }

    #[test]
    fn broken_yaml_is_located() {
        let text = "rules:\n  a: [1, 2\n";
        let e = Config::from_override_text(Path::new("x.yaml"), text).unwrap_err();
        assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
        assert!(e.span.start > 0);
    }
}
