//! The `Resources` and `Outputs` of a template, written straight into its text. Building each
//! room as a tree of [`Doc`](super::Doc)s, writing it and dropping it again was about a third
//! of a 5,000-room render, and writing the same keys (`"Type"`, `"Properties"`) through the
//! general writers for every room was another part (issue 17). The text is byte for byte what
//! [`super::room_resources`] and [`super::room_outputs`] come to through the writers, among the
//! template's other resources and outputs (the tests compare the two on random rooms): only the
//! rooms' own strings are written per room, by the writers' own pieces, and everything else is
//! written once per template.

use serde_json::{Map, Value};

use crate::model::Room;
use crate::render::TemplateFormat;
use crate::render::json;
use crate::render::yaml::{pieces, spaces};

use super::{holds_substitution, literal, push_arn_output_id, references};

/// What a template's `Resources` and `Outputs` hold: the resources that are not rooms, then the
/// rooms; the outputs before the rooms' ARNs, those, then the outputs after them.
pub(super) struct Sections<'a> {
    pub resources: &'a Map<String, Value>,
    pub rooms: &'a [&'a Room],
    /// The reference to each of the deployment's logging configurations, in their order.
    pub arns: &'a [Value],
    pub outputs_before: &'a Map<String, Value>,
    pub outputs_after: &'a Map<String, Value>,
}

impl Sections<'_> {
    fn no_resources(&self) -> bool {
        self.resources.is_empty() && self.rooms.is_empty()
    }

    fn no_outputs(&self) -> bool {
        self.outputs_before.is_empty() && self.rooms.is_empty() && self.outputs_after.is_empty()
    }
}

/// `Resources` and `Outputs` (where it has any), the last two entries of a template's top
/// mapping, appended to `out`, which ends after the entry before them.
pub(super) fn write_sections(out: &mut String, sections: &Sections<'_>, format: TemplateFormat) {
    match format {
        TemplateFormat::Json => Json::new(sections.arns).sections(out, sections),
        TemplateFormat::Yaml => Yaml::new(sections.arns).sections(out, sections),
    }
}

/// A key as the writers spell it, at its indent, then what comes between it and its value.
fn key_line(out: &mut String, indent: usize, key: &str, format: TemplateFormat) {
    spaces(out, indent);
    match format {
        TemplateFormat::Json => {
            json::write_str(out, key);
            out.push_str(": ");
        }
        TemplateFormat::Yaml => {
            pieces::key(out, key);
            out.push(':');
        }
    }
}

/// The fixed keys of a room's entries, each as [`key_line`] writes it at its indent: written
/// once per template, so that per room only the room's own strings go through the writers.
struct KeyLines {
    name: String,
    logging: String,
    length: String,
    rate: String,
    tags: String,
    tag_key: String,
    tag_value: String,
    description: String,
}

impl KeyLines {
    /// `property` is the indent of a room's properties, `tag` of a tag's entries and `output`
    /// of an output's.
    fn new(format: TemplateFormat, property: usize, tag: usize, output: usize) -> Self {
        let line = |indent, key| {
            let mut text = String::new();
            key_line(&mut text, indent, key, format);
            text
        };
        KeyLines {
            name: line(property, "Name"),
            logging: line(property, "LoggingConfigurationIdentifiers"),
            length: line(property, "MaximumMessageLength"),
            rate: line(property, "MaximumMessageRatePerSecond"),
            tags: line(property, "Tags"),
            tag_key: line(tag, "Key"),
            tag_value: line(tag, "Value"),
            description: line(output, "Description"),
        }
    }
}

/// The description of a room's ARN output, ``ARN of room `key` ``, in one reused buffer.
fn description<'b>(buffer: &'b mut String, key: &str) -> &'b str {
    buffer.clear();
    buffer.push_str("ARN of room `");
    buffer.push_str(key);
    buffer.push('`');
    buffer
}

/// The id of a room's ARN output, in one reused buffer.
fn output_id<'b>(buffer: &'b mut String, room: &Room) -> &'b str {
    buffer.clear();
    push_arn_output_id(buffer, &room.logical_id);
    buffer
}

/// JSON, as `serde_json::to_string_pretty` lays it out: the top mapping's entries at depth 1,
/// each room at depth 2, its properties at depth 3.
struct Json {
    /// Each configuration's reference written as an item of a room's identifiers (depth 5).
    arns: Vec<String>,
    keys: KeyLines,
}

impl Json {
    fn new(arns: &[Value]) -> Self {
        Json {
            arns: arns
                .iter()
                .map(|arn| {
                    let mut text = String::new();
                    json::write_value(&mut text, arn, 5);
                    text
                })
                .collect(),
            keys: KeyLines::new(TemplateFormat::Json, 8, 12, 6),
        }
    }

    /// An empty `Resources` is `{}`; a template without outputs has no `Outputs`.
    fn sections(&self, out: &mut String, s: &Sections<'_>) {
        out.push_str(",\n");
        key_line(out, 2, "Resources", TemplateFormat::Json);
        if s.no_resources() {
            out.push_str("{}");
        } else {
            let mut entries = Collection::open(out);
            for (key, value) in s.resources {
                json_entry(entries.next(out), key, value);
            }
            let mut buffer = String::new();
            write_rooms(
                out,
                s.rooms,
                |out, room| self.resource(entries.next(out), room),
                |out, room| output(out, room, &self.keys, &mut buffer),
            );
            Collection::close(out);
        }
        if !s.no_outputs() {
            out.push_str(",\n");
            key_line(out, 2, "Outputs", TemplateFormat::Json);
            let mut entries = Collection::open(out);
            for (key, value) in s.outputs_before {
                json_entry(entries.next(out), key, value);
            }
            let mut buffer = String::new();
            for room in s.rooms {
                output(entries.next(out), room, &self.keys, &mut buffer);
            }
            for (key, value) in s.outputs_after {
                json_entry(entries.next(out), key, value);
            }
            Collection::close(out);
        }
        out.push_str("\n}\n");
    }

    fn resource(&self, out: &mut String, room: &Room) {
        key_line(out, 4, &room.logical_id, TemplateFormat::Json);
        out.push_str("{\n      \"Type\": \"AWS::IVSChat::Room\",\n      \"Properties\": {\n");
        out.push_str(&self.keys.name);
        json::write_str(out, room.name());
        if !room.logging.is_empty() {
            out.push_str(",\n");
            out.push_str(&self.keys.logging);
            let mut ids = references(room, &self.arns).map(String::as_str).peekable();
            if ids.peek().is_none() {
                out.push_str("[]");
            } else {
                out.push('[');
                for (i, text) in ids.enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    spaces(out, 10);
                    out.push_str(text);
                }
                out.push('\n');
                spaces(out, 8);
                out.push(']');
            }
        }
        for (key, n) in [
            (&self.keys.length, room.maximum_message_length),
            (&self.keys.rate, room.maximum_message_rate_per_second),
        ] {
            if let Some(n) = n {
                out.push_str(",\n");
                out.push_str(key);
                out.push_str(itoa::Buffer::new().format(n));
            }
        }
        if let Some(h) = &room.message_review_handler {
            out.push_str(",\n");
            key_line(out, 8, "MessageReviewHandler", TemplateFormat::Json);
            json::write_value(out, &super::review_handler(h), 4);
        }
        if !room.tags.is_empty() {
            out.push_str(",\n");
            out.push_str(&self.keys.tags);
            out.push('[');
            for (i, (k, v)) in room.tags.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                spaces(out, 10);
                out.push_str("{\n");
                out.push_str(&self.keys.tag_key);
                json_literal(out, k);
                out.push_str(",\n");
                out.push_str(&self.keys.tag_value);
                json_literal(out, v);
                out.push('\n');
                spaces(out, 10);
                out.push('}');
            }
            out.push('\n');
            spaces(out, 8);
            out.push(']');
        }
        out.push_str("\n      }\n    }");
    }
}

/// Each room's resource written by `resource`, `out` grown once the first is written to hold
/// every room and its output (which `output` writes, here only to measure the first's) as large
/// as the first's, and 4 KiB besides for what follows them. Rooms are most of a template: a text
/// grown by doubling from the head was copied at every step, 8 M instructions of a 5,000-room
/// spec in 30 deployments (issue 17).
fn write_rooms(
    out: &mut String,
    rooms: &[&Room],
    mut resource: impl FnMut(&mut String, &Room),
    mut output: impl FnMut(&mut String, &Room),
) {
    for (i, room) in rooms.iter().enumerate() {
        let start = out.len();
        resource(out, room);
        if i == 0 {
            let written = out.len() - start;
            let mut aside = String::new();
            output(&mut aside, room);
            out.reserve((rooms.len() - 1) * written + rooms.len() * aside.len() + 4_096);
        }
    }
}

/// A non-empty mapping at depth 1, as the writers lay one out: each entry on a line of its own.
struct Collection {
    any: bool,
}

impl Collection {
    fn open(out: &mut String) -> Self {
        out.push('{');
        Collection { any: false }
    }

    /// Where the next entry goes.
    fn next<'o>(&mut self, out: &'o mut String) -> &'o mut String {
        out.push_str(if self.any { ",\n" } else { "\n" });
        self.any = true;
        out
    }

    fn close(out: &mut String) {
        out.push('\n');
        spaces(out, 2);
        out.push('}');
    }
}

/// An entry of a mapping at depth 1 that is not a room's, as the writers write it.
fn json_entry(out: &mut String, key: &str, value: &Value) {
    key_line(out, 4, key, TemplateFormat::Json);
    json::write_value(out, value, 2);
}

/// A tag's key or value at depth 6: the string, or its `Fn::Join` where it holds `${`.
fn json_literal(out: &mut String, s: &str) {
    if holds_substitution(s) {
        json::write_value(out, &literal(s), 6);
    } else {
        json::write_str(out, s);
    }
}

/// A room's ARN output, an entry at depth 1.
fn output(out: &mut String, room: &Room, keys: &KeyLines, buffer: &mut String) {
    key_line(out, 4, output_id(buffer, room), TemplateFormat::Json);
    out.push_str("{\n");
    out.push_str(&keys.description);
    json::write_str(out, description(buffer, &room.key));
    out.push_str(",\n      \"Value\": {\n        \"Fn::GetAtt\": [\n");
    spaces(out, 10);
    json::write_str(out, &room.logical_id);
    out.push_str(",\n          \"Arn\"\n        ]\n      }\n    }");
}

/// YAML in block style, as [`crate::render::yaml`]'s writer lays it out: the top mapping's
/// keys at column 0, each room's at 2, its properties' at 6.
struct Yaml {
    /// Each configuration's reference written as an item of a room's identifiers, dash and all.
    arns: Vec<String>,
    /// `Fn::GetAtt` as a key at column 6 (the writers quote it), and the first dash after it.
    get_att: String,
    keys: KeyLines,
}

impl Yaml {
    fn new(arns: &[Value]) -> Self {
        let mut get_att = String::new();
        key_line(&mut get_att, 6, "Fn::GetAtt", TemplateFormat::Yaml);
        get_att.push_str("\n      - ");
        Yaml {
            arns: arns
                .iter()
                .map(|arn| {
                    let mut text = String::new();
                    spaces(&mut text, 6);
                    pieces::item(&mut text, arn, 6);
                    text
                })
                .collect(),
            get_att,
            // A tag's keys are written where the cursor is, after its dash or its indent.
            keys: KeyLines::new(TemplateFormat::Yaml, 6, 0, 4),
        }
    }

    fn sections(&self, out: &mut String, s: &Sections<'_>) {
        if s.no_resources() {
            out.push_str("Resources: {}\n");
        } else {
            out.push_str("Resources:\n");
            yaml_entries(out, s.resources);
            let mut buffer = String::new();
            write_rooms(
                out,
                s.rooms,
                |out, room| self.resource(out, room),
                |out, room| self.output(out, room, &mut buffer),
            );
        }
        if !s.no_outputs() {
            out.push_str("Outputs:\n");
            yaml_entries(out, s.outputs_before);
            let mut buffer = String::new();
            for room in s.rooms {
                self.output(out, room, &mut buffer);
            }
            yaml_entries(out, s.outputs_after);
        }
    }

    fn resource(&self, out: &mut String, room: &Room) {
        key_line(out, 2, &room.logical_id, TemplateFormat::Yaml);
        out.push_str("\n    Type: AWS::IVSChat::Room\n    Properties:\n");
        out.push_str(&self.keys.name);
        out.push(' ');
        pieces::string_value(out, room.name());
        out.push('\n');
        if !room.logging.is_empty() {
            out.push_str(&self.keys.logging);
            let mut ids = references(room, &self.arns).map(String::as_str).peekable();
            if ids.peek().is_none() {
                out.push_str(" []\n");
            } else {
                out.push('\n');
                for text in ids {
                    out.push_str(text);
                }
            }
        }
        for (key, n) in [
            (&self.keys.length, room.maximum_message_length),
            (&self.keys.rate, room.maximum_message_rate_per_second),
        ] {
            if let Some(n) = n {
                out.push_str(key);
                out.push(' ');
                out.push_str(itoa::Buffer::new().format(n));
                out.push('\n');
            }
        }
        if let Some(h) = &room.message_review_handler {
            spaces(out, 6);
            pieces::entry(out, "MessageReviewHandler", &super::review_handler(h), 6);
        }
        if !room.tags.is_empty() {
            out.push_str(&self.keys.tags);
            out.push('\n');
            for (k, v) in room.tags.iter() {
                spaces(out, 6);
                out.push_str("- ");
                yaml_literal(out, "Key", &self.keys.tag_key, k);
                spaces(out, 8);
                yaml_literal(out, "Value", &self.keys.tag_value, v);
            }
        }
    }

    fn output(&self, out: &mut String, room: &Room, buffer: &mut String) {
        key_line(out, 2, output_id(buffer, room), TemplateFormat::Yaml);
        out.push('\n');
        out.push_str(&self.keys.description);
        out.push(' ');
        pieces::string_value(out, description(buffer, &room.key));
        out.push_str("\n    Value:\n");
        out.push_str(&self.get_att);
        pieces::string_value(out, &room.logical_id);
        out.push_str("\n      - Arn\n");
    }
}

/// Entries of a mapping at column 2 that are not rooms', as the writers write them.
fn yaml_entries(out: &mut String, entries: &Map<String, Value>) {
    for (key, value) in entries {
        spaces(out, 2);
        pieces::entry(out, key, value, 2);
    }
}

/// `key: value` of a tag at column 8 where the cursor is: the string, or its `Fn::Join` where
/// it holds `${`. `written` is `key` as [`key_line`] writes it.
fn yaml_literal(out: &mut String, key: &str, written: &str, s: &str) {
    if holds_substitution(s) {
        pieces::entry(out, key, &literal(s), 8);
    } else {
        out.push_str(written);
        out.push(' ');
        pieces::string_value(out, s);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests;
