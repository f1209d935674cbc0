//! The plan: what must change in an account so that it matches the spec. Pure: the desired
//! state (the model) and the live state (`crate::live`) in, a list of changes out. `apply`
//! executes the changes; `drift` reports them (and more) as findings.
//!
//! Ownership: chatlog tags what it creates with `chatlog:spec` (the spec's owner name) and
//! `chatlog:key` (the entry's key). A live resource carrying both is the spec's resource. One
//! without `chatlog:spec` is matched by name (so that `import` then `plan` shows no change) but
//! never changed or deleted: its changes are blocked, with the reason.

pub(crate) mod destinations;
mod ivschat;
pub(crate) mod lex;
pub mod stack_sets;
mod tags;

use serde::Serialize;
use serde_json::Value;

use crate::live::{LiveDestination, Tags};
use crate::model::Deployment;
use crate::spec::load::Origin;

pub use destinations::{DestinationOperation, DestinationPlan, Preflight, plan_destinations};
pub use ivschat::plan_deployment;

/// The tag naming the spec that owns a resource.
pub const SPEC_TAG: &str = "chatlog:spec";
/// The tag naming the spec entry a resource was created for.
pub const KEY_TAG: &str = "chatlog:key";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
    NoChange,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttributeDiff {
    pub attribute: String,
    pub before: Value,
    pub after: Value,
}

impl AttributeDiff {
    /// The difference in one attribute; `None` when there is none.
    pub fn between(attribute: &str, before: Value, after: Value) -> Option<Self> {
        (before != after).then(|| AttributeDiff {
            attribute: attribute.to_owned(),
            before,
            after,
        })
    }

    /// An attribute of a resource that does not exist yet.
    pub fn created(attribute: &str, after: Value) -> Self {
        AttributeDiff {
            attribute: attribute.to_owned(),
            before: Value::Null,
            after,
        }
    }
}

/// One API call the change needs, in order. Rooms name their logging configurations by spec
/// key: the ARN of a configuration created in the same apply is only known then.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "operation")]
pub enum Operation {
    CreateLoggingConfiguration {
        key: String,
        name: String,
        destination: LiveDestination,
        tags: Tags,
    },
    UpdateLoggingConfiguration {
        arn: String,
        name: String,
        destination: LiveDestination,
    },
    DeleteLoggingConfiguration {
        arn: String,
    },
    CreateRoom {
        key: String,
        room: RoomSettings,
        tags: Tags,
    },
    UpdateRoom {
        arn: String,
        room: RoomSettings,
    },
    DeleteRoom {
        arn: String,
    },
    TagResource {
        arn: String,
        tags: Tags,
    },
    UntagResource {
        arn: String,
        keys: Vec<String>,
    },
    /// A call on a bucket, log group, stream or their policies (see `destinations`).
    #[serde(untagged)]
    Destination(DestinationOperation),
    /// A call on a Lex bot alias or its role's policy (see `lex`).
    #[serde(untagged)]
    Lex(lex::LexOperation),
}

/// What UpdateRoom and CreateRoom set. Unset limits are the service defaults (aws-facts §1(a)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoomSettings {
    pub name: String,
    pub maximum_message_length: u32,
    pub maximum_message_rate_per_second: u32,
    /// `None`: no handler (an empty uri in UpdateRoom detaches one).
    pub message_review_handler: Option<(String, String)>,
    /// Keys of the spec's logging configurations, or ARNs of live ones (`arn:` prefix).
    pub logging_configurations: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub account: String,
    pub region: String,
    /// CloudFormation's name for the resource type, e.g. `AWS::IVSChat::Room`.
    pub resource_type: &'static str,
    /// The spec key, or for a resource only the account has, its name.
    pub key: String,
    pub arn: Option<String>,
    pub action: Action,
    pub diffs: Vec<AttributeDiff>,
    /// Why apply will not make this change (the live resource is not chatlog's).
    pub blocked: Option<String>,
    /// For the deletion of a second live resource that carries this spec's ownership tags for
    /// the same entry (a create retried after a lost answer, by an older apply or another
    /// tool): the ARN of the one that is kept. Such a deletion needs no `--prune`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    pub operations: Vec<Operation>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

impl Change {
    /// No change yet to one resource of a deployment; the planners fill in the rest.
    pub fn unchanged(deployment: &Deployment, resource_type: &'static str, key: &str) -> Self {
        Change {
            account: deployment.account.clone(),
            region: deployment.region.clone(),
            resource_type,
            key: key.to_owned(),
            arn: None,
            action: Action::NoChange,
            diffs: Vec::new(),
            blocked: None,
            duplicate_of: None,
            operations: Vec::new(),
            origin: None,
        }
    }

    pub fn pending(&self) -> bool {
        self.action != Action::NoChange
    }
}

/// Order of execution: destinations and their policies first (IVS Chat refuses a configuration
/// whose destination is missing), configurations before the rooms that use them; on deletion,
/// rooms let go of configurations before the configurations go.
pub fn execution_order(changes: &[Change]) -> Vec<&Change> {
    let rank = |c: &Change| -> u8 {
        if destinations::is_destination_type(c.resource_type) {
            return 0;
        }
        match (c.resource_type, c.action) {
            // A bot's alias last, once its role may write and its log group and bucket exist.
            (lex::ROLE_POLICY, _) => 5,
            (lex::BOT_ALIAS, _) => 6,
            (ivschat::CONFIGURATION, Action::Create | Action::Update) => 1,
            (ivschat::ROOM, Action::Create | Action::Update) => 2,
            (ivschat::ROOM, Action::Delete) => 3,
            (ivschat::CONFIGURATION, Action::Delete) => 4,
            _ => 0,
        }
    };
    let mut ordered: Vec<&Change> = changes
        .iter()
        .filter(|c| c.pending() && c.blocked.is_none())
        .collect();
    ordered.sort_by_key(|c| rank(c));
    ordered
}

pub use ivschat::{CONFIGURATION, ROOM, live_destination};

/// Specs for the tests of the planners and of what reads their plans.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::live::Tags;
    use crate::model::{Deployment, Model};
    use crate::spec::load::Input;

    /// A spec's model; the spec must validate without errors.
    pub fn model(spec: &str) -> Model {
        let v = crate::validate::validate(vec![Input {
            name: "spec.yaml".to_owned(),
            bytes: spec.as_bytes().to_vec(),
        }]);
        assert!(!v.has_errors(), "{:#?}", v.diagnostics);
        v.model.unwrap()
    }

    /// The first deployment of `model(spec)`.
    pub fn deployment(spec: &str) -> Deployment {
        model(spec).deployments.remove(0)
    }

    pub fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }
}
