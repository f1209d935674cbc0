//! A Lex V2 models API double for the live tests: DescribeBotAlias, UpdateBotAlias and
//! ListBotAliases over the service's REST paths (lexv2-models, restJson1), on 127.0.0.1.
//!
//! Why not moto: moto's lexv2models gives bots and aliases UUIDs, while Lex V2 ids are 10
//! characters of `[0-9a-zA-Z]` (aws-facts.md §1(g)), which the spec checks (CL028), so a spec
//! cannot name a moto bot. UpdateBotAlias here replaces the whole alias, as the service does
//! (aws-facts.md §1(g)): a setting the request leaves out is gone afterwards, so a client that
//! does not send back what it read loses it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::http_double::{self, Answer, Request};

#[derive(Default)]
struct State {
    /// (bot id, alias id) -> the alias, in the API's JSON names.
    aliases: BTreeMap<(String, String), Value>,
    /// (method, path) of every request.
    calls: Vec<(String, String)>,
}

#[derive(Clone)]
pub struct LexDouble {
    endpoint: String,
    state: Arc<Mutex<State>>,
}

impl LexDouble {
    pub fn start() -> LexDouble {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let endpoint = http_double::start(Arc::new(move |r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            let (status, error, answer) = handle(&shared, &r.method, &r.path, &body);
            Answer {
                status,
                content_type: "application/json",
                headers: error
                    .map(|code| vec![("x-amzn-errortype".to_owned(), code.to_owned())])
                    .unwrap_or_default(),
                body: answer.to_string(),
            }
        }));
        LexDouble { endpoint, state }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Puts an alias in place, as DescribeBotAlias would return it (`botId` and `botAliasId`
    /// are added).
    pub fn put_alias(&self, bot_id: &str, alias_id: &str, alias: Value) {
        let mut alias = alias;
        alias["botId"] = json!(bot_id);
        alias["botAliasId"] = json!(alias_id);
        self.state
            .lock()
            .unwrap()
            .aliases
            .insert((bot_id.to_owned(), alias_id.to_owned()), alias);
    }

    pub fn alias(&self, bot_id: &str, alias_id: &str) -> Value {
        self.state.lock().unwrap().aliases[&(bot_id.to_owned(), alias_id.to_owned())].clone()
    }

    pub fn count(&self, method: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|(m, _)| m == method)
            .count()
    }
}

fn not_found(what: &str) -> (u16, Option<&'static str>, Value) {
    (
        404,
        Some("ResourceNotFoundException"),
        json!({"message": format!("{what} not found")}),
    )
}

fn handle(
    state: &Mutex<State>,
    method: &str,
    path: &str,
    body: &Value,
) -> (u16, Option<&'static str>, Value) {
    let mut state = state.lock().unwrap();
    state.calls.push((method.to_owned(), path.to_owned()));
    let segments: Vec<&str> = path
        .split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match (method, segments.as_slice()) {
        ("GET", ["bots", bot, "botaliases", alias]) => {
            match state.aliases.get(&((*bot).to_owned(), (*alias).to_owned())) {
                Some(a) => {
                    let mut a = a.clone();
                    a["botAliasStatus"] = json!("Available");
                    (200, None, a)
                }
                None => not_found("alias"),
            }
        }
        ("PUT", ["bots", bot, "botaliases", alias]) => {
            let key = ((*bot).to_owned(), (*alias).to_owned());
            if !state.aliases.contains_key(&key) {
                return not_found("alias");
            }
            // The whole alias is replaced by what the request says.
            let mut replaced = json!({"botId": bot, "botAliasId": alias});
            for field in [
                "botAliasName",
                "description",
                "botVersion",
                "botAliasLocaleSettings",
                "conversationLogSettings",
                "sentimentAnalysisSettings",
            ] {
                if let Some(v) = body.get(field) {
                    replaced[field] = v.clone();
                }
            }
            state.aliases.insert(key, replaced.clone());
            replaced["botAliasStatus"] = json!("Available");
            (202, None, replaced)
        }
        ("POST", ["bots", bot, "botaliases"]) => {
            let summaries: Vec<Value> = state
                .aliases
                .iter()
                .filter(|((b, _), _)| b == bot)
                .map(|(_, a)| {
                    json!({"botAliasId": a["botAliasId"], "botAliasName": a["botAliasName"], "botAliasStatus": "Available"})
                })
                .collect();
            (
                200,
                None,
                json!({"botId": bot, "botAliasSummaries": summaries}),
            )
        }
        _ => (
            400,
            Some("ValidationException"),
            json!({"message": format!("{method} {path} is not an operation of this double")}),
        ),
    }
}
