//! Progress and cancellation for long native operations: one shared helper.
//!
//! Voxelwise work goes through [`par_map`], which runs a function over indices in parallel
//! (rayon) in chunks, draws an indicatif bar when stderr is a terminal, and checks the global
//! cancellation flag between chunks. The REPL sets the flag on Ctrl-C ([`request_cancel`]).
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};

static CANCEL: AtomicBool = AtomicBool::new(false);

/// Error returned when the user cancelled an operation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cancelled by the user")]
pub struct Cancelled;

/// Ask every running operation to stop at its next chunk boundary.
pub fn request_cancel() {
    CANCEL.store(true, Ordering::SeqCst);
}

/// Clear a pending cancellation (done before each new command).
pub fn reset_cancel() {
    CANCEL.store(false, Ordering::SeqCst);
}

/// True if a cancellation is pending.
pub fn is_cancelled() -> bool {
    CANCEL.load(Ordering::SeqCst)
}

/// Return `Err(Cancelled)` if a cancellation is pending.
pub fn check() -> Result<(), Cancelled> {
    if is_cancelled() {
        Err(Cancelled)
    } else {
        Ok(())
    }
}

/// A progress bar that draws only on a terminal.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(label: &str, total: u64) -> Self {
        let draw = std::io::stderr().is_terminal() && total >= 20_000;
        let bar = if draw {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{msg:>12} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b.set_message(label.to_string());
            b
        } else {
            ProgressBar::hidden()
        };
        Progress { bar }
    }
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Run `f(start, job)` for every chunk job in parallel, where job `c` covers the indices
/// `c·chunk .. min((c + 1)·chunk, n)`, with a progress bar and a cancellation check before each
/// chunk. The one driver behind [`par_map`], [`par_chunks_mut`] and [`par_columns`].
fn drive<J, F>(label: &str, n: usize, chunk: usize, jobs: Vec<J>, f: F) -> Result<(), Cancelled>
where
    J: Send,
    F: Fn(usize, J) + Sync,
{
    let bar = Progress::new(label, n as u64);
    let r = jobs.into_par_iter().enumerate().try_for_each(|(c, job)| {
        check()?;
        let start = c * chunk;
        f(start, job);
        bar.inc(chunk.min(n - start) as u64);
        Ok(())
    });
    bar.finish();
    r
}

/// Write `f(start + i)` into `out[i]` for every (uninitialised) element of `out`.
fn fill<T, F: Fn(usize) -> T>(start: usize, out: &mut [MaybeUninit<T>], f: &F) {
    for (i, o) in out.iter_mut().enumerate() {
        o.write(f(start + i));
    }
}

/// Map `f` over `0..n` in parallel, in chunks of `chunk` indices, with a progress bar labelled
/// `label` and a cancellation check between chunks. The result keeps index order and is written
/// in place (no per-chunk vectors, no concatenation).
pub fn par_map<T, F>(label: &str, n: usize, chunk: usize, f: F) -> Result<Vec<T>, Cancelled>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let chunk = chunk.max(1);
    let mut out: Vec<T> = Vec::with_capacity(n);
    let jobs: Vec<&mut [MaybeUninit<T>]> =
        out.spare_capacity_mut()[..n].chunks_mut(chunk).collect();
    drive(label, n, chunk, jobs, |s, j| fill(s, j, &f))?;
    // SAFETY: `drive` returned Ok, so every chunk job ran to completion and wrote each of the
    // first n elements exactly once. (On cancellation or a panic the length stays 0: written
    // elements leak, none is read.)
    unsafe { out.set_len(n) };
    Ok(out)
}

/// Process `out` in parallel chunks of `chunk` elements: `f(start, piece)` fills the piece that
/// begins at index `start`. For kernels that work on whole runs of values (SIMD); same progress
/// and cancellation as [`par_map`] (a cancelled call leaves the unvisited chunks as they were).
pub fn par_chunks_mut<T, F>(label: &str, out: &mut [T], chunk: usize, f: F) -> Result<(), Cancelled>
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    let chunk = chunk.max(1);
    let n = out.len();
    let jobs: Vec<&mut [T]> = out.chunks_mut(chunk).collect();
    drive(label, n, chunk, jobs, f)
}

/// As [`par_map`] for a function giving `K` numbers per index: returns `K` columns of length `n`
/// (one per output map), each written in place.
pub fn par_columns<T, const K: usize, F>(
    label: &str,
    n: usize,
    chunk: usize,
    f: F,
) -> Result<[Vec<T>; K], Cancelled>
where
    T: Copy + Send,
    F: Fn(usize) -> [T; K] + Sync,
{
    let chunk = chunk.max(1);
    let mut cols: [Vec<T>; K] = std::array::from_fn(|_| Vec::with_capacity(n));
    {
        let mut parts = cols
            .each_mut()
            .map(|c| c.spare_capacity_mut()[..n].chunks_mut(chunk));
        let jobs: Vec<[&mut [MaybeUninit<T>]; K]> = (0..n.div_ceil(chunk))
            .map(|_| {
                parts
                    .each_mut()
                    .map(|p| p.next().expect("one piece per chunk"))
            })
            .collect();
        drive(label, n, chunk, jobs, |s, mut j| {
            for i in 0..j[0].len() {
                let r = f(s + i);
                for (o, v) in j.iter_mut().zip(r) {
                    o[i].write(v);
                }
            }
        })?;
    }
    for c in cols.iter_mut() {
        // SAFETY: as in `par_map`: every chunk of every column was written.
        unsafe { c.set_len(n) };
    }
    Ok(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_order() {
        let v = par_map("t", 10_001, 100, |i| i * 2).unwrap();
        assert_eq!(v.len(), 10_001);
        assert!(v.iter().enumerate().all(|(i, &x)| x == 2 * i));
        // heap-owning results, a last partial chunk and an empty range
        let s = par_map("t", 1003, 10, |i| i.to_string()).unwrap();
        assert_eq!(s[1002], "1002");
        assert!(par_map("t", 0, 10, |i| i).unwrap().is_empty());
    }

    #[test]
    fn par_columns_splits_each_result_into_its_column() {
        let [a, b, c] = par_columns("t", 10_001, 64, |i| [i as f32, -(i as f32), 0.5]).unwrap();
        assert_eq!((a.len(), b.len(), c.len()), (10_001, 10_001, 10_001));
        assert!((0..10_001).all(|i| a[i] == i as f32 && b[i] == -(i as f32) && c[i] == 0.5));
        let [e] = par_columns("t", 0, 64, |_| [1u8]).unwrap();
        assert!(e.is_empty());
    }
}
