//! Progress and cancellation for long native operations: one shared helper.
//!
//! Voxelwise work goes through [`par_map`], which runs a function over indices in parallel
//! (rayon) in chunks, draws an indicatif bar when stderr is a terminal, and checks the global
//! cancellation flag between chunks. The REPL sets the flag on Ctrl-C ([`request_cancel`]).
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
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

/// Map `f` over `0..n` in parallel, in chunks of `chunk` indices, with a progress bar labelled
/// `label` and a cancellation check between chunks. The result keeps index order.
pub fn par_map<T, F>(label: &str, n: usize, chunk: usize, f: F) -> Result<Vec<T>, Cancelled>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let chunk = chunk.max(1);
    let bar = Progress::new(label, n as u64);
    let starts: Vec<usize> = (0..n).step_by(chunk).collect();
    let parts: Result<Vec<Vec<T>>, Cancelled> = starts
        .par_iter()
        .map(|&s| {
            check()?;
            let e = (s + chunk).min(n);
            let v: Vec<T> = (s..e).map(&f).collect();
            bar.inc((e - s) as u64);
            Ok(v)
        })
        .collect();
    bar.finish();
    Ok(parts?.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_order() {
        let v = par_map("t", 10_001, 100, |i| i * 2).unwrap();
        assert_eq!(v.len(), 10_001);
        assert!(v.iter().enumerate().all(|(i, &x)| x == 2 * i));
    }
}
