//! Semantic validation of a merged spec and its resolution into the model. Every rule here has
//! an id in the catalog and reports where the spec says what it breaks.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::hash_map;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use crate::diagnostic::{Diagnostic, Rule};
use crate::sorted_map::SortedMap;
use crate::spec::constraints::{self as c, DEFAULT_LOGGING_CONFIGURATION_QUOTA, IVSCHAT_REGIONS};
use crate::spec::load::{Entry, Located, Origin, Spec};
use crate::spec::source::{Anchor, Sources};
use crate::spec::types::{self, DestinationKind as SpecKind, Tags as SpecTags};
use crate::suggest;

use super::arn::destination_arn;
use super::logical_id::logical_id;
use super::{
    Access, Bot, Deployment, Destination, DestinationKind, Logging, LoggingConfiguration,
    MessageReviewHandler, Model, Room, RoomTags, Tags,
};

mod audit;
mod lex;
mod stack_set;

/// Destinations the spec's bots need that it does not declare: the log groups and buckets of
/// Lex V1 settings (existing resources, keyed `BOT.text` / `BOT.audio`, which no spec key can be).
#[derive(Clone, Debug)]
struct ImpliedDestination<'a> {
    key: String,
    placement: Placement<'a>,
    kind: DestinationKind,
    origin: Origin,
}

/// Account and region of one resource, and where each was decided (for diagnostics). Borrowed
/// from the spec where it says them: placing 5,000 rooms copied two names and built two
/// origins a room, which only a diagnostic reads.
#[derive(Clone, Debug)]
struct Placement<'a> {
    account: Cow<'a, str>,
    region: Cow<'a, str>,
    account_from: Whence<'a>,
    region_from: Whence<'a>,
}

impl Placement<'_> {
    fn same_place(&self, other: &Placement<'_>) -> bool {
        self.account == other.account && self.region == other.region
    }
}

/// Where the spec's rooms are placed. Rooms name few places, each many times: each place is
/// kept once, and each room holds the index of its own (`None` for a room that could not be
/// placed), in the spec's order. Keeping each room's placement (112 bytes) and hashing its names
/// again to find its deployment took 0.7 M of a 5,000-room resolve's 15.5 M instructions.
struct RoomPlaces<'a> {
    places: Vec<Placement<'a>>,
    of_room: Vec<RoomPlace>,
}

/// A room's place, and the positions of the configurations it lists among the placed ones in
/// key order, found as its references are checked; `build` turns them into positions in the
/// room's deployment, so that no later walk reads a room's keys again.
struct RoomPlace {
    place: Option<usize>,
    logging: Logging,
}

/// Where a placed room moves: the index of its deployment, and its configurations' positions
/// there.
struct Home {
    deployment: usize,
    logging: Logging,
}

/// Where an account or region was decided: the origin is built when a diagnostic points there.
#[derive(Clone, Debug)]
enum Whence<'a> {
    /// A key of the resource's own.
    Key(&'a Origin, &'static str),
    At(Cow<'a, Origin>),
}

impl Whence<'_> {
    fn origin(&self) -> Cow<'_, Origin> {
        match self {
            Whence::Key(parent, key) => Cow::Owned(parent.child(key)),
            Whence::At(origin) => Cow::Borrowed(origin),
        }
    }
}

/// The resources of a section that could be placed, by key.
type Placed<'a, T> = BTreeMap<String, (Placement<'a>, &'a Entry<T>)>;

/// A set of names, hashed: looked up or added once a room.
type Names<'a> = HashSet<&'a str, foldhash::fast::RandomState>;

fn offered(region: &types::Region) -> bool {
    IVSCHAT_REGIONS.contains(&region.as_str())
}

struct Resolver<'a> {
    spec: &'a Spec,
    sources: &'a Sources,
    diagnostics: Vec<Diagnostic>,
}

/// What the spec's rooms leave once their names, tags and origins moved into the model: each
/// room's box, with what the model does not take (its account, region and `logging` keys).
/// Dropping it frees every room one by one, half of them into the heap of the thread that read
/// them; whoever holds the model decides when (see [`crate::validate::Validation`]).
#[derive(Debug, Default)]
pub struct Spent {
    #[expect(
        clippy::vec_box,
        reason = "each box is a room's own block as read, held so that it is not freed"
    )]
    _rooms: Vec<Box<Entry<types::Room>>>,
}

#[cfg(test)]
impl Spent {
    pub(crate) fn rooms(&self) -> &[Box<Entry<types::Room>>] {
        &self._rooms
    }
}

/// Checks the semantic rules and builds the model. The model is `None` when any error was found;
/// warnings come back either way.
///
/// The spec is taken, not borrowed: once every rule is checked, its rooms' names, tags and
/// origins move into the model instead of being copied, and what is left of them comes back
/// as [`Spent`].
pub fn resolve(spec: Spec, sources: &Sources) -> (Option<Model>, Vec<Diagnostic>, Spent) {
    let mut r = Resolver {
        spec: &spec,
        sources,
        diagnostics: Vec::new(),
    };
    let (mut model, homes) = r.run();
    // Before the rooms move in: stack sets are checked against the deployments' other
    // resources and names, never their rooms.
    model.stack_sets = stack_set::resolve(&spec, sources, &model.deployments, &mut r.diagnostics);
    let diagnostics = r.diagnostics;
    if diagnostics.iter().any(Diagnostic::is_error) {
        return (None, diagnostics, Spent::default());
    }
    let spent = move_rooms(spec, &homes, &mut model.deployments);
    (Some(model), diagnostics, spent)
}

/// Moves each placed room into its deployment, taking what the spec read, and answers with
/// what is left of the rooms. `homes` holds, in the order of the spec's rooms, where each one
/// goes.
fn move_rooms(spec: Spec, homes: &[Option<Home>], deployments: &mut [Deployment]) -> Spent {
    let mut counts = vec![0_usize; deployments.len()];
    for home in homes.iter().flatten() {
        if let Some(count) = counts.get_mut(home.deployment) {
            *count += 1;
        }
    }
    for (d, count) in deployments.iter_mut().zip(counts) {
        d.rooms.reserve_exact(count);
    }
    let Spec {
        rooms, defaults, ..
    } = spec;
    let defaults: std::sync::Arc<Tags> = std::sync::Arc::new(
        defaults
            .tags
            .iter()
            .map(|(k, (v, _))| (String::from(k.as_str()), String::from(v.as_str())))
            .collect(),
    );
    let mut spent = Vec::with_capacity(rooms.len());
    for ((key, mut entry), home) in rooms.into_iter().zip(homes) {
        let Some((d, home)) = home
            .as_ref()
            .and_then(|h| Some((deployments.get_mut(h.deployment)?, h)))
        else {
            spent.push(entry);
            continue;
        };
        let room = &mut entry.value;
        let key = String::from(key);
        d.rooms.push(Room {
            given_name: room.name.take().map(String::from),
            logical_id: logical_id("Room", &key),
            logging: home.logging,
            maximum_message_length: room.maximum_message_length.map(types::MessageLength::get),
            maximum_message_rate_per_second: room
                .maximum_message_rate_per_second
                .map(types::MessageRate::get),
            message_review_handler: room.message_review_handler.take().map(|h| {
                Box::new(MessageReviewHandler {
                    uri: String::from(h.uri),
                    fallback_result: h.fallback_result,
                })
            }),
            // The room's own tags move in, over the defaults every room shares.
            tags: RoomTags::new(
                std::sync::Arc::clone(&defaults),
                SortedMap::from(std::mem::take(&mut room.tags))
                    .into_iter()
                    .map(|(k, v)| (String::from(k), String::from(v)))
                    .collect(),
            ),
            origin: std::mem::take(&mut entry.origin),
            key,
        });
        spent.push(entry);
    }
    Spent { _rooms: spent }
}

impl<'a> Resolver<'a> {
    fn at(&self, origin: &Origin, anchor: Anchor) -> Option<crate::diagnostic::Location> {
        self.sources.locate(origin.file, &origin.pointer, anchor)
    }

    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn run(&mut self) -> (Model, Vec<Option<Home>>) {
        self.check_regions_offered();
        let destinations = self.place_destinations();
        let configurations = self.place_configurations(&destinations);
        let (rooms, used_by_rooms) = self.place_rooms(&configurations);
        let (bots, implied) = self.place_bots(&destinations);
        let audit = self.place_audit(&destinations);
        self.check_same_destination_twice(&destinations);
        self.check_quota(&configurations);
        // A destination a bot names counts as used even when the bot has an error of its own.
        let used_by_bots: BTreeSet<String> = bots
            .iter()
            .flat_map(|(_, b)| [&b.text_logs, &b.audio_logs])
            .flatten()
            .map(|l| l.destination.clone())
            .chain(self.spec.bots.values().flat_map(|b| {
                [
                    b.value.text_logs.as_ref().map(|t| t.destination.clone()),
                    b.value.audio_logs.as_ref().map(|a| a.destination.clone()),
                ]
                .into_iter()
                .flatten()
            }))
            .collect();
        self.check_unused(&used_by_rooms, &used_by_bots);
        self.check_account_access();
        let (mut model, homes) = self.build(destinations, configurations, &rooms, bots, implied);
        model.audit = audit;
        (model, homes)
    }

    /// Where a resource lives: its own account/region, else the fallback's (its destination for a
    /// logging configuration), else the defaults. Missing either is CL040.
    fn place(
        &mut self,
        what: &dyn fmt::Display,
        origin: &'a Origin,
        account: Option<&'a types::AccountId>,
        region: Option<&'a types::Region>,
        fallback: Option<&Placement<'a>>,
    ) -> Option<Placement<'a>> {
        let d = &self.spec.defaults;
        let account = match (account, fallback, &d.account) {
            (Some(a), _, _) => Some((Cow::Borrowed(a.as_str()), Whence::Key(origin, "account"))),
            (None, Some(f), _) => Some((f.account.clone(), f.account_from.clone())),
            (None, None, Some((a, o))) => {
                Some((Cow::Borrowed(a.as_str()), Whence::At(Cow::Borrowed(o))))
            }
            (None, None, None) => None,
        };
        let region = match (region, fallback, &d.region) {
            (Some(r), _, _) => Some((Cow::Borrowed(r.as_str()), Whence::Key(origin, "region"))),
            (None, Some(f), _) => Some((f.region.clone(), f.region_from.clone())),
            (None, None, Some((r, o))) => {
                Some((Cow::Borrowed(r.as_str()), Whence::At(Cow::Borrowed(o))))
            }
            (None, None, None) => None,
        };
        match (account, region) {
            (Some((account, account_from)), Some((region, region_from))) => Some(Placement {
                account,
                region,
                account_from,
                region_from,
            }),
            (account, _) => {
                let missing = if account.is_none() {
                    "account"
                } else {
                    "region"
                };
                self.push(
                    Diagnostic::new(Rule::NoPlacement, format!("{what} has no {missing}"))
                        .at(self.at(origin, Anchor::Key))
                        .help(format!(
                            "set `{missing}` on it, or `defaults.{missing}` for the whole spec"
                        )),
                );
                None
            }
        }
    }

    /// The regions of everything but the rooms, whose regions `place_rooms` checks in its one
    /// walk of them.
    fn check_regions_offered(&mut self) {
        // Only a region that is not offered is pointed at, so only such a region is given an
        // origin: one a room, 5,000 rooms.
        let mut places: Vec<(String, Origin)> = Vec::new();
        if let Some((r, o)) = &self.spec.defaults.region
            && !offered(r)
        {
            places.push((r.as_str().to_owned(), o.clone()));
        }
        let overrides = self
            .spec
            .destinations
            .values()
            .map(|e| (e.value.region.as_ref(), &e.origin))
            .chain(
                self.spec
                    .logging_configurations
                    .values()
                    .map(|e| (e.value.region.as_ref(), &e.origin)),
            )
            .chain(
                self.spec
                    .quotas
                    .iter()
                    .map(|e| (e.value.region.as_ref(), &e.origin)),
            );
        for (region, origin) in overrides {
            if let Some(r) = region
                && !offered(r)
            {
                places.push((r.as_str().to_owned(), origin.child("region")));
            }
        }
        for (region, origin) in places {
            self.region_not_offered(&region, &origin);
        }
    }

    fn region_not_offered(&mut self, region: &str, origin: &Origin) {
        let d = Diagnostic::new(
            Rule::RegionNotOffered,
            format!("IVS Chat is not offered in `{region}`"),
        )
        .at(self.at(origin, Anchor::Value))
        .help(format!(
            "IVS Chat regions: {}; check the region if this is not a new one",
            IVSCHAT_REGIONS.join(", ")
        ));
        self.push(d);
    }

    fn place_destinations(
        &mut self,
    ) -> BTreeMap<String, (Placement<'a>, &'a Entry<types::Destination>)> {
        let spec = self.spec;
        let mut out = BTreeMap::new();
        for (key, entry) in &spec.destinations {
            let d = &entry.value;
            let (adopt, create, section) = match &d.kind {
                SpecKind::S3(s3) => (s3.adopt, s3.create, "s3"),
                SpecKind::CloudWatchLogs(cw) => (cw.adopt, cw.create, "cloudwatch_logs"),
                SpecKind::Firehose(_) => (false, false, "firehose"),
            };
            if adopt && !create {
                let at = self.at(&entry.origin.child(section).child("adopt"), Anchor::Key);
                self.push(
                    Diagnostic::new(
                        Rule::AdoptWithoutCreate,
                        format!("destination `{key}` sets `adopt: true` without `create: true`"),
                    )
                    .at(at)
                    .help("adopting means chatlog manages it from now on: add `create: true`, or remove `adopt` to leave it existing"),
                );
            }
            if let SpecKind::CloudWatchLogs(cw) = &d.kind {
                if cw.retention_days.is_some() && !cw.create {
                    let at = self.at(
                        &entry
                            .origin
                            .child("cloudwatch_logs")
                            .child("retention_days"),
                        Anchor::Key,
                    );
                    self.push(
                        Diagnostic::new(Rule::RetentionWithoutCreate, format!("`retention_days` is set on log group `{}`, which chatlog does not create", cw.log_group))
                            .at(at)
                            .help("set `create: true` to let chatlog own the log group, or remove `retention_days`"),
                    );
                }
                if cw.create && cw.log_group.as_str().starts_with("aws/") {
                    let at = self.at(
                        &entry.origin.child("cloudwatch_logs").child("log_group"),
                        Anchor::Value,
                    );
                    self.push(
                        Diagnostic::new(Rule::LogGroupName, format!("log group `{}` cannot be created: names starting with `aws/` are reserved", cw.log_group))
                            .at(at)
                            .help("CreateLogGroup refuses the `aws/` prefix (CloudWatch Logs service model); a name like `/aws/vendedlogs/ivschat/...` is allowed"),
                    );
                }
            }
            self.check_tags(&format!("destination `{key}`"), &entry.origin, &d.tags);
            if let Some(p) = self.place(
                &format!("destination `{key}`"),
                &entry.origin,
                d.account.as_ref(),
                d.region.as_ref(),
                None,
            ) {
                out.insert(key.as_str().to_owned(), (p, entry));
            }
        }
        out
    }

    fn place_configurations(
        &mut self,
        destinations: &BTreeMap<String, (Placement<'a>, &'a Entry<types::Destination>)>,
    ) -> BTreeMap<String, (Placement<'a>, &'a Entry<types::LoggingConfiguration>)> {
        let spec: &'a Spec = self.spec;
        let mut out = BTreeMap::new();
        for (key, entry) in &spec.logging_configurations {
            let cfg = &entry.value;
            let what = format!("logging configuration `{key}`");
            self.check_tags(&what, &entry.origin, &cfg.tags);
            let destination_key = types::EntryKey::try_from(cfg.destination.clone()).ok();
            let destination = destination_key
                .as_ref()
                .and_then(|k| spec.destinations.get(k));
            if destination.is_none() {
                let names = spec.destinations.keys().map(types::EntryKey::as_str);
                let mut d = Diagnostic::new(
                    Rule::UnknownReference,
                    format!("{what} writes to unknown destination `{}`", cfg.destination),
                )
                .at(self.at(&entry.origin.child("destination"), Anchor::Value));
                d = match suggest::did_you_mean(&cfg.destination, names) {
                    Some(hint) => d.help(hint),
                    None => d.help("add it under `destinations`, or name one that exists"),
                };
                self.push(d);
            }
            let dest_placement = destinations.get(&cfg.destination).map(|(p, _)| p.clone());
            let Some(placement) = self.place(
                &what,
                &entry.origin,
                cfg.account.as_ref(),
                cfg.region.as_ref(),
                dest_placement.as_ref(),
            ) else {
                continue;
            };
            if let Some(dp) = &dest_placement {
                let dest_origin = destinations
                    .get(&cfg.destination)
                    .map(|(_, e)| e.origin.clone());
                let primary = entry.origin.child("destination");
                self.check_same_place(
                    &what,
                    &placement,
                    &primary,
                    &format!("destination `{}`", cfg.destination),
                    dp,
                    dest_origin.as_ref(),
                );
            }
            out.insert(key.as_str().to_owned(), (placement, entry));
        }
        out
    }

    /// A resource and something it uses must share account (CL034) and region (CL033). The
    /// diagnostic points at the reference (`primary`); notes show where each side was placed.
    fn check_same_place(
        &mut self,
        what: &dyn fmt::Display,
        mine: &Placement,
        primary: &Origin,
        other_what: &str,
        other: &Placement,
        other_origin: Option<&Origin>,
    ) {
        if mine.same_place(other) {
            return;
        }
        let at = self.at(primary, Anchor::Value);
        if mine.region != other.region {
            let message = format!(
                "{what} is in `{}` but {other_what} is in `{}`",
                mine.region, other.region
            );
            let d = Diagnostic::new(Rule::RegionMismatch, message)
                .at(at.clone())
                .related(format!("{what} gets its region here"), self.at(&mine.region_from.origin(), Anchor::Value))
                .related(format!("{other_what} gets its region here"), self.at(&other.region_from.origin(), Anchor::Value))
                .help("IVS Chat logs only within one region: a room, its logging configurations and their destinations must share it");
            self.push(d);
        }
        if mine.account != other.account {
            let message = format!(
                "{what} is in account `{}` but {other_what} is in account `{}`",
                mine.account, other.account
            );
            let mut d = Diagnostic::new(Rule::AccountMismatch, message)
                .at(at)
                .related(
                    format!("{what} gets its account here"),
                    self.at(&mine.account_from.origin(), Anchor::Value),
                )
                .related(
                    format!("{other_what} gets its account here"),
                    self.at(&other.account_from.origin(), Anchor::Value),
                );
            if let Some(o) = other_origin {
                d = d.related(
                    format!("{other_what} is defined here"),
                    self.at(o, Anchor::Key),
                );
            }
            self.push(d.help("IVS Chat logs only to a location owned by the account that logs; put both in one account"));
        }
    }

    /// Places every room and checks what is the room's own: its tags, its region and its
    /// references, noting where each reference was found. Also answers which logging
    /// configurations the rooms use. All in one walk of
    /// the rooms: at 50,000 rooms each walk finds them out of every cache, and with four walks
    /// (regions, places, references, use) the rules took 4.7 ms of `validate`, 22.8 times
    /// their time at 5,000 rooms (issue 17).
    fn place_rooms<'c>(
        &mut self,
        configurations: &'c Placed<'a, types::LoggingConfiguration>,
    ) -> (RoomPlaces<'a>, Names<'c>) {
        let spec: &'a Spec = self.spec;
        // Looked up once a room's reference: a hash of a few names costs a fifth of a search
        // of the ordered map's string keys. Each is marked used where a room names it.
        let configurations: HashMap<&str, _, foldhash::fast::RandomState> = configurations
            .iter()
            .enumerate()
            .map(|(at, (key, placed))| (key.as_str(), (Cell::new(false), at, placed)))
            .collect();
        // Known configurations that could not be placed, which rooms may still use.
        let mut used_unplaced: Names<'c> = HashSet::default();
        let mut out = RoomPlaces {
            places: Vec::new(),
            of_room: Vec::with_capacity(spec.rooms.len()),
        };
        let mut seen: HashMap<(&str, &str), usize, foldhash::fast::RandomState> =
            HashMap::default();
        for (key, entry) in &spec.rooms {
            let room = &entry.value;
            // Spelled out only if a diagnostic needs it: one per room, 50,000 rooms.
            let what = Named("room", key.as_str());
            self.check_tags(&what, &entry.origin, &room.tags);
            if let Some(region) = &room.region
                && !offered(region)
            {
                self.region_not_offered(region.as_str(), &entry.origin.child("region"));
            }
            let placement = self.place(
                &what,
                &entry.origin,
                room.account.as_ref(),
                room.region.as_ref(),
                None,
            );
            let mut logging = Logging::default();
            for (i, reference) in room.logging.iter().enumerate() {
                // Every key of the map is a valid entry key, so a reference that is not one is
                // simply not found.
                // Placed configurations are known ones, so the common case takes one lookup and
                // no diagnostics' locations.
                let placed = configurations.get(reference).map(|(used, at, placed)| {
                    used.set(true);
                    // At most three, as the list was read.
                    logging.push(*at);
                    *placed
                });
                if let (Some(mine), Some((theirs, _))) = (&placement, placed)
                    && mine.same_place(theirs)
                {
                    continue;
                }
                let known = placed.is_some() || spec.logging_configurations.contains_key(reference);
                let at = entry.origin.child("logging").child(&i.to_string());
                if !known {
                    let names = spec
                        .logging_configurations
                        .keys()
                        .map(types::EntryKey::as_str);
                    let mut d = Diagnostic::new(
                        Rule::UnknownReference,
                        format!("{what} uses unknown logging configuration `{reference}`"),
                    )
                    .at(self.at(&at, Anchor::Value));
                    d = match suggest::did_you_mean(reference, names) {
                        Some(hint) => d.help(hint),
                        None => {
                            d.help("add it under `logging_configurations`, or name one that exists")
                        }
                    };
                    self.push(d);
                    continue;
                }
                if placed.is_none() {
                    used_unplaced.insert(reference);
                }
                if let (Some(mine), Some((theirs, cfg_entry))) = (&placement, placed) {
                    let theirs = theirs.clone();
                    let cfg_origin = cfg_entry.origin.clone();
                    self.check_same_place(
                        &what,
                        mine,
                        &at,
                        &format!("logging configuration `{reference}`"),
                        &theirs,
                        Some(&cfg_origin),
                    );
                }
            }
            let place = placement.map(|p| {
                let at = out.places.len();
                // A room's placement borrows the spec's names: a room has no fallback to copy
                // them from. One that owned them would be kept as a place of its own, which
                // `build` still gives the deployment of its names.
                if let (Cow::Borrowed(account), Cow::Borrowed(region)) = (&p.account, &p.region) {
                    match seen.entry((*account, *region)) {
                        hash_map::Entry::Occupied(seen) => return *seen.get(),
                        hash_map::Entry::Vacant(new) => {
                            new.insert(at);
                        }
                    }
                }
                out.places.push(p);
                at
            });
            out.of_room.push(RoomPlace { place, logging });
        }
        let mut used_by_rooms = used_unplaced;
        used_by_rooms.extend(
            configurations
                .iter()
                .filter(|(_, (used, _, _))| used.get())
                .map(|(&key, _)| key),
        );
        (out, used_by_rooms)
    }

    /// Merged tags (defaults under the resource's own) must still fit the limits.
    fn check_tags(&mut self, what: &dyn fmt::Display, origin: &Origin, own: &SpecTags) {
        let defaults = &self.spec.defaults.tags;
        let merged = defaults.len()
            + own
                .iter()
                .filter(|(k, _)| !defaults.contains_key(k.as_str()))
                .count();
        if let Err(message) = c::tag_count(merged) {
            let at = if own.is_empty() {
                None
            } else {
                self.at(&origin.child("tags"), Anchor::Key)
            };
            let at = at.or_else(|| self.at(origin, Anchor::Key));
            self.push(
                Diagnostic::new(
                    Rule::TooManyTags,
                    format!("{what} has {merged} tags with `defaults.tags` merged in"),
                )
                .at(at)
                .help(format!("{message}; drop tags here or in `defaults.tags`")),
            );
        }
    }

    fn check_same_destination_twice(
        &mut self,
        destinations: &BTreeMap<String, (Placement<'a>, &'a Entry<types::Destination>)>,
    ) {
        let mut seen: BTreeMap<(String, String), (&str, &Origin)> = BTreeMap::new();
        for (key, (placement, entry)) in destinations {
            // Bucket names are global; log groups and streams are per account and region.
            let identity = match &entry.value.kind {
                SpecKind::S3(s3) => ("s3".to_owned(), s3.bucket.to_string()),
                SpecKind::CloudWatchLogs(cw) => (
                    "logs".to_owned(),
                    format!(
                        "{}/{}/{}",
                        placement.account, placement.region, cw.log_group
                    ),
                ),
                SpecKind::Firehose(fh) => (
                    "firehose".to_owned(),
                    format!(
                        "{}/{}/{}",
                        placement.account, placement.region, fh.delivery_stream
                    ),
                ),
            };
            if let Some((first_key, first_origin)) = seen.get(&identity) {
                let d = Diagnostic::new(
                    Rule::SameDestinationTwice,
                    format!(
                        "destinations `{first_key}` and `{key}` are the same {}",
                        match identity.0.as_str() {
                            "s3" => "bucket",
                            "logs" => "log group",
                            _ => "delivery stream",
                        }
                    ),
                )
                .at(self.at(&entry.origin, Anchor::Key))
                .related("first defined here", self.at(first_origin, Anchor::Key))
                .help(format!(
                    "keep one destination and point every logging configuration at `{first_key}`"
                ));
                self.push(d);
                continue;
            }
            seen.insert(identity, (key.as_str(), &entry.origin));
        }
    }

    fn check_quota(
        &mut self,
        configurations: &BTreeMap<String, (Placement<'a>, &'a Entry<types::LoggingConfiguration>)>,
    ) {
        // Raised quotas from the spec, by (account, region).
        let mut limits: BTreeMap<(String, String), (u32, Origin)> = BTreeMap::new();
        for q in &self.spec.quotas {
            let Some(placement) = self.place(
                &"quota",
                &q.origin,
                q.value.account.as_ref(),
                q.value.region.as_ref(),
                None,
            ) else {
                continue;
            };
            let slot = (placement.account.to_string(), placement.region.to_string());
            if let Some((_, first)) = limits.get(&slot) {
                let d = Diagnostic::new(
                    Rule::DefinedTwice,
                    format!(
                        "the quota for `{}` in `{}` is defined twice",
                        slot.0, slot.1
                    ),
                )
                .at(self.at(&q.origin, Anchor::Value))
                .related("first defined here", self.at(first, Anchor::Value))
                .help("keep one `quotas` entry per account and region");
                self.push(d);
                continue;
            }
            limits.insert(
                slot,
                (q.value.logging_configurations.get(), q.origin.clone()),
            );
        }
        let mut per_deployment: BTreeMap<(String, String), Vec<&Origin>> = BTreeMap::new();
        for (placement, entry) in configurations.values() {
            per_deployment
                .entry((placement.account.to_string(), placement.region.to_string()))
                .or_default()
                .push(&entry.origin);
        }
        for ((account, region), origins) in per_deployment {
            let (limit, raised) = limits
                .get(&(account.clone(), region.clone()))
                .map_or((DEFAULT_LOGGING_CONFIGURATION_QUOTA, false), |(l, _)| {
                    (*l, true)
                });
            let count = origins.len();
            if count <= limit as usize {
                continue;
            }
            let first_over = origins.get(limit as usize).copied();
            let help = if raised {
                format!(
                    "the spec states a quota of {limit}; remove logging configurations or raise the quota in Service Quotas and here"
                )
            } else {
                format!(
                    "the default quota is {limit} per account and region (adjustable); after raising it in Service Quotas, state it under `quotas`"
                )
            };
            let d = Diagnostic::new(Rule::LoggingConfigurationQuota, format!("account `{account}` has {count} logging configurations in `{region}`, the quota is {limit}"))
                .at(first_over.and_then(|o| self.at(o, Anchor::Key)))
                .help(help);
            self.push(d);
        }
    }

    /// `used_configurations`: those the rooms use, as `place_rooms` found.
    fn check_unused(&mut self, used_configurations: &Names<'_>, used_by_bots: &BTreeSet<String>) {
        let spec = self.spec;
        let used_destinations: BTreeSet<&str> = spec
            .logging_configurations
            .values()
            .map(|c| c.value.destination.as_str())
            .collect();
        for (key, entry) in &spec.logging_configurations {
            if !used_configurations.contains(key.as_str()) {
                let d = Diagnostic::new(Rule::UnusedLoggingConfiguration, format!("logging configuration `{key}` is not used by any room"))
                    .at(self.at(&entry.origin, Anchor::Key))
                    .help("add it to a room's `logging`, or remove it: it counts against the quota of 10 per account and region");
                self.push(d);
            }
        }
        for (key, entry) in &spec.destinations {
            if !used_destinations.contains(key.as_str()) && !used_by_bots.contains(key.as_str()) {
                let d = Diagnostic::new(
                    Rule::UnusedDestination,
                    format!("destination `{key}` is not used by any logging configuration or bot"),
                )
                .at(self.at(&entry.origin, Anchor::Key))
                .help("point a logging configuration or a bot's logs at it, or remove it");
                self.push(d);
            }
        }
    }

    fn build(
        &self,
        destinations: BTreeMap<String, (Placement<'a>, &'a Entry<types::Destination>)>,
        configurations: BTreeMap<String, (Placement<'a>, &'a Entry<types::LoggingConfiguration>)>,
        rooms: &RoomPlaces<'a>,
        bots: Vec<(Placement<'a>, Bot)>,
        implied: Vec<ImpliedDestination<'a>>,
    ) -> (Model, Vec<Option<Home>>) {
        let mut deployments: Deployments = BTreeMap::new();
        for (key, (p, entry)) in &destinations {
            let (kind, managed) = match &entry.value.kind {
                SpecKind::S3(s3) => (
                    DestinationKind::S3 {
                        bucket: s3.bucket.to_string(),
                    },
                    s3.create,
                ),
                SpecKind::CloudWatchLogs(cw) => (
                    DestinationKind::CloudWatchLogs {
                        log_group: cw.log_group.to_string(),
                        retention_days: cw.retention_days.map(types::RetentionDays::get),
                    },
                    cw.create,
                ),
                SpecKind::Firehose(fh) => (
                    DestinationKind::Firehose {
                        delivery_stream: fh.delivery_stream.to_string(),
                    },
                    false,
                ),
            };
            let adopt = match &entry.value.kind {
                SpecKind::S3(s3) => s3.adopt,
                SpecKind::CloudWatchLogs(cw) => cw.adopt,
                SpecKind::Firehose(_) => false,
            };
            let arn = destination_arn(&kind, &p.account, &p.region);
            deployment(&mut deployments, p, borrowed(p))
                .destinations
                .push(Destination {
                    key: key.clone(),
                    adopt: managed && adopt,
                    logical_id: logical_id("Destination", key),
                    kind,
                    managed,
                    arn,
                    tags: merged_tags(self.spec, &entry.value.tags),
                    origin: entry.origin.clone(),
                });
        }
        for i in implied {
            let arn = destination_arn(&i.kind, &i.placement.account, &i.placement.region);
            let d = deployment(&mut deployments, &i.placement, owned(&i.placement));
            d.destinations.push(Destination {
                logical_id: logical_id("Destination", &i.key),
                key: i.key,
                kind: i.kind,
                managed: false,
                adopt: false,
                arn,
                tags: Tags::new(),
                origin: i.origin,
            });
            d.destinations.sort_by(|a, b| a.key.cmp(&b.key));
        }
        for (p, bot) in bots {
            deployment(&mut deployments, &p, owned(&p)).bots.push(bot);
        }
        // Each placed configuration's position in its deployment, in key order as the rooms'
        // walk numbered them.
        let mut position_of = Vec::with_capacity(configurations.len());
        for (key, (p, entry)) in &configurations {
            let cfg = &entry.value;
            let list = &mut deployment(&mut deployments, p, borrowed(p)).logging_configurations;
            position_of.push(u32::try_from(list.len()).unwrap_or(u32::MAX));
            list.push(LoggingConfiguration {
                key: key.clone(),
                name: cfg
                    .name
                    .as_ref()
                    .map_or_else(|| key.clone(), ToString::to_string),
                logical_id: logical_id("LoggingConfiguration", key),
                destination: cfg.destination.clone(),
                tags: merged_tags(self.spec, &cfg.tags),
                origin: entry.origin.clone(),
            });
        }
        // A deployment that holds only rooms exists too; the rooms themselves move in once the
        // spec is no longer borrowed (`move_rooms`).
        // The ordered map is searched once a place, not once a room.
        for p in &rooms.places {
            deployment(&mut deployments, p, borrowed(p));
        }
        let homes = {
            let order: HashMap<(&str, &str), usize, foldhash::fast::RandomState> = deployments
                .keys()
                .enumerate()
                .map(|(i, (account, region))| ((account.as_ref(), region.as_ref()), i))
                .collect();
            let home_of_place: Vec<Option<usize>> = rooms
                .places
                .iter()
                .map(|p| order.get(&(p.account.as_ref(), p.region.as_ref())).copied())
                .collect();
            rooms
                .of_room
                .iter()
                .map(|room| {
                    Some(Home {
                        deployment: home_of_place.get(room.place?).copied().flatten()?,
                        logging: room.logging.through(&position_of),
                    })
                })
                .collect()
        };
        let mut deployments: Vec<Deployment> = deployments.into_values().collect();
        for d in &mut deployments {
            if let Some(entry) = self
                .spec
                .accounts
                .iter()
                .find_map(|(account, entry)| (account.as_str() == d.account).then_some(entry))
            {
                d.access = Access {
                    profile: entry.value.profile.as_ref().map(ToString::to_string),
                    role_arn: entry.value.role_arn.as_ref().map(ToString::to_string),
                };
            }
        }
        let model = Model {
            name: self.spec.name.as_ref().map(|(n, _)| n.to_string()),
            deployments,
            audit: None,
            stack_sets: Vec::new(),
        };
        (model, homes)
    }

    /// A role in another account would create the deployment's resources in that other account.
    fn check_account_access(&mut self) {
        let mut found = Vec::new();
        for (account, entry) in &self.spec.accounts {
            let Some(role) = &entry.value.role_arn else {
                continue;
            };
            let role_account = c::role_arn_account(role.as_str());
            if role_account != Some(account.as_str()) {
                let origin = entry.origin.child("role_arn");
                found.push(
                    Diagnostic::new(
                        Rule::RoleAccount,
                        match role_account {
                            Some(other) => {
                                format!("role `{role}` is in account {other}, not in {account}")
                            }
                            None => format!("role `{role}` names no account, not {account}"),
                        },
                    )
                    .at(self.at(&origin, Anchor::Value))
                    .help(format!(
                        "name a role in account {account}: chatlog creates the deployment's resources in the account whose role it assumes"
                    )),
                );
            }
        }
        for d in found {
            self.push(d);
        }
    }
}

/// Deployments by account and region, the order of the model's. Keyed by the placements'
/// own names where they outlive the map: placing each of 5,000 rooms copied both before.
type Deployments<'p> = BTreeMap<(Cow<'p, str>, Cow<'p, str>), Deployment>;

fn borrowed<'p>(p: &'p Placement<'_>) -> (Cow<'p, str>, Cow<'p, str>) {
    (Cow::Borrowed(&p.account), Cow::Borrowed(&p.region))
}

/// For a placement that does not outlive the map.
fn owned(p: &Placement<'_>) -> (Cow<'static, str>, Cow<'static, str>) {
    (
        Cow::Owned(p.account.to_string()),
        Cow::Owned(p.region.to_string()),
    )
}

/// The deployment a placement belongs to, created on first use.
fn deployment<'d, 'p>(
    deployments: &'d mut Deployments<'p>,
    p: &Placement,
    key: (Cow<'p, str>, Cow<'p, str>),
) -> &'d mut Deployment {
    deployments.entry(key).or_insert_with(|| Deployment {
        account: p.account.to_string(),
        region: p.region.to_string(),
        destinations: Vec::new(),
        logging_configurations: Vec::new(),
        rooms: Vec::new(),
        bots: Vec::new(),
        access: Access::default(),
    })
}

/// What a diagnostic calls an entry, e.g. "room `lobby`", written only when one is made.
struct Named<'a>(&'static str, &'a str);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.0, self.1)
    }
}

fn merged_tags(spec: &Spec, own: &SpecTags) -> Tags {
    over_defaults(
        &spec.defaults.tags,
        own.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// A resource's `own` tags over `defaults`: of a key set in both, the resource's own stays.
/// `own` comes borrowed (copied in) or owned (moved in, as a room's are).
fn over_defaults<K, V>(
    defaults: &BTreeMap<types::TagKey, Located<types::TagValue>>,
    own: impl Iterator<Item = (K, V)>,
) -> Tags
where
    K: std::borrow::Borrow<str>,
    String: From<K> + From<V>,
{
    Tags::overlaid(
        defaults.iter().map(|(k, (v, _))| (k.as_str(), v.as_str())),
        own,
    )
}
