//! Result caching in `derivatives/petmr/cache/`: a result is stored with a fingerprint of its
//! inputs (path, size and modification time of every input file, plus a pipeline version) and
//! reused only while the fingerprint is unchanged.
use super::StudyError;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// FNV-1a 64-bit: a stable hash (unlike `DefaultHasher`, it never changes between releases).
fn fnv1a(h: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *h ^= b as u64;
        *h = h.wrapping_mul(0x0100_0000_01b3);
    }
}

/// Fingerprint of input files and extra text (options, clinical rows, pipeline version): a
/// missing file counts as "absent", so adding it later changes the fingerprint.
/// An image's JSON sidecar (acquisition parameters, dose, timing) counts as an input too.
pub fn fingerprint(files: &[PathBuf], extra: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    fnv1a(&mut h, extra.as_bytes());
    let mut files: Vec<PathBuf> = files.to_vec();
    for f in files.clone() {
        let name = f.to_string_lossy();
        if name.ends_with(".nii") || name.ends_with(".nii.gz") {
            files.push(crate::volume::nifti_io::sidecar_path(&f));
        }
    }
    files.sort();
    files.dedup();
    for f in &files {
        fnv1a(&mut h, f.to_string_lossy().as_bytes());
        match std::fs::metadata(f) {
            Ok(m) => {
                fnv1a(&mut h, &m.len().to_le_bytes());
                let t = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_nanos())
                    .unwrap_or(0);
                fnv1a(&mut h, &t.to_le_bytes());
            }
            Err(_) => fnv1a(&mut h, b"absent"),
        }
    }
    format!("{h:016x}")
}

fn cache_path(dir: &Path, key: &str) -> Result<PathBuf, StudyError> {
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(StudyError::arg(
            "cache",
            format!("key '{key}' must be letters, digits, - or _"),
        ));
    }
    Ok(dir
        .join(super::layout::DERIVATIVES)
        .join("cache")
        .join(format!("{key}.json")))
}

/// The cached value under `key` if its fingerprint is `fp`, else None.
pub fn load(dir: &Path, key: &str, fp: &str) -> Result<Option<Value>, StudyError> {
    let p = cache_path(dir, key)?;
    let Ok(text) = std::fs::read_to_string(&p) else {
        return Ok(None);
    };
    // a corrupt cache entry is simply recomputed
    let Ok(Value::Object(mut m)) = serde_json::from_str::<Value>(&text) else {
        return Ok(None);
    };
    if m.get("fingerprint").and_then(|v| v.as_str()) != Some(fp) {
        return Ok(None);
    }
    Ok(m.remove("value"))
}

/// Store `value` under `key` with fingerprint `fp`.
pub fn store(dir: &Path, key: &str, fp: &str, value: Value) -> Result<(), StudyError> {
    let p = cache_path(dir, key)?;
    let mut m = serde_json::Map::new();
    m.insert("fingerprint".into(), Value::from(fp));
    m.insert("value".into(), value);
    let text = serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default();
    crate::fsutil::write_atomic(&p, |w| w.write_all(text.as_bytes()))
        .map_err(|e| StudyError::file(&p.display().to_string(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_changes_with_inputs() {
        let d = std::env::temp_dir().join(format!("petmr-cache-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let f = d.join("a.txt");
        let fs = std::slice::from_ref(&f);
        std::fs::write(&f, "1").unwrap();
        let a = fingerprint(fs, "v1");
        assert_eq!(a, fingerprint(fs, "v1"));
        assert_ne!(a, fingerprint(fs, "v2"));
        std::fs::write(&f, "12").unwrap();
        let b = fingerprint(fs, "v1");
        assert_ne!(a, b);
        store(&d, "sub-01", &b, Value::from(3.5)).unwrap();
        assert_eq!(load(&d, "sub-01", &b).unwrap(), Some(Value::from(3.5)));
        assert_eq!(load(&d, "sub-01", &a).unwrap(), None);
        assert!(load(&d, "../x", &a).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
