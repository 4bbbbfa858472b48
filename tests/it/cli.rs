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

/// `petmr -e … | head -1`: when the reader closes the pipe, petmr stops quietly with the SIGPIPE
/// status (141) instead of panicking.
#[test]
fn closed_stdout_pipe_stops_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(bin())
        .args(["-e", "for i in 0..10000000 { print(i) }"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap(); // the reader (and so the pipe) is dropped here
    assert_eq!(first, "0\n");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
