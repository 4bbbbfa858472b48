//! Resolves `import "name"` in scripts: a user folder (`$PETMR_STDLIB`) first, then the stdlib
//! modules embedded in the binary, then a file path relative to the importing script.
use rhai::module_resolvers::FileModuleResolver;
use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Scope, Shared};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// The stdlib modules compiled into the binary: `(name, source)`.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("roi", include_str!("../../stdlib/roi.rhai")),
    ("study", include_str!("../../stdlib/study.rhai")),
    ("tables", include_str!("../../stdlib/tables.rhai")),
    ("figures", include_str!("../../stdlib/figures.rhai")),
    ("lesion_maps", include_str!("../../stdlib/lesion_maps.rhai")),
];

/// Module resolver for petmr scripts.
pub struct Resolver {
    files: FileModuleResolver,
    cache: Mutex<HashMap<String, Shared<Module>>>,
}

impl Resolver {
    pub fn new() -> Self {
        Resolver {
            files: FileModuleResolver::new(),
            cache: Mutex::new(HashMap::new()),
        }
    }
}

impl Default for Resolver {
    fn default() -> Self {
        Self::new()
    }
}

/// The user override folder, if set.
pub fn user_dir() -> Option<PathBuf> {
    std::env::var_os("PETMR_STDLIB")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
}

fn compile_module(
    engine: &Engine,
    name: &str,
    src: &str,
    pos: Position,
) -> Result<Shared<Module>, Box<EvalAltResult>> {
    let mut ast = engine.compile(src).map_err(|e| {
        Box::new(EvalAltResult::ErrorInModule(
            name.to_string(),
            e.into(),
            pos,
        ))
    })?;
    ast.set_source(name);
    let m = Module::eval_ast_as_new(Scope::new(), &ast, engine)
        .map_err(|e| Box::new(EvalAltResult::ErrorInModule(name.to_string(), e, pos)))?;
    Ok(Shared::new(m))
}

impl ModuleResolver for Resolver {
    fn resolve(
        &self,
        engine: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let is_name = !path.contains('/') && !path.contains('\\') && !path.ends_with(".rhai");
        if is_name {
            if let Some(dir) = user_dir() {
                let f = dir.join(format!("{path}.rhai"));
                if f.is_file() {
                    let src = std::fs::read_to_string(&f).map_err(|e| {
                        Box::new(EvalAltResult::ErrorSystem(
                            format!("stdlib: {}: cannot read", f.display()),
                            e.into(),
                        ))
                    })?;
                    return compile_module(engine, &f.display().to_string(), &src, pos);
                }
            }
            if let Some((_, src)) = EMBEDDED.iter().find(|(n, _)| *n == path) {
                if let Some(m) = self
                    .cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(path)
                {
                    return Ok(m.clone());
                }
                let m = compile_module(engine, &format!("stdlib/{path}.rhai"), src, pos)?;
                self.cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(path.to_string(), m.clone());
                return Ok(m);
            }
        }
        self.files
            .resolve(engine, source, path, pos)
            .map_err(|e| match *e {
                // (the engine replaces a plain "not found" with its own message, so say it here)
                EvalAltResult::ErrorModuleNotFound(..) if is_name => super::err(format!(
                    "import: '{path}' is neither a stdlib module ({}) nor a file {path}.rhai",
                    EMBEDDED
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                _ => e,
            })
    }
}
