//! Integration tests: scripts — each `scripts/*.rhai` run by the `petmr` binary.
//!
//! Paper-table scripts: run as `petmr run scripts/tableN.rhai STUDY_DIR OUT_DIR` on the fixture
//! lesion table (`tests/data/table/lesions.csv`, whose numbers `tests/it/table.rs` checks
//! against scipy). The study module is replaced through `$PETMR_STDLIB` by a one-line
//! `study::lesions(dir)` that reads `dir/lesions.csv`, so these tests exercise the scripts, the
//! stdlib and the writers; the written Markdown must equal the golden file.
use crate::util::{bin, data, tmpdir};
use std::path::Path;
use std::process::Command;

fn run_table_script(name: &str) {
    let dir = tmpdir(&format!("script-{name}"));
    let lib = dir.join("lib");
    let study = dir.join("study");
    let out = dir.join("out");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::create_dir_all(&study).unwrap();
    std::fs::write(
        lib.join("study.rhai"),
        "fn lesions(dir) { read_csv(dir + \"/lesions.csv\") }\n",
    )
    .unwrap();
    std::fs::copy(data("table/lesions.csv"), study.join("lesions.csv")).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scripts/{name}.rhai"));
    let res = Command::new(bin())
        .env("PETMR_STDLIB", &lib)
        .env("COLUMNS", "160")
        .arg("run")
        .arg(&script)
        .arg(&study)
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&res.stdout);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{name}: {stderr}\n{stdout}");
    // a box-drawn table on the terminal; all but Table 1 carry the significance footnote
    assert!(stdout.contains('┌'), "{name}: no table printed");
    assert!(
        name == "table1" || stdout.contains("p < 0.05"),
        "{name}: no footnote"
    );
    let md = std::fs::read_to_string(out.join(format!("{name}.md"))).unwrap();
    let golden = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.md")),
    )
    .unwrap();
    assert_eq!(
        md, golden,
        "{name}.md written by the script differs from the golden file"
    );
    // the CSV reads back with the same header as the Markdown table
    let t = petmr::table::Table::read_csv(&out.join(format!("{name}.csv"))).unwrap();
    let header = golden
        .lines()
        .find(|l| l.starts_with('|'))
        .unwrap()
        .trim_matches('|')
        .split('|')
        .map(|s| s.trim().to_string())
        .collect::<Vec<_>>();
    assert_eq!(t.columns(), header);
    // a wrong call is a usage error with exit status 1
    let res = Command::new(bin())
        .env("PETMR_STDLIB", &lib)
        .arg("run")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&res.stderr).contains("usage: petmr run scripts/"));
}

#[test]
fn table1_script() {
    run_table_script("table1");
}

#[test]
fn table2_script() {
    run_table_script("table2");
}

#[test]
fn table3_script() {
    run_table_script("table3");
}

#[test]
fn table4_script() {
    run_table_script("table4");
}

#[test]
fn correlations_script() {
    run_table_script("correlations");
}

/// `petmr demo` end to end on a fresh small synthetic study: every saved script runs on the
/// study folder (tables through the real `study::lesions` pipeline, all figure panels written).
#[test]
fn demo_runs_every_script_on_a_synthetic_study() {
    let dir = tmpdir("demo");
    let study = dir.join("study");
    // run from a folder with no scripts/: the demo must use the scripts built into the binary
    let res = Command::new(bin())
        .current_dir(&dir)
        .env("COLUMNS", "160")
        .arg("demo")
        .arg(&study)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&res.stdout);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{stderr}\n{stdout}");
    for t in ["Table 1", "Table 2", "Table 3", "Table 4"] {
        assert!(stdout.contains(t), "demo output lacks {t}:\n{stdout}");
    }
    let out = study.join("derivatives/petmr");
    let mut scripts: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
    scripts.sort();
    // every saved script ran in the demo (which exits non-zero if any of them fails)
    let expected = [
        "correlations",
        "figure1",
        "figure2",
        "figure3",
        "figure4",
        "figure5",
        "figure6",
        "table1",
        "table2",
        "table3",
        "table4",
    ];
    assert_eq!(scripts, expected.map(|n| format!("{n}.rhai")).to_vec());
    // each ran, and a copy of each is left in the study folder for the user to edit
    for n in expected {
        assert!(
            stdout.contains(&format!("=== scripts/{n}.rhai ===")),
            "{n} did not run"
        );
        assert!(
            study.join(format!("scripts/{n}.rhai")).is_file(),
            "{n}: no copy"
        );
    }
    // the tables of the default synthetic study (seed 1, small) are golden files; their numbers
    // were checked against scipy / scikit-posthocs on the exported lesions.csv before freezing
    for name in ["table1", "table2", "table3", "table4", "correlations"] {
        let md = std::fs::read_to_string(out.join(format!("{name}.md")))
            .unwrap_or_else(|e| panic!("{name}.md: {e}"));
        let golden =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/synthetic/{name}.md"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &md).unwrap();
        }
        let want = std::fs::read_to_string(&golden).unwrap();
        assert_eq!(
            md,
            want,
            "{name}.md on the synthetic study differs from {}",
            golden.display()
        );
    }
    let pngs: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".png"))
        .collect();
    // Fig. 1: 8 panels, Fig. 3: 2, Fig. 4: 4, Fig. 5: 2, Fig. 2: 3 per type, Fig. 6: 3 per type
    for prefix in ["fig1", "fig2", "fig3", "fig4", "fig5", "fig6"] {
        let n = pngs.iter().filter(|p| p.starts_with(prefix)).count();
        let want = match prefix {
            "fig1" => 8,
            "fig3" | "fig5" => 2,
            "fig4" => 4,
            _ => 12,
        };
        assert_eq!(n, want, "{prefix}: {n} panels in {pngs:?}");
    }
    for p in &pngs {
        let len = std::fs::metadata(out.join(p)).unwrap().len();
        assert!(len > 5_000, "{p} is only {len} bytes");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
