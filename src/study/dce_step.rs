//! The paper's DCE chain for one participant, composed from the DCE layer: VFA T1 with B1 →
//! SPGR concentration → Parker AIF → extended Tofts (NLLS) in the mask, and the peak-enhancing
//! phase. Used by `stdlib/study.rhai` through `study_dce` until the DCE script functions are
//! available; it adds no model of its own.
use super::StudyError;
use crate::dce::{self, ConcParams, FitOptions, T1Input, VfaMethod};
use crate::roi::Mask;
use crate::volume::{Curve, Volume};

/// What [`dce_maps`] returns.
pub struct DceResult {
    pub maps: dce::ParamMaps,
    pub t1_ms: Volume,
    pub peak: usize,
}

/// Acquisition and subject parameters of [`dce_maps`].
pub struct DceInputs<'a> {
    pub vfa: &'a Volume,
    pub fa_deg: &'a [f64],
    pub vfa_tr_ms: f64,
    pub b1: Option<&'a Volume>,
    pub dce: &'a Volume,
    pub tr_ms: f64,
    pub fa_deg_dce: f64,
    pub r1_per_mm_s: f64,
    pub n_baseline: usize,
    pub hct: f64,
    pub delay_s: f64,
}

fn derr(e: dce::DceError) -> StudyError {
    StudyError::arg("dce", e.to_string())
}

/// Run the DCE chain inside `mask`.
pub fn dce_maps(i: &DceInputs, mask: &Mask) -> Result<DceResult, StudyError> {
    let t1 = dce::vfa_t1(
        i.vfa,
        i.fa_deg,
        i.vfa_tr_ms,
        i.b1,
        VfaMethod::Linear,
        Some(mask),
    )
    .map_err(derr)?;
    let p = ConcParams {
        tr_ms: i.tr_ms,
        fa_deg: i.fa_deg_dce,
        r1_per_mm_s: i.r1_per_mm_s,
        n_baseline: i.n_baseline,
    };
    let conc =
        dce::spgr_conc(i.dce, T1Input::Map(&t1.t1_ms), &p, i.b1, Some(mask)).map_err(derr)?;
    let times = i.dce.require_times("dce")?.mid_s();
    let cp = dce::parker_aif(&times, i.hct, i.delay_s);
    let aif = Curve::new(times, cp)?;
    let maps = dce::fit_maps(&conc, &aif, mask, &FitOptions::default()).map_err(derr)?;
    let peak = dce::peak_phase(i.dce, mask).map_err(derr)?;
    Ok(DceResult {
        maps,
        t1_ms: t1.t1_ms,
        peak,
    })
}
