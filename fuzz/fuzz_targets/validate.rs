//! Generated specs broken in a few places (wrong types, unknown keys, dangling references,
//! values outside the rules): the semantic rules and resolution get no panic, well-formed and
//! located diagnostics, determinism, and a model exactly when there is no error.
#![no_main]

use chatlog_fuzz::MutatedInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: MutatedInput| {
    chatlog_fuzz::check::diagnostics_invariants(input.name, &input.bytes);
});
