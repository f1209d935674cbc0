//! Planning logging configurations and rooms of one deployment.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::tags::{self, Owner, owner_of};
use super::{Action, AttributeDiff, Change, KEY_TAG, Operation, RoomSettings, SPEC_TAG};
use crate::live::{LiveDestination, LiveLoggingConfiguration, LiveRoom, RegionInventory, Tags};
use crate::model::{Deployment, DestinationKind, LoggingConfiguration, Room};
use crate::spec::load::Origin;

pub const CONFIGURATION: &str = "AWS::IVSChat::LoggingConfiguration";
pub const ROOM: &str = "AWS::IVSChat::Room";

/// Service defaults for a room (RoomMaxMessageLength 500, RoomMaxMessageRatePerSecond 10;
/// aws-facts.md §1(a)).
const DEFAULT_LENGTH: u32 = 500;
const DEFAULT_RATE: u32 = 10;

/// Why a leftover is not deleted without `--prune`.
const NOT_PRUNED: &str = "no longer in the spec; apply --prune deletes it";

/// Where a logging configuration writing to a spec destination points, as IVS Chat states it.
pub fn live_destination(d: &DestinationKind) -> LiveDestination {
    match d {
        DestinationKind::S3 { bucket } => LiveDestination::S3 {
            bucket_name: bucket.clone(),
        },
        DestinationKind::CloudWatchLogs { log_group, .. } => LiveDestination::CloudWatchLogs {
            log_group_name: log_group.clone(),
        },
        DestinationKind::Firehose { delivery_stream } => LiveDestination::Firehose {
            delivery_stream_name: delivery_stream.clone(),
        },
    }
}

struct Planner<'a> {
    deployment: &'a Deployment,
    owner: &'a str,
    changes: Vec<Change>,
}

impl Planner<'_> {
    fn change(&self, resource_type: &'static str, key: &str) -> Change {
        Change::unchanged(self.deployment, resource_type, key)
    }

    /// The deletion of a second live resource made for the spec entry `key`.
    fn duplicate(
        &self,
        resource_type: &'static str,
        key: &str,
        origin: &Origin,
        arn: &str,
        kept: &str,
    ) -> Change {
        Change {
            arn: Some(arn.to_owned()),
            action: Action::Delete,
            duplicate_of: Some(kept.to_owned()),
            origin: Some(origin.clone()),
            ..self.change(resource_type, key)
        }
    }

    /// The deletion of a resource of this spec's that the spec no longer has, under the key
    /// its tag names.
    fn leftover(&self, resource_type: &'static str, tags: &Tags, name: &str, arn: &str) -> Change {
        let key = tags.get(KEY_TAG).map_or(name, String::as_str);
        Change {
            arn: Some(arn.to_owned()),
            action: Action::Delete,
            ..self.change(resource_type, key)
        }
    }
}

/// Who is looking for a live resource: the spec's owner name, the entry key and the AWS name.
struct Wanted<'w> {
    owner: &'w str,
    key: &'w str,
    name: &'w str,
}

/// What `pick` found for a spec entry: the live resource, and further live resources that carry
/// this spec's tags for the same entry (duplicates, to be deleted).
struct Picked<'l, T> {
    found: Option<(&'l T, Owner)>,
    duplicates: Vec<&'l T>,
}

/// Picks the live resource for a spec entry: ours by tag (of several, the one `keep_first` ranks
/// lowest; the others are duplicates), else an unowned one by name (one whose settings already
/// match first). Each live resource is taken once.
fn pick<'l, T, K: Ord>(
    live: &'l [T],
    taken: &mut BTreeSet<usize>,
    Wanted { owner, key, name }: Wanted<'_>,
    tags_of: impl Fn(&T) -> &Tags,
    name_of: impl Fn(&T) -> &str,
    matches: impl Fn(&T) -> bool,
    keep_first: impl Fn(&T) -> K,
) -> Picked<'l, T> {
    let mut ours: Vec<(usize, &T)> = live
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            !taken.contains(i)
                && owner_of(tags_of(l), owner) == Owner::Us
                && tags_of(l).get(KEY_TAG).map(String::as_str) == Some(key)
        })
        .collect();
    ours.sort_by_key(|(_, l)| keep_first(l));
    taken.extend(ours.iter().map(|(i, _)| *i));
    let mut ours = ours.into_iter().map(|(_, l)| l);
    if let Some(kept) = ours.next() {
        return Picked {
            found: Some((kept, Owner::Us)),
            duplicates: ours.collect(),
        };
    }
    let candidates: Vec<(usize, &T)> = live
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            !taken.contains(i) && owner_of(tags_of(l), owner) == Owner::Nobody && name_of(l) == name
        })
        .collect();
    let exact = candidates.iter().find(|(_, l)| matches(l)).copied();
    let single = (candidates.len() == 1)
        .then(|| candidates.first().copied())
        .flatten();
    let found = exact.or(single).map(|(i, l)| {
        taken.insert(i);
        (l, Owner::Nobody)
    });
    Picked {
        found,
        duplicates: Vec::new(),
    }
}

/// Of two live resources made for one entry, the older is kept (ISO 8601 times order as text;
/// one without a time last, then by ARN, so the choice is the same on every run).
fn age(create_time: Option<&String>, arn: &str) -> (bool, Option<String>, String) {
    (create_time.is_none(), create_time.cloned(), arn.to_owned())
}

/// The changes that make one account and region match the deployment. `live` must carry room
/// details (GetRoom), since ListRooms leaves out the message limits.
pub fn plan_deployment(
    deployment: &Deployment,
    live: &RegionInventory,
    owner: &str,
    prune: bool,
) -> Vec<Change> {
    let mut p = Planner {
        deployment,
        owner,
        changes: Vec::new(),
    };
    let mut taken_configurations = BTreeSet::new();
    // Spec key -> live ARN, for the configurations that exist.
    let mut configuration_arns: BTreeMap<&str, &str> = BTreeMap::new();
    let mut duplicate_configurations = Vec::new();
    for c in &deployment.logging_configurations {
        let Some(destination) = deployment.destination(&c.destination) else {
            continue;
        };
        let wanted = live_destination(&destination.kind);
        // The configuration rooms use is kept: deleting it would detach them.
        let unused = |l: &LiveLoggingConfiguration| {
            !live
                .rooms
                .iter()
                .any(|r| r.logging_configuration_identifiers.contains(&l.arn))
        };
        let picked = pick(
            &live.logging_configurations,
            &mut taken_configurations,
            Wanted {
                owner,
                key: &c.key,
                name: &c.name,
            },
            |l| &l.tags,
            |l| &l.name,
            |l| l.destination == wanted && tags::user_tags(&l.tags) == c.tags,
            |l| (unused(l), age(l.create_time.as_ref(), &l.arn)),
        );
        if let Some((l, _)) = picked.found {
            configuration_arns.insert(&c.key, &l.arn);
            for d in picked.duplicates {
                duplicate_configurations.push((c, d, l.arn.clone()));
            }
        }
        let change = plan_configuration(&p, c, &wanted, picked.found);
        p.changes.push(change);
    }
    let mut taken_rooms = BTreeSet::new();
    let mut duplicate_rooms: Vec<&str> = Vec::new();
    for r in &deployment.rooms {
        let settings = RoomSettings {
            name: r.name().to_owned(),
            maximum_message_length: r.maximum_message_length.unwrap_or(DEFAULT_LENGTH),
            maximum_message_rate_per_second: r
                .maximum_message_rate_per_second
                .unwrap_or(DEFAULT_RATE),
            message_review_handler: r
                .message_review_handler
                .as_ref()
                .map(|h| (h.uri.clone(), h.fallback_result.as_str().to_owned())),
            logging_configurations: deployment.logging_of(r).map(|c| c.key.clone()).collect(),
        };
        let wanted_arns: Option<BTreeSet<&str>> = deployment
            .logging_of(r)
            .map(|c| configuration_arns.get(c.key.as_str()).copied())
            .collect();
        let picked = pick(
            &live.rooms,
            &mut taken_rooms,
            Wanted {
                owner,
                key: &r.key,
                name: r.name(),
            },
            |l| &l.tags,
            |l| &l.name,
            |l| {
                live_settings(l)
                    == Some((
                        settings.maximum_message_length,
                        settings.maximum_message_rate_per_second,
                        settings.message_review_handler.clone(),
                    ))
                    && wanted_arns.as_ref()
                        == Some(
                            &l.logging_configuration_identifiers
                                .iter()
                                .map(String::as_str)
                                .collect(),
                        )
                    && tags::user_tags(&l.tags).iter().eq(r.tags.iter())
            },
            |l| age(l.create_time.as_ref(), &l.arn),
        );
        let change = plan_room(&p, r, settings, wanted_arns.as_ref(), picked.found);
        p.changes.push(change);
        if let Some((kept, _)) = picked.found {
            for d in picked.duplicates {
                let mut change = p.duplicate(ROOM, &r.key, &r.origin, &d.arn, &kept.arn);
                change
                    .operations
                    .push(Operation::DeleteRoom { arn: d.arn.clone() });
                duplicate_rooms.push(d.arn.as_str());
                p.changes.push(change);
            }
        }
    }
    plan_leftovers(
        &mut p,
        live,
        Taken {
            configurations: &taken_configurations,
            rooms: &taken_rooms,
            duplicate_rooms: &duplicate_rooms,
            duplicate_configurations: &duplicate_configurations,
        },
        prune,
    );
    p.changes
}

fn plan_configuration(
    p: &Planner<'_>,
    c: &LoggingConfiguration,
    wanted: &LiveDestination,
    picked: Option<(&LiveLoggingConfiguration, Owner)>,
) -> Change {
    let mut change = p.change(CONFIGURATION, &c.key);
    change.origin = Some(c.origin.clone());
    let desired_tags = tags::owned(&c.tags, p.owner, &c.key);
    let Some((live, owner)) = picked else {
        change.action = Action::Create;
        change
            .diffs
            .push(AttributeDiff::created("destination", json!(wanted)));
        change
            .operations
            .push(Operation::CreateLoggingConfiguration {
                key: c.key.clone(),
                name: c.name.clone(),
                destination: wanted.clone(),
                tags: desired_tags,
            });
        return change;
    };
    change.arn = Some(live.arn.clone());
    let mut update = false;
    if let Some(d) = AttributeDiff::between("name", json!(live.name), json!(c.name)) {
        change.diffs.push(d);
        update = true;
    }
    if let Some(d) = AttributeDiff::between("destination", json!(live.destination), json!(wanted)) {
        change.diffs.push(d);
        update = true;
    }
    if update {
        change
            .operations
            .push(Operation::UpdateLoggingConfiguration {
                arn: live.arn.clone(),
                name: c.name.clone(),
                destination: wanted.clone(),
            });
    }
    plan_tags(
        &mut change,
        owner,
        &live.arn,
        &live.tags,
        &c.tags,
        &desired_tags,
    );
    finish(p, &mut change, owner);
    change
}

/// A review handler as (uri, fallback result).
type Handler = Option<(String, String)>;

fn live_settings(l: &LiveRoom) -> Option<(u32, u32, Handler)> {
    Some((
        l.maximum_message_length?,
        l.maximum_message_rate_per_second?,
        l.message_review_handler
            .as_ref()
            .filter(|h| !h.uri.is_empty())
            .map(|h| (h.uri.clone(), h.fallback_result.clone())),
    ))
}

fn plan_room(
    p: &Planner<'_>,
    r: &Room,
    settings: RoomSettings,
    wanted_arns: Option<&BTreeSet<&str>>,
    picked: Option<(&LiveRoom, Owner)>,
) -> Change {
    let mut change = p.change(ROOM, &r.key);
    change.origin = Some(r.origin.clone());
    // The room's tags merged once, for the tags it is created with and those a live room is
    // held to.
    let room_tags = r.tags.to_tags();
    let desired_tags = tags::owned(&room_tags, p.owner, &r.key);
    let Some((live, owner)) = picked else {
        change.action = Action::Create;
        change.diffs.push(AttributeDiff::created(
            "logging_configurations",
            json!(settings.logging_configurations),
        ));
        change.operations.push(Operation::CreateRoom {
            key: r.key.clone(),
            room: settings,
            tags: desired_tags,
        });
        return change;
    };
    change.arn = Some(live.arn.clone());
    let (length, rate, handler) = live_settings(live).unwrap_or((0, 0, None));
    let live_arns: BTreeSet<&str> = live
        .logging_configuration_identifiers
        .iter()
        .map(String::as_str)
        .collect();
    let diffs = [
        AttributeDiff::between("name", json!(live.name), json!(settings.name)),
        AttributeDiff::between(
            "maximum_message_length",
            json!(length),
            json!(settings.maximum_message_length),
        ),
        AttributeDiff::between(
            "maximum_message_rate_per_second",
            json!(rate),
            json!(settings.maximum_message_rate_per_second),
        ),
        AttributeDiff::between(
            "message_review_handler",
            json!(handler),
            json!(settings.message_review_handler),
        ),
        // A configuration that does not exist yet cannot be in the live list.
        (wanted_arns != Some(&live_arns)).then(|| AttributeDiff {
            attribute: "logging_configurations".to_owned(),
            before: json!(live_arns),
            after: json!(settings.logging_configurations),
        }),
    ];
    let update = diffs.iter().any(Option::is_some);
    change.diffs.extend(diffs.into_iter().flatten());
    if update {
        change.operations.push(Operation::UpdateRoom {
            arn: live.arn.clone(),
            room: settings,
        });
    }
    plan_tags(
        &mut change,
        owner,
        &live.arn,
        &live.tags,
        &room_tags,
        &desired_tags,
    );
    finish(p, &mut change, owner);
    change
}

/// Tags of a matched resource: made to match on ours (ownership tags included); on one chatlog
/// does not own, only the user tags are compared (and reported, never changed).
fn plan_tags(
    change: &mut Change,
    owner: Owner,
    arn: &str,
    live: &Tags,
    spec: &Tags,
    desired: &Tags,
) {
    if owner != Owner::Us {
        change.diffs.extend(tags::unowned_diff(live, spec));
        return;
    }
    // `aws:` keys belong to AWS and are left alone.
    let delta = tags::delta(live, desired);
    change.diffs.extend(delta.diff);
    if !delta.set.is_empty() {
        change.operations.push(Operation::TagResource {
            arn: arn.to_owned(),
            tags: delta.set,
        });
    }
    if !delta.remove.is_empty() {
        change.operations.push(Operation::UntagResource {
            arn: arn.to_owned(),
            keys: delta.remove,
        });
    }
}

/// Sets the action from the diffs, and blocks changes to a resource chatlog does not own.
fn finish(p: &Planner<'_>, change: &mut Change, owner: Owner) {
    if change.diffs.is_empty() {
        change.operations.clear();
        return;
    }
    change.action = Action::Update;
    if owner != Owner::Us {
        change.operations.clear();
        change.blocked = Some(format!(
            "it exists without the tag {SPEC_TAG}={}; chatlog does not change resources it does not own (tag it with {SPEC_TAG}={} and {KEY_TAG}={} to adopt it)",
            p.owner, p.owner, change.key
        ));
    }
}

/// The live resources the spec's entries account for.
struct Taken<'t, 'l> {
    configurations: &'t BTreeSet<usize>,
    rooms: &'t BTreeSet<usize>,
    /// ARNs of duplicate rooms, deleted in this apply.
    duplicate_rooms: &'t [&'l str],
    /// Duplicate configurations: the spec entry, the duplicate, the ARN of the one kept.
    duplicate_configurations: &'t [(
        &'l LoggingConfiguration,
        &'l LiveLoggingConfiguration,
        String,
    )],
}

fn plan_leftovers(p: &mut Planner<'_>, live: &RegionInventory, taken: Taken<'_, '_>, prune: bool) {
    let leftover_rooms: Vec<&LiveRoom> = live
        .rooms
        .iter()
        .enumerate()
        .filter(|(i, r)| !taken.rooms.contains(i) && owner_of(&r.tags, p.owner) == Owner::Us)
        .map(|(_, r)| r)
        .collect();
    for r in &leftover_rooms {
        let mut change = p.leftover(ROOM, &r.tags, &r.name, &r.arn);
        if prune {
            change
                .operations
                .push(Operation::DeleteRoom { arn: r.arn.clone() });
        } else {
            change.blocked = Some(NOT_PRUNED.to_owned());
        }
        p.changes.push(change);
    }
    // Rooms that keep using a configuration after this apply: the spec's rooms (by their new
    // lists, which name keys) are updated first; any other room still attached blocks deletion.
    let staying: Vec<&LiveRoom> = live
        .rooms
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            let deleted = (prune && leftover_rooms.iter().any(|l| l.arn == r.arn))
                || taken.duplicate_rooms.contains(&r.arn.as_str());
            !taken.rooms.contains(i) && !deleted
        })
        .map(|(_, r)| r)
        .collect();
    let users_of = |arn: &str| -> Option<String> {
        let users: Vec<&str> = staying
            .iter()
            .filter(|r| r.logging_configuration_identifiers.iter().any(|a| a == arn))
            .map(|r| r.arn.as_str())
            .collect();
        (!users.is_empty())
            .then(|| format!("rooms outside the spec still use it: {}", users.join(", ")))
    };
    for (c, duplicate, kept) in taken.duplicate_configurations {
        let mut change = p.duplicate(CONFIGURATION, &c.key, &c.origin, &duplicate.arn, kept);
        change.blocked = users_of(&duplicate.arn);
        if change.blocked.is_none() {
            change
                .operations
                .push(Operation::DeleteLoggingConfiguration {
                    arn: duplicate.arn.clone(),
                });
        }
        p.changes.push(change);
    }
    for (i, c) in live.logging_configurations.iter().enumerate() {
        if taken.configurations.contains(&i) || owner_of(&c.tags, p.owner) != Owner::Us {
            continue;
        }
        let mut change = p.leftover(CONFIGURATION, &c.tags, &c.name, &c.arn);
        if !prune {
            change.blocked = Some(NOT_PRUNED.to_owned());
        } else if let Some(why) = users_of(&c.arn) {
            change.blocked = Some(why);
        } else {
            change
                .operations
                .push(Operation::DeleteLoggingConfiguration { arn: c.arn.clone() });
        }
        p.changes.push(change);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::LiveReviewHandler;
    use crate::plan::test_support::tags;

    const SPEC: &str = r#"
version: 1
defaults: {account: "111122223333", region: us-west-2, tags: {team: live}}
destinations:
  archive: {s3: {bucket: acme-archive}}
logging_configurations:
  archive: {destination: archive}
rooms:
  lobby: {logging: [archive], maximum_message_rate_per_second: 20}
"#;

    fn deployment() -> Deployment {
        crate::plan::test_support::deployment(SPEC)
    }

    const CFG_ARN: &str =
        "arn:aws:ivschat:us-west-2:111122223333:logging-configuration/cfgCFGcfgCFG";
    const ROOM_ARN: &str = "arn:aws:ivschat:us-west-2:111122223333:room/roomROOMroom";

    fn live(config_tags: Tags, room_tags: Tags, rate: u32) -> RegionInventory {
        RegionInventory {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            logging_configurations: vec![LiveLoggingConfiguration {
                arn: CFG_ARN.to_owned(),
                id: "cfgCFGcfgCFG".to_owned(),
                name: "archive".to_owned(),
                state: "ACTIVE".to_owned(),
                destination: LiveDestination::S3 {
                    bucket_name: "acme-archive".to_owned(),
                },
                tags: config_tags,
                create_time: None,
                update_time: None,
            }],
            rooms: vec![LiveRoom {
                arn: ROOM_ARN.to_owned(),
                id: "roomROOMroom".to_owned(),
                name: "lobby".to_owned(),
                logging_configuration_identifiers: vec![CFG_ARN.to_owned()],
                maximum_message_length: Some(500),
                maximum_message_rate_per_second: Some(rate),
                message_review_handler: Some(LiveReviewHandler {
                    uri: String::new(),
                    fallback_result: "ALLOW".to_owned(),
                }),
                tags: room_tags,
                create_time: None,
                update_time: None,
            }],
        }
    }

    fn owned(key: &str) -> Tags {
        tags(&[
            ("team", "live"),
            (SPEC_TAG, "s"),
            (KEY_TAG, key),
            ("aws:cloudformation:x", "y"),
        ])
    }

    #[test]
    fn an_empty_account_gets_creates_in_dependency_order() {
        let empty = RegionInventory {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            logging_configurations: vec![],
            rooms: vec![],
        };
        let changes = plan_deployment(&deployment(), &empty, "s", false);
        assert!(changes.iter().all(|c| c.action == Action::Create));
        let order: Vec<&str> = super::super::execution_order(&changes)
            .iter()
            .map(|c| c.resource_type)
            .collect();
        assert_eq!(order, [CONFIGURATION, ROOM]);
        let Operation::CreateRoom { room, tags, .. } = &changes[1].operations[0] else {
            panic!("{:?}", changes[1].operations);
        };
        assert_eq!(room.maximum_message_rate_per_second, 20);
        assert_eq!(room.maximum_message_length, 500);
        assert_eq!(tags.get(SPEC_TAG).unwrap(), "s");
        assert_eq!(tags.get(KEY_TAG).unwrap(), "lobby");
    }

    #[test]
    fn owned_and_equal_is_no_change_and_aws_tags_are_ignored() {
        let changes = plan_deployment(
            &deployment(),
            &live(owned("archive"), owned("lobby"), 20),
            "s",
            true,
        );
        assert!(
            changes.iter().all(|c| c.action == Action::NoChange),
            "{changes:#?}"
        );
    }

    #[test]
    fn an_owned_room_with_another_rate_is_updated_in_place() {
        let changes = plan_deployment(
            &deployment(),
            &live(owned("archive"), owned("lobby"), 10),
            "s",
            false,
        );
        let room = changes.iter().find(|c| c.resource_type == ROOM).unwrap();
        assert_eq!(room.action, Action::Update);
        assert_eq!(room.diffs.len(), 1);
        assert_eq!(room.diffs[0].attribute, "maximum_message_rate_per_second");
        assert!(matches!(
            room.operations[..],
            [Operation::UpdateRoom { .. }]
        ));
        assert!(room.blocked.is_none());
    }

    #[test]
    fn unowned_resources_match_by_name_without_change_but_are_never_changed() {
        let same = plan_deployment(
            &deployment(),
            &live(tags(&[("team", "live")]), tags(&[("team", "live")]), 20),
            "s",
            true,
        );
        assert!(
            same.iter()
                .all(|c| c.action == Action::NoChange && c.blocked.is_none()),
            "{same:#?}"
        );
        let different = plan_deployment(
            &deployment(),
            &live(tags(&[("team", "live")]), tags(&[("team", "live")]), 10),
            "s",
            true,
        );
        let room = different.iter().find(|c| c.resource_type == ROOM).unwrap();
        assert_eq!(room.action, Action::Update);
        assert!(room.operations.is_empty());
        assert!(room.blocked.as_ref().unwrap().contains("does not own"));
        assert!(super::super::execution_order(&different).is_empty());
    }

    #[test]
    fn another_specs_resources_are_neither_matched_nor_pruned() {
        let theirs = tags(&[(SPEC_TAG, "other"), (KEY_TAG, "lobby")]);
        let changes = plan_deployment(&deployment(), &live(theirs.clone(), theirs, 20), "s", true);
        assert!(
            changes.iter().all(|c| c.action == Action::Create),
            "{changes:#?}"
        );
    }

    #[test]
    fn leftovers_are_deleted_only_with_prune_and_only_when_no_other_room_uses_them() {
        let mut inv = live(owned("old-cfg"), owned("old-room"), 20);
        let without = plan_deployment(&deployment(), &inv, "s", false);
        let deletes: Vec<&Change> = without
            .iter()
            .filter(|c| c.action == Action::Delete)
            .collect();
        assert_eq!(deletes.len(), 2);
        assert!(
            deletes
                .iter()
                .all(|c| c.blocked.as_deref().unwrap().contains("--prune"))
        );

        let with = plan_deployment(&deployment(), &inv, "s", true);
        let order: Vec<(&str, Action)> = super::super::execution_order(&with)
            .iter()
            .map(|c| (c.resource_type, c.action))
            .collect();
        assert_eq!(
            order,
            [
                (CONFIGURATION, Action::Create),
                (ROOM, Action::Create),
                (ROOM, Action::Delete),
                (CONFIGURATION, Action::Delete)
            ]
        );

        // A room chatlog does not own still uses the leftover configuration: it stays.
        inv.rooms[0].tags = tags(&[("team", "live")]);
        inv.rooms[0].name = "someone-elses".to_owned();
        let blocked = plan_deployment(&deployment(), &inv, "s", true);
        let cfg = blocked
            .iter()
            .find(|c| c.resource_type == CONFIGURATION && c.action == Action::Delete)
            .unwrap();
        assert!(cfg.blocked.as_deref().unwrap().contains(ROOM_ARN));
    }

    #[test]
    fn user_tags_are_made_authoritative_on_owned_resources() {
        let mut t = owned("lobby");
        t.insert("stale".to_owned(), "1".to_owned());
        t.insert("team".to_owned(), "old".to_owned());
        let changes = plan_deployment(&deployment(), &live(owned("archive"), t, 20), "s", false);
        let room = changes.iter().find(|c| c.resource_type == ROOM).unwrap();
        assert!(room.operations.contains(&Operation::UntagResource {
            arn: ROOM_ARN.to_owned(),
            keys: vec!["stale".to_owned()]
        }));
        assert!(room.operations.iter().any(|o| matches!(o, Operation::TagResource { tags, .. } if tags.get("team").map(String::as_str) == Some("live") && tags.len() == 1)));
    }

    fn with_time(mut inv: RegionInventory) -> RegionInventory {
        inv.logging_configurations[0].create_time = Some("2026-01-01T00:00:00Z".to_owned());
        inv.rooms[0].create_time = Some("2026-01-01T00:00:00Z".to_owned());
        inv
    }

    #[test]
    fn a_second_room_for_one_key_is_a_duplicate_deleted_without_prune_and_the_older_is_kept() {
        let mut inv = with_time(live(owned("archive"), owned("lobby"), 20));
        let mut newer = inv.rooms[0].clone();
        newer.arn = "arn:aws:ivschat:us-west-2:111122223333:room/newerNEWERnw".to_owned();
        newer.create_time = Some("2026-02-01T00:00:00Z".to_owned());
        // Listed first: the choice must not depend on the listing's order.
        inv.rooms.insert(0, newer.clone());
        let changes = plan_deployment(&deployment(), &inv, "s", false);
        let kept = changes
            .iter()
            .find(|c| c.resource_type == ROOM && c.action == Action::NoChange)
            .unwrap();
        assert_eq!(kept.arn.as_deref(), Some(ROOM_ARN));
        let dup = changes.iter().find(|c| c.duplicate_of.is_some()).unwrap();
        assert_eq!(
            (
                dup.key.as_str(),
                dup.arn.as_deref(),
                dup.duplicate_of.as_deref()
            ),
            ("lobby", Some(newer.arn.as_str()), Some(ROOM_ARN))
        );
        assert!(dup.blocked.is_none(), "no --prune needed");
        assert!(dup.origin.is_some(), "located at the spec entry");
        assert_eq!(
            dup.operations,
            [Operation::DeleteRoom {
                arn: newer.arn.clone()
            }]
        );
        assert!(
            crate::report::plan::render_text(&changes, "s")
                .contains("delete duplicate of AWS::IVSChat::Room lobby")
        );
    }

    #[test]
    fn of_two_configurations_for_one_key_the_one_rooms_use_is_kept() {
        let mut inv = with_time(live(owned("archive"), owned("lobby"), 20));
        let mut younger = inv.logging_configurations[0].clone();
        younger.arn =
            "arn:aws:ivschat:us-west-2:111122223333:logging-configuration/youngYOUNGyo".to_owned();
        younger.create_time = Some("2026-03-01T00:00:00Z".to_owned());
        inv.logging_configurations.push(younger.clone());
        // The room uses the younger one: it is kept, the older one is the duplicate.
        inv.rooms[0].logging_configuration_identifiers = vec![younger.arn.clone()];
        let changes = plan_deployment(&deployment(), &inv, "s", false);
        let dup = changes.iter().find(|c| c.duplicate_of.is_some()).unwrap();
        assert_eq!(dup.arn.as_deref(), Some(CFG_ARN));
        assert_eq!(dup.duplicate_of.as_deref(), Some(younger.arn.as_str()));
        assert!(dup.blocked.is_none());
        let order: Vec<(&str, Action)> = super::super::execution_order(&changes)
            .iter()
            .map(|c| (c.resource_type, c.action))
            .collect();
        assert_eq!(order, [(CONFIGURATION, Action::Delete)]);

        // Both are used (the older by a room outside the spec): the older is kept, the spec's
        // room moves to it, and the younger one stays while another room outside the spec
        // still uses it, saying why.
        let mut foreign = inv.rooms[0].clone();
        foreign.arn = "arn:aws:ivschat:us-west-2:111122223333:room/foreignFOREI".to_owned();
        foreign.name = "theirs".to_owned();
        foreign.tags = tags(&[("team", "other")]);
        foreign.logging_configuration_identifiers = vec![CFG_ARN.to_owned()];
        let mut second = foreign.clone();
        second.arn = "arn:aws:ivschat:us-west-2:111122223333:room/secondSECOND".to_owned();
        second.logging_configuration_identifiers = vec![younger.arn.clone()];
        inv.rooms.push(foreign);
        inv.rooms.push(second.clone());
        let changes = plan_deployment(&deployment(), &inv, "s", false);
        let dup = changes.iter().find(|c| c.duplicate_of.is_some()).unwrap();
        assert_eq!(dup.arn.as_deref(), Some(younger.arn.as_str()));
        assert!(dup.blocked.as_deref().unwrap().contains(&second.arn));
        let room = changes.iter().find(|c| c.resource_type == ROOM).unwrap();
        assert_eq!(
            room.action,
            Action::Update,
            "the spec's room moves to the kept one"
        );
    }
}
