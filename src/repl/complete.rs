//! Tab completion, multi-line validation for the REPL.
use rhai::Engine;
use rustyline::completion::{Completer, Pair};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper, Highlighter, Hinter};
use std::collections::{BTreeMap, BTreeSet};

const KEYWORDS: &[&str] = &[
    "let", "const", "fn", "if", "else", "for", "in", "while", "loop", "break", "continue",
    "return", "import", "as", "true", "false", "print", "throw", "try", "catch",
];

/// Completion data: function names, methods by receiver type, and variables in scope.
#[derive(Helper, Hinter, Highlighter)]
pub struct PetmrHelper {
    functions: BTreeSet<String>,
    /// receiver type name (as in signatures, e.g. "Volume") → method and property names
    methods: BTreeMap<String, BTreeSet<String>>,
    all_methods: BTreeSet<String>,
    vars: Vec<(String, String)>,
    /// column names of the tables in scope (offered inside string literals)
    columns: Vec<String>,
}

/// Short type name of a Rust type path (`petmr::volume::Volume` → `Volume`).
fn short(t: &str) -> String {
    t.rsplit("::")
        .next()
        .unwrap_or(t)
        .trim_start_matches('&')
        .trim_start_matches("mut ")
        .to_string()
}

impl PetmrHelper {
    pub fn new(engine: &Engine) -> Self {
        let mut functions = BTreeSet::new();
        let mut methods: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for sig in engine.gen_fn_signatures(false) {
            let Some(open) = sig.find('(') else { continue };
            let name = &sig[..open];
            if name
                .chars()
                .next()
                .is_some_and(|c| !(c.is_alphabetic() || c == '_'))
            {
                continue; // operators
            }
            let params = &sig[open + 1..sig.rfind(')').unwrap_or(sig.len())];
            let first_ty = params
                .split(',')
                .next()
                .and_then(|p| p.split(':').nth(1))
                .map(|t| short(t.trim()));
            if let Some(prop) = name.strip_prefix("get$") {
                if let Some(t) = first_ty {
                    methods.entry(t).or_default().insert(prop.to_string());
                }
                continue;
            }
            if name.contains('$') {
                continue;
            }
            functions.insert(name.to_string());
            if let Some(t) = first_ty {
                methods.entry(t).or_default().insert(name.to_string());
            }
        }
        for d in crate::script::docs::all() {
            functions.insert(d.name.to_string());
        }
        let all_methods = methods.values().flatten().cloned().collect();
        PetmrHelper {
            functions,
            methods,
            all_methods,
            vars: Vec::new(),
            columns: Vec::new(),
        }
    }

    /// Update the variables in scope: `(name, type name)`.
    pub fn set_vars(&mut self, vars: Vec<(String, String)>) {
        self.vars = vars;
    }

    /// Update the column names of the tables in scope.
    pub fn set_columns(&mut self, mut columns: Vec<String>) {
        columns.sort();
        columns.dedup();
        self.columns = columns;
    }

    /// Candidates for `line[..pos]`: `(start of the replaced word, candidates)`.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        if let Some(q) = open_string_start(before) {
            // inside a string: column names of tables in scope, then file names
            let word = &before[q..];
            let mut out: Vec<String> = self
                .columns
                .iter()
                .filter(|c| c.starts_with(word))
                .cloned()
                .collect();
            out.extend(complete_path(word));
            return (q, out);
        }
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == ':')
            .last()
            .map(|(i, _)| i)
            .unwrap_or(pos);
        let word = &before[start..];
        let mut out: BTreeSet<String> = BTreeSet::new();
        if start > 0 && before[..start].ends_with('.') {
            // method after a dot: use the receiver's type when it is a variable in scope
            let recv_end = start - 1;
            let recv: String = before[..recv_end]
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let ty = self
                .vars
                .iter()
                .rev()
                .find(|(n, _)| *n == recv)
                .map(|(_, t)| short(t));
            let pool = ty
                .and_then(|t| self.methods.get(&t))
                .unwrap_or(&self.all_methods);
            out.extend(pool.iter().filter(|m| m.starts_with(word)).cloned());
        } else {
            out.extend(
                self.functions
                    .iter()
                    .filter(|f| f.starts_with(word))
                    .cloned(),
            );
            out.extend(
                self.vars
                    .iter()
                    .map(|(n, _)| n.clone())
                    .filter(|n| n.starts_with(word)),
            );
            out.extend(
                KEYWORDS
                    .iter()
                    .filter(|k| k.starts_with(word))
                    .map(|k| k.to_string()),
            );
        }
        (start, out.into_iter().collect())
    }
}

/// Byte index just after an unclosed `"` before the cursor, if the cursor is inside a string.
fn open_string_start(s: &str) -> Option<usize> {
    let mut open = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if open.is_some() => escaped = !escaped,
            '"' if !escaped => open = if open.is_some() { None } else { Some(i + 1) },
            _ => escaped = false,
        }
    }
    open
}

/// File names completing `partial` (a path typed so far); folders end in `/`.
fn complete_path(partial: &str) -> Vec<String> {
    let (dir, prefix) = match partial.rfind('/') {
        Some(i) => (&partial[..=i], &partial[i + 1..]),
        None => ("", partial),
    };
    let read_dir = if dir.is_empty() { "." } else { dir };
    let Ok(entries) = std::fs::read_dir(read_dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let slash = if e.path().is_dir() { "/" } else { "" };
            Some(format!("{dir}{name}{slash}"))
        })
        .collect();
    out.sort();
    out
}

impl Completer for PetmrHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, c) = self.candidates(line, pos);
        Ok((
            start,
            c.into_iter()
                .map(|s| Pair {
                    display: s.clone(),
                    replacement: s,
                })
                .collect(),
        ))
    }
}

/// True if brackets are unbalanced (ignoring strings and comments): the input continues.
pub fn is_incomplete(src: &str) -> bool {
    let mut depth: i64 = 0;
    let mut chars = src.chars().peekable();
    let mut in_str: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = in_str {
            if c == '\\' {
                chars.next();
            } else if c == q {
                in_str = None;
            }
            continue;
        }
        match c {
            '"' | '`' => in_str = Some(c),
            '/' if chars.peek() == Some(&'/') => {
                for c2 in chars.by_ref() {
                    if c2 == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c2 in chars.by_ref() {
                    if prev == '*' && c2 == '/' {
                        break;
                    }
                    prev = c2;
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    depth > 0 || in_str == Some('`')
}

impl Validator for PetmrHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if !input.trim_start().starts_with(':') && is_incomplete(input) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_detection() {
        assert!(is_incomplete("fn f(x) {"));
        assert!(!is_incomplete("fn f(x) { x + 1 }"));
        assert!(!is_incomplete("let s = \"{\";"));
        assert!(is_incomplete("let a = [1,\n 2,"));
        assert!(!is_incomplete("// {\nlet a = 1;"));
    }

    #[test]
    fn column_names_complete_inside_strings() {
        let engine = crate::script::engine();
        let mut h = PetmrHelper::new(&engine);
        h.set_columns(vec!["ktrans".into(), "kep".into(), "ki".into()]);
        let (start, c) = h.candidates("t.col(\"k", 8);
        assert_eq!(start, 7);
        assert!(
            c.starts_with(&["kep".to_string(), "ki".to_string(), "ktrans".to_string()]),
            "{c:?}"
        );
        h.set_vars(vec![("v".into(), "petmr::volume::Volume".into())]);
        let (_, c) = h.candidates("v.mea", 5);
        assert!(
            c.contains(&"mean".to_string()) && c.contains(&"mean_frames".to_string()),
            "{c:?}"
        );
    }

    #[test]
    fn string_detection() {
        assert_eq!(open_string_start("load(\"sub"), Some(6));
        assert_eq!(open_string_start("load(\"a\") + x"), None);
    }
}
