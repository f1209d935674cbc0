//! Random rooms for the tests that hold a writer of rooms straight into a template's text to
//! the general writer of the same rooms: strings that YAML, JSON and HCL must each quote or
//! escape, and ordinary ones.

use crate::dice::Dice;
use crate::model::{Logging, MessageReviewHandler, Room, RoomTags, Tags};
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

/// One of [`STRINGS`], sometimes two joined.
pub(crate) fn string(dice: &mut Dice) -> String {
    let mut s = STRINGS[dice.below(STRINGS.len())].to_owned();
    if dice.below(3) == 0 {
        s.push_str(STRINGS[dice.below(STRINGS.len())]);
    }
    s
}

/// A random room that logs to some of a deployment's `configurations` (how many it has).
pub(crate) fn room(dice: &mut Dice, i: usize, configurations: usize) -> Room {
    let key = format!("room-{i}");
    let logging = if configurations == 0 {
        Logging::default()
    } else {
        Logging::new((0..dice.below(4)).map(|_| dice.below(configurations))).unwrap_or_default()
    };
    // Some tags under the room's own, as `defaults.tags` are, keys from the same few strings so
    // that some are set on both sides.
    let mut tags = [Tags::new(), Tags::new()];
    for side in &mut tags {
        for _ in 0..dice.below(4) {
            side.insert(string(dice), string(dice));
        }
    }
    let [defaults, own] = tags;
    Room {
        // No name (the key is the name), the key given as the name, or a name of its own.
        given_name: match dice.below(3) {
            0 => None,
            1 => Some(key.clone()),
            _ => Some(string(dice)),
        },
        logical_id: format!("RoomRoom{i}C0FFEE"),
        key: if dice.below(4) == 0 {
            string(dice)
        } else {
            key
        },
        logging,
        maximum_message_length: (dice.below(2) == 0).then(|| dice.below(500) as u32 + 1),
        maximum_message_rate_per_second: (dice.below(2) == 0).then(|| dice.below(100) as u32),
        message_review_handler: (dice.below(3) == 0).then(|| {
            Box::new(MessageReviewHandler {
                uri: string(dice),
                fallback_result: if dice.below(2) == 0 {
                    FallbackResult::Allow
                } else {
                    FallbackResult::Deny
                },
            })
        }),
        tags: RoomTags::new(std::sync::Arc::new(defaults), own),
        origin: Origin {
            file: 0,
            pointer: String::new(),
        },
    }
}
