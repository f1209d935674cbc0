//! A room's block written straight into the text against the same room built as an
//! `hcl::Block` (`room`) and written by the general writer, on random rooms: names, keys, tags
//! and handlers with what HCL must quote or escape, reserved words as tag keys, and lists of
//! references that fit on one line and that do not.

use crate::dice::Dice;
use crate::render::hcl;
use crate::render::random_rooms;

use super::super::room;
use super::{configuration_references, write_room};

#[test]
fn rooms_written_straight_read_as_the_general_writer_writes_them() {
    // One reference fits on one line (49 characters), two do not; `${` and `:` make the
    // identifiers long ones of their own.
    let configurations = ["archive", "tail", "stream-${x}", "we: ird"];
    let mut dice = Dice(0x51_7cc1_b727_220a);
    let (mut one_line, mut on_lines, mut handlers, mut tagged) = (0, 0, 0, 0);
    for case in 0..400 {
        let rooms: Vec<_> = (0..1 + dice.below(4))
            .map(|i| random_rooms::room(&mut dice, case * 10 + i, configurations.len()))
            .collect();
        let mut by_blocks = hcl::File::with_header(vec!["header".to_owned()]);
        let mut straight = hcl::File::with_header(vec!["header".to_owned()]);
        let references = configuration_references(configurations);
        let mut list = String::new();
        for r in &rooms {
            by_blocks.push(room(r, &configurations));
            straight.push_written(|out| write_room(out, r, &references, &mut list));
            if list.chars().count() <= hcl::INLINE_LIST_MAX {
                one_line += 1;
            } else {
                on_lines += 1;
            }
            handlers += usize::from(r.message_review_handler.is_some());
            tagged += usize::from(!r.tags.is_empty());
        }
        assert_eq!(straight.render(), by_blocks.render(), "case {case}");
    }
    // Every shape was met.
    for (what, count) in [
        ("lists on one line", one_line),
        ("lists on lines of their own", on_lines),
        ("handlers", handlers),
        ("tagged rooms", tagged),
    ] {
        assert!(count >= 50, "{count} {what}");
    }
}
