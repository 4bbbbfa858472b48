//! The forward models the generator uses, behind one thin wrapper each: the ONLY place the
//! study generator touches a signal model. The models themselves live in the DCE, PET and DWI
//! layers (each cites its source there).

/// Contrast agent relaxivity used for the synthetic study: gadobutrol at 3 T, L/mmol/s.
pub const R1_PER_MM_S: f64 = crate::dce::GADOBUTROL_R1_3T;

/// Parker population AIF, plasma concentration (mM) at `times_s`, bolus at `delay_s`.
pub fn parker_aif(times_s: &[f64], hct: f64, delay_s: f64) -> Vec<f64> {
    crate::dce::parker_aif(times_s, hct, delay_s)
}

/// Extended Tofts tissue concentration (mM) for plasma input `cp` sampled at `times_s`.
pub fn conc_tofts(times_s: &[f64], cp: &[f64], ktrans_per_min: f64, ve: f64, vp: f64) -> Vec<f64> {
    crate::dce::conc_tofts(times_s, cp, ktrans_per_min, ve, vp)
}

/// Spoiled gradient-echo steady-state signal.
pub fn spgr_signal(m0: f64, r1_per_s: f64, tr_ms: f64, fa_deg: f64) -> f64 {
    crate::dce::spgr_signal(m0, r1_per_s, tr_ms, fa_deg)
}

/// Patlak tissue activity C(t) = Ki ∫₀ᵗ Cp + V0·Cp(t), `times_s` from injection.
pub fn patlak_forward(times_s: &[f64], cp: &[f64], ki_per_min: f64, v0: f64) -> Vec<f64> {
    crate::pet::patlak_forward(times_s, cp, ki_per_min, v0)
}

/// Mono-exponential diffusion signal S0·exp(−b·ADC).
pub fn adc_signal(s0: f64, b: f64, adc: f64) -> f64 {
    crate::dwi::adc_signal(s0, b, adc)
}
