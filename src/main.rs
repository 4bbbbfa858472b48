//! The `petmr` command line: REPL, script runner, one-shot expressions.
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "petmr",
    version,
    about = "Scripting workbench for quantitative PET/MRI of tumours"
)]
struct Cli {
    /// Evaluate one expression, print its value and exit.
    #[arg(short = 'e', value_name = "EXPR")]
    expr: Option<String>,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a script; the remaining arguments reach it as the array ARGV.
    Run {
        file: PathBuf,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Write the synthetic FMISO PET/MRI breast study (layout: docs/STUDY.md) into DIR.
    Synth {
        dir: PathBuf,
        /// Random seed (the same seed always gives the same study).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Image size: `small` (about 27 MB, for tests) or `paper` (realistic matrices).
        #[arg(long, default_value = "small", value_parser = ["small", "paper"])]
        size: String,
        /// Noise scale: 1 = default noise levels, 0 = noise-free.
        #[arg(long, default_value_t = 1.0)]
        noise: f64,
    },
    /// Write the synthetic study to DIR (if absent) and run every paper script on it.
    Demo {
        #[arg(default_value = "petmr-demo")]
        dir: PathBuf,
    },
}

fn synth(dir: &std::path::Path, seed: u64, size: &str, noise: f64) -> i32 {
    let t0 = std::time::Instant::now();
    let opts = match petmr::study::Size::parse(size) {
        Ok(size) => petmr::study::SynthOptions { seed, size, noise },
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    match petmr::study::synth_study(dir, &opts) {
        Ok(r) => {
            petmr::fsutil::print_line(&format!(
                "wrote the synthetic study ({} participants, {} lesions, seed {seed}, size {size}, {:.1} MB) to {} in {:.1} s",
                r.participants,
                r.lesions,
                r.bytes as f64 / 1e6,
                r.dir.display(),
                t0.elapsed().as_secs_f64()
            ));
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// `petmr demo`: the synthetic study (written if absent), then every saved paper script (embedded
/// in the binary) run on it as `petmr run SCRIPT STUDY_DIR OUT_DIR`. Copies of the scripts go to
/// `DIR/scripts/` (never over an existing file) for the user to edit and rerun.
fn demo(dir: &std::path::Path) -> i32 {
    let t0 = std::time::Instant::now();
    if !dir.join("participants.tsv").is_file() {
        let code = synth(dir, 1, "small", 1.0);
        if code != 0 {
            return code;
        }
    } else {
        petmr::fsutil::print_line(&format!("using the study already in {}", dir.display()));
    }
    let copies = dir.join("scripts");
    let mut kept = 0;
    for (name, src) in petmr::script::saved::SCRIPTS {
        let p = copies.join(format!("{name}.rhai"));
        if p.exists() {
            kept += 1;
            continue;
        }
        // (write_atomic creates the folder)
        if let Err(e) = petmr::fsutil::write_atomic(&p, |w| w.write_all(src.as_bytes())) {
            eprintln!(
                "petmr demo: {}: cannot write a copy of the script: {e}",
                p.display()
            );
            return 1;
        }
    }
    let out = dir.join("derivatives").join("petmr");
    let args = [dir.display().to_string(), out.display().to_string()];
    let mut failed = Vec::new();
    for (name, src) in petmr::script::saved::SCRIPTS {
        let shown = format!("scripts/{name}.rhai");
        petmr::fsutil::print_line(&format!("\n=== {shown} ==="));
        if petmr::repl::run_source(src, &shown, &args) != 0 {
            failed.push(shown);
        }
    }
    petmr::fsutil::print_line(&format!(
        "\npetmr demo finished in {:.1} s\n  study:   {}\n  results: {} (lesion table lesions.csv/.parquet, maps, tables, figures)\n  scripts: {} (copies of the {} built-in scripts{}; edit one and rerun it with `petmr run {}/table2.rhai {}`)",
        t0.elapsed().as_secs_f64(),
        dir.display(),
        out.display(),
        copies.display(),
        petmr::script::saved::SCRIPTS.len(),
        if kept > 0 { format!(", {kept} already there and left as they were") } else { String::new() },
        copies.display(),
        dir.display()
    ));
    if failed.is_empty() {
        0
    } else {
        eprintln!(
            "petmr demo: {} script(s) failed: {}",
            failed.len(),
            failed.join(", ")
        );
        1
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match (cli.expr, cli.cmd) {
        (Some(_), Some(_)) => {
            eprintln!("petmr: -e cannot be combined with a subcommand");
            2
        }
        (Some(e), None) => petmr::repl::eval_print(&e),
        (None, Some(Cmd::Run { file, args })) => petmr::repl::run_file(&file, &args),
        (
            None,
            Some(Cmd::Synth {
                dir,
                seed,
                size,
                noise,
            }),
        ) => synth(&dir, seed, &size, noise),
        (None, Some(Cmd::Demo { dir })) => demo(&dir),
        (None, None) => petmr::repl::repl(),
    };
    ExitCode::from(code as u8)
}
