//! The Rhai engine: registers petmr's types and functions, one module per domain, resolves
//! `import "name"` to the stdlib, and turns Rust errors into Rhai errors. This is the only
//! layer that knows Rhai.
pub mod convert;
pub mod dce;
pub mod docs;
pub mod pet;
pub mod plot;
pub mod saved;
pub mod stats;
pub mod stdlib;
pub mod study;
pub mod table;
mod volume;

pub use convert::Opts;
use rhai::{Dynamic, Engine, EvalAltResult, Position};

/// Result type of script-visible functions.
pub type RResult<T> = Result<T, Box<EvalAltResult>>;

/// A Rhai runtime error carrying `msg` (Rhai fills in the script position).
pub fn err(msg: impl std::fmt::Display) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        Dynamic::from(msg.to_string()),
        Position::NONE,
    ))
}

/// Map any displayable error into a Rhai error.
pub fn rerr<E: std::fmt::Display>(e: E) -> Box<EvalAltResult> {
    err(e)
}

/// A fully configured engine: every domain registered, the stdlib resolver installed, and a
/// progress hook that aborts the script when the user cancels (Ctrl-C).
pub fn engine() -> Engine {
    let mut e = Engine::new();
    e.set_max_expr_depths(256, 256);
    e.set_max_call_levels(128);
    volume::register(&mut e);
    dce::register(&mut e);
    pet::register(&mut e);
    stats::register(&mut e);
    table::register(&mut e);
    plot::register(&mut e);
    study::register(&mut e);
    e.set_module_resolver(stdlib::Resolver::new());
    e.on_print(crate::fsutil::print_line);
    e.on_progress(|_| {
        if crate::progress::is_cancelled() {
            Some(Dynamic::from("cancelled by the user"))
        } else {
            None
        }
    });
    e
}
