//! File-system rules shared by every writer: outputs are written atomically (temp file in the
//! same folder, then rename) and never over a file that this process read as an input.
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

static INPUTS: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Print one line to standard output. When the reader has gone away (`petmr -e … | head`), stop
/// quietly with the shell's status for SIGPIPE (141), as a C tool killed by the signal would,
/// instead of panicking; other write errors are ignored, as `println!` users would expect.
pub fn print_line(s: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{s}").and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
    }
}

/// Remember that `path` was read as an input, so that no output may replace it.
pub fn register_input(path: &Path) {
    let mut g = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    g.get_or_insert_with(HashSet::new).insert(canonical(path));
}

/// True if `path` was read as an input by this process.
pub fn is_input(path: &Path) -> bool {
    let g = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    g.as_ref().is_some_and(|s| s.contains(&canonical(path)))
}

/// Write `path` atomically: `fill` writes into a temporary file beside it, which is renamed over
/// `path` only when `fill` succeeds. Refuses to write over an input. Creates parent folders.
/// Errors are plain strings saying what went wrong; callers prefix their domain and the path.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    if is_input(path) {
        return Err("refusing to overwrite a file that was read as an input".to_string());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("{}: cannot create folder: {e}", dir.display()))?;
    let name = path
        .file_name()
        .ok_or_else(|| "not a file name".to_string())?
        .to_string_lossy()
        .to_string();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let f = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::new(f);
        fill(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("write failed: {e}"));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot rename temporary file into place: {e}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_and_input_guard() {
        let dir = std::env::temp_dir().join(format!("petmr-fsutil-{}", std::process::id()));
        let p = dir.join("a.txt");
        write_atomic(&p, |w| w.write_all(b"hello")).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "hello");
        // a failing writer leaves the old content and no temp file
        let err = write_atomic(&p, |_| Err(std::io::Error::other("boom"))).unwrap_err();
        assert!(err.contains("boom"), "{err}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "hello");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        register_input(&p);
        let err = write_atomic(&p, |w| w.write_all(b"x")).unwrap_err();
        assert!(err.contains("input"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
