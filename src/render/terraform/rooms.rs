//! A room's `aws_ivschat_room` block written straight into the module's text. Built as an
//! [`hcl::Block`](super::hcl::Block) of attributes and expressions, each room took about 17,000
//! instructions and 22 allocations more to build, lay out and drop, most of a Terraform render
//! (issue 17). The text is byte for byte what the general writer makes of [`super::room`]'s
//! block (the tests compare the two on random rooms): the same quoting, the same alignment of
//! `=` over each run of single-line attributes, the same rule for a list on one line.

use crate::model::Room;
use crate::render::yaml::spaces;

use super::hcl::{INLINE_LIST_MAX, Ident, object_key, quote_into};

const NAME: &str = "name";
const LOGGING: &str = "logging_configuration_identifiers";
const LENGTH: &str = "maximum_message_length";
const RATE: &str = "maximum_message_rate_per_second";

/// The reference to each logging configuration's ARN, by its key, in the deployment's order:
/// built once a deployment, not once a room's reference (issue 17).
pub(super) fn configuration_references<'k>(keys: impl IntoIterator<Item = &'k str>) -> Vec<String> {
    keys.into_iter()
        .map(|key| {
            format!(
                "aws_ivschat_logging_configuration.{}.arn",
                Ident::from_key(key).as_str()
            )
        })
        .collect()
}

/// The room's block at the top level of a module, and its line end. `references` are
/// [`configuration_references`] of the room's deployment; `list` is a buffer reused from room to
/// room.
pub(super) fn write_room(out: &mut String, r: &Room, references: &[String], list: &mut String) {
    let references = || r.logging.positions().filter_map(|at| references.get(at));
    out.push_str("resource \"aws_ivschat_room\" ");
    quote_into(out, Ident::from_key(&r.key).as_str());
    out.push_str(" {\n");
    // The references on one line, as the general writer tries them first.
    list.clear();
    list.push('[');
    for (i, reference) in references().enumerate() {
        if i > 0 {
            list.push_str(", ");
        }
        list.push_str(reference);
    }
    list.push(']');
    let limits = [
        (LENGTH, r.maximum_message_length),
        (RATE, r.maximum_message_rate_per_second),
    ];
    // A run of single-line attributes aligns its `=` one column after its longest key; a
    // value on lines of its own (the list, where it does not fit on one) ends the run.
    let limit_widths = || {
        limits
            .iter()
            .filter(|(_, n)| n.is_some())
            .map(|(key, _)| key.len())
    };
    if list.chars().count() <= INLINE_LIST_MAX {
        let width = limit_widths()
            .chain([NAME.len(), LOGGING.len()])
            .max()
            .unwrap_or(0);
        assign(out, 1, NAME, width, |out| quote_into(out, r.name()));
        assign(out, 1, LOGGING, width, |out| out.push_str(list));
        write_limits(out, &limits, width);
    } else {
        assign(out, 1, NAME, NAME.len(), |out| quote_into(out, r.name()));
        out.push_str("  ");
        out.push_str(LOGGING);
        out.push_str(" = [\n");
        for reference in references() {
            out.push_str("    ");
            out.push_str(reference);
            out.push_str(",\n");
        }
        out.push_str("  ]\n");
        write_limits(out, &limits, limit_widths().max().unwrap_or(0));
    }
    if let Some(h) = &r.message_review_handler {
        out.push_str("\n  message_review_handler {\n");
        let width = "fallback_result".len();
        assign(out, 2, "uri", width, |out| quote_into(out, &h.uri));
        assign(out, 2, "fallback_result", width, |out| {
            quote_into(out, h.fallback_result.as_str());
        });
        out.push_str("  }\n");
    }
    if !r.tags.is_empty() {
        out.push_str("\n  tags = {\n");
        let keys: Vec<_> = r.tags.iter().map(|(k, _)| object_key(k)).collect();
        let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
        for (key, (_, value)) in keys.iter().zip(r.tags.iter()) {
            spaces(out, 4);
            out.push_str(key);
            spaces(out, width.saturating_sub(key.chars().count()));
            out.push_str(" = ");
            quote_into(out, value);
            out.push('\n');
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
}

/// The message limits the room sets, in a run aligned at `width`.
fn write_limits(out: &mut String, limits: &[(&str, Option<u32>)], width: usize) {
    for (key, n) in limits {
        if let Some(n) = n {
            assign(out, 1, key, width, |out| {
                out.push_str(itoa::Buffer::new().format(*n));
            });
        }
    }
}

/// `key = value` at `level`, the `=` one column after `width` (an ASCII key's length).
fn assign(
    out: &mut String,
    level: usize,
    key: &str,
    width: usize,
    value: impl FnOnce(&mut String),
) {
    spaces(out, 2 * level);
    out.push_str(key);
    spaces(out, width.saturating_sub(key.len()));
    out.push_str(" = ");
    value(out);
    out.push('\n');
}

#[cfg(test)]
mod tests;
