//! Random rooms for the tests that hold a writer of rooms straight into a template's text to
//! the general writer of the same rooms: strings that YAML, JSON and HCL must each quote or
//! escape, and ordinary ones.

use crate::model::{MessageReviewHandler, Room, Tags};
use crate::spec::load::Origin;
use crate::spec::types::FallbackResult;

/// Strings a YAML, JSON or HCL writer must treat with care, and ordinary ones.
pub(crate) const STRINGS: &[&str] = &[
    "lobby",
    "room-000001",
    "4711",
    "yes",
    "null",
    "~",
    "",
    " leading",
    "trailing ",
    "a: b",
    "a #b",
    "#",
    "-",
    ".",
    "- item",
    "${AWS::Region}",
    "x${y}z${",
    "quote\"back\\slash",
    "tab\there",
    "line\nbreak",
    "\u{7f}\u{85}\u{2028}",
    "ümlaut 日本",
    "1e3",
    "0x1F",
    "2001-01-01",
    "[flow]",
    "{a: 1}",
    "'single'",
    "*alias",
    "&anchor",
    "!tag",
    "%directive",
    "@at",
    "`tick`",
    "Fn::GetAtt",
    "true",
    "for",
    "%{if x}",
    "$${kept}",
    "dotted.key",
];

pub(crate) struct Draw(pub(crate) u64);

impl Draw {
    pub(crate) fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    pub(crate) fn string(&mut self) -> String {
        let mut s = STRINGS[self.next(STRINGS.len())].to_owned();
        if self.next(3) == 0 {
            s.push_str(STRINGS[self.next(STRINGS.len())]);
        }
        s
    }
}

pub(crate) fn room(draw: &mut Draw, i: usize, configurations: &[&str]) -> Room {
    let key = format!("room-{i}");
    let logging = (0..draw.next(4))
        .map(|_| configurations[draw.next(configurations.len())].to_owned())
        .collect();
    let mut tags = Tags::new();
    for _ in 0..draw.next(4) {
        tags.insert(draw.string(), draw.string());
    }
    Room {
        name: if draw.next(2) == 0 {
            key.clone()
        } else {
            draw.string()
        },
        logical_id: format!("RoomRoom{i}C0FFEE"),
        key: if draw.next(4) == 0 {
            draw.string()
        } else {
            key
        },
        logging,
        maximum_message_length: (draw.next(2) == 0).then(|| draw.next(500) as u32 + 1),
        maximum_message_rate_per_second: (draw.next(2) == 0).then(|| draw.next(100) as u32),
        message_review_handler: (draw.next(3) == 0).then(|| MessageReviewHandler {
            uri: draw.string(),
            fallback_result: if draw.next(2) == 0 {
                FallbackResult::Allow
            } else {
                FallbackResult::Deny
            },
        }),
        tags,
        origin: Origin {
            file: 0,
            pointer: String::new(),
        },
    }
}
