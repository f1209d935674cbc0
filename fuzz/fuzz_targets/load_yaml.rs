//! Any bytes as a `.yaml` spec: no panic, diagnostics with a rule id and a location inside the
//! file, deterministic, every report format renders.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    chatlog_fuzz::check::diagnostics_invariants("spec.yaml", data);
});
