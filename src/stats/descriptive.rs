//! Descriptive statistics.
use super::{clean_min, mean, var, StatsError};

/// Summary of one sample (NaN dropped).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Describe {
    /// Number of values used (NaN dropped).
    pub n: usize,
    /// Number of NaN values dropped.
    pub n_missing: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator); NaN when n = 1.
    pub sd: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// First quartile (numpy's default linear interpolation, Hyndman–Fan type 7).
    pub q1: f64,
    /// Third quartile (type 7).
    pub q3: f64,
}

/// Quantile `p` ∈ [0, 1] of **sorted** finite values by linear interpolation between order
/// statistics (Hyndman & Fan 1996, definition 7: `h = (n − 1)p`), as numpy's default
/// `percentile`/`quantile`, R's default and Excel's `PERCENTILE.INC`.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

/// n, mean, sample SD, median, min, max and quartiles of `x` (NaN dropped; quartiles as
/// numpy's default, type 7). A single value gives SD = NaN; no values is an error.
pub fn describe(x: &[f64]) -> Result<Describe, StatsError> {
    let v = clean_min("describe", "x", x, 1)?;
    let mut s = v.clone();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    Ok(Describe {
        n,
        n_missing: x.iter().filter(|v| v.is_nan()).count(),
        mean: mean(&v),
        sd: if n > 1 { var(&v).sqrt() } else { f64::NAN },
        median: quantile(&s, 0.5),
        min: s[0],
        max: s[n - 1],
        q1: quantile(&s, 0.25),
        q3: quantile(&s, 0.75),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sample() {
        let d = describe(&[4.0, f64::NAN, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!((d.n, d.n_missing), (4, 1));
        assert_eq!((d.mean, d.median, d.min, d.max), (2.5, 2.5, 1.0, 4.0));
        assert_eq!((d.q1, d.q3), (1.75, 3.25));
        assert!((d.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!(describe(&[5.0]).unwrap().sd.is_nan());
        assert!(describe(&[f64::NAN]).is_err());
    }
}
