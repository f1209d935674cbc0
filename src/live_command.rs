//! `chatlog inventory` and `chatlog import`: read an account through the AWS layer and print or
//! write what the pure `live` module makes of it.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::AwsArgs;
use chatlog::aws::{Connection, Progress, SdkChat, read_region};
use chatlog::live::inventory::{self, InventoryFormat};
use chatlog::live::{RegionInventory, import};
use chatlog::model::Access;

use crate::{CLEAN, print};

/// How to reach AWS, as the command line says (every AWS command: inventory, import, plan,
/// apply, drift).
pub(crate) fn connection(aws: &AwsArgs) -> Connection {
    Connection {
        profile: aws.profile.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        ..Connection::default()
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the async runtime: {e}"))
}

/// The regions named, or the one the profile or environment names.
async fn regions(aws: &AwsArgs, named: &[String]) -> Result<Vec<String>, String> {
    if !named.is_empty() {
        let mut regions = named.to_vec();
        regions.sort();
        regions.dedup();
        return Ok(regions);
    }
    let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(p) = &aws.profile {
        chain = chain.profile_name(p);
    }
    match chain.build().region().await {
        Some(r) => Ok(vec![r.to_string()]),
        None => Err(
            "no region: pass --region (several times for several regions) or set AWS_REGION"
                .to_owned(),
        ),
    }
}

/// Counts on standard error while listing, only when it is a terminal.
struct TerminalProgress;

impl Progress for TerminalProgress {
    fn rooms_listed(&self, region: &str, count: usize) {
        let _ = write!(std::io::stderr(), "\r\x1b[K{region}: {count} rooms listed");
    }
    fn rooms_read(&self, region: &str, done: usize, total: usize) {
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[K{region}: {done}/{total} rooms read"
        );
    }
}

async fn read_all(
    aws: &AwsArgs,
    named: &[String],
    room_details: bool,
) -> Result<Vec<RegionInventory>, String> {
    let connection = connection(aws);
    let terminal = std::io::stderr().is_terminal();
    let progress: &dyn Progress = if terminal { &TerminalProgress } else { &() };
    let mut all = Vec::new();
    for region in regions(aws, named).await? {
        let session = connection
            .session(&Access::default(), &region)
            .await
            .map_err(|e| e.to_string())?;
        let account = session.caller_account().await.map_err(|e| e.to_string())?;
        let chat = SdkChat::new(&session, &account);
        let result = read_region(&chat, &account, &region, room_details, progress, None).await;
        if terminal {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
        all.push(result.map_err(|e| e.to_string())?);
    }
    Ok(all)
}

pub fn inventory(
    aws: AwsArgs,
    regions: Vec<String>,
    format: InventoryFormat,
) -> Result<u8, String> {
    let inventories = runtime()?.block_on(read_all(&aws, &regions, false))?;
    print(&inventory::render(&inventories, format))?;
    Ok(CLEAN)
}

pub fn import(
    aws: AwsArgs,
    regions: Vec<String>,
    out: Option<PathBuf>,
    force: bool,
) -> Result<u8, String> {
    if let Some(path) = out.as_ref().filter(|p| p.exists() && !force) {
        return Err(format!(
            "{} exists; pass --force to replace it, or choose another --out",
            path.display()
        ));
    }
    let inventories = runtime()?.block_on(read_all(&aws, &regions, true))?;
    let imported = import::import(&inventories)?;
    for note in &imported.notes {
        let _ = writeln!(std::io::stderr(), "note: {note}");
    }
    match out {
        Some(path) => write_file(&path, &imported.text, force)?,
        None => print(&imported.text)?,
    }
    Ok(CLEAN)
}

/// Written beside the target and renamed over it, so a failure never leaves half a spec.
fn write_file(path: &std::path::Path, text: &str, force: bool) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| format!("{} is not a file name", path.display()))?;
    let temp = dir.join(format!(".{}.chatlog-tmp", name.to_string_lossy()));
    std::fs::write(&temp, text).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    if !force && path.exists() {
        let _ = std::fs::remove_file(&temp);
        return Err(format!(
            "{} appeared meanwhile; not replaced",
            path.display()
        ));
    }
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {e}", path.display())
    })
}
