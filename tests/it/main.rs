//! Integration tests: one binary, one module per area, shared helpers in `util`.
mod util;

mod cli;
mod dce;
mod dwi;
mod nifti;
mod pet;
mod plot;
mod repl;
mod scripts;
mod stats;
mod study;
mod table;
mod volume;
