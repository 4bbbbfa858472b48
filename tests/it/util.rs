//! Shared helpers for the integration tests.
use std::path::{Path, PathBuf};

/// Path of a file under `tests/data/`.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// A fresh, empty temporary folder for one test.
pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("petmr-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// Evaluate a script with a fresh engine and return its value.
pub fn eval<T: Clone + Send + Sync + 'static>(src: &str) -> Result<T, String> {
    let engine = petmr::script::engine();
    engine.eval::<T>(src).map_err(|e| e.to_string())
}

/// Evaluate a script and return the error message it must raise.
pub fn eval_err(src: &str) -> String {
    let engine = petmr::script::engine();
    match engine.eval::<rhai::Dynamic>(src) {
        Ok(v) => panic!("expected an error from {src:?}, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

/// Parse a whitespace-separated list of numbers (OSIPI CSV cells).
pub fn nums(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .map(|x| {
            x.parse::<f64>()
                .unwrap_or_else(|_| panic!("not a number: {x:?}"))
        })
        .collect()
}

/// Read a CSV file (no quoting of commas) into header + rows; strips a UTF-8 BOM.
pub fn csv(rel: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(|h| h.trim().to_string())
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(|c| c.to_string()).collect())
        .collect();
    (header, rows)
}

/// |measured − reference| ≤ a_tol + r_tol·|reference| (numpy's assert_allclose rule, as OSIPI).
pub fn close(meas: f64, reference: f64, a_tol: f64, r_tol: f64) -> bool {
    (meas - reference).abs() <= a_tol + r_tol * reference.abs()
}

/// Path of the built `petmr` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_petmr"))
}
