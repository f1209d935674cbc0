//! The `chatlog` binary: parses arguments, reads files, calls the library, prints, and maps the
//! outcome to an exit code. Nothing else lives here.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

#[cfg(feature = "aws")]
mod apply_command;
mod baseline_command;
mod check_command;
mod cli;
mod graph_command;
#[cfg(feature = "aws")]
mod live_command;
#[cfg(feature = "aws")]
mod live_view;
mod render_command;
mod verify_command;

use crate::cli::{Cli, Command, PolicyCommand};
use chatlog::report;
use chatlog::spec::load::Input;
use chatlog::spec::schema::SCHEMA_TEXT;

// Rendering a large spec is mostly small allocations; mimalloc halves their cost (issue 17).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub(crate) const CLEAN: u8 = 0;
pub(crate) const FINDINGS: u8 = 1;
pub(crate) const FAILURE: u8 = 2;

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
            let text = report::render(
                format.into(),
                &validation.diagnostics,
                &validation.sources,
                &validation.summary,
                color(&std::io::stdout()),
            );
            print(&text)?;
            let findings = validation.has_errors() || (deny_warnings && validation.has_warnings());
            Ok(if findings { FINDINGS } else { CLEAN })
        }
        Command::Check {
            specs,
            against,
            target,
            template_format,
            format,
        } => check_command::check(check_command::CheckRequest {
            specs,
            against,
            targets: target.targets(),
            template_format: template_format.to_render(),
            format: format.into(),
        }),
        Command::Render {
            specs,
            target,
            out,
            format,
            diagnostics_format,
        } => render_command::render(render_command::RenderRequest {
            specs,
            target,
            out,
            format,
            diagnostics_format: diagnostics_format.into(),
        }),
        Command::Graph {
            specs,
            format,
            deployment,
            out,
            diagnostics_format,
        } => graph_command::graph(graph_command::GraphRequest {
            specs,
            format,
            deployment,
            out,
            diagnostics_format: diagnostics_format.into(),
        }),
        Command::Policy(PolicyCommand::Merge {
            specs,
            bucket,
            into,
            write,
            diagnostics_format,
        }) => render_command::policy_merge(render_command::MergeRequest {
            specs,
            bucket,
            into,
            write,
            diagnostics_format: diagnostics_format.into(),
        }),
        Command::Policy(PolicyCommand::Verify {
            specs,
            bucket_policies,
            logs_policies,
            format,
            baseline,
        }) => verify_command::verify(verify_command::VerifyRequest {
            specs,
            bucket_policies,
            logs_policies,
            format: format.into(),
            baseline,
        }),
        Command::Schema => {
            print(SCHEMA_TEXT)?;
            Ok(CLEAN)
        }
        #[cfg(feature = "aws")]
        Command::Inventory {
            aws,
            regions,
            format,
        } => live_command::inventory(aws, regions, format.into()),
        #[cfg(feature = "aws")]
        Command::Import {
            aws,
            regions,
            out,
            force,
        } => live_command::import(aws, regions, out, force),
        #[cfg(feature = "aws")]
        Command::Plan {
            specs,
            aws,
            prune,
            format,
            detailed_exitcode,
        } => apply_command::plan(specs, aws, prune, format, detailed_exitcode),
        #[cfg(feature = "aws")]
        Command::Apply {
            specs,
            aws,
            auto_approve,
            prune,
            audit_log,
            wait_timeout,
            format,
        } => apply_command::apply(apply_command::ApplyRequest {
            specs,
            aws,
            auto_approve,
            prune,
            audit_log,
            wait_timeout,
            format,
        }),
        #[cfg(feature = "aws")]
        Command::Drift {
            specs,
            aws,
            format,
            explain,
            baseline,
        } => apply_command::drift(specs, aws, format, explain, baseline),
        #[cfg(not(feature = "aws"))]
        Command::Inventory { .. }
        | Command::Import { .. }
        | Command::Plan { .. }
        | Command::Apply { .. }
        | Command::Drift { .. } => Err(
            "this chatlog was built without the AWS commands (`--no-default-features`): use a release binary, or build with the `aws` feature"
                .to_owned(),
        ),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "chatlog", &mut script);
            print(&String::from_utf8_lossy(&script))?;
            Ok(CLEAN)
        }
        Command::Man { command } => {
            print(&man_page(&command)?)?;
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

/// The man page of `chatlog` or of one of its commands (`["policy", "verify"]`), in roff.
fn man_page(path: &[String]) -> Result<String, String> {
    let mut command = Cli::command();
    // Building gives each subcommand its display name (`chatlog-policy-verify`), the page title.
    command.build();
    for word in path {
        let known: Vec<String> = command
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .filter(|name| name != "help")
            .collect();
        command = command.find_subcommand(word).cloned().ok_or_else(|| {
            let hint = chatlog::suggest::did_you_mean(word, known.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            format!(
                "`{}` has no command `{word}`{hint} (its commands: {})",
                command.get_display_name().unwrap_or("chatlog"),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )
        })?;
    }
    let mut page = Vec::new();
    // A command's page is titled with the version too, as chatlog(1) is.
    let command = command.version(env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|e| format!("cannot render the man page: {e}"))?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}

pub(crate) fn read_inputs(paths: &[std::path::PathBuf]) -> Result<Vec<Input>, String> {
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
    // One byte past the loader's limit is enough for it to refuse the file: a huge file (or
    // /dev/zero) is never read whole.
    let limit = u64::try_from(chatlog::spec::load::MAX_SPEC_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, limit), &mut bytes))
        .map(|_| bytes)
        .map_err(|e| format!("cannot read `{}`: {}", path.display(), io_reason(&e)))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

/// Color only when `stream` is a terminal, and never with NO_COLOR set (https://no-color.org).
pub(crate) fn color(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub(crate) fn print(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`chatlog ... | head`) is not the tool failing.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write output: {e}")),
    }
}
