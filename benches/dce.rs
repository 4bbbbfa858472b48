//! Benchmark: voxelwise extended Tofts on a synthetic series (default 1 M voxels × 48 frames),
//! LLSQ and NLLS, printing voxels/s and peak memory, next to numpy (vectorised LLSQ) and scipy
//! `curve_fit` peers from `bench/peers/` when python3 with numpy/scipy is present.
//!
//! `cargo bench --bench dce [-- --voxels N --frames T --peer-nlls-voxels M --no-peers]`
use ndarray::Array4;
use petmr::dce::{self, FitOptions, Method, Model};
use petmr::roi::Mask;
use petmr::volume::{Curve, Grid, TimeAxis, Volume};
use std::time::Instant;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size (VmHWM) of this process in bytes.
fn peak_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = l.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Reset the peak RSS counter (Linux: write 5 to clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Deterministic pseudo-random numbers (xorshift64*), Gaussian by Box–Muller.
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn main() {
    let n = arg("--voxels", 1_000_000);
    let nt = arg("--frames", 48);
    let peer_nlls = arg("--peer-nlls-voxels", 1000);
    let peers = !std::env::args().any(|a| a == "--no-peers");
    let nx = 100.min(n.max(1));
    let ny = (n / nx).max(1);
    let n = nx * ny;
    println!(
        "dce bench: {n} voxels × {nt} frames, extended Tofts, {} threads",
        rayon::current_num_threads()
    );

    // synthetic series: Parker AIF (hct 0.42, arrival 30 s), 6 s frames, tissue with random
    // Ktrans 0.02–0.5 /min, ve 0.1–0.6, vp 0–0.1, Gaussian noise SD 0.01 mM
    let start: Vec<f64> = (0..nt).map(|i| i as f64 * 6.0).collect();
    let times = TimeAxis {
        start_s: start,
        duration_s: vec![6.0; nt],
    };
    let mid = times.mid_s();
    let cp = dce::parker_aif(&mid, 0.42, 30.0);
    let aif = Curve::new(mid.clone(), cp.clone()).unwrap();
    let mut data = Vec::with_capacity(n * nt);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..n {
        let k = 0.02 + 0.48 * rng.uniform();
        let ve = 0.1 + 0.5 * rng.uniform();
        let vp = 0.1 * rng.uniform();
        for c in dce::conc_tofts(&mid, &cp, k, ve, vp) {
            data.push((c + 0.01 * rng.normal()) as f32);
        }
    }
    let grid = Grid::axis_aligned([nx, ny, 1], [1.0; 3], [0.0; 3]);
    let conc = Volume::new(
        grid.clone(),
        Array4::from_shape_vec((nx, ny, 1, nt), data).unwrap(),
        Some(times),
    )
    .unwrap();
    let mask = Mask::full(grid);
    let input_bytes = (n * nt * 4) as f64;
    println!("input: {:.1} MB (f32)", input_bytes / 1e6);

    let mut rows: Vec<(String, f64, Option<f64>)> = Vec::new();
    for method in [Method::Llsq, Method::Nlls] {
        let opts = FitOptions {
            model: Model::ExtendedTofts,
            method,
            ..Default::default()
        };
        let before = peak_rss();
        reset_peak();
        let t0 = Instant::now();
        let maps = dce::fit_maps(&conc, &aif, &mask, &opts).unwrap();
        let dt = t0.elapsed().as_secs_f64();
        let peak = peak_rss();
        let ok = maps
            .status
            .as_slice()
            .iter()
            .filter(|&&s| s == 1.0 || s == 2.0)
            .count();
        let ratio = peak.map(|p| p as f64 / input_bytes);
        println!(
            "petmr {method:?}: {:.2} s, {:.0} voxels/s, peak RSS {} ({}× input; before reset {}), {ok}/{n} voxels fitted",
            dt,
            n as f64 / dt,
            peak.map(|p| format!("{:.1} MB", p as f64 / 1e6)).unwrap_or("?".into()),
            ratio.map(|r| format!("{r:.2}")).unwrap_or("?".into()),
            before.map(|p| format!("{:.1} MB", p as f64 / 1e6)).unwrap_or("?".into()),
        );
        rows.push((format!("petmr {method:?}"), n as f64 / dt, ratio));
        drop(maps);
    }

    if !peers {
        return;
    }
    let have_python = std::process::Command::new("python3")
        .args(["-c", "import numpy, scipy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have_python {
        println!("python3 with numpy/scipy not found: peers skipped");
        return;
    }
    // hand the same data to the peers as raw little-endian files
    let dir = std::env::temp_dir().join(format!("petmr-bench-dce-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let raw: Vec<u8> = conc
        .as_slice()
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    std::fs::write(dir.join("conc.f32"), raw).unwrap();
    let tb: Vec<u8> = mid
        .iter()
        .chain(&cp)
        .flat_map(|x| x.to_le_bytes())
        .collect();
    std::fs::write(dir.join("t_cp.f64"), tb).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    for (script, extra) in [
        ("dce_numpy_llsq.py", n.to_string()),
        ("dce_scipy_curve_fit.py", peer_nlls.min(n).to_string()),
    ] {
        let out = std::process::Command::new("python3")
            .arg(format!("{root}/bench/peers/{script}"))
            .arg(&dir)
            .arg(nt.to_string())
            .arg(extra)
            .output();
        match out {
            Ok(o) if o.status.success() => print!("{}", String::from_utf8_lossy(&o.stdout)),
            Ok(o) => println!("{script} failed: {}", String::from_utf8_lossy(&o.stderr)),
            Err(e) => println!("{script}: {e}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
