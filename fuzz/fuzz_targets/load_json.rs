//! Any bytes as a `.json` spec (held to strict JSON first): the same invariants as load_yaml.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    chatlog_fuzz::check::diagnostics_invariants("spec.json", data);
});
