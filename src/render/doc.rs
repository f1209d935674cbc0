//! A template as the writers take it: JSON values where a part is built once, and mappings and
//! sequences that borrow their strings where a part is built per room. Building every room as a
//! `serde_json::Value` (a hashed map per object, every string copied, every shared reference
//! cloned) and dropping it again was a third of a 5,000-room CloudFormation render (issue 17).
//! Both writers read it as they read a value: [`super::yaml`] through the same code, JSON
//! through `Serialize`, so the text is the same as the value's would be.

use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

pub(crate) enum Doc<'a> {
    Value(&'a Value),
    Owned(Value),
    Str(&'a str),
    String(String),
    Number(u64),
    /// In the order written.
    Map(Vec<(Cow<'a, str>, Doc<'a>)>),
    Seq(Vec<Doc<'a>>),
}

impl Doc<'_> {
    /// The same as a value (stack set members embed rooms into value templates).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Doc::Value(v) => v.clone(),
            Doc::Owned(v) => v,
            Doc::Str(s) => Value::String(s.to_owned()),
            Doc::String(s) => Value::String(s),
            Doc::Number(n) => Value::from(n),
            Doc::Map(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into_value()))
                    .collect::<Map<String, Value>>(),
            ),
            Doc::Seq(items) => Value::Array(items.into_iter().map(Doc::into_value).collect()),
        }
    }
}

impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Value(v) => v.serialize(serializer),
            Doc::Owned(v) => v.serialize(serializer),
            Doc::Str(s) => serializer.serialize_str(s),
            Doc::String(s) => serializer.serialize_str(s),
            Doc::Number(n) => serializer.serialize_u64(*n),
            Doc::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
            Doc::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

/// The entries of a value's mapping, borrowed, for a [`Doc::Map`] that adds to them.
#[cfg(test)]
pub(crate) fn borrowed(map: &Map<String, Value>) -> impl Iterator<Item = (Cow<'_, str>, Doc<'_>)> {
    map.iter()
        .map(|(k, v)| (Cow::Borrowed(k.as_str()), Doc::Value(v)))
}
