//! What a previous read saw of each room, keyed by ARN and `updateTime`. ListRooms carries
//! everything but the two message limits; a room whose `updateTime` is unchanged since the last
//! GetRoom needs no new GetRoom (DESIGN.md, "Live reads at the quota bound": at 5 GetRoom calls
//! per second, 1,000 rooms take 200 s without it, 4 s with it).
// Only the live engine (feature `aws`) reads and writes these; the lean build keeps the types.
#![cfg_attr(not(feature = "aws"), allow(dead_code))]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::LiveRoom;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomCache {
    /// ARN -> (updateTime, maximumMessageLength, maximumMessageRatePerSecond).
    rooms: BTreeMap<String, (String, u32, u32)>,
}

impl RoomCache {
    /// Reads a cache file's text; anything unreadable is an empty cache (it is only a cache).
    pub fn from_json(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Fills a listed room's message limits if the cache saw it at the same `updateTime`.
    pub fn fill(&self, room: &mut LiveRoom) -> bool {
        let Some(time) = room.update_time.as_ref() else {
            return false;
        };
        match self.rooms.get(&room.arn) {
            Some((seen, length, rate)) if seen == time => {
                room.maximum_message_length = Some(*length);
                room.maximum_message_rate_per_second = Some(*rate);
                true
            }
            _ => false,
        }
    }

    /// Takes a room as a write's own answer describes it (CreateRoom answers with the room as
    /// stored), so that reading it back right after needs no GetRoom while its `updateTime` is
    /// unchanged. Not kept past the next `remember`, which keeps settled rooms only.
    pub fn trust(&mut self, room: &LiveRoom) {
        if let (Some(time), Some(length), Some(rate)) = (
            room.update_time.as_ref(),
            room.maximum_message_length,
            room.maximum_message_rate_per_second,
        ) {
            self.rooms
                .insert(room.arn.clone(), (time.clone(), length, rate));
        }
    }

    /// Remembers the rooms as read now; rooms that are gone are forgotten. A room updated at or
    /// after `settled` (an ISO 8601 UTC time a few seconds before the read) is not remembered:
    /// a second update within the same second would carry the same `updateTime` and be missed.
    pub fn remember(&mut self, rooms: &[LiveRoom], settled: &str) {
        let settled: String = settled.chars().take(19).collect();
        self.rooms = rooms
            .iter()
            .filter(|r| {
                r.update_time
                    .as_ref()
                    .is_some_and(|t| t.chars().take(19).collect::<String>() < settled)
            })
            .filter_map(|r| {
                Some((
                    r.arn.clone(),
                    (
                        r.update_time.clone()?,
                        r.maximum_message_length?,
                        r.maximum_message_rate_per_second?,
                    ),
                ))
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(time: &str, rate: Option<u32>) -> LiveRoom {
        LiveRoom {
            arn: "arn:aws:ivschat:us-west-2:111122223333:room/roomROOMroom".to_owned(),
            id: "roomROOMroom".to_owned(),
            name: "r".to_owned(),
            logging_configuration_identifiers: vec![],
            maximum_message_length: rate.map(|_| 500),
            maximum_message_rate_per_second: rate,
            message_review_handler: None,
            tags: Default::default(),
            create_time: None,
            update_time: Some(time.to_owned()),
        }
    }

    #[test]
    fn a_room_is_filled_only_at_the_same_update_time() {
        let mut cache = RoomCache::default();
        cache.remember(
            &[
                room("2026-11-22T10:00:00Z", Some(20)),
                // Updated too recently to trust its updateTime.
                LiveRoom {
                    arn: "arn:aws:ivschat:us-west-2:111122223333:room/recentRECENT".to_owned(),
                    ..room("2026-11-22T10:00:05.250Z", Some(30))
                },
            ],
            "2026-11-22T10:00:05Z",
        );
        assert_eq!(cache.rooms.len(), 1);
        let cache = RoomCache::from_json(&cache.to_json());
        let mut same = room("2026-11-22T10:00:00Z", None);
        assert!(cache.fill(&mut same));
        assert_eq!(same.maximum_message_rate_per_second, Some(20));
        let mut changed = room("2026-11-22T10:00:01Z", None);
        assert!(!cache.fill(&mut changed));
        assert_eq!(changed.maximum_message_rate_per_second, None);
        assert_eq!(RoomCache::from_json("not json"), RoomCache::default());
    }
}
