//! Generated specs within the rules, through load -> validate -> render (cloudformation): they validate,
//! render deterministically, every file parses in its language and carries the spec's strings
//! unaltered (see chatlog_fuzz::check::cloudformation).
#![no_main]

use chatlog_fuzz::SpecInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: SpecInput| {
    chatlog_fuzz::check::cloudformation(&input.0);
});
