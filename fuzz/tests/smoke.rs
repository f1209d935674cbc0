//! Runs every target's checks on a few hundred pseudo-random inputs without libFuzzer, so
//! `cargo test` in fuzz/ shows that the generator and the checks work on a stable toolchain.

use arbitrary::{Arbitrary, Unstructured};
use chatlog_fuzz::{MutatedInput, SpecInput, check};

/// Deterministic bytes (xorshift), so a failure here reproduces.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn every_target_holds_on_pseudo_random_inputs() {
    let runs = std::env::var("SMOKE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200u64);
    for seed in 0..runs {
        let data = bytes(seed, 4096);
        check::diagnostics_invariants("spec.yaml", data.get(..256).unwrap_or_default());
        check::diagnostics_invariants("spec.json", data.get(..256).unwrap_or_default());
        let mut u = Unstructured::new(&data);
        if let Ok(m) = MutatedInput::arbitrary(&mut u) {
            check::diagnostics_invariants(m.name, &m.bytes);
        }
        let mut u = Unstructured::new(&data);
        if let Ok(SpecInput(spec)) = SpecInput::arbitrary(&mut u) {
            check::cloudformation(&spec);
            check::terraform(&spec);
            check::policies(&spec);
        }
    }
}
