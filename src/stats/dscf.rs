//! Dwass–Steel–Critchlow–Fligner all-pairs comparisons and the studentized range distribution.
use super::{clean_groups, norm_cdf, norm_sf, rank_average, tie_sum, StatsError};
use std::sync::OnceLock;

/// One pair of groups in [`dscf`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DscfPair {
    /// Indices of the two groups (i < j, from 0).
    pub i: usize,
    pub j: usize,
    /// W = √2·(U_j − nᵢnⱼ/2)/σ, where U_j counts pairs with the group-j value above the
    /// group-i value (ties ½): positive when group j tends to be larger. |W| is the statistic
    /// of Critchlow & Fligner (1991); scikit-posthocs reports −|W|.
    pub w: f64,
    /// p = P(Q_{k,∞} ≥ |W|), the studentized range upper tail with k groups and infinite df.
    pub p: f64,
}

/// Nodes and weights of 20-point Gauss–Legendre quadrature on [−1, 1] (Newton's method on
/// P₂₀, Golub–Welsch-free classic construction, accurate to machine precision).
fn gauss_legendre() -> &'static [(f64, f64)] {
    static GL: OnceLock<Vec<(f64, f64)>> = OnceLock::new();
    GL.get_or_init(|| {
        const N: usize = 20;
        let mut out = Vec::with_capacity(N);
        for i in 1..=N {
            let mut x = (std::f64::consts::PI * (i as f64 - 0.25) / (N as f64 + 0.5)).cos();
            let mut dp = 0.0;
            for _ in 0..100 {
                // Legendre recurrence for P_N(x) and its derivative.
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=N {
                    let kf = k as f64;
                    let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
                    p0 = p1;
                    p1 = p2;
                }
                dp = N as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            out.push((x, 2.0 / ((1.0 - x * x) * dp * dp)));
        }
        out
    })
}

/// Upper tail P(Q ≥ q) of the studentized range of `k` groups with infinite degrees of freedom,
/// i.e. of the range of k independent standard normal variables (Tukey 1953; Hartley 1942):
///
/// P(Q ≥ q) = k ∫ φ(z) [Φ(z)^{k−1} − (Φ(z) − Φ(z − q))^{k−1}] dz
///          = k ∫ φ(z) Φ(z − q) Σ_{i=0}^{k−2} Φ(z)^{k−2−i} (Φ(z) − Φ(z − q))^i dz,
///
/// the second form avoiding the cancellation of 1 − CDF so that small p keep their relative
/// accuracy. The integral is evaluated by composite 20-point Gauss–Legendre quadrature on
/// panels of width ½ over z ∈ [−9, max(9, q/2 + 9)] (the integrand is smooth and negligible
/// outside). For k = 2 this equals 2Φ(−q/√2). Computed numerically, not from a table.
pub fn studentized_range_sf_inf(q: f64, k: usize) -> f64 {
    if q.is_nan() || k < 2 {
        return f64::NAN;
    }
    if q <= 0.0 {
        return 1.0;
    }
    if q.is_infinite() {
        return 0.0;
    }
    let gl = gauss_legendre();
    let lo = -9.0;
    let hi = (q / 2.0 + 9.0).max(9.0);
    let h = 0.5;
    let panels = ((hi - lo) / h).ceil() as usize;
    let m = k - 1;
    let inv_sqrt_2pi = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
    let mut total = 0.0;
    for pnl in 0..panels {
        let a = lo + pnl as f64 * h;
        let c = a + h / 2.0;
        let mut s = 0.0;
        for &(x, w) in gl {
            let z = c + x * h / 2.0;
            let phi = (-0.5 * z * z).exp() * inv_sqrt_2pi;
            let big = norm_cdf(z);
            let low = norm_cdf(z - q);
            // Φ(z) − Φ(z − q), from whichever tail avoids cancellation.
            let b = if z - q / 2.0 > 0.0 {
                norm_sf(z - q) - norm_sf(z)
            } else {
                big - low
            };
            // Σ_{i=0}^{m−1} big^{m−1−i} b^i by Horner in b/big (big > 0 here).
            let mut sum = 0.0;
            let mut bi = 1.0;
            for i in 0..m {
                sum += big.powi((m - 1 - i) as i32) * bi;
                bi *= b;
            }
            s += w * phi * low * sum;
        }
        total += s * h / 2.0;
    }
    (k as f64 * total).clamp(0.0, 1.0)
}

/// Dwass–Steel–Critchlow–Fligner all-pairs test (Dwass 1960; Steel 1960; Critchlow & Fligner
/// 1991), as scikit-posthocs `posthoc_dscf`: for each pair of groups the two are re-ranked
/// alone (mid-ranks for ties), U is the Mann–Whitney count, its variance is tie-corrected,
/// σ² = nᵢnⱼ/(s(s − 1))·[(s³ − s)/12 − Σ(t³ − t)/12] with s = nᵢ + nⱼ, W = √2(U − nᵢnⱼ/2)/σ,
/// and p = P(Q_{k,∞} ≥ |W|) from [`studentized_range_sf_inf`] with k = number of groups. NaN is
/// dropped per group; needs ≥ 2 groups of ≥ 1 value. A pair whose pooled values are all equal
/// has σ = 0 and gets W = NaN and p = NaN (as scikit-posthocs). Pairs in order (0,1), (0,2), …
pub fn dscf<S: AsRef<[f64]>>(groups: &[S]) -> Result<Vec<DscfPair>, StatsError> {
    let g = clean_groups("dscf", groups, 2, 1)?;
    let k = g.len();
    let mut out = Vec::with_capacity(k * (k - 1) / 2);
    for i in 0..k {
        for j in i + 1..k {
            let (ni, nj) = (g[i].len() as f64, g[j].len() as f64);
            let mut pooled = g[i].clone();
            pooled.extend_from_slice(&g[j]);
            let (ranks, ties) = rank_average(&pooled);
            let rj: f64 = ranks[g[i].len()..].iter().sum();
            let uj = rj - nj * (nj + 1.0) / 2.0;
            let s = ni + nj;
            let var = ni * nj / (s * (s - 1.0)) * ((s * s * s - s) / 12.0 - tie_sum(&ties) / 12.0);
            let (w, p) = if var > 0.0 {
                let w = std::f64::consts::SQRT_2 * (uj - ni * nj / 2.0) / var.sqrt();
                (w, studentized_range_sf_inf(w.abs(), k))
            } else {
                (f64::NAN, f64::NAN)
            };
            out.push(DscfPair { i, j, w, p });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_integrates_polynomials() {
        let gl = gauss_legendre();
        let s: f64 = gl.iter().map(|&(_, w)| w).sum();
        assert!((s - 2.0).abs() < 1e-14);
        let x38: f64 = gl.iter().map(|&(x, w)| w * x.powi(38)).sum();
        assert!((x38 - 2.0 / 39.0).abs() < 1e-14);
    }

    #[test]
    fn k2_is_analytic() {
        // Range of two standard normals: |Z1 − Z2| ~ √2·|N(0,1)|.
        for q in [0.1, 1.0, 2.77, 5.0, 10.0] {
            let exact = 2.0 * norm_sf(q / std::f64::consts::SQRT_2);
            let got = studentized_range_sf_inf(q, 2);
            assert!(
                (got - exact).abs() <= 1e-10 * exact,
                "q={q}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn tabulated_critical_values() {
        // Upper 5% points of the studentized range, df = ∞ (Harter 1960; Pearson & Hartley
        // Biometrika Tables, Table 29): k = 3: 3.314, k = 4: 3.633, k = 10: 4.474.
        for (k, q) in [(3, 3.314), (4, 3.633), (10, 4.474)] {
            let p = studentized_range_sf_inf(q, k);
            assert!((p - 0.05).abs() < 2e-4, "k={k}: {p}");
        }
    }
}
