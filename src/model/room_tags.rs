//! A room's tags: its own over the spec's `defaults.tags`, which every room of a model shares
//! instead of holding a copy. At 5,000 rooms the copies were 0.44 ms of the 1.1 ms the model's
//! rooms took to build on one thread: four strings and a map per room, a megabyte of fresh
//! pages (issue 17).

use std::fmt;
use std::sync::Arc;

use super::Tags;

#[derive(Clone, Default)]
pub struct RoomTags {
    defaults: Arc<Tags>,
    own: Tags,
}

impl RoomTags {
    /// `own` over `defaults`: of a key in both, the room's own value is the one read.
    pub fn new(defaults: Arc<Tags>, own: Tags) -> RoomTags {
        RoomTags { defaults, own }
    }

    /// Every tag once, in key order, as a map of the two merged would hold them.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            defaults: self.defaults.as_ref().into_iter().peekable(),
            own: (&self.own).into_iter().peekable(),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.iter().map(|(k, _)| k)
    }

    /// The value read for `key`: the room's own, else the default.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.own.get(key).or_else(|| self.defaults.get(key))
    }

    pub fn is_empty(&self) -> bool {
        self.defaults.is_empty() && self.own.is_empty()
    }

    /// Counted by merging, a key on both sides once: not a field, so walk it only where a
    /// count is needed.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// The merged tags as a map of their own, for the planners, which compare them with a
    /// live resource's.
    pub fn to_tags(&self) -> Tags {
        self.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// A room's tags with no defaults under them.
impl From<Tags> for RoomTags {
    fn from(own: Tags) -> RoomTags {
        RoomTags::new(Arc::default(), own)
    }
}

type Side<'a> = std::iter::Peekable<<&'a Tags as IntoIterator>::IntoIter>;

/// The merged tags of [`RoomTags::iter`]: of a key on both sides, the room's own value.
pub struct Iter<'a> {
    defaults: Side<'a>,
    own: Side<'a>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a String);

    fn next(&mut self) -> Option<Self::Item> {
        match (self.defaults.peek(), self.own.peek()) {
            (Some((d, _)), Some((o, _))) => match d.cmp(o) {
                std::cmp::Ordering::Less => self.defaults.next(),
                std::cmp::Ordering::Equal => {
                    self.defaults.next();
                    self.own.next()
                }
                std::cmp::Ordering::Greater => self.own.next(),
            },
            (Some(_), None) => self.defaults.next(),
            (None, _) => self.own.next(),
        }
    }
}

impl<'a> IntoIterator for &'a RoomTags {
    type Item = (&'a String, &'a String);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// As the merged map would print: a room's `Debug` does not show where a tag came from.
impl fmt::Debug for RoomTags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Two rooms' tags are equal when they merge to the same map, wherever each tag was set.
impl PartialEq for RoomTags {
    fn eq(&self, other: &RoomTags) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for RoomTags {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sorted_map::SortedMap;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reads_as_the_defaults_overlaid_with_the_rooms_own() {
        // Keys on either side of, and equal to, each other's; every split of a small set of keys
        // between the two, with the room's value differing from the default's.
        let keys = ["a", "b", "cost-center", "team", "z"];
        for split in 0..3_u32.pow(5) {
            let (mut defaults, mut own) = (Vec::new(), Vec::new());
            let mut rest = split;
            for key in keys {
                match rest % 3 {
                    0 => defaults.push((key, "default")),
                    1 => own.push((key, "own")),
                    _ => {
                        defaults.push((key, "default"));
                        own.push((key, "own"));
                    }
                }
                rest /= 3;
            }
            let room = RoomTags::new(Arc::new(tags(&defaults)), tags(&own));
            let overlaid: Tags = SortedMap::overlaid(
                tags(&defaults)
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
                tags(&own).into_iter(),
            );
            assert_eq!(room.to_tags(), overlaid, "{defaults:?} under {own:?}");
            assert_eq!(room.len(), overlaid.len());
            assert!(room.keys().eq(overlaid.keys()));
            for key in keys {
                assert_eq!(room.get(key), overlaid.get(key), "{key}");
            }
            assert_eq!(room.is_empty(), overlaid.is_empty());
            assert_eq!(
                (&room).into_iter().collect::<Vec<_>>(),
                overlaid.iter().collect::<Vec<_>>()
            );
            assert_eq!(format!("{room:?}"), format!("{overlaid:?}"));
            assert_eq!(room, RoomTags::from(overlaid));
        }
    }
}
