//! Correlation and simple linear regression.
use super::{clean_pairs, mean, rank_average, require_varying, StatsError};

/// Pearson product-moment correlation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pearson {
    pub r: f64,
    /// Two-sided p-value of H0: ρ = 0 (t distribution with n − 2 df).
    pub p: f64,
    /// Number of complete pairs used.
    pub n: usize,
}

/// Spearman rank correlation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spearman {
    pub rho: f64,
    /// Two-sided p-value (t approximation with n − 2 df, as scipy).
    pub p: f64,
    pub n: usize,
}

/// Ordinary least-squares line `y = intercept + slope·x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinReg {
    pub slope: f64,
    pub intercept: f64,
    /// Pearson r and its square.
    pub r: f64,
    pub r2: f64,
    /// Two-sided p-value of H0: slope = 0 (t with n − 2 df; equals Pearson's p).
    pub p: f64,
    /// Standard errors of the slope and intercept (as scipy `linregress`).
    pub stderr: f64,
    pub intercept_stderr: f64,
    pub n: usize,
}

/// Two-sided p of a correlation r from n pairs: `I_{1−r²}((n−2)/2, 1/2)`, which is the t test
/// `t = r√((n−2)/(1−r²))` with n − 2 df written without cancellation (scipy `pearsonr`).
fn r_p_value(r: f64, n: usize) -> f64 {
    let df = n as f64 - 2.0;
    let x = ((1.0 - r) * (1.0 + r)).clamp(0.0, 1.0);
    if x == 0.0 {
        return 0.0;
    }
    statrs::function::beta::beta_reg(df / 2.0, 0.5, x)
}

/// Sxx, Sxy, Syy about the means.
fn sums(x: &[f64], y: &[f64]) -> (f64, f64, f64, f64, f64) {
    let (mx, my) = (mean(x), mean(y));
    let mut sxx = 0.0;
    let mut sxy = 0.0;
    let mut syy = 0.0;
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    (mx, my, sxx, sxy, syy)
}

fn corr(op: &'static str, x: &[f64], y: &[f64]) -> Result<f64, StatsError> {
    require_varying(op, "x", x, "the correlation is undefined")?;
    require_varying(op, "y", y, "the correlation is undefined")?;
    let (_, _, sxx, sxy, syy) = sums(x, y);
    Ok((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Pearson's r between `x` and `y` (NaN pairs dropped; needs ≥ 3 complete pairs and neither
/// variable constant) with the two-sided p-value from Student's t with n − 2 df, as scipy
/// `pearsonr` (Pearson 1896; the exact null distribution under bivariate normality).
pub fn pearson(x: &[f64], y: &[f64]) -> Result<Pearson, StatsError> {
    let (x, y) = clean_pairs("pearson", x, y, 3)?;
    let r = corr("pearson", &x, &y)?;
    Ok(Pearson {
        r,
        p: r_p_value(r, x.len()),
        n: x.len(),
    })
}

/// Spearman's ρ: Pearson's r of the average ranks (ties get mid-ranks), two-sided p from the t
/// approximation with n − 2 df, as scipy `spearmanr` (NaN pairs dropped; needs ≥ 3 pairs).
pub fn spearman(x: &[f64], y: &[f64]) -> Result<Spearman, StatsError> {
    let (x, y) = clean_pairs("spearman", x, y, 3)?;
    require_varying("spearman", "x", &x, "the rank correlation is undefined")?;
    require_varying("spearman", "y", &y, "the rank correlation is undefined")?;
    let (rx, _) = rank_average(&x);
    let (ry, _) = rank_average(&y);
    let rho = corr("spearman", &rx, &ry)?;
    Ok(Spearman {
        rho,
        p: r_p_value(rho, x.len()),
        n: x.len(),
    })
}

/// Least-squares line of `y` on `x` with r, r², the slope's two-sided p (t, n − 2 df) and the
/// standard errors of slope and intercept, as scipy `linregress` (NaN pairs dropped; needs ≥ 3
/// pairs and a non-constant `x`; a constant `y` gives slope 0, r = 0 and p = 1, as scipy).
pub fn linreg(x: &[f64], y: &[f64]) -> Result<LinReg, StatsError> {
    let (x, y) = clean_pairs("linreg", x, y, 3)?;
    require_varying("linreg", "x", &x, "the slope is undefined")?;
    let n = x.len();
    let nf = n as f64;
    let (mx, my, sxx, sxy, syy) = sums(&x, &y);
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let df = nf - 2.0;
    let (r, p) = if syy == 0.0 {
        (0.0, 1.0) // scipy's convention for a constant y
    } else {
        let r = (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0);
        (r, r_p_value(r, n))
    };
    // scipy: residual variance from (1 − r²)·Syy, i.e. Σ residual² directly (stable form).
    let sse = (syy - slope * sxy).max(0.0);
    let stderr = (sse / df / sxx).sqrt();
    let intercept_stderr = stderr * (sxx / nf + mx * mx).sqrt();
    Ok(LinReg {
        slope,
        intercept,
        r,
        r2: r * r,
        p,
        stderr,
        intercept_stderr,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_constant() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [3.0, 5.0, 7.0, 9.0];
        let p = pearson(&x, &y).unwrap();
        assert!(
            (p.r - 1.0).abs() < 1e-15 && p.p < 1e-14 && p.n == 4,
            "{p:?}"
        );
        let l = linreg(&x, &y).unwrap();
        assert!((l.slope - 2.0).abs() < 1e-14 && (l.intercept - 1.0).abs() < 1e-14);
        let e = pearson(&x, &[1.0; 4]).unwrap_err().to_string();
        assert!(e.contains("pearson: y: all values are equal (1)"), "{e}");
        assert!(pearson(&[1.0, 2.0], &[1.0, 2.0]).is_err());
    }

    #[test]
    fn n3_p_value_is_analytic() {
        // With 1 df, P(|T| > t) = 1 − (2/π)·atan(t); t = r/√(1 − r²).
        let x = [1.0, 2.0, 3.0];
        let y = [1.0, 3.0, 2.0];
        let p = pearson(&x, &y).unwrap();
        assert!((p.r - 0.5).abs() < 1e-15);
        let t = 0.5 / 0.75f64.sqrt();
        let exact = 1.0 - 2.0 / std::f64::consts::PI * t.atan();
        assert!((p.p - exact).abs() < 1e-14, "{} vs {exact}", p.p);
    }
}
