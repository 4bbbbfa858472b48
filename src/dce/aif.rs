//! Population arterial input functions and blood → plasma scaling.
use super::DceError;
use crate::volume::Curve;

/// Parker et al. 2006 (Magn Reson Med 56:993, Table 1) whole-blood concentration (mM) at
/// `t_min` minutes after bolus arrival: two Gaussians plus an exponential modulated by a sigmoid.
pub fn parker_blood(t_min: f64) -> f64 {
    const A1: f64 = 0.809; // mmol·min
    const A2: f64 = 0.330;
    const T1: f64 = 0.17046; // min
    const T2: f64 = 0.365;
    const S1: f64 = 0.0563; // min
    const S2: f64 = 0.132;
    const ALPHA: f64 = 1.050; // mM
    const BETA: f64 = 0.1685; // 1/min
    const S: f64 = 38.078; // 1/min
    const TAU: f64 = 0.483; // min
    let sq2pi = (2.0 * std::f64::consts::PI).sqrt();
    let t = t_min;
    A1 / (S1 * sq2pi) * (-(t - T1).powi(2) / (2.0 * S1 * S1)).exp()
        + A2 / (S2 * sq2pi) * (-(t - T2).powi(2) / (2.0 * S2 * S2)).exp()
        + ALPHA * (-BETA * t).exp() / (1.0 + (-S * (t - TAU)).exp())
}

/// Parker AIF as PLASMA concentration (mM) at `times_s`: the Parker 2006 blood curve divided by
/// `1 − hct`, shifted by `delay_s` and zero before the delay. `hct = 0` gives the blood curve.
pub fn parker_aif(times_s: &[f64], hct: f64, delay_s: f64) -> Vec<f64> {
    let k = 1.0 / (1.0 - hct);
    delayed(times_s, delay_s, |u| parker_blood(u) * k)
}

/// `f(minutes since delay_s)` at each of `times_s`, zero before the delay.
fn delayed(times_s: &[f64], delay_s: f64, f: impl Fn(f64) -> f64) -> Vec<f64> {
    times_s
        .iter()
        .map(|&t| {
            let u = (t - delay_s) / 60.0;
            if u < 0.0 {
                0.0
            } else {
                f(u)
            }
        })
        .collect()
}

/// Georgiou et al. 2019 (Magn Reson Med 81:1955) whole-blood AIF (mM) at `t_min` minutes: the
/// Horsfield functional form, a sum of three exponentials times a train of gamma-variate
/// recirculations (period τ). The parameters are the paper's Table 3 values refined to the
/// authors' supplementary curve (0–5 min at 0.1 s), which the rounded table values miss by up to
/// 3 % on the upslope; the refit (tests/data/osipi/georgiou_refit.py) reproduces it to 2.5e-5 mM.
pub fn georgiou_blood(t_min: f64) -> f64 {
    const A: [f64; 3] = [0.3743217133026385, 0.3311844051888985, 10.061225794919077]; // mM
    const M: [f64; 3] = [0.11270066761969255, 1.174646229150568, 16.019962009933746]; // 1/min
    const ALPHA: f64 = 5.266989021986634;
    const BETA: f64 = 0.03207883349327853; // min
    const TAU: f64 = 0.12855600137100906; // min
    if !(t_min > 0.0) {
        return 0.0;
    }
    let mut f = 0.0;
    let mut k = 0usize;
    loop {
        let tm = t_min - k as f64 * TAU;
        if tm <= 0.0 {
            break;
        }
        let am = (k as f64 + 1.0) * ALPHA + k as f64;
        let ln = am * tm.ln()
            - tm / BETA
            - (am + 1.0) * BETA.ln()
            - statrs::function::gamma::ln_gamma(am + 1.0);
        f += ln.exp();
        k += 1;
    }
    let s: f64 = A.iter().zip(M).map(|(a, m)| a * (-m * t_min).exp()).sum();
    s * f
}

/// Georgiou AIF as PLASMA concentration (mM) at `times_s`: blood curve / (1 − hct), shifted by
/// `delay_s`, zero before the delay.
pub fn georgiou_aif(times_s: &[f64], hct: f64, delay_s: f64) -> Vec<f64> {
    let k = 1.0 / (1.0 - hct);
    times_s
        .iter()
        .map(|&t| georgiou_blood((t - delay_s) / 60.0) * k)
        .collect()
}

/// Weinmann et al. 1984 bi-exponential PLASMA curve as parametrised by Tofts & Kermode 1991
/// (Magn Reson Med 17:357): `Cp(t) = D·(a1·e^(−m1·t) + a2·e^(−m2·t))`, D in mmol/kg,
/// a1 = 3.99 kg/L, a2 = 4.78 kg/L, m1 = 0.144 /min, m2 = 0.0111 /min; an instantaneous bolus
/// at `delay_s`, zero before it.
pub fn weinmann_aif(times_s: &[f64], dose_mmol_kg: f64, delay_s: f64) -> Vec<f64> {
    delayed(times_s, delay_s, |u| {
        dose_mmol_kg * (3.99 * (-0.144 * u).exp() + 4.78 * (-0.0111 * u).exp())
    })
}

/// A measured whole-blood curve (e.g. `roi_curve` in an artery) converted to plasma:
/// values / (1 − hct). `hct` must lie in [0, 1).
pub fn blood_to_plasma(blood: &Curve, hct: f64) -> Result<Curve, DceError> {
    if !(0.0..1.0).contains(&hct) {
        return Err(DceError::arg(
            "blood_to_plasma",
            format!("hct must be a fraction in [0, 1), got {hct}"),
        ));
    }
    Ok(blood.scale(1.0 / (1.0 - hct)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parker_peak_and_delay() {
        // first-pass peak ≈ 6 mM near 0.17 min (Parker 2006, Fig. 2)
        let t: Vec<f64> = (0..600).map(|i| i as f64 * 0.1).collect();
        let c = parker_aif(&t, 0.0, 0.0);
        let (imax, cmax) = c
            .iter()
            .enumerate()
            .fold((0, 0.0), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        assert!((t[imax] / 60.0 - 0.17).abs() < 0.01 && cmax > 5.5 && cmax < 6.5);
        let d = parker_aif(&t, 0.4, 10.0);
        assert_eq!(d[99], 0.0);
        assert!((d[100 + 50] - c[50] / 0.6).abs() < 1e-12);
    }

    #[test]
    fn weinmann_at_zero_is_dose_times_amplitudes() {
        let c = weinmann_aif(&[0.0, 60.0], 0.1, 0.0);
        assert!((c[0] - 0.1 * (3.99 + 4.78)).abs() < 1e-12);
        assert!(blood_to_plasma(&Curve::new(vec![0.0], vec![1.0]).unwrap(), 1.0).is_err());
    }
}
