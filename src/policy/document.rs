//! Typed IAM policy documents. Built once, serialized per target (CloudFormation embeds the
//! value, the policies folder writes it as JSON, Terraform can `jsonencode` the same value), so
//! the targets can never disagree. Field order is IAM's conventional order and is stable.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// The IAM policy language version every chatlog document uses.
pub const VERSION: &str = "2012-10-17";

/// A string or a list of strings, kept in the shape the reference shows: AWS writes
/// `"Action": "s3:GetBucketAcl"` in one document and `"Resource": ["..."]` in another, and a
/// verifier compares shapes after normalizing, but generated text should match the reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strings {
    One(String),
    Many(Vec<String>),
}

impl Strings {
    pub fn one(s: impl Into<String>) -> Self {
        Strings::One(s.into())
    }
    pub fn many<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Strings::Many(items.into_iter().map(Into::into).collect())
    }
    pub fn values(&self) -> Vec<&str> {
        match self {
            Strings::One(s) => vec![s.as_str()],
            Strings::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
    pub fn len(&self) -> usize {
        match self {
            Strings::One(_) => 1,
            Strings::Many(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Serialize for Strings {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Strings::One(v) => s.serialize_str(v),
            Strings::Many(v) => v.serialize(s),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// `"Principal": "*"`.
    Anyone,
    /// `"Principal": {"Service": ...}`.
    Service(Strings),
}

impl Serialize for Principal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Principal::Anyone => s.serialize_str("*"),
            Principal::Service(v) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("Service", v)?;
                m.end()
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl Serialize for Effect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// `{"StringEquals": {"aws:SourceAccount": [...]}, "ArnLike": {...}}`, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conditions(pub Vec<(String, Vec<(String, Strings)>)>);

impl Conditions {
    pub fn new() -> Self {
        Conditions(Vec::new())
    }
    /// Adds `key: value` under `operator`, creating the operator block on first use.
    pub fn with(mut self, operator: &str, key: &str, value: Strings) -> Self {
        if let Some((_, keys)) = self.0.iter_mut().find(|(op, _)| op == operator) {
            keys.push((key.to_owned(), value));
        } else {
            self.0
                .push((operator.to_owned(), vec![(key.to_owned(), value)]));
        }
        self
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Conditions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Block<'a>(&'a [(String, Strings)]);
        impl Serialize for Block<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (op, keys) in &self.0 {
            m.serialize_entry(op, &Block(keys))?;
        }
        m.end()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Statement {
    #[serde(rename = "Sid", skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Principal", skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    #[serde(rename = "Action")]
    pub action: Strings,
    #[serde(rename = "Resource")]
    pub resource: Strings,
    #[serde(rename = "Condition", skip_serializing_if = "Conditions::is_empty")]
    pub condition: Conditions,
}

impl Statement {
    pub fn allow(sid: &str, action: Strings, resource: Strings) -> Self {
        Statement {
            sid: Some(sid.to_owned()),
            effect: Effect::Allow,
            principal: None,
            action,
            resource,
            condition: Conditions::new(),
        }
    }
    pub fn principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }
    pub fn condition(mut self, condition: Conditions) -> Self {
        self.condition = condition;
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: &'static str,
    #[serde(rename = "Id", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    pub fn new(statements: Vec<Statement>) -> Self {
        PolicyDocument {
            version: VERSION,
            id: None,
            statements,
        }
    }
    pub fn with_id(mut self, id: &str) -> Self {
        self.id = Some(id.to_owned());
        self
    }

    /// The document as a JSON value, for embedding in templates.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Compact JSON: what the size limits are measured on (IAM does not count whitespace, and
    /// compact JSON has none outside strings).
    pub fn to_compact(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Characters of the compact form, the unit IAM and CloudWatch Logs limits are stated in.
    pub fn chars(&self) -> usize {
        self.to_compact().chars().count()
    }
}
