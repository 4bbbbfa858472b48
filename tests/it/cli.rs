//! The command line: `-e`, `run` with ARGV, exit codes, error positions.
use crate::util::{bin, tmpdir};
use std::process::Command;

#[test]
fn eval_prints_value() {
    let out = Command::new(bin()).args(["-e", "1 + 1"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "2");
}

#[test]
fn run_passes_argv_and_reports_errors_with_position() {
    let dir = tmpdir("cli");
    let ok = dir.join("ok.rhai");
    std::fs::write(&ok, "print(ARGV.len());\nprint(ARGV[1]);\n").unwrap();
    let out = Command::new(bin())
        .arg("run")
        .arg(&ok)
        .args(["a", "--flag"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n--flag\n");

    let bad = dir.join("bad.rhai");
    std::fs::write(&bad, "let x = 1;\nlet y = load(\"missing.nii\");\n").unwrap();
    let out = Command::new(bin()).arg("run").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.rhai:2:9: nifti: missing.nii: cannot open"),
        "{err}"
    );
    assert!(
        err.contains("  let y = load(\"missing.nii\");\n          ^"),
        "{err}"
    );

    let out = Command::new(bin())
        .args(["--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
