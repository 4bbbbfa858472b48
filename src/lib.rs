//! petmr — a scripting workbench for quantitative PET/MRI of tumours.
//!
//! Layers (a lower layer never imports a higher one):
//!
//! ```text
//! repl/ · main.rs      rustyline shell and CLI
//! script/              the Rhai engine: the only place that knows Rhai
//! study/               study layout, per-lesion pipeline, synthetic study
//! dce/ · pet/ · dwi/   domain methods on volumes and curves
//! fit/ · stats/        numerics
//! volume/ · roi/       Volume, Mask, Curve, NIfTI I/O, resampling
//! table/ · plot/       Polars cohort table; plotters figures
//! ```
pub mod dce;
pub mod dwi;
pub mod fit;
pub mod fsutil;
pub mod pet;
pub mod plot;
pub mod progress;
pub mod repl;
pub mod roi;
pub mod script;
pub mod stats;
pub mod study;
pub mod table;
pub mod volume;
