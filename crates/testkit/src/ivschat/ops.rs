//! The operations: validate the request, apply it to the caller's account and region, answer
//! the model's response members.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime};

use serde_json::{Map, Value, json};

use super::control::Control;
use super::delivery::Delivery;
use super::error::ApiError;
use super::ids::new_id;
use super::model::{Account, Configuration, Phase, Room, RoomHandler};
use super::throttle::Throttle;
use super::validate::{
    CONFIGURATION_ARN, Input, LAMBDA_ARN, MAX_ROOM_CONFIGURATIONS, MAX_TAGS, NAME, RESOURCE_ARN,
    ROOM_ARN, TAG_KEY,
};

/// Room defaults when a request leaves them out (aws-facts §1(a) Shapes).
const DEFAULT_RATE: i64 = 10;
const DEFAULT_LENGTH: i64 = 500;
/// `maxResults` default and upper bound (aws-facts §1(a) Pagination).
const PAGE_SIZE: i64 = 50;

/// Who is calling: from the SigV4 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) account: String,
    pub(crate) region: String,
}

impl Caller {
    /// A new resource ID, and the ARN of a resource of `kind` with it in the caller's account
    /// and region.
    fn new_arn(&self, kind: &str) -> (String, String) {
        let id = new_id();
        let arn = format!(
            "arn:aws:ivschat:{}:{}:{kind}/{id}",
            self.region, self.account
        );
        (id, arn)
    }
}

/// A successful answer: a JSON body (200) or none (204, the deletes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply {
    Json(Value),
    NoContent,
}

pub(crate) struct Service {
    pub(crate) control: Arc<Control>,
    configuration_quota: usize,
    accounts: Mutex<HashMap<(String, String), Account>>,
    throttle: Mutex<Throttle>,
    delivery: Option<Delivery>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn id_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn object(request: &Value) -> Result<&Map<String, Value>, ApiError> {
    request
        .as_object()
        .ok_or_else(|| ApiError::other("the request body must be a JSON object"))
}

fn missing(name: &str) -> ApiError {
    // Unreachable when `Input::finish` passed; kept as an error rather than a panic.
    ApiError::internal(format!("{name} vanished after validation"))
}

impl Service {
    pub(crate) fn new(
        control: Arc<Control>,
        configuration_quota: usize,
        delivery: Option<Delivery>,
    ) -> Self {
        Self {
            control,
            configuration_quota,
            accounts: Mutex::new(HashMap::new()),
            throttle: Mutex::new(Throttle::default()),
            delivery,
        }
    }

    /// Whether the operation's TPS quota admits one more call now.
    pub(crate) fn admit(&self, caller: &Caller, operation: &str) -> Result<(), ApiError> {
        if !self.control.enforce_tps() {
            return Ok(());
        }
        lock(&self.throttle)
            .admit(&caller.account, &caller.region, operation, Instant::now())
            .map_err(|limit| {
                ApiError::throttling(
                    &caller.account,
                    limit,
                    format!("{operation}: rate exceeded ({limit} requests per second)"),
                )
            })
    }

    /// Runs `f` on the caller's account and region, with finished deletions forgotten.
    fn with_account<R>(&self, caller: &Caller, f: impl FnOnce(&mut Account, Instant) -> R) -> R {
        let now = Instant::now();
        let mut accounts = lock(&self.accounts);
        let account = accounts
            .entry((caller.account.clone(), caller.region.clone()))
            .or_default();
        account.purge(now);
        f(account, now)
    }

    fn phase_until(&self, now: Instant, phase: fn(Instant) -> Phase) -> Phase {
        let delay = self.control.state_delay();
        if delay.is_zero() {
            Phase::Settled
        } else {
            phase(now + delay)
        }
    }

    pub(crate) async fn call(
        &self,
        caller: &Caller,
        operation: &str,
        request: &Value,
    ) -> Result<Reply, ApiError> {
        let body = object(request)?;
        match operation {
            "CreateLoggingConfiguration" => self.create_configuration(caller, body).await,
            "GetLoggingConfiguration" => self.get_configuration(caller, body),
            "ListLoggingConfigurations" => self.list_configurations(caller, body),
            "UpdateLoggingConfiguration" => self.update_configuration(caller, body).await,
            "DeleteLoggingConfiguration" => self.delete_configuration(caller, body),
            "CreateRoom" => self.create_room(caller, body),
            "GetRoom" => self.get_room(caller, body),
            "ListRooms" => self.list_rooms(caller, body),
            "UpdateRoom" => self.update_room(caller, body),
            "DeleteRoom" => self.delete_room(caller, body),
            "TagResource" => self.tag_resource(caller, body),
            "UntagResource" => self.untag_resource(caller, body),
            "ListTagsForResource" => self.list_tags(caller, body),
            other => Err(ApiError::unknown_operation("POST", other)),
        }
    }

    // --- logging configurations ---

    fn quota_reached(&self, caller: &Caller, account: &Account) -> Option<ApiError> {
        (account.configuration_count() >= self.configuration_quota).then(|| {
            ApiError::quota(
                &caller.account,
                self.configuration_quota,
                format!(
                    "account {} has reached its quota of {} logging configurations in {}",
                    caller.account, self.configuration_quota, caller.region
                ),
            )
        })
    }

    async fn create_configuration(
        &self,
        caller: &Caller,
        body: &Map<String, Value>,
    ) -> Result<Reply, ApiError> {
        let mut input = Input::new(body);
        let name = input.string("name", &NAME).unwrap_or_default();
        let destination = input.destination("destinationConfiguration", true);
        let tags = input.tags("tags").unwrap_or_default();
        input.finish()?;
        let destination = destination.ok_or_else(|| missing("destinationConfiguration"))?;

        // Checked before the side effects (a refused create writes nothing) and again when
        // storing, since a concurrent create may have taken the last slot meanwhile.
        if let Some(error) = self.with_account(caller, |a, _| self.quota_reached(caller, a)) {
            return Err(error);
        }
        if let Some(delivery) = &self.delivery {
            delivery.set_up(caller, &destination).await?;
        }
        self.with_account(caller, |account, now| {
            if let Some(error) = self.quota_reached(caller, account) {
                return Err(error);
            }
            let (id, arn) = caller.new_arn("logging-configuration");
            let time = SystemTime::now();
            let configuration = Configuration {
                arn: arn.clone(),
                id,
                name,
                destination,
                tags,
                created: time,
                updated: time,
                order: account.next_order(),
                phase: self.phase_until(now, Phase::Creating),
            };
            let reply = configuration.to_json("ACTIVE");
            account.configurations.insert(arn, configuration);
            Ok(Reply::Json(reply))
        })
    }

    fn configuration_identifier(body: &Map<String, Value>) -> Result<String, ApiError> {
        let mut input = Input::new(body);
        let identifier = input.required_string("identifier", &CONFIGURATION_ARN);
        input.finish()?;
        identifier.ok_or_else(|| missing("identifier"))
    }

    fn configuration_not_found(arn: &str) -> ApiError {
        ApiError::not_found(
            id_of(arn),
            format!("logging configuration `{arn}` does not exist"),
        )
    }

    /// The configuration `arn` names in the account, including one still being deleted.
    fn find_configuration<'a>(
        account: &'a Account,
        arn: &str,
    ) -> Result<&'a Configuration, ApiError> {
        account
            .configurations
            .get(arn)
            .ok_or_else(|| Self::configuration_not_found(arn))
    }

    fn get_configuration(
        &self,
        caller: &Caller,
        body: &Map<String, Value>,
    ) -> Result<Reply, ApiError> {
        let arn = Self::configuration_identifier(body)?;
        self.with_account(caller, |account, now| {
            let configuration = Self::find_configuration(account, &arn)?;
            let state = configuration
                .state(now)
                .ok_or_else(|| Self::configuration_not_found(&arn))?;
            Ok(Reply::Json(configuration.to_json(state)))
        })
    }

    fn list_configurations(
        &self,
        caller: &Caller,
        body: &Map<String, Value>,
    ) -> Result<Reply, ApiError> {
        let mut input = Input::new(body);
        let max = input.int("maxResults", 1, PAGE_SIZE).unwrap_or(PAGE_SIZE);
        let token = input.token("nextToken");
        input.finish()?;
        let after = parse_token(token.as_deref(), CONFIGURATION_TOKEN)?;
        self.with_account(caller, |account, now| {
            let mut all: Vec<&Configuration> = account
                .configurations
                .values()
                .filter(|c| after.is_none_or(|cursor| c.order > cursor))
                .collect();
            all.sort_by_key(|c| c.order);
            let (page, next) = paginate(all, max, |c| c.order, CONFIGURATION_TOKEN);
            let items: Vec<Value> = page
                .iter()
                .filter_map(|c| c.state(now).map(|state| c.to_json(state)))
                .collect();
            Ok(Reply::Json(page_json("loggingConfigurations", items, next)))
        })
    }

    async fn update_configuration(
        &self,
        caller: &Caller,
        body: &Map<String, Value>,
    ) -> Result<Reply, ApiError> {
        let mut input = Input::new(body);
        let identifier = input.required_string("identifier", &CONFIGURATION_ARN);
        let name = input.string("name", &NAME);
        let destination = input.destination("destinationConfiguration", false);
        input.finish()?;
        let arn = identifier.ok_or_else(|| missing("identifier"))?;

        let find_active = |account: &mut Account, now: Instant| {
            let configuration = Self::find_configuration(account, &arn)?;
            if configuration.is_active(now) {
                Ok(())
            } else {
                Err(not_active(configuration, now, "updated"))
            }
        };
        self.with_account(caller, find_active)?;
        if let (Some(delivery), Some(destination)) = (&self.delivery, &destination) {
            delivery.set_up(caller, destination).await?;
        }
        self.with_account(caller, |account, now| {
            find_active(account, now)?;
            let phase = self.phase_until(now, Phase::Updating);
            let configuration = account
                .configurations
                .get_mut(&arn)
                .ok_or_else(|| Self::configuration_not_found(&arn))?;
            if let Some(name) = name {
                configuration.name = name;
            }
            if let Some(destination) = destination {
                configuration.destination = destination;
            }
            configuration.updated = SystemTime::now();
            configuration.phase = phase;
            Ok(Reply::Json(configuration.to_json("ACTIVE")))
        })
    }

    fn delete_configuration(
        &self,
        caller: &Caller,
        body: &Map<String, Value>,
    ) -> Result<Reply, ApiError> {
        let arn = Self::configuration_identifier(body)?;
        self.with_account(caller, |account, now| {
            let configuration = Self::find_configuration(account, &arn)?;
            if let Some(room) = account.rooms.values().find(|r| r.logging.contains(&arn)) {
                return Err(ApiError::conflict(
                    &configuration.id,
                    format!(
                        "logging configuration `{arn}` is used by room `{}`; detach it first",
                        room.arn
                    ),
                ));
            }
            if !configuration.is_active(now) {
                return Err(not_active(configuration, now, "deleted"));
            }
            let phase = self.phase_until(now, Phase::Deleting);
            if phase == Phase::Settled {
                account.configurations.remove(&arn);
            } else if let Some(configuration) = account.configurations.get_mut(&arn) {
                configuration.phase = phase;
            }
            Ok(Reply::NoContent)
        })
    }

    // --- rooms ---

    /// Every identifier must name a configuration of the caller's account and region that is not
    /// being deleted.
    fn check_configurations(
        account: &Account,
        now: Instant,
        arns: &[String],
    ) -> Result<(), ApiError> {
        for arn in arns {
            let usable = account
                .configurations
                .get(arn)
                .is_some_and(|c| c.state(now).is_some_and(|s| s != "DELETING"));
            if !usable {
                return Err(Self::configuration_not_found(arn));
            }
        }
        Ok(())
    }

    fn room_not_found(arn: &str) -> ApiError {
        ApiError::not_found(id_of(arn), format!("room `{arn}` does not exist"))
    }

    fn create_room(&self, caller: &Caller, body: &Map<String, Value>) -> Result<Reply, ApiError> {
        let mut input = Input::new(body);
        let name = input.string("name", &NAME).unwrap_or_default();
        let rate = input.int("maximumMessageRatePerSecond", 1, 100);
        let length = input.int("maximumMessageLength", 1, 500);
        let handler = input.handler("messageReviewHandler");
        let tags = input.tags("tags").unwrap_or_default();
        let logging = logging_identifiers(&mut input).unwrap_or_default();
        input.finish()?;
        self.with_account(caller, |account, now| {
            Self::check_configurations(account, now, &logging)?;
            let (id, arn) = caller.new_arn("room");
            let time = SystemTime::now();
            let room = Room {
                arn: arn.clone(),
                id,
                name,
                rate: rate.unwrap_or(DEFAULT_RATE),
                length: length.unwrap_or(DEFAULT_LENGTH),
                handler: handler.and_then(|h| RoomHandler::apply(None, h)),
                tags,
                logging,
                created: time,
                updated: time,
                order: account.next_order(),
            };
            let reply = room.to_json();
            account.rooms.insert(arn, room);
            Ok(Reply::Json(reply))
        })
    }

    fn room_identifier(body: &Map<String, Value>) -> Result<String, ApiError> {
        let mut input = Input::new(body);
        let identifier = input.required_string("identifier", &ROOM_ARN);
        input.finish()?;
        identifier.ok_or_else(|| missing("identifier"))
    }

    fn get_room(&self, caller: &Caller, body: &Map<String, Value>) -> Result<Reply, ApiError> {
        let arn = Self::room_identifier(body)?;
        self.with_account(caller, |account, _| {
            let room = account
                .rooms
                .get(&arn)
                .ok_or_else(|| Self::room_not_found(&arn))?;
            Ok(Reply::Json(room.to_json()))
        })
    }

    fn list_rooms(&self, caller: &Caller, body: &Map<String, Value>) -> Result<Reply, ApiError> {
        let mut input = Input::new(body);
        let name = input.string("name", &NAME).filter(|s| !s.is_empty());
        let max = input.int("maxResults", 1, PAGE_SIZE).unwrap_or(PAGE_SIZE);
        let token = input.token("nextToken");
        let handler = input
            .string("messageReviewHandlerUri", &LAMBDA_ARN)
            .filter(|s| !s.is_empty());
        let configuration = input.string("loggingConfigurationIdentifier", &CONFIGURATION_ARN);
        input.finish()?;
        let before = parse_token(token.as_deref(), ROOM_TOKEN)?;
        self.with_account(caller, |account, now| {
            // ListRooms may answer ResourceNotFoundException (aws-facts §1(a)); a filter naming
            // a configuration that does not exist is the one case a request can cause.
            if let Some(arn) = &configuration {
                Self::check_configurations(account, now, std::slice::from_ref(arn))?;
            }
            let mut rooms: Vec<&Room> = account
                .rooms
                .values()
                .filter(|r| name.as_ref().is_none_or(|n| &r.name == n))
                .filter(|r| {
                    handler
                        .as_ref()
                        .is_none_or(|uri| r.handler.as_ref().is_some_and(|h| &h.uri == uri))
                })
                .filter(|r| configuration.as_ref().is_none_or(|c| r.logging.contains(c)))
                .filter(|r| before.is_none_or(|cursor| r.order < cursor))
                .collect();
            // Newest updateTime first (aws-facts §1(a)): `order` rises with every change.
            rooms.sort_by_key(|r| std::cmp::Reverse(r.order));
            let (page, next) = paginate(rooms, max, |r| r.order, ROOM_TOKEN);
            let items: Vec<Value> = page.iter().map(|r| r.summary_json()).collect();
            Ok(Reply::Json(page_json("rooms", items, next)))
        })
    }

    fn update_room(&self, caller: &Caller, body: &Map<String, Value>) -> Result<Reply, ApiError> {
        let mut input = Input::new(body);
        let identifier = input.required_string("identifier", &ROOM_ARN);
        let name = input.string("name", &NAME);
        let rate = input.int("maximumMessageRatePerSecond", 1, 100);
        let length = input.int("maximumMessageLength", 1, 500);
        let handler = input.handler("messageReviewHandler");
        // Replaces the whole list (aws-facts §1(a)); an empty list detaches every configuration.
        let logging = logging_identifiers(&mut input);
        input.finish()?;
        let arn = identifier.ok_or_else(|| missing("identifier"))?;
        self.with_account(caller, |account, now| {
            if !account.rooms.contains_key(&arn) {
                return Err(Self::room_not_found(&arn));
            }
            if let Some(logging) = &logging {
                Self::check_configurations(account, now, logging)?;
            }
            let order = account.next_order();
            let room = account
                .rooms
                .get_mut(&arn)
                .ok_or_else(|| Self::room_not_found(&arn))?;
            if let Some(name) = name {
                room.name = name;
            }
            if let Some(rate) = rate {
                room.rate = rate;
            }
            if let Some(length) = length {
                room.length = length;
            }
            if let Some(handler) = handler {
                room.handler = RoomHandler::apply(room.handler.as_ref(), handler);
            }
            if let Some(logging) = logging {
                room.logging = logging;
            }
            room.updated = SystemTime::now();
            room.order = order;
            Ok(Reply::Json(room.to_json()))
        })
    }

    fn delete_room(&self, caller: &Caller, body: &Map<String, Value>) -> Result<Reply, ApiError> {
        let arn = Self::room_identifier(body)?;
        self.with_account(caller, |account, _| {
            account
                .rooms
                .remove(&arn)
                .map(|_| Reply::NoContent)
                .ok_or_else(|| Self::room_not_found(&arn))
        })
    }

    // --- tags (rooms and logging configurations, aws-facts §1(a)) ---

    fn tag_target(input: &mut Input<'_>) -> Option<String> {
        input.required_string("resourceArn", &RESOURCE_ARN)
    }

    /// The tags of the room or configuration `arn` names.
    fn tags_of<'a>(
        account: &'a mut Account,
        arn: &str,
    ) -> Result<&'a mut BTreeMap<String, String>, ApiError> {
        account.tags_mut(arn).ok_or_else(|| {
            ApiError::not_found(id_of(arn), format!("resource `{arn}` does not exist"))
        })
    }

    fn tag_resource(&self, caller: &Caller, body: &Map<String, Value>) -> Result<Reply, ApiError> {
        let mut input = Input::new(body);
        let arn = Self::tag_target(&mut input);
        input.require("tags");
        let tags = input.tags("tags");
        input.finish()?;
        let arn = arn.ok_or_else(|| missing("resourceArn"))?;
        let tags = tags.ok_or_else(|| missing("tags"))?;
        self.with_account(caller, |account, _| {
            let current = Self::tags_of(account, &arn)?;
            let mut merged: BTreeMap<String, String> = current.clone();
            merged.extend(tags);
            if merged.len() > MAX_TAGS {
                return Err(ApiError::field(
                    "tags",
                    format!(
                        "the resource would have {} tags, at most {MAX_TAGS} are allowed",
                        merged.len()
                    ),
                ));
            }
            *current = merged;
            Ok(Reply::Json(json!({})))
        })
    }

    fn untag_resource(
        &self,
        caller: &Caller,
        body: &Map<String, Value>,
    ) -> Result<Reply, ApiError> {
        let mut input = Input::new(body);
        let arn = Self::tag_target(&mut input);
        input.require("tagKeys");
        let keys = input.string_list("tagKeys", &TAG_KEY, MAX_TAGS);
        input.finish()?;
        let arn = arn.ok_or_else(|| missing("resourceArn"))?;
        let keys = keys.ok_or_else(|| missing("tagKeys"))?;
        self.with_account(caller, |account, _| {
            let current = Self::tags_of(account, &arn)?;
            for key in &keys {
                current.remove(key);
            }
            Ok(Reply::Json(json!({})))
        })
    }

    fn list_tags(&self, caller: &Caller, body: &Map<String, Value>) -> Result<Reply, ApiError> {
        let mut input = Input::new(body);
        let arn = Self::tag_target(&mut input);
        input.finish()?;
        let arn = arn.ok_or_else(|| missing("resourceArn"))?;
        self.with_account(caller, |account, _| {
            let tags = Self::tags_of(account, &arn)?;
            Ok(Reply::Json(json!({ "tags": tags })))
        })
    }
}

/// `loggingConfigurationIdentifiers`: 0-3 configuration ARNs, no repeats.
fn logging_identifiers(input: &mut Input<'_>) -> Option<Vec<String>> {
    const NAME: &str = "loggingConfigurationIdentifiers";
    let list = input.string_list(NAME, &CONFIGURATION_ARN, MAX_ROOM_CONFIGURATIONS)?;
    let mut seen = Vec::new();
    for (index, arn) in list.iter().enumerate() {
        if seen.contains(&arn) {
            input.fail_at(
                &format!("{NAME}[{index}]"),
                format!("`{arn}` is listed twice"),
            );
        }
        seen.push(arn);
    }
    Some(list)
}

fn not_active(configuration: &Configuration, now: Instant, verb: &str) -> ApiError {
    let state = configuration.state(now).unwrap_or("DELETED");
    ApiError::conflict(
        &configuration.id,
        format!(
            "logging configuration `{}` is {state} and cannot be {verb} until it is ACTIVE",
            configuration.arn
        ),
    )
}

// --- pagination ---

const CONFIGURATION_TOKEN: &str = "lc-";
const ROOM_TOKEN: &str = "room-";

/// A token carries the listing key of the last item served; the next page starts after it, so
/// pages stay consistent while other resources are created or deleted.
fn parse_token(token: Option<&str>, prefix: &str) -> Result<Option<u64>, ApiError> {
    match token {
        None | Some("") => Ok(None),
        Some(text) => text
            .strip_prefix(prefix)
            .and_then(|n| n.parse().ok())
            .map(Some)
            .ok_or_else(|| ApiError::field("nextToken", "is not a token this operation issued")),
    }
}

fn paginate<T>(
    items: Vec<T>,
    max: i64,
    key: impl Fn(&T) -> u64,
    prefix: &str,
) -> (Vec<T>, Option<String>) {
    let max = usize::try_from(max).unwrap_or(1);
    let more = items.len() > max;
    let page: Vec<T> = items.into_iter().take(max).collect();
    let next = if more {
        page.last().map(|last| format!("{prefix}{}", key(last)))
    } else {
        None
    };
    (page, next)
}

fn page_json(member: &str, items: Vec<Value>, next: Option<String>) -> Value {
    let mut out = Map::new();
    out.insert(member.to_owned(), Value::Array(items));
    if let Some(token) = next {
        out.insert("nextToken".to_owned(), json!(token));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_the_last_item_it_served() {
        let (page, next) = paginate(vec![1_u64, 2, 3], 2, |n| *n, "x-");
        assert_eq!(page, vec![1, 2]);
        assert_eq!(next.as_deref(), Some("x-2"));
        let (page, next) = paginate(vec![3_u64], 2, |n| *n, "x-");
        assert_eq!(page, vec![3]);
        assert_eq!(next, None);
    }

    #[test]
    fn tokens_of_another_listing_are_refused() {
        assert_eq!(parse_token(Some("lc-7"), CONFIGURATION_TOKEN), Ok(Some(7)));
        assert!(parse_token(Some("room-7"), CONFIGURATION_TOKEN).is_err());
        assert_eq!(parse_token(Some(""), ROOM_TOKEN), Ok(None));
    }
}
