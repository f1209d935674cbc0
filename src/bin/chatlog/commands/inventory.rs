//! `chatlog inventory`: every logging configuration and room of the account's regions, as a
//! table, JSON, JSON lines or CSV (read-only).

use crate::args::AwsArgs;
use crate::error::CliError;

/// The `--help` epilogue of the commands that only read an account (inventory, import).
pub const LIVE_HELP: &str = "\
Credentials come from the standard chain (environment, --profile, SSO, instance roles);
AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> point clients elsewhere (LocalStack, a test
server). Calls are paced at the IVS Chat API quotas and retried on throttling and 5xx.

Exit codes:
  0  done
  2  usage, I/O or AWS error (the message names the operation, resource and AWS error code)";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    aws: AwsArgs,
    /// Regions to list; default: the region of the profile or environment
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    format: InventoryFormat,
}

/// Inventory formats as the command line spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InventoryFormat {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON document: `{"logging_configurations": [...], "rooms": [...]}`.
    Json,
    /// One JSON object per line, each with a `resource` field.
    Jsonl,
    /// RFC 4180 CSV with a `resource` column; cells of the other kind are empty.
    Csv,
}

#[cfg(feature = "aws")]
impl From<InventoryFormat> for chatlog::report::inventory::InventoryFormat {
    fn from(f: InventoryFormat) -> Self {
        use chatlog::report::inventory::InventoryFormat as Library;
        match f {
            InventoryFormat::Table => Library::Table,
            InventoryFormat::Json => Library::Json,
            InventoryFormat::Jsonl => Library::Jsonl,
            InventoryFormat::Csv => Library::Csv,
        }
    }
}

#[cfg(not(feature = "aws"))]
pub fn run(_: Args) -> Result<u8, CliError> {
    super::without_aws()
}

#[cfg(feature = "aws")]
pub fn run(args: Args) -> Result<u8, CliError> {
    use super::live::{read_all, runtime};
    let inventories = runtime()?.block_on(read_all(&args.aws, &args.regions, false))?;
    crate::io::print(&chatlog::report::inventory::render(
        &inventories,
        args.format.into(),
    ))?;
    Ok(crate::CLEAN)
}
