//! The forward models the generator uses, behind one thin wrapper each.
//!
//! These are the ONLY place the study generator touches a signal model. The DCE and PET/DWI
//! layers own the models (`dce::parker_aif`, `dce::conc_tofts`, `dce::spgr_signal`,
//! `pet::patlak_forward`, `dwi::adc_signal`); until they are on `main`, each wrapper holds a
//! minimal interim body with the same contract, to be replaced by a one-line call.

/// Contrast agent relaxivity used for the synthetic study: gadobutrol at 3 T, L/mmol/s
/// (Szomolanyi et al. 2019 / Shen et al. 2015: 4.97 in plasma at 37 °C).
pub const R1_PER_MM_S: f64 = 4.97;

/// Parker population AIF (Parker et al., MRM 2006;56:993), plasma concentration (mM) at
/// `times_s`, bolus arriving at `delay_s`, plasma = blood / (1 − hct).
pub fn parker_aif(times_s: &[f64], hct: f64, delay_s: f64) -> Vec<f64> {
    // TODO(main): crate::dce::parker_aif(times_s, hct, delay_s)
    let (a1, a2, t1, t2, s1, s2) = (0.809, 0.330, 0.17046, 0.365, 0.0563, 0.132);
    let (alpha, beta, s, tau) = (1.050, 0.1685, 38.078, 0.483);
    let g = |t: f64, a: f64, m: f64, sd: f64| {
        a / (sd * (2.0 * std::f64::consts::PI).sqrt()) * (-(t - m).powi(2) / (2.0 * sd * sd)).exp()
    };
    times_s
        .iter()
        .map(|&ts| {
            let t = (ts - delay_s) / 60.0;
            if t < 0.0 {
                return 0.0;
            }
            let cb = g(t, a1, t1, s1)
                + g(t, a2, t2, s2)
                + alpha * (-beta * t).exp() / (1.0 + (-s * (t - tau)).exp());
            cb / (1.0 - hct)
        })
        .collect()
}

/// Extended Tofts tissue concentration (mM) at `times_s` for plasma input `cp` (mM) sampled at
/// the same times (Tofts et al., JMRI 1999): C = vp·Cp + Ktrans ∫ Cp(τ) e^{−kep (t−τ)} dτ.
pub fn conc_tofts(times_s: &[f64], cp: &[f64], ktrans_per_min: f64, ve: f64, vp: f64) -> Vec<f64> {
    // TODO(main): crate::dce::conc_tofts(times_s, cp, ktrans_per_min, ve, vp)
    let kt = ktrans_per_min / 60.0;
    let k = kt / ve;
    let mut out = Vec::with_capacity(times_s.len());
    let mut e = 0.0;
    for i in 0..times_s.len() {
        if i > 0 {
            let d = times_s[i] - times_s[i - 1];
            let (c0, c1) = (cp[i - 1], cp[i]);
            let (i0, i1) = if k * d < 1e-9 {
                (d, d / 2.0)
            } else {
                let ed = (-k * d).exp();
                ((1.0 - ed) / k, 1.0 / k - (1.0 - ed) / (k * k * d))
            };
            e = e * (-k * d).exp() + kt * (c0 * i0 + (c1 - c0) * i1);
        }
        out.push(vp * cp[i] + e);
    }
    out
}

/// Spoiled gradient-echo steady-state signal (Ernst): M0 sinα (1−E1)/(1 − cosα E1),
/// E1 = exp(−TR·R1).
pub fn spgr_signal(m0: f64, r1_per_s: f64, tr_ms: f64, fa_deg: f64) -> f64 {
    // TODO(main): crate::dce::spgr_signal(m0, r1_per_s, tr_ms, fa_deg)
    let a = fa_deg.to_radians();
    let e1 = (-tr_ms / 1000.0 * r1_per_s).exp();
    m0 * a.sin() * (1.0 - e1) / (1.0 - a.cos() * e1)
}

/// Patlak tissue activity (Patlak et al., JCBFM 1983) for an irreversibly trapped tracer:
/// C(t) = Ki ∫₀ᵗ Cp + V0·Cp(t), with `times_s` starting at injection.
pub fn patlak_forward(times_s: &[f64], cp: &[f64], ki_per_min: f64, v0: f64) -> Vec<f64> {
    // TODO(main): crate::pet::patlak_forward(times_s, cp, ki_per_min, v0)
    let mut acc = 0.0;
    let mut out = Vec::with_capacity(times_s.len());
    for i in 0..times_s.len() {
        if i > 0 {
            acc += 0.5 * (cp[i] + cp[i - 1]) * (times_s[i] - times_s[i - 1]) / 60.0;
        }
        out.push(ki_per_min * acc + v0 * cp[i]);
    }
    out
}

/// Mono-exponential diffusion signal S0·exp(−b·ADC) (b in s/mm², ADC in mm²/s).
pub fn adc_signal(s0: f64, b: f64, adc: f64) -> f64 {
    // TODO(main): crate::dwi::adc_signal(s0, b, adc)
    s0 * (-b * adc).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tofts_reduces_to_vp_times_cp_without_leakage() {
        let t: Vec<f64> = (0..50).map(|i| i as f64 * 6.0).collect();
        let cp = parker_aif(&t, 0.42, 30.0);
        let c = conc_tofts(&t, &cp, 0.0, 0.5, 0.1);
        for (a, b) in c.iter().zip(&cp) {
            assert!((a - 0.1 * b).abs() < 1e-9);
        }
        // steady state of a constant input: Ktrans/kep·cp = ve·cp
        let cp1 = vec![1.0; 2000];
        let t1: Vec<f64> = (0..2000).map(|i| i as f64).collect();
        let c = conc_tofts(&t1, &cp1, 0.6, 0.3, 0.0);
        assert!((c[1999] - 0.3).abs() < 1e-6, "{}", c[1999]);
    }
}
