//! Deterministic pseudo-random choices for the unit tests (xorshift64), so a failure reproduces
//! from its seed; and, where a test can afford every case, every string of a few pieces.

pub(crate) struct Dice(pub(crate) u64);

impl Dice {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or_default()
    }
}

/// Every string of at most `longest` of `pieces` (each piece any number of times), the shorter
/// first, the empty string among them.
pub(crate) fn every_string(pieces: &[&str], longest: usize) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut last = 0..1;
    for _ in 0..longest {
        let start = all.len();
        for i in last {
            for piece in pieces {
                let longer = format!("{}{piece}", all[i]);
                all.push(longer);
            }
        }
        last = start..all.len();
    }
    all
}
