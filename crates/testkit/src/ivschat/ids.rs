//! Resource ids and timestamps in the service's formats.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A 12-character `[a-zA-Z0-9]` id like the service's (`LoggingConfigurationID`, `RoomID`),
/// unique within the process: a counter scrambled by a bijective mixer, so ids look random but
/// never repeat. 62^12 exceeds 2^64, so every mixed value has its own id.
pub(crate) fn new_id() -> String {
    static SEED: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        u64::from(nanos) ^ (u64::from(std::process::id()) << 32)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut value = mix(seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
    let mut id = String::with_capacity(12);
    for _ in 0..12 {
        let digit = usize::try_from(value % 62).unwrap_or(0);
        id.push(char::from(*ALPHABET.get(digit).unwrap_or(&b'0')));
        value /= 62;
    }
    id
}

/// The splitmix64 finalizer: a bijection on u64.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// ISO 8601 (`timestampFormat: iso8601`, aws-facts §1(a) Service metadata).
pub(crate) fn timestamp(time: SystemTime) -> String {
    DateTime::from(time)
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
}
