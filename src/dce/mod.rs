//! DCE-MRI: baseline T1 from variable flip angles (with B1 correction), SPGR signal to
//! contrast-agent concentration, population AIFs, and the (extended) Tofts and Patlak models
//! fitted curve by curve or voxelwise.
//!
//! Units: times in seconds at the API (frame mid-times from the volume), rate constants per
//! minute (Ktrans, kep, PS), concentrations in mM, T1 in ms, TR in ms, flip angles in degrees,
//! relaxivity in L/mmol/s (= 1/(mM·s)).
//!
//! Fit status codes (the `status` maps, stored as numbers):
//!
//! | code | meaning |
//! |---|---|
//! | 0 | outside the mask (not fitted; parameters NaN) |
//! | 1 | converged (LLSQ solved, or LM stopped on its tolerances) inside the bounds |
//! | 2 | converged with a parameter on a bound (LLSQ: a value was clamped into the bounds) |
//! | 3 | LM stopped at the iteration limit (best parameters kept) |
//! | 4 | failed: non-finite or non-positive data, singular design; parameters NaN |
// `!(x > 0.0)` is used on purpose: it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
mod aif;
mod conc;
mod model;
mod t1;
mod tofts;

pub use aif::{
    blood_to_plasma, georgiou_aif, georgiou_blood, parker_aif, parker_blood, weinmann_aif,
};
pub use conc::{signal_to_conc, spgr_conc, ConcParams, T1Input};
pub use model::{conc_tofts, conv_exp, shifted_input, spgr_signal};
pub use t1::{fit_vfa_linear, fit_vfa_nonlinear, vfa_t1, VfaFit, VfaMaps, VfaMethod};
pub use tofts::{
    fit_curve, fit_maps, peak_phase, FitOptions, FitStatus, Method, Model, ModelFit, ParamMaps,
    ToftsFitter,
};

use crate::progress::Cancelled;
use crate::volume::VolError;

/// Longitudinal relaxivity of gadobutrol (Gadovist) in plasma at 3 T and 37 °C, L/mmol/s
/// (Szomolanyi et al., Invest Radiol 2019; 54:559–564).
pub const GADOBUTROL_R1_3T: f64 = 4.97;

/// Errors of the DCE layer; messages read `dce: where: what`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DceError {
    /// A bad argument (call-level problem).
    #[error("dce: {op}: {what}")]
    Arg { op: String, what: String },
    /// A volume-layer error (grids, timing).
    #[error(transparent)]
    Vol(#[from] VolError),
    /// The user cancelled a voxelwise fit.
    #[error("dce: {0}")]
    Cancelled(#[from] Cancelled),
}

impl DceError {
    pub fn arg(op: &str, what: impl Into<String>) -> Self {
        DceError::Arg {
            op: op.into(),
            what: what.into(),
        }
    }
}
