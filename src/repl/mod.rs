//! The interactive shell and the script runner shared by the CLI.
mod complete;

use crate::progress;
use crate::script;
use rhai::{Dynamic, Engine, EvalAltResult, Position, Scope, AST};
use rustyline::error::ReadlineError;
use rustyline::{CompletionType, Config, Editor};
use std::path::{Path, PathBuf};

/// Render an error with the offending source line and a caret under the column.
pub fn format_error(src: &str, file: &str, e: &EvalAltResult) -> String {
    let pos = innermost_position(e);
    let msg = clean_message(e);
    match (pos.line(), pos.position()) {
        (Some(line), col) => {
            let col = col.unwrap_or(1);
            let text = src.lines().nth(line - 1).unwrap_or("");
            let caret = format!("{}^", " ".repeat(col.saturating_sub(1)));
            format!("{file}:{line}:{col}: {msg}\n  {text}\n  {caret}")
        }
        _ => format!("{file}: {msg}"),
    }
}

/// Position of the error in the top-level source (Rhai nests errors raised inside functions).
fn innermost_position(e: &EvalAltResult) -> Position {
    e.position()
}

/// The error message without Rhai's trailing position (we print our own).
fn clean_message(e: &EvalAltResult) -> String {
    let mut s = match e {
        EvalAltResult::ErrorRuntime(d, _) if d.is_string() => {
            d.clone().into_string().unwrap_or_default()
        }
        EvalAltResult::ErrorTerminated(..) => "cancelled by the user".to_string(),
        EvalAltResult::ErrorInFunctionCall(name, _, inner, _) if !name.starts_with('$') => {
            // an error raised inside a script function: name the function, show the cause
            format!("in {name}(): {}", clean_message(inner))
        }
        _ => e.to_string(),
    };
    if let Some(i) = s.rfind(" (line ") {
        if s.ends_with(')') {
            s.truncate(i);
        }
    }
    s
}

/// Show a value the way `print` would (its registered `to_string`).
pub fn display(engine: &Engine, v: &Dynamic) -> String {
    let mut scope = Scope::new();
    scope.push("__v", v.clone());
    engine
        .eval_with_scope::<String>(&mut scope, "to_string(__v)")
        .unwrap_or_else(|_| v.to_string())
}

/// Run a script file with `ARGV`; returns the process exit code (0 ok, 1 script error).
pub fn run_file(path: &Path, args: &[String]) -> i32 {
    match std::fs::read_to_string(path) {
        Ok(src) => run_source(&src, &path.display().to_string(), args),
        Err(e) => {
            eprintln!("petmr: {}: cannot read script: {e}", path.display());
            1
        }
    }
}

/// Run a script's source with `ARGV` = `args`; errors name the script as `shown` and point at
/// the line. Returns the process exit code.
pub fn run_source(src: &str, shown: &str, args: &[String]) -> i32 {
    let engine = script::engine();
    let mut scope = Scope::new();
    scope.push(
        "ARGV",
        args.iter()
            .map(|a| Dynamic::from(a.clone()))
            .collect::<rhai::Array>(),
    );
    let ast = match engine.compile(src) {
        Ok(mut a) => {
            a.set_source(shown.to_string());
            a
        }
        Err(e) => {
            eprintln!("{}", format_error(src, shown, &EvalAltResult::from(e)));
            return 1;
        }
    };
    match engine.run_ast_with_scope(&mut scope, &ast) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{}", format_error(src, shown, &e));
            1
        }
    }
}

/// Evaluate one expression and print its value (`petmr -e`).
pub fn eval_print(expr: &str) -> i32 {
    let engine = script::engine();
    let mut scope = Scope::new();
    match engine.eval_with_scope::<Dynamic>(&mut scope, expr) {
        Ok(v) => {
            if !v.is_unit() {
                crate::fsutil::print_line(&display(&engine, &v));
            }
            0
        }
        Err(e) => {
            eprintln!("{}", format_error(expr, "<expr>", &e));
            1
        }
    }
}

/// State of one interactive session: the engine, variables and functions defined so far.
pub struct Session {
    pub engine: Engine,
    pub scope: Scope<'static>,
    pub ast: AST,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    pub fn new() -> Self {
        Session {
            engine: script::engine(),
            scope: Scope::new(),
            ast: AST::empty(),
        }
    }

    /// Evaluate one input; functions it defines are kept for later inputs, and variables stay in
    /// the scope even if it fails. Returns the value (unit if none) or a formatted error.
    pub fn eval(&mut self, src: &str, name: &str) -> Result<Dynamic, String> {
        progress::reset_cancel();
        let new = self
            .engine
            .compile_with_scope(&self.scope, src)
            .map_err(|e| format_error(src, name, &EvalAltResult::from(e)))?;
        let mut combined = self.ast.merge(&new);
        let r = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut self.scope, &combined);
        combined.clear_statements();
        self.ast = combined;
        progress::reset_cancel();
        r.map_err(|e| format_error(src, name, &e))
    }

    /// Variables in scope as `name: Type = summary`.
    pub fn vars(&self) -> Vec<String> {
        self.scope
            .iter_raw()
            .map(|(name, _, v)| {
                let mut s = display(&self.engine, v);
                if s.len() > 100 {
                    s.truncate(
                        s.char_indices()
                            .take_while(|(i, _)| *i < 97)
                            .last()
                            .map(|(i, c)| i + c.len_utf8())
                            .unwrap_or(0),
                    );
                    s.push('…');
                }
                format!(
                    "{name}: {} = {s}",
                    v.type_name().rsplit("::").next().unwrap_or("")
                )
            })
            .collect()
    }

    /// Handle a `:command`; returns false to quit.
    pub fn command(&mut self, line: &str) -> bool {
        let mut parts = line.trim().splitn(2, char::is_whitespace);
        let cmd = parts.next().unwrap_or("");
        let arg = parts.next().unwrap_or("").trim();
        match cmd {
            ":quit" | ":q" | ":exit" => return false,
            ":help" | ":h" if arg.is_empty() => print!("{}", script::docs::overview()),
            ":help" | ":h" => {
                let found = script::docs::find(arg);
                if found.is_empty() {
                    let sigs: Vec<String> = self
                        .engine
                        .gen_fn_signatures(false)
                        .into_iter()
                        .filter(|s| s.starts_with(&format!("{arg}(")))
                        .collect();
                    if sigs.is_empty() {
                        println!("no function named '{arg}'; :help lists them");
                    } else {
                        sigs.iter().for_each(|s| println!("{s}"));
                    }
                } else {
                    for d in found {
                        println!("{}", script::docs::render(&d));
                    }
                }
            }
            ":vars" => {
                let v = self.vars();
                if v.is_empty() {
                    println!("(no variables)");
                }
                v.iter().for_each(|s| println!("{s}"));
            }
            ":load" => match std::fs::read_to_string(arg) {
                Ok(src) => match self.eval(&src, arg) {
                    Ok(_) => println!("loaded {arg}"),
                    Err(e) => eprintln!("{e}"),
                },
                Err(e) => eprintln!(":load: {arg}: {e}"),
            },
            _ => println!("unknown command {cmd}; try :help, :vars, :load FILE, :quit"),
        }
        true
    }
}

fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PETMR_HISTORY") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".petmr_history"))
}

/// The interactive REPL.
pub fn repl() -> i32 {
    let mut session = Session::new();
    // Ctrl-C while a command runs: cancel it (at the prompt rustyline handles Ctrl-C itself)
    let _ = ctrlc::set_handler(progress::request_cancel);
    let config = Config::builder()
        .auto_add_history(true)
        .completion_type(CompletionType::List)
        .history_ignore_dups(true)
        .and_then(|b| b.max_history_size(10_000))
        .map(|b| b.build())
        .unwrap_or_default();
    let mut rl: Editor<complete::PetmrHelper, rustyline::history::DefaultHistory> =
        match Editor::with_config(config) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("petmr: cannot start the line editor: {e}");
                return 1;
            }
        };
    rl.set_helper(Some(complete::PetmrHelper::new(&session.engine)));
    let hist = history_path();
    if let Some(h) = &hist {
        let _ = rl.load_history(h);
    }
    println!(
        "petmr {} — quantitative PET/MRI workbench. :help for functions, :quit to leave.",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        if let Some(h) = rl.helper_mut() {
            h.set_vars(
                session
                    .scope
                    .iter_raw()
                    .map(|(n, _, v)| (n.to_string(), v.type_name().to_string()))
                    .collect(),
            );
            h.set_columns(
                session
                    .scope
                    .iter_raw()
                    .filter_map(|(_, _, v)| v.clone().try_cast::<crate::table::Table>())
                    .flat_map(|t| t.columns())
                    .collect(),
            );
        }
        match rl.readline("petmr> ") {
            Ok(line) => {
                let t = line.trim();
                if t.is_empty() {
                    continue;
                }
                if t.starts_with(':') {
                    if !session.command(t) {
                        break;
                    }
                    continue;
                }
                match session.eval(&line, "<repl>") {
                    Ok(v) if !v.is_unit() => println!("{}", display(&session.engine, &v)),
                    Ok(_) => {}
                    Err(e) => eprintln!("{e}"),
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("petmr: {e}");
                break;
            }
        }
    }
    if let Some(h) = &hist {
        let _ = rl.save_history(h);
    }
    0
}
