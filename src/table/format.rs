//! Paper-style summaries: median [range], mean ± SD, n (%), size classes, p values with the
//! footnote letter of the test, and r (p). Missing values (NaN) are skipped; an empty set gives
//! an en dash. Negative numbers use an ASCII minus so that CSV readers parse them.
use super::Cell;

/// A number for display in a table cell: up to 4 decimals, scientific outside [1e-3, 1e5).
pub fn num(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0.0".into();
    }
    let a = x.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{x:.3e}");
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

/// Display text of one cell (`null` for a missing value).
pub fn cell(c: &Cell) -> String {
    match c {
        Cell::Null => "null".into(),
        Cell::Bool(b) => b.to_string(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => num(*f),
        Cell::Str(s) => s.clone(),
        Cell::List(v) => {
            let mut parts: Vec<String> = v.iter().take(6).map(cell).collect();
            if v.len() > 6 {
                parts.push(format!("… {} more", v.len() - 6));
            }
            format!("[{}]", parts.join(", "))
        }
    }
}

/// `x` with `dec` decimals (no "-0.00").
pub fn fixed(x: f64, dec: usize) -> String {
    if x.is_nan() {
        return "–".into();
    }
    let s = format!("{x:.dec$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

fn finite(v: &[f64]) -> Vec<f64> {
    let mut f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    f.sort_by(|a, b| a.total_cmp(b));
    f
}

/// Median of the finite values (NaN if none).
pub fn median(v: &[f64]) -> f64 {
    let f = finite(v);
    let n = f.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => f[n / 2],
        _ => 0.5 * (f[n / 2 - 1] + f[n / 2]),
    }
}

/// `median [min–max]`, e.g. `0.43 [0.14–1.97]`; a single value gives `1.02 [−]`.
pub fn median_range(v: &[f64], dec: usize) -> String {
    let f = finite(v);
    match f.len() {
        0 => "–".into(),
        1 => format!("{} [−]", fixed(f[0], dec)),
        n => format!(
            "{} [{}–{}]",
            fixed(median(&f), dec),
            fixed(f[0], dec),
            fixed(f[n - 1], dec)
        ),
    }
}

/// `mean ± SD` (sample SD, n − 1), e.g. `0.25 ± 0.58`; a single value gives `1.02 ± −`.
pub fn mean_sd(v: &[f64], dec: usize) -> String {
    let f = finite(v);
    let n = f.len() as f64;
    match f.len() {
        0 => "–".into(),
        1 => format!("{} ± −", fixed(f[0], dec)),
        _ => {
            let m = f.iter().sum::<f64>() / n;
            let sd = (f.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            format!("{} ± {}", fixed(m, dec), fixed(sd, dec))
        }
    }
}

/// `n (%)` with the percentage rounded to an integer, e.g. `21 (66)`.
pub fn n_pct(n: usize, total: usize) -> String {
    if total == 0 {
        return format!("{n} (–)");
    }
    format!(
        "{n} ({:.0})",
        (100.0 * n as f64 / total as f64 + 1e-9).round()
    )
}

/// The paper's size class of a longest diameter: `≤ 20 mm` or `> 20 mm` (empty if missing).
pub fn size_class(mm: f64, cut_mm: f64) -> String {
    if !mm.is_finite() {
        String::new()
    } else if mm <= cut_mm {
        format!("≤ {} mm", num_short(cut_mm))
    } else {
        format!("> {} mm", num_short(cut_mm))
    }
}

fn num_short(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// Significance stars: `**` for p < 0.01, `*` for p < 0.05.
pub fn stars(p: f64) -> &'static str {
    if p < 0.01 {
        "**"
    } else if p < 0.05 {
        "*"
    } else {
        ""
    }
}

/// A p value as in the paper: 2 decimals, 3 below 0.01, `< 0.001` below that; then the stars
/// (if `with_stars`) and the footnote letter of the test, e.g. `0.77a`, `0.009**a`.
pub fn p_value(p: f64, letter: &str, with_stars: bool) -> String {
    if !p.is_finite() {
        return "–".into();
    }
    let s = if p < 0.001 {
        "< 0.001".to_string()
    } else if p < 0.01 {
        format!("{p:.3}")
    } else {
        format!("{p:.2}")
    };
    let st = if with_stars { stars(p) } else { "" };
    format!("{s}{st}{letter}")
}

/// `r (p)` as in Table 4, e.g. `-0.15 (0.42)`, `0.48 (0.02*)`.
pub fn r_p(r: f64, p: f64) -> String {
    if !r.is_finite() {
        return "–".into();
    }
    format!("{} ({})", fixed(r, 2), p_value(p, "", true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_formats() {
        assert_eq!(
            median_range(&[0.14, 0.43, 1.97, f64::NAN], 2),
            "0.43 [0.14–1.97]"
        );
        assert_eq!(median_range(&[1.0, 2.0, 3.0, 4.0], 2), "2.50 [1.00–4.00]");
        assert_eq!(median_range(&[1.02], 2), "1.02 [−]");
        assert_eq!(median_range(&[], 2), "–");
        // mean 0.25, sd of (-0.16, 0.66) = 0.5798
        assert_eq!(mean_sd(&[-0.16, 0.66], 2), "0.25 ± 0.58");
        assert_eq!(mean_sd(&[-0.001, 0.001], 2), "0.00 ± 0.00");
        assert_eq!(n_pct(21, 32), "21 (66)");
        assert_eq!(n_pct(6, 32), "6 (19)");
        assert_eq!(n_pct(10, 32), "10 (31)");
        assert_eq!(n_pct(22, 32), "22 (69)");
        assert_eq!(size_class(20.0, 20.0), "≤ 20 mm");
        assert_eq!(size_class(20.5, 20.0), "> 20 mm");
        assert_eq!(p_value(0.7712, "a", true), "0.77a");
        assert_eq!(p_value(0.0091, "a", true), "0.009**a");
        assert_eq!(p_value(0.0004, "", true), "< 0.001**");
        assert_eq!(p_value(0.03, "c", false), "0.03c");
        assert_eq!(r_p(-0.1549, 0.42), "-0.15 (0.42)");
        assert_eq!(r_p(0.48, 0.021), "0.48 (0.02*)");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(12.0), "12.0");
        assert_eq!(num(0.00012), "1.200e-4");
    }
}
