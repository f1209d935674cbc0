//! A map kept as one vector sorted by key: the shape of the many small maps a spec has (the tags
//! of every room). A `BTreeMap` allocates a whole node (544 bytes for `String` pairs) for one
//! entry; at 50,000 rooms the spec's and the model's tags took 54 MB that way (issue 17). Lookups
//! are binary searches and iteration is in key order, as a `BTreeMap`'s; inserting is linear,
//! which is nothing for the 50 tags a resource may carry.

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// Sets `key` to `value`, and returns the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => self
                .entries
                .get_mut(i)
                .map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let i = self.find(key).ok()?;
        self.entries.get(i).map(|(_, v)| v)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let i = self.find(key).ok()?;
        Some(self.entries.remove(i).1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// The entries of `base` and `over` (each in key order, as maps iterate) in one map; of a
    /// key in both, `over`'s value. Linear: no sort, one allocation (issue 17: the merged tags
    /// of every room). `over` may hand its entries over owned, to be moved in, not copied.
    pub fn overlaid<'a, Q, W, A, B>(
        base: impl Iterator<Item = (&'a Q, &'a W)>,
        over: impl Iterator<Item = (A, B)>,
    ) -> Self
    where
        Q: Ord + ?Sized + 'a,
        W: ?Sized + 'a,
        A: std::borrow::Borrow<Q>,
        K: From<&'a Q> + From<A>,
        V: From<&'a W> + From<B>,
    {
        use std::cmp::Ordering;
        let mut entries = Vec::with_capacity(base.size_hint().0 + over.size_hint().0);
        let (mut base, mut over) = (base.peekable(), over.peekable());
        loop {
            let from_over = match (base.peek(), over.peek()) {
                (Some((b, _)), Some((o, _))) => match (*b).cmp(o.borrow()) {
                    Ordering::Less => false,
                    Ordering::Equal => {
                        base.next();
                        true
                    }
                    Ordering::Greater => true,
                },
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (None, None) => break,
            };
            if from_over {
                if let Some((k, v)) = over.next() {
                    entries.push((K::from(k), V::from(v)));
                }
            } else if let Some((k, v)) = base.next() {
                entries.push((K::from(k), V::from(v)));
            }
        }
        Self { entries }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// The maps' entries in one map, as collecting them one map after another would (of equal
    /// keys, the last value stays). Maps that follow one another in key order are joined
    /// comparing only their ends, where collecting compares every key with the next: the
    /// pieces of a large spec's rooms, read at once, whose keys at 50,000 rooms are megabytes
    /// of memory no cache still holds (issue 17). The first map with entries takes the others'
    /// in its own vector, so a lone one comes back as it is, nothing copied.
    pub fn concat(maps: Vec<Self>) -> Self {
        let mut in_order = true;
        let mut last: Option<&K> = None;
        for map in &maps {
            let (Some((first, _)), Some((end, _))) = (map.entries.first(), map.entries.last())
            else {
                continue;
            };
            if last.is_some_and(|last| last >= first) {
                in_order = false;
                break;
            }
            last = Some(end);
        }
        let total: usize = maps.iter().map(Self::len).sum();
        let mut maps = maps.into_iter().filter(|map| !map.is_empty());
        let Some(first) = maps.next() else {
            return Self::new();
        };
        let mut entries = first.entries;
        entries.reserve_exact(total - entries.len());
        for map in maps {
            entries.extend(map.entries);
        }
        if in_order {
            Self { entries }
        } else {
            entries.into_iter().collect()
        }
    }
}

impl<K, V> SortedMap<K, V> {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// In key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// As a `BTreeMap` collects: of equal keys, the last value stays.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(K, V)> = iter.into_iter().collect();
        // Read from a spec, keys mostly come in order already.
        if entries.is_sorted_by(|a, b| a.0 < b.0) {
            return Self { entries };
        }
        // Stable, so equal keys keep their order; of each run the first stays in place and
        // takes the value of the one after it, so the latest value is the one kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(&mut later.1, &mut kept.1);
            }
            same
        });
        Self { entries }
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

/// Printed as a map, as a `BTreeMap` prints.
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::deserialize_each(deserializer, |_, _| {})
    }
}

impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> SortedMap<K, V> {
    /// Read as `Deserialize` reads a map, with `each` given every entry as it is read: while
    /// the entry is still in the cache, and on the thread that reads it.
    pub fn deserialize_each<D: Deserializer<'de>>(
        deserializer: D,
        each: impl FnMut(&K, &mut V),
    ) -> Result<Self, D::Error> {
        struct Entries<K, V, F>(F, PhantomData<(K, V)>);
        impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>, F: FnMut(&K, &mut V)> Visitor<'de>
            for Entries<K, V, F>
        {
            type Value = SortedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(
                mut self,
                mut access: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(access.size_hint().unwrap_or(0).min(64));
                // Without a count up front, the first entry waits here, and a map of one
                // entry (most rooms' tags) is allocated once at its size: a vector grown for it
                // took four entries and was then shrunk, a copy a map (issue 17).
                let mut first = None;
                while let Some(mut entry) = access.next_entry()? {
                    let (key, value) = &mut entry;
                    (self.0)(key, value);
                    if entries.capacity() == 0 {
                        match first.take() {
                            None => {
                                first = Some(entry);
                                continue;
                            }
                            Some(waiting) => {
                                entries.reserve(4);
                                entries.push(waiting);
                            }
                        }
                    }
                    // A large map (a spec's rooms) reserves what is left at once where the
                    // reader can estimate it, an eighth over: the shrink below keeps a vector
                    // in place when it gives back less than half. A reader's count up front is
                    // not trusted past 64.
                    if entries.len() == entries.capacity()
                        && entries.len() >= 64
                        && let Some(left) = access.size_hint()
                    {
                        entries.reserve_exact(left + left / 8 + 1);
                    }
                    entries.push(entry);
                }
                if let Some(only) = first {
                    entries = vec![only];
                } else {
                    // A map read stays in memory to the end.
                    entries.shrink_to_fit();
                }
                Ok(entries.into_iter().collect())
            }
        }
        deserializer.deserialize_map(Entries(each, PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Every operation against a `BTreeMap` doing the same, over a run of pseudo-random ones.
    #[test]
    fn behaves_as_a_btree_map() {
        let mut ours: SortedMap<u8, u32> = SortedMap::new();
        let mut theirs: BTreeMap<u8, u32> = BTreeMap::new();
        let mut state = 0x2545_f491_u32;
        for step in 0..20_000_u32 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let key = u8::try_from(state % 40).unwrap();
            let cut = u8::try_from(step % 7).unwrap();
            match state % 5 {
                0 | 1 => assert_eq!(ours.insert(key, step), theirs.insert(key, step)),
                2 => assert_eq!(ours.remove(&key), theirs.remove(&key)),
                3 => assert_eq!(ours.get(&key), theirs.get(&key)),
                _ => {
                    ours.retain(|k, _| k % 7 != cut);
                    theirs.retain(|k, _| k % 7 != cut);
                }
            }
            assert_eq!(ours.len(), theirs.len());
            assert_eq!(ours.contains_key(&key), theirs.contains_key(&key));
        }
        assert!(ours.iter().eq(theirs.iter()));
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
    }

    #[test]
    fn collecting_keeps_the_last_of_equal_keys_in_key_order() {
        let pairs = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)];
        let ours: SortedMap<&str, i32> = pairs.into_iter().collect();
        let theirs: BTreeMap<&str, i32> = pairs.into_iter().collect();
        assert!(ours.iter().eq(theirs.iter()));
        assert_eq!(
            ours.into_iter().collect::<Vec<_>>(),
            vec![("a", 5), ("b", 3), ("c", 4)]
        );
    }

    /// `overlaid` against the same maps chained and collected into a `BTreeMap` (the later wins),
    /// on random pairs of small maps with keys in both, in one, in neither; and collecting
    /// entries already in order against collecting them shuffled.
    #[test]
    fn overlaying_and_collecting_in_order_behave_as_a_btree_map() {
        let mut dice = crate::dice::Dice(0x2545_f491_4f6c_dd1d);
        for _ in 0..2_000 {
            let mut map = || -> BTreeMap<String, String> {
                (0..dice.below(6))
                    .map(|_| {
                        (
                            (dice.next() % 8).to_string(),
                            (dice.next() % 100).to_string(),
                        )
                    })
                    .collect()
            };
            let (base, over) = (map(), map());
            let ours: SortedMap<String, String> = SortedMap::overlaid(base.iter(), over.iter());
            let theirs: BTreeMap<String, String> =
                base.clone().into_iter().chain(over.clone()).collect();
            assert!(ours.iter().eq(theirs.iter()), "{base:?} under {over:?}");
            let moved: SortedMap<String, String> =
                SortedMap::overlaid(base.iter(), over.clone().into_iter());
            assert!(
                moved.iter().eq(theirs.iter()),
                "{base:?} under {over:?}, moved"
            );
            let in_order: SortedMap<String, String> = theirs.clone().into_iter().collect();
            assert!(in_order.iter().eq(theirs.iter()));
        }
    }

    /// `concat` against chaining the maps and collecting, on random runs of small maps: some
    /// in key order one after another, some overlapping, some empty.
    #[test]
    fn concatenating_behaves_as_collecting_the_maps_in_turn() {
        let mut dice = crate::dice::Dice(0x9e37_79b9_7f4a_7c15);
        let mut joined_in_order = 0;
        for _ in 0..2_000 {
            let mut start = 0_u64;
            let maps: Vec<SortedMap<u64, u64>> = (0..dice.below(5))
                .map(|_| {
                    // Mostly after the map before; now and then back into its keys.
                    start = if dice.below(4) == 0 {
                        start.saturating_sub(dice.next() % 4)
                    } else {
                        start + 1
                    };
                    let len = dice.below(4);
                    let len = len as u64;
                    let map: SortedMap<u64, u64> =
                        (0..len).map(|i| (start + i, dice.next() % 100)).collect();
                    start += len;
                    map
                })
                .collect();
            let theirs: SortedMap<u64, u64> = maps.iter().flat_map(|m| m.clone()).collect();
            let in_order = maps
                .iter()
                .flat_map(SortedMap::keys)
                .is_sorted_by(|a, b| a < b);
            joined_in_order += usize::from(in_order);
            let ours = SortedMap::concat(maps.clone());
            assert_eq!(ours, theirs, "{maps:?}");
        }
        assert!(
            joined_in_order > 200 && joined_in_order < 1_800,
            "{joined_in_order}"
        );
    }

    #[test]
    fn serializes_and_reads_as_a_map() {
        let map: SortedMap<String, String> =
            serde_json::from_str(r#"{"z": "1", "a": "2", "m": "3"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            r#"{"a":"2","m":"3","z":"1"}"#
        );
        assert!(serde_json::from_str::<SortedMap<String, String>>("[1]").is_err());
    }

    /// Maps of every size from empty past the entry read before a vector is allocated, keys
    /// out of order and repeated, read as a `BTreeMap` reads them, each entry handed over in
    /// the order read.
    #[test]
    fn reads_maps_of_every_size_as_a_btree_map() {
        let mut state = 0x9e37_79b9_u32;
        for round in 0..400 {
            let n = round % 13;
            let pairs: Vec<(String, u32)> = (0..n)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    (format!("k{}", state % 9), i)
                })
                .collect();
            let json = format!(
                "{{{}}}",
                pairs
                    .iter()
                    .map(|(k, v)| format!("\"{k}\": {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut handed = Vec::new();
            let ours = SortedMap::<String, u32>::deserialize_each(
                &mut serde_json::Deserializer::from_str(&json),
                |k, v| handed.push((k.clone(), *v)),
            )
            .unwrap();
            let theirs: BTreeMap<String, u32> = serde_json::from_str(&json).unwrap();
            assert!(ours.iter().eq(theirs.iter()), "{json}");
            assert_eq!(handed, pairs, "{json}");
        }
    }
}
