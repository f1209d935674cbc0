//! A room's `logging`: the keys of the logging configurations it lists, in one string.

use std::fmt;

use serde::de::{DeserializeSeed, SeqAccess, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};

use super::constraints::MAX_LOGGING_CONFIGURATIONS_PER_ROOM as MAX;

/// The keys a room lists under `logging`, in their order, held in one string. Read as a list
/// of strings they were a vector and a string a key: three allocations a room to read and, since
/// the model holds positions instead of keys, three to free, at 50,000 rooms each out of the
/// cache (issue 17). It holds the first three keys and counts every one read, so that a longer
/// list is refused with its length (`constraints::logging_list`), as a vector's was.
///
/// Its ends and count are `u32`, which a spec file's 64 MiB (`load::MAX_SPEC_BYTES`) cannot
/// outgrow: 16 bytes fewer than `usize`s bring a spec's room, boxed as it is read, from
/// mimalloc's 224-byte blocks into its 192-byte ones (issue 17).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyList {
    text: String,
    ends: [u32; MAX],
    len: u32,
}

impl KeyList {
    /// How many keys were listed, held or not.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The keys held (the first three), in their order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.ends.iter().take(self.len()).scan(0, |start, &end| {
            let end = end as usize;
            let key = self.text.get(*start..end);
            *start = end;
            key
        })
    }

    fn push(&mut self, key: &str) {
        if let Some(end) = self.ends.get_mut(self.len as usize) {
            if self.text.capacity() == 0 {
                // Room for as many keys as long as the first: a list's keys are alike, and
                // growing the string at the second was a copy a room.
                self.text.reserve(key.len() * MAX);
            }
            self.text.push_str(key);
            // Three keys of one file, which is at most 64 MiB.
            *end = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        }
        self.len = self.len.saturating_add(1);
    }
}

/// A list as read, for the tests.
#[cfg(test)]
impl<'a> FromIterator<&'a str> for KeyList {
    fn from_iter<I: IntoIterator<Item = &'a str>>(keys: I) -> Self {
        let mut list = KeyList::default();
        for key in keys {
            list.push(key);
        }
        list
    }
}

/// Read as `Vec<String>` reads: a sequence of strings, with the same expectations in its
/// errors, each string appended where it is read instead of allocated.
impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = KeyList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyList, A::Error> {
                let mut list = KeyList::default();
                while seq.next_element_seed(Key(&mut list))?.is_some() {}
                Ok(list)
            }
        }
        deserializer.deserialize_seq(List)
    }
}

/// One key, appended to the list.
struct Key<'l>(&'l mut KeyList);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_string(self)
    }
}

/// As `String`'s visitor: a string, or bytes that are UTF-8.
impl<'de> Visitor<'de> for Key<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<(), E> {
        self.0.push(key);
        Ok(())
    }
    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<(), E> {
        match std::str::from_utf8(bytes) {
            Ok(key) => self.visit_str(key),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(bytes), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list of up to five keys from a few (repeats and the empty key among them) reads
    /// back as the vector of strings it was read from, cut at three, with its length, from
    /// JSON; and what a vector of strings refuses, it refuses with the same message.
    #[test]
    fn reads_as_a_vector_of_strings_reads() {
        let keys = ["archive", "", "tail-ü", "archive-2"];
        let mut lists = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<&str>> = lists
                .iter()
                .filter(|l: &&Vec<&str>| l.len() == lists.last().map_or(0, Vec::len))
                .flat_map(|l| {
                    keys.iter().map(move |k| {
                        let mut l = l.clone();
                        l.push(*k);
                        l
                    })
                })
                .collect();
            lists.extend(longer);
        }
        assert_eq!(lists.len(), 1 + 4 + 16 + 64 + 256 + 1024);
        for list in &lists {
            let json = serde_json::to_string(list).unwrap();
            let read: KeyList = serde_json::from_str(&json).unwrap();
            let as_vector: Vec<String> = serde_json::from_str(&json).unwrap();
            assert_eq!(read.len(), as_vector.len(), "{json}");
            let held: Vec<&str> = read.iter().collect();
            let first: Vec<&str> = as_vector.iter().take(MAX).map(String::as_str).collect();
            assert_eq!(held, first, "{json}");
            assert_eq!(list.iter().copied().collect::<KeyList>(), read, "{json}");
        }
        for bad in [
            "\"archive\"",
            "[1]",
            "[\"a\", null]",
            "{\"a\": 1}",
            "[[\"a\"]]",
            "[\"a\"",
        ] {
            let ours = serde_json::from_str::<KeyList>(bad)
                .unwrap_err()
                .to_string();
            let theirs = serde_json::from_str::<Vec<String>>(bad)
                .unwrap_err()
                .to_string();
            assert_eq!(ours, theirs, "{bad}");
        }
    }
}
