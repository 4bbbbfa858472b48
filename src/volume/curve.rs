//! Time curves: times in seconds, values in the curve's own unit.
use super::VolError;

/// A sampled time curve (AIF, tissue curve, input function). Times are seconds and strictly
/// increasing; between samples the curve is linear, outside it is an error to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub times_s: Vec<f64>,
    pub values: Vec<f64>,
}

impl Curve {
    /// A curve from matching arrays; times must be finite and strictly increasing.
    pub fn new(times_s: Vec<f64>, values: Vec<f64>) -> Result<Self, VolError> {
        if times_s.len() != values.len() {
            return Err(VolError::arg(
                "curve",
                format!(
                    "times_s has {} entries but values has {}",
                    times_s.len(),
                    values.len()
                ),
            ));
        }
        if times_s.is_empty() {
            return Err(VolError::arg("curve", "a curve needs at least one sample"));
        }
        if let Some(i) = times_s.iter().position(|t| !t.is_finite()) {
            return Err(VolError::arg(
                "curve",
                format!("times_s[{i}] is not finite"),
            ));
        }
        if let Some(i) = times_s.windows(2).position(|w| w[1] <= w[0]) {
            return Err(VolError::arg(
                "curve",
                format!(
                    "times_s must increase strictly, but times_s[{}] = {} ≥ times_s[{}] = {}",
                    i,
                    times_s[i],
                    i + 1,
                    times_s[i + 1]
                ),
            ));
        }
        Ok(Curve { times_s, values })
    }
    pub fn len(&self) -> usize {
        self.times_s.len()
    }
    pub fn is_empty(&self) -> bool {
        self.times_s.is_empty()
    }
    /// Linear interpolation at `t` seconds; `None` outside the sampled range.
    pub fn at(&self, t: f64) -> Option<f64> {
        let ts = &self.times_s;
        let n = ts.len();
        if !(t >= ts[0] && t <= ts[n - 1]) {
            return None;
        }
        if n == 1 {
            return Some(self.values[0]);
        }
        let i = match ts.binary_search_by(|x| x.partial_cmp(&t).unwrap_or(std::cmp::Ordering::Less))
        {
            Ok(i) => return Some(self.values[i]),
            Err(i) => i,
        };
        let (t0, t1) = (ts[i - 1], ts[i]);
        let (y0, y1) = (self.values[i - 1], self.values[i]);
        Some(y0 + (y1 - y0) * (t - t0) / (t1 - t0))
    }
    /// Values at the given times, or an error naming `op` if any time is outside the curve.
    pub fn sample(&self, times_s: &[f64], op: &str) -> Result<Vec<f64>, VolError> {
        times_s
            .iter()
            .map(|&t| {
                self.at(t).ok_or_else(|| {
                    VolError::arg(
                        op,
                        format!(
                            "the curve covers {}–{} s but is needed at {t} s",
                            self.times_s[0],
                            self.times_s[self.len() - 1]
                        ),
                    )
                })
            })
            .collect()
    }
    /// Trapezoidal integral over the whole curve (value unit × s).
    pub fn integral(&self) -> f64 {
        self.cumulative_integral().last().copied().unwrap_or(0.0)
    }
    /// Running trapezoidal integral at each sample, starting at 0 at the first sample.
    pub fn cumulative_integral(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len());
        let mut acc = 0.0;
        out.push(0.0);
        for i in 1..self.len() {
            acc += 0.5
                * (self.values[i] + self.values[i - 1])
                * (self.times_s[i] - self.times_s[i - 1]);
            out.push(acc);
        }
        out
    }
    /// The curve with every value multiplied by `k`.
    pub fn scale(&self, k: f64) -> Curve {
        Curve {
            times_s: self.times_s.clone(),
            values: self.values.iter().map(|v| v * k).collect(),
        }
    }
    /// One-line summary.
    pub fn summary(&self) -> String {
        let (lo, hi) = self
            .values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        format!(
            "Curve {} samples, {}–{} s, values [{}, {}]",
            self.len(),
            super::fmt_num(self.times_s[0]),
            super::fmt_num(self.times_s[self.len() - 1]),
            super::fmt_num(lo),
            super::fmt_num(hi)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_and_integral() {
        let c = Curve::new(vec![0.0, 10.0, 20.0], vec![0.0, 1.0, 3.0]).unwrap();
        assert_eq!(c.at(5.0), Some(0.5));
        assert_eq!(c.at(15.0), Some(2.0));
        assert_eq!(c.at(20.0), Some(3.0));
        assert_eq!(c.at(21.0), None);
        assert!((c.integral() - (5.0 + 20.0)).abs() < 1e-12);
        assert!(c
            .sample(&[25.0], "x")
            .unwrap_err()
            .to_string()
            .contains("25"));
    }

    #[test]
    fn bad_curves_are_rejected() {
        assert!(Curve::new(vec![0.0, 1.0], vec![1.0]).is_err());
        assert!(Curve::new(vec![0.0, 0.0], vec![1.0, 1.0])
            .unwrap_err()
            .to_string()
            .contains("strictly"));
        assert!(Curve::new(vec![], vec![]).is_err());
    }
}
