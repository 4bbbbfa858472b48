//! `cargo bench --bench pet`: voxelwise Patlak on 1 M voxels × 12 frames and two-point ADC on a
//! 1 M-voxel pair, in voxels/s and peak memory, next to a plain pass over the same data and a
//! numpy peer (bench/peers/pet_peer.py, run if python3 with numpy is present).
use ndarray::{Array3, Array4};
use petmr::volume::{Curve, Grid, TimeAxis, Volume};
use petmr::{dwi, pet};
use std::hint::black_box;
use std::time::Instant;

const N: usize = 100; // 100³ = 1 M voxels
const NT: usize = 12;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// A small deterministic generator (no dependency): xorshift64*.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn best_of<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("reps ≥ 1"))
}

fn main() {
    let nv = N * N * N;
    let g = Grid::axis_aligned([N, N, N], [2.0; 3], [0.0; 3]);
    // input: bolus + slow clearance, 10-s samples to 185 min
    let tin: Vec<f64> = (0..=1110).map(|i| i as f64 * 10.0).collect();
    let cin: Vec<f64> = tin
        .iter()
        .map(|&s| {
            let m = s / 60.0;
            40.0 * m * (-4.0 * m).exp() + 4.0 * (-m / 300.0).exp() * (1.0 - (-m).exp())
        })
        .collect();
    let input = Curve::new(tin, cin).unwrap();
    let axis = TimeAxis {
        start_s: (0..NT).map(|i| 7200.0 + 300.0 * i as f64).collect(),
        duration_s: vec![300.0; NT],
    };
    let mid = axis.mid_s();
    let cp = input.sample(&mid, "bench").unwrap();
    let integ: Vec<f64> = {
        // ∫₀ᵗCp at the mid-times through the forward model with Ki = 1, V0 = 0
        let mut t: Vec<f64> = input
            .times_s
            .iter()
            .copied()
            .chain(mid.iter().copied())
            .collect();
        t.sort_by(|a, b| a.total_cmp(b));
        t.dedup();
        let c: Vec<f64> = t.iter().map(|&x| input.at(x).unwrap()).collect();
        let f = pet::patlak_forward(&t, &c, 60.0, 0.0); // Ki = 60 /min → ∫ in value·s
        mid.iter()
            .map(|m| f[t.partition_point(|a| a < m)] / 60.0)
            .collect()
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut data = Vec::with_capacity(nv * NT);
    for _ in 0..nv {
        let ki = 0.004 * rng.next();
        let v0 = 0.2 + 0.4 * rng.next();
        for f in 0..NT {
            let noise = 1.0 + 0.05 * (rng.next() - 0.5);
            data.push(((ki * integ[f] / 60.0 + v0 * cp[f]) * noise) as f32);
        }
    }
    let pet4 = Volume::new(
        g.clone(),
        Array4::from_shape_vec((N, N, N, NT), data).unwrap(),
        Some(axis),
    )
    .unwrap();
    let rss_data = peak_rss_mb();

    // plain pass: one read of every value (sum per voxel), the floor for any voxelwise fit
    let (t_pass, s) = best_of(3, || {
        use rayon::prelude::*;
        pet4.as_slice()
            .par_chunks(NT)
            .map(|c| c.iter().map(|&x| x as f64).sum::<f64>())
            .sum::<f64>()
    });
    black_box(s);
    let (t_patlak, maps) = best_of(3, || pet::patlak(&pet4, &input, None, 0.0).unwrap());
    let rss_patlak = peak_rss_mb();
    let ok = maps.ki.as_slice().iter().filter(|x| x.is_finite()).count();
    black_box(&maps);
    drop(maps);
    drop(pet4);

    let s0: Vec<f32> = (0..nv)
        .map(|_| (500.0 + 1000.0 * rng.next()) as f32)
        .collect();
    let sb: Vec<f32> = s0
        .iter()
        .map(|&s| dwi::adc_signal(s as f64, 900.0, 0.5e-3 + 2e-3 * rng.next()) as f32)
        .collect();
    let b0 = Volume::from_3d(g.clone(), Array3::from_shape_vec((N, N, N), s0).unwrap()).unwrap();
    let b9 = Volume::from_3d(g, Array3::from_shape_vec((N, N, N), sb).unwrap()).unwrap();
    let (t_adc, a) = best_of(5, || dwi::adc_two_point(&b0, &b9, 900.0).unwrap());
    black_box(&a);
    let rss_adc = peak_rss_mb();

    let threads = rayon::current_num_threads();
    println!("petmr pet bench: {nv} voxels, {NT} frames, {threads} rayon threads (best of 3/5)");
    println!(
        "  plain pass over the series : {:8.1} ms  {:7.1} Mvoxel/s",
        t_pass * 1e3,
        nv as f64 / t_pass / 1e6
    );
    println!(
        "  voxelwise Patlak (Ki,V0,R²): {:8.1} ms  {:7.1} Mvoxel/s  ({:.2}× the plain pass; {ok} fitted)",
        t_patlak * 1e3,
        nv as f64 / t_patlak / 1e6,
        t_patlak / t_pass
    );
    println!(
        "  two-point ADC              : {:8.1} ms  {:7.1} Mvoxel/s",
        t_adc * 1e3,
        nv as f64 / t_adc / 1e6
    );
    println!(
        "  peak RSS: {rss_data:.0} MB after building the series ({:.0} MB of data), {rss_patlak:.0} MB after Patlak, {rss_adc:.0} MB after ADC",
        (nv * NT * 4) as f64 / 1e6
    );

    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/peers/pet_peer.py");
    match std::process::Command::new("python3").arg(peer).output() {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            print!("{text}");
            let rate = |key: &str| -> Option<f64> {
                text.lines().find(|l| l.contains(key)).and_then(|l| {
                    l.split("voxels_per_s=")
                        .nth(1)?
                        .split_whitespace()
                        .next()?
                        .parse()
                        .ok()
                })
            };
            if let (Some(p), Some(a)) = (rate("patlak"), rate("adc")) {
                println!(
                    "  petmr / numpy: Patlak {:.1}×, ADC {:.1}×",
                    nv as f64 / t_patlak / p,
                    nv as f64 / t_adc / a
                );
            }
        }
        Ok(o) => println!(
            "  numpy peer failed: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => println!("  numpy peer not run (python3: {e})"),
    }
}
