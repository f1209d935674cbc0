//! The `chatlog` binary: parses arguments, reads files, calls the library, prints, and maps the
//! outcome to an exit code. Nothing else lives here.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use chatlog::cli::{Cli, Command};
use chatlog::report::{self, Format};
use chatlog::spec::load::Input;
use chatlog::spec::schema::SCHEMA_TEXT;

const CLEAN: u8 = 0;
const FINDINGS: u8 = 1;
const FAILURE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            FAILURE
        }
    };
    ExitCode::from(code)
}

fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Validate {
            specs,
            format,
            deny_warnings,
        } => {
            let inputs = read_inputs(&specs)?;
            let validation = chatlog::validate::validate(inputs);
            let text = match format {
                Format::Text => {
                    let style = report::human::Style { color: use_color() };
                    report::human::render(
                        &validation.diagnostics,
                        &validation.sources,
                        &validation.summary,
                        &style,
                    )
                }
                Format::Json => report::json::render(&validation.diagnostics, &validation.summary),
            };
            print(&text)?;
            let findings = validation.has_errors() || (deny_warnings && validation.has_warnings());
            Ok(if findings { FINDINGS } else { CLEAN })
        }
        Command::Schema => {
            print(SCHEMA_TEXT)?;
            Ok(CLEAN)
        }
        Command::Init { path } => {
            chatlog::init::write_starter(&path).map_err(|e| e.to_string())?;
            let _ = writeln!(
                std::io::stderr(),
                "wrote {}; check it with `chatlog validate {}`",
                path.display(),
                path.display()
            );
            Ok(CLEAN)
        }
    }
}

fn read_inputs(paths: &[std::path::PathBuf]) -> Result<Vec<Input>, String> {
    paths
        .iter()
        .map(|path| {
            let bytes = read(path)?;
            Ok(Input {
                name: path.display().to_string(),
                bytes,
            })
        })
        .collect()
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    if path.is_dir() {
        return Err(format!(
            "`{}` is a directory; give spec files",
            path.display()
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read `{}`: {}", path.display(), io_reason(&e)))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

/// Color only on a terminal, and never with NO_COLOR set (https://no-color.org).
fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn print(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`chatlog ... | head`) is not the tool failing.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write output: {e}")),
    }
}
