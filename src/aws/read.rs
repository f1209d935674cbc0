//! Reading one account and region into a `RegionInventory`: both listings, and, when the caller
//! needs message limits (import, plan), a GetRoom per room, run concurrently under the pacer.

use std::time::{Duration, SystemTime};

use aws_sdk_ivschat::primitives::{DateTime, DateTimeFormat};
use tokio::task::JoinSet;

/// Rooms updated this close to the read are not cached: it covers timestamps with whole
/// seconds and a modest clock difference between this machine and AWS.
const CLOCK_MARGIN: Duration = Duration::from_secs(30);

use super::chat::ChatApi;
use super::error::AwsError;
use crate::live::RegionInventory;
use crate::live::cache::RoomCache;

/// Progress reports for a terminal.
pub trait Progress: Send + Sync {
    fn rooms_listed(&self, region: &str, count: usize);
    fn rooms_read(&self, region: &str, done: usize, total: usize);
}

impl Progress for () {
    fn rooms_listed(&self, _: &str, _: usize) {}
    fn rooms_read(&self, _: &str, _: usize, _: usize) {}
}

pub async fn read_region<C: ChatApi>(
    chat: &C,
    account: &str,
    region: &str,
    room_details: bool,
    progress: &dyn Progress,
    mut cache: Option<&mut RoomCache>,
) -> Result<RegionInventory, AwsError> {
    let logging_configurations = chat.list_logging_configurations().await?;
    let mut rooms = chat
        .list_rooms(&|n| progress.rooms_listed(region, n))
        .await?;
    if room_details {
        let mut tasks = JoinSet::new();
        for (i, room) in rooms.iter_mut().enumerate() {
            if cache.as_ref().is_some_and(|c| c.fill(room)) {
                continue;
            }
            let chat = chat.clone();
            let arn = room.arn.clone();
            tasks.spawn(async move { (i, chat.get_room(arn).await) });
        }
        let total = tasks.len();
        let mut done = 0;
        let mut first_error = None;
        while let Some(joined) = tasks.join_next().await {
            let Ok((i, result)) = joined else {
                continue;
            };
            match result {
                Ok(full) => {
                    if let Some(slot) = rooms.get_mut(i) {
                        *slot = full;
                    }
                }
                // A room deleted between the listing and the read is simply gone.
                Err(e) if e.status == Some(404) => {
                    if let Some(slot) = rooms.get_mut(i) {
                        slot.arn.clear();
                    }
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                    tasks.abort_all();
                }
            }
            done += 1;
            progress.rooms_read(region, done, total);
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        rooms.retain(|r| !r.arn.is_empty());
        if let Some(cache) = cache.as_mut() {
            let settled = DateTime::from(SystemTime::now() - CLOCK_MARGIN)
                .fmt(DateTimeFormat::DateTime)
                .unwrap_or_default();
            cache.remember(&rooms, &settled);
        }
    }
    Ok(RegionInventory {
        account: account.to_owned(),
        region: region.to_owned(),
        logging_configurations,
        rooms,
    })
}
