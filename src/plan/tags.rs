//! Tags on the resources a plan touches: whose a resource is by its tags, which tags are AWS's,
//! and what makes a live tag set the desired one. Shared by the IVS Chat and destination planners.

use serde_json::json;

use super::{AttributeDiff, KEY_TAG, SPEC_TAG};
use crate::live::{Tags, is_aws_tag};

/// Whose a live resource is, by its `chatlog:spec` tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Tagged by this spec.
    Us,
    /// No `chatlog:spec` tag: someone else's, or imported and not yet adopted.
    Nobody,
    /// Another spec's.
    Other,
}

pub fn owner_of(tags: &Tags, owner: &str) -> Owner {
    match tags.get(SPEC_TAG) {
        Some(o) if o == owner => Owner::Us,
        Some(_) => Owner::Other,
        None => Owner::Nobody,
    }
}

/// The tags AWS set on a resource.
pub fn aws_tags(tags: &Tags) -> impl Iterator<Item = (String, String)> + '_ {
    tags.iter()
        .filter(|(k, _)| is_aws_tag(k))
        .map(|(k, v)| (k.clone(), v.clone()))
}

/// The tags chatlog compares on a resource it owns: every one but AWS's.
pub fn without_aws_tags(tags: &Tags) -> Tags {
    tags.iter()
        .filter(|(k, _)| !is_aws_tag(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Tags a person set: neither AWS's nor chatlog's ownership tags.
pub fn user_tags(tags: &Tags) -> Tags {
    tags.iter()
        .filter(|(k, _)| !is_aws_tag(k) && *k != SPEC_TAG && *k != KEY_TAG)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The spec's tags for entry `key`, with the ownership tags of spec `owner`.
pub fn owned(spec: &Tags, owner: &str, key: &str) -> Tags {
    let mut tags = spec.clone();
    tags.insert(SPEC_TAG.to_owned(), owner.to_owned());
    tags.insert(KEY_TAG.to_owned(), key.to_owned());
    tags
}

/// On a resource chatlog does not own, only the user tags are compared (and reported, never
/// changed).
pub fn unowned_diff(live: &Tags, spec: &Tags) -> Option<AttributeDiff> {
    AttributeDiff::between("tags", json!(user_tags(live)), json!(spec))
}

/// What makes the tags of a resource chatlog owns the desired ones; AWS's are left alone.
pub struct TagDelta {
    pub diff: Option<AttributeDiff>,
    /// Tags to add or overwrite.
    pub set: Tags,
    /// Keys to remove.
    pub remove: Vec<String>,
}

pub fn delta(live: &Tags, desired: &Tags) -> TagDelta {
    let live = without_aws_tags(live);
    let set = desired
        .iter()
        .filter(|(k, v)| live.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = live
        .keys()
        .filter(|k| !desired.contains_key(*k))
        .cloned()
        .collect();
    TagDelta {
        diff: AttributeDiff::between("tags", json!(live), json!(desired)),
        set,
        remove,
    }
}
