//! Forward models: exponential convolution, (extended) Tofts, SPGR signal.
use crate::volume::Curve;

/// `out[i] = ∫_{t0}^{t_i} cp(u)·e^{−k(t_i−u)} du` for an input `cp` that is linear between its
/// samples at `t` (any consistent time unit, `k` in its inverse), computed exactly by the
/// recursion `E_{i+1} = E_i·e^{−kΔ} + Δ·[b·(1−g)/x + a·(g−e)/x]` with `x = kΔ`, `e = e^{−x}`,
/// `g = (1−e)/x`, `a = cp_i`, `b = cp_{i+1}` — O(N), no quadrature error. `k = 0` gives the
/// trapezoidal running integral. Lengths of `t`, `cp` and `out` must agree.
pub fn conv_exp(t: &[f64], cp: &[f64], k: f64, out: &mut [f64]) {
    let n = t.len().min(cp.len()).min(out.len());
    if n == 0 {
        return;
    }
    out[0] = 0.0;
    let mut acc = 0.0;
    for i in 1..n {
        let dt = t[i] - t[i - 1];
        let x = k * dt;
        let (a, b) = (cp[i - 1], cp[i]);
        let (e, wb, wa) = if x.abs() < 1e-3 {
            // series of (1−g)/x and (g−e)/x about x = 0
            let e = (-x).exp();
            (
                e,
                0.5 - x / 6.0 + x * x / 24.0 - x * x * x / 120.0,
                0.5 - x / 3.0 + x * x / 8.0 - x * x * x / 30.0,
            )
        } else {
            let e = (-x).exp();
            let g = (1.0 - e) / x;
            (e, (1.0 - g) / x, (g - e) / x)
        };
        acc = acc * e + dt * (b * wb + a * wa);
        out[i] = acc;
    }
}

/// Extended Tofts tissue concentration (mM) for a PLASMA input `cp` (mM) sampled at `times_s`:
/// `C(t) = vp·cp(t) + Ktrans·∫cp(u)·e^{−kep(t−u)}du`, `kep = Ktrans/ve`, with the input linear
/// between samples (exact recursive convolution, O(N)). `vp = 0` gives the standard Tofts model
/// (Tofts et al., J Magn Reson Imaging 1999). `ve ≤ 0` leaves only the vascular term. The
/// output has `min(times_s.len(), cp.len())` samples (pass matching lengths).
pub fn conc_tofts(times_s: &[f64], cp: &[f64], ktrans_per_min: f64, ve: f64, vp: f64) -> Vec<f64> {
    let n = times_s.len().min(cp.len());
    let t_min: Vec<f64> = times_s[..n].iter().map(|t| t / 60.0).collect();
    let mut out = vec![0.0; n];
    if ve > 0.0 && ktrans_per_min != 0.0 {
        conv_exp(&t_min, &cp[..n], ktrans_per_min / ve, &mut out);
        out.iter_mut().for_each(|v| *v *= ktrans_per_min);
    }
    for (o, c) in out.iter_mut().zip(cp) {
        *o += vp * c;
    }
    out
}

/// Spoiled-gradient-echo steady-state signal `M0·sin α·(1−E1)/(1−E1·cos α)`, `E1 = e^{−TR·R1}`
/// (TR in ms, R1 in 1/s, α in degrees).
pub fn spgr_signal(m0: f64, r1_per_s: f64, tr_ms: f64, fa_deg: f64) -> f64 {
    let a = fa_deg.to_radians();
    let e1 = (-tr_ms / 1000.0 * r1_per_s).exp();
    m0 * a.sin() * (1.0 - e1) / (1.0 - e1 * a.cos())
}

/// The input curve delayed by `delay_s` and sampled at `times_s`: `aif(t − delay)`, linear
/// between the curve's samples, 0 before its first sample and its last value after its end.
pub fn shifted_input(aif: &Curve, times_s: &[f64], delay_s: f64) -> Vec<f64> {
    let t0 = aif.times_s[0];
    let t1 = aif.times_s[aif.len() - 1];
    let last = aif.values[aif.len() - 1];
    times_s
        .iter()
        .map(|&t| {
            let u = t - delay_s;
            if u < t0 {
                0.0
            } else if u > t1 {
                last
            } else {
                aif.at(u).unwrap_or(0.0)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn convolution_is_exact_for_a_ramp() {
        // cp(t) = t: ∫0^t u e^{-k(t-u)} du = t/k − (1 − e^{−kt})/k²
        let t: Vec<f64> = (0..11).map(|i| i as f64 * 0.7).collect();
        for &k in &[0.0, 1e-5, 0.3, 2.0] {
            let mut out = vec![0.0; t.len()];
            conv_exp(&t, &t, k, &mut out);
            for (i, &ti) in t.iter().enumerate() {
                let exact = if k * ti < 1e-2 {
                    // series, to avoid cancellation in the closed form
                    ti * ti / 2.0 - k * ti.powi(3) / 6.0 + k * k * ti.powi(4) / 24.0
                } else {
                    ti / k - (1.0 - (-k * ti).exp()) / (k * k)
                };
                assert!(
                    (out[i] - exact).abs() < 1e-9 * (1.0 + exact.abs()),
                    "k={k} i={i}"
                );
            }
        }
    }

    #[test]
    fn tofts_of_a_step_input() {
        // cp = 1 from t = 0 (a step; our first interval ramps from cp[0] = 1 so exact):
        // C = ve·(1 − e^{−kep t}) + vp
        let t: Vec<f64> = (0..100).map(|i| i as f64 * 3.0).collect();
        let cp = vec![1.0; 100];
        let c = conc_tofts(&t, &cp, 0.25, 0.5, 0.05);
        for i in 0..100 {
            let exact = 0.5 * (1.0 - (-0.5 * t[i] / 60.0).exp()) + 0.05;
            assert!((c[i] - exact).abs() < 1e-12);
        }
    }

    #[test]
    fn spgr_ernst_limit() {
        // at α → 0 the signal vanishes; at 90° it is M0(1−E1)
        assert!(spgr_signal(1.0, 1.0, 5.0, 0.0).abs() < 1e-15);
        let e = (-0.005f64).exp();
        assert!((spgr_signal(2.0, 1.0, 5.0, 90.0) - 2.0 * (1.0 - e)).abs() < 1e-12);
    }
}
