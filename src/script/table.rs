//! Script functions of the `table` domain.
use super::docs::FnDoc;
use rhai::Engine;

/// Help entries of this domain (one per script-visible function).
pub const DOCS: &[FnDoc] = &[];

/// Register this domain's types and functions.
pub fn register(_engine: &mut Engine) {}
