//! `chatlog import`: a spec written from what an account has. Every destination is `existing`
//! (chatlog did not create it and must not take over its policy); names, limits, handlers and
//! tags are carried over so that the spec, planned against the same account, changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{LiveDestination, RegionInventory};
use crate::plan::{KEY_TAG, SPEC_TAG};
use crate::spec::constraints::DEFAULT_LOGGING_CONFIGURATION_QUOTA;

#[derive(Debug)]
pub struct Imported {
    /// The spec, as YAML.
    pub text: String,
    /// What could not be carried over, one sentence each.
    pub notes: Vec<String>,
}

/// Why an account's listing cannot become a spec.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// A room names a logging configuration its region's listing did not return (deleted while
    /// the account was read, or listed by another caller's view).
    #[error(
        "room {room} uses logging configuration {configuration}, which the listing of {region} did not return"
    )]
    UnlistedConfiguration {
        room: String,
        configuration: String,
        region: String,
    },
    /// The YAML writer refused the spec chatlog built: a bug in chatlog.
    #[error("internal error: could not write the spec as YAML: {0}")]
    Yaml(String),
}

/// Builds the spec. Deterministic: the same inventories give the same text.
pub fn import(inventories: &[RegionInventory]) -> Result<Imported, ImportError> {
    let mut notes = Vec::new();
    let accounts: BTreeSet<&str> = inventories.iter().map(|i| i.account.as_str()).collect();
    let regions: BTreeSet<&str> = inventories.iter().map(|i| i.region.as_str()).collect();
    let single_account = (accounts.len() == 1)
        .then(|| accounts.iter().next().copied())
        .flatten();
    let single_region = (regions.len() == 1)
        .then(|| regions.iter().next().copied())
        .flatten();

    let mut destinations = Map::new();
    let mut configurations = Map::new();
    let mut rooms = Map::new();
    let mut quotas = Vec::new();
    let mut used_keys: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();

    for inv in inventories {
        let place = |entry: &mut Map<String, Value>| {
            if single_account.is_none() {
                entry.insert("account".to_owned(), json!(inv.account));
            }
            if single_region.is_none() {
                entry.insert("region".to_owned(), json!(inv.region));
            }
        };
        if inv.logging_configurations.len() > DEFAULT_LOGGING_CONFIGURATION_QUOTA as usize {
            // The account evidently has a raised quota; without this entry the spec fails CL035.
            let mut quota = Map::new();
            place(&mut quota);
            quota.insert(
                "logging_configurations".to_owned(),
                json!(inv.logging_configurations.len()),
            );
            quotas.push(Value::Object(quota));
        }
        let mut destination_keys: BTreeMap<&LiveDestination, String> = BTreeMap::new();
        let mut configuration_keys: BTreeMap<&str, String> = BTreeMap::new();
        let mut configurations_of_region: Vec<_> = inv.logging_configurations.iter().collect();
        configurations_of_region.sort_by(|a, b| (&a.name, &a.arn).cmp(&(&b.name, &b.arn)));
        for c in configurations_of_region {
            // The spec's destination kind, its one field, and the name there.
            let (kind, field, name) = match &c.destination {
                LiveDestination::S3 { bucket_name } => ("s3", "bucket", bucket_name),
                LiveDestination::CloudWatchLogs { log_group_name } => {
                    ("cloudwatch_logs", "log_group", log_group_name)
                }
                LiveDestination::Firehose {
                    delivery_stream_name,
                } => ("firehose", "delivery_stream", delivery_stream_name),
                LiveDestination::Unknown => {
                    notes.push(format!(
                        "logging configuration {} writes to a destination type chatlog does not know; it is left out",
                        c.arn
                    ));
                    continue;
                }
            };
            let destination_key = match destination_keys.get(&c.destination) {
                Some(key) => key.clone(),
                None => {
                    let key = unique_key(&mut used_keys, "destination", name, &inv.region);
                    let mut entry = Map::new();
                    entry.insert(kind.to_owned(), json!({ field: name }));
                    place(&mut entry);
                    destinations.insert(key.clone(), Value::Object(entry));
                    destination_keys.insert(&c.destination, key.clone());
                    key
                }
            };
            let key = unique_key(
                &mut used_keys,
                "configuration",
                entry_name(&c.tags, &c.name),
                &c.id,
            );
            let mut entry = Map::new();
            if key != c.name {
                entry.insert("name".to_owned(), json!(c.name));
            }
            entry.insert("destination".to_owned(), json!(destination_key));
            insert_tags(&mut entry, &c.tags, &c.arn, &mut notes);
            configurations.insert(key.clone(), Value::Object(entry));
            configuration_keys.insert(c.arn.as_str(), key);
        }
        let mut rooms_of_region: Vec<_> = inv.rooms.iter().collect();
        rooms_of_region.sort_by(|a, b| (&a.name, &a.arn).cmp(&(&b.name, &b.arn)));
        for r in rooms_of_region {
            let key = unique_key(&mut used_keys, "room", entry_name(&r.tags, &r.name), &r.id);
            let mut entry = Map::new();
            if key != r.name {
                entry.insert("name".to_owned(), json!(r.name));
            }
            place(&mut entry);
            let mut logging = Vec::new();
            for arn in &r.logging_configuration_identifiers {
                match configuration_keys.get(arn.as_str()) {
                    Some(k) => logging.push(json!(k)),
                    None => {
                        return Err(ImportError::UnlistedConfiguration {
                            room: r.arn.clone(),
                            configuration: arn.clone(),
                            region: inv.region.clone(),
                        });
                    }
                }
            }
            if !logging.is_empty() {
                entry.insert("logging".to_owned(), Value::Array(logging));
            }
            if let Some(n) = r.maximum_message_length {
                entry.insert("maximum_message_length".to_owned(), json!(n));
            }
            if let Some(n) = r.maximum_message_rate_per_second {
                entry.insert("maximum_message_rate_per_second".to_owned(), json!(n));
            }
            if let Some(h) = r
                .message_review_handler
                .as_ref()
                .filter(|h| !h.uri.is_empty())
            {
                entry.insert(
                    "message_review_handler".to_owned(),
                    json!({"uri": h.uri, "fallback_result": h.fallback_result}),
                );
            }
            insert_tags(&mut entry, &r.tags, &r.arn, &mut notes);
            rooms.insert(key, Value::Object(entry));
        }
    }

    let mut spec = Map::new();
    spec.insert("version".to_owned(), json!(1));
    if let Some(owner) = owner(inventories, &mut notes) {
        spec.insert("name".to_owned(), json!(owner));
    }
    let mut defaults = Map::new();
    if let Some(a) = single_account {
        defaults.insert("account".to_owned(), json!(a));
    }
    if let Some(r) = single_region {
        defaults.insert("region".to_owned(), json!(r));
    }
    if !defaults.is_empty() {
        spec.insert("defaults".to_owned(), Value::Object(defaults));
    }
    if !quotas.is_empty() {
        spec.insert("quotas".to_owned(), Value::Array(quotas));
    }
    for (section, entries) in [
        ("destinations", destinations),
        ("logging_configurations", configurations),
        ("rooms", rooms),
    ] {
        if !entries.is_empty() {
            spec.insert(section.to_owned(), Value::Object(entries));
        }
    }
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    let body = serde_saphyr::to_string_with_options(&Value::Object(spec), options)
        .map_err(|e| ImportError::Yaml(e.to_string()))?;
    let header = format!(
        "# Imported by `chatlog import` from account(s) {} in {}.\n# Every destination is existing: chatlog does not own it or its policy.\n",
        accounts.iter().copied().collect::<Vec<_>>().join(", "),
        regions.iter().copied().collect::<Vec<_>>().join(", ")
    );
    Ok(Imported {
        text: header + &body,
        notes,
    })
}

/// The entry key a resource chatlog created had in its spec (`chatlog:key`), else its name.
fn entry_name<'a>(tags: &'a super::Tags, name: &'a str) -> &'a str {
    tags.get(KEY_TAG).map_or(name, String::as_str)
}

/// The spec's `name`: the `chatlog:spec` value every resource chatlog created carries, so that
/// plan takes them as the imported spec's own. None when no resource has one, or they disagree
/// (then each keeps its tags, and plan matches the rest by name).
fn owner(inventories: &[RegionInventory], notes: &mut Vec<String>) -> Option<String> {
    let owners: BTreeSet<&str> = inventories
        .iter()
        .flat_map(|inv| {
            let configurations = inv.logging_configurations.iter().map(|c| &c.tags);
            configurations.chain(inv.rooms.iter().map(|r| &r.tags))
        })
        .filter_map(|tags| tags.get(SPEC_TAG).map(String::as_str))
        .collect();
    let mut owners = owners.into_iter();
    match (owners.next(), owners.next()) {
        (Some(only), None) if crate::spec::constraints::spec_name(only).is_ok() => {
            Some(only.to_owned())
        }
        (None, _) => None,
        (Some(first), second) => {
            notes.push(format!(
                "resources carry different `{SPEC_TAG}` tags ({}), so the spec has no `name`; plan and apply of this spec leave resources of other specs alone",
                [Some(first), second]
                    .into_iter()
                    .flatten()
                    .chain(owners)
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            None
        }
    }
}

/// Tags AWS reserves (`aws:` keys, e.g. CloudFormation's) cannot be written in a spec (CL037);
/// chatlog's ownership tags are not the spec's to write either: they follow from its `name`
/// and the entry's key.
fn insert_tags(
    entry: &mut Map<String, Value>,
    tags: &super::Tags,
    arn: &str,
    notes: &mut Vec<String>,
) {
    let mut kept = Map::new();
    for (k, v) in tags {
        if k == SPEC_TAG || k == KEY_TAG {
            continue;
        }
        if super::is_aws_tag(k) {
            notes.push(format!(
                "{arn}: tag `{k}` is reserved by AWS and is not written to the spec"
            ));
        } else {
            kept.insert(k.clone(), json!(v));
        }
    }
    if !kept.is_empty() {
        entry.insert("tags".to_owned(), Value::Object(kept));
    }
}

/// An entry key (`[A-Za-z0-9_-]{1,128}`) from a name: other characters become `-`; an empty or
/// taken key gets the disambiguator appended.
fn unique_key(
    used: &mut BTreeMap<&'static str, BTreeSet<String>>,
    section: &'static str,
    name: &str,
    disambiguator: &str,
) -> String {
    // A valid key is kept as it is (a `chatlog:key` must come back unchanged); in others, runs of
    // other characters become one `-`, and none leads or trails: `/aws/vendedlogs/ivs/live` is
    // `aws-vendedlogs-ivs-live`.
    let clean = |s: &str| -> String {
        if crate::spec::constraints::entry_key(s).is_ok() {
            return s.to_owned();
        }
        let mut out = String::new();
        for c in s.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let trimmed = out.trim_end_matches('-');
        trimmed.chars().take(128).collect()
    };
    let taken = used.entry(section).or_default();
    let base = clean(name);
    let mut key = if base.is_empty() {
        clean(disambiguator)
    } else {
        base.clone()
    };
    if key.is_empty() {
        key = section.to_owned();
    }
    let mut n = 1;
    while taken.contains(&key) {
        n += 1;
        let suffix = if n == 2 {
            format!("-{}", clean(disambiguator))
        } else {
            format!("-{}-{n}", clean(disambiguator))
        };
        let room = 128usize.saturating_sub(suffix.chars().count());
        key = base.chars().take(room).collect::<String>() + &suffix;
    }
    taken.insert(key.clone());
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{LiveLoggingConfiguration, LiveRoom, Tags};

    fn config(id: &str, name: &str, destination: LiveDestination) -> LiveLoggingConfiguration {
        LiveLoggingConfiguration {
            arn: format!("arn:aws:ivschat:us-west-2:111122223333:logging-configuration/{id}"),
            id: id.to_owned(),
            name: name.to_owned(),
            state: "ACTIVE".to_owned(),
            destination,
            tags: Tags::new(),
            create_time: None,
            update_time: None,
        }
    }

    fn room(id: &str, name: &str, logging: &[&str]) -> LiveRoom {
        LiveRoom {
            arn: format!("arn:aws:ivschat:us-west-2:111122223333:room/{id}"),
            id: id.to_owned(),
            name: name.to_owned(),
            logging_configuration_identifiers: logging
                .iter()
                .map(|i| {
                    format!("arn:aws:ivschat:us-west-2:111122223333:logging-configuration/{i}")
                })
                .collect(),
            maximum_message_length: Some(500),
            maximum_message_rate_per_second: Some(10),
            message_review_handler: None,
            tags: Tags::from([("aws:cloudformation:stack-name".to_owned(), "s".to_owned())]),
            create_time: None,
            update_time: None,
        }
    }

    #[test]
    fn same_names_and_empty_names_get_distinct_keys_and_keep_their_name() {
        let s3 = LiveDestination::S3 {
            bucket_name: "my.bucket".to_owned(),
        };
        let inv = RegionInventory {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            logging_configurations: vec![
                config("aaaaaaaaaaaa", "dup", s3.clone()),
                config("bbbbbbbbbbbb", "dup", s3),
                config(
                    "cccccccccccc",
                    "",
                    LiveDestination::Firehose {
                        delivery_stream_name: "s".to_owned(),
                    },
                ),
            ],
            rooms: vec![room("rrrrrrrrrrrr", "", &["aaaaaaaaaaaa", "bbbbbbbbbbbb"])],
        };
        let out = import(&[inv]).unwrap();
        let doc: Value = serde_saphyr::from_str(&out.text).unwrap();
        let configs = doc["logging_configurations"].as_object().unwrap();
        assert_eq!(
            configs.keys().collect::<Vec<_>>(),
            ["cccccccccccc", "dup", "dup-bbbbbbbbbbbb"]
        );
        assert_eq!(configs["dup-bbbbbbbbbbbb"]["name"], json!("dup"));
        assert_eq!(configs["cccccccccccc"]["name"], json!(""));
        // One destination for the two configurations that share the bucket.
        assert_eq!(
            doc["destinations"]["my-bucket"],
            json!({"s3": {"bucket": "my.bucket"}})
        );
        assert_eq!(
            doc["rooms"]["rrrrrrrrrrrr"]["logging"],
            json!(["dup", "dup-bbbbbbbbbbbb"])
        );
        assert_eq!(doc["defaults"]["account"], json!("111122223333"));
        assert!(doc["rooms"]["rrrrrrrrrrrr"].get("tags").is_none());
        assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
        let validation = crate::validate::validate(vec![crate::spec::load::Input {
            name: "imported.yaml".to_owned(),
            bytes: out.text.into_bytes(),
        }]);
        let errors: Vec<_> = validation
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_room_using_an_unlisted_configuration_is_an_error() {
        let inv = RegionInventory {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            logging_configurations: vec![],
            rooms: vec![room("rrrrrrrrrrrr", "r", &["zzzzzzzzzzzz"])],
        };
        assert!(
            import(&[inv])
                .unwrap_err()
                .to_string()
                .contains("zzzzzzzzzzzz")
        );
    }

    #[test]
    fn what_chatlog_applied_comes_back_under_its_keys_and_name_without_ownership_tags() {
        let owned = |key: &str| -> Tags {
            Tags::from([
                ("chatlog:spec".to_owned(), "chat-prod".to_owned()),
                ("chatlog:key".to_owned(), key.to_owned()),
                ("team".to_owned(), "live".to_owned()),
            ])
        };
        let mut tail = config(
            "aaaaaaaaaaaa",
            "tail-name",
            LiveDestination::CloudWatchLogs {
                log_group_name: "/aws/vendedlogs/ivs/live".to_owned(),
            },
        );
        tail.tags = owned("tail");
        let mut lobby = room("rrrrrrrrrrrr", "Lobby-Name", &["aaaaaaaaaaaa"]);
        lobby.tags = owned("lobby");
        let inv = RegionInventory {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            logging_configurations: vec![tail],
            rooms: vec![lobby],
        };
        let out = import(&[inv]).unwrap();
        assert!(!out.text.contains("chatlog:"), "{}", out.text);
        let doc: Value = serde_saphyr::from_str(&out.text).unwrap();
        assert_eq!(doc["name"], json!("chat-prod"));
        assert_eq!(
            doc["logging_configurations"]["tail"]["name"],
            json!("tail-name")
        );
        assert_eq!(doc["rooms"]["lobby"]["name"], json!("Lobby-Name"));
        assert_eq!(doc["rooms"]["lobby"]["tags"], json!({"team": "live"}));
        assert_eq!(
            doc["destinations"]["aws-vendedlogs-ivs-live"],
            json!({"cloudwatch_logs": {"log_group": "/aws/vendedlogs/ivs/live"}})
        );
    }

    #[test]
    fn specs_that_disagree_give_no_name_and_say_so() {
        let mut a = config(
            "aaaaaaaaaaaa",
            "a",
            LiveDestination::S3 {
                bucket_name: "b-1".to_owned(),
            },
        );
        a.tags = Tags::from([("chatlog:spec".to_owned(), "one".to_owned())]);
        let mut b = config(
            "bbbbbbbbbbbb",
            "b",
            LiveDestination::S3 {
                bucket_name: "b-1".to_owned(),
            },
        );
        b.tags = Tags::from([("chatlog:spec".to_owned(), "two".to_owned())]);
        let inv = RegionInventory {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            logging_configurations: vec![a, b],
            rooms: vec![],
        };
        let out = import(&[inv]).unwrap();
        let doc: Value = serde_saphyr::from_str(&out.text).unwrap();
        assert!(doc.get("name").is_none());
        assert!(
            out.notes.iter().any(|n| n.contains("`one`, `two`")),
            "{:?}",
            out.notes
        );
    }
}
