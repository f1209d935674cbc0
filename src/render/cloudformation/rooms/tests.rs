//! The rooms written straight into a template's text against the same rooms built as a tree
//! and written by the general writers (`room_resources`, `room_outputs`, `template`), on random
//! rooms whose strings hold what each format must quote or escape.

use crate::model::{Access, Deployment, MessageReviewHandler, Room, Tags};
use crate::policy::plan;
use crate::render::TemplateFormat;
use crate::spec::load::Origin;
use crate::spec::types::FallbackResult;

use super::super::{
    Parameters, Reference, configuration_arns, room_description, room_outputs, room_parameters,
    room_resources, room_text, serialize_doc, template,
};

/// Strings a YAML or JSON writer must treat with care, and ordinary ones.
const STRINGS: &[&str] = &[
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
];

struct Draw(u64);

impl Draw {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn string(&mut self) -> String {
        let mut s = STRINGS[self.next(STRINGS.len())].to_owned();
        if self.next(3) == 0 {
            s.push_str(STRINGS[self.next(STRINGS.len())]);
        }
        s
    }
}

fn room(draw: &mut Draw, i: usize, configurations: &[&str]) -> Room {
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

fn by_tree(dep: &Deployment, rooms: &[&Room], order: &[String], format: TemplateFormat) -> String {
    let policies = plan::for_deployment(dep);
    let arns = configuration_arns(rooms, Reference::Import);
    let Parameters {
        parameters,
        conditions,
    } = room_parameters();
    let doc = template(
        dep,
        &policies,
        room_description(dep, 2),
        room_resources(rooms, &arns).collect(),
        room_outputs(rooms).collect(),
        order,
        Parameters {
            parameters,
            conditions,
        },
    );
    serialize_doc(&doc, format, 0)
}

#[test]
fn rooms_written_straight_read_as_the_tree_writes_them() {
    let configurations = ["archive", "tail", "stream-${x}", "we: ird"];
    let mut draw = Draw(0x9e37_79b9_7f4a_7c15);
    let mut cases = 0;
    for case in 0..120 {
        let dep = Deployment {
            account: "111122223333".to_owned(),
            region: "eu-west-1".to_owned(),
            destinations: Vec::new(),
            logging_configurations: Vec::new(),
            rooms: Vec::new(),
            bots: Vec::new(),
            access: Access::default(),
        };
        let rooms: Vec<Room> = (0..draw.next(6))
            .map(|i| room(&mut draw, case * 10 + i, &configurations))
            .collect();
        let refs: Vec<&Room> = rooms.iter().collect();
        let order = vec!["cloudformation/a.json".to_owned(), "b".to_owned()];
        let policies = plan::for_deployment(&dep);
        for format in [TemplateFormat::Json, TemplateFormat::Yaml] {
            let straight = room_text(&dep, &policies, &refs, 2, &order, format, 0).unwrap();
            assert_eq!(
                straight,
                by_tree(&dep, &refs, &order, format),
                "case {case}, {format:?}"
            );
            cases += 1;
        }
    }
    assert_eq!(cases, 240);
}
