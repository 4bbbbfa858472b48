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
        (None, None) => petmr::repl::repl(),
    };
    ExitCode::from(code as u8)
}
