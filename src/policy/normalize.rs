//! A canonical form of an IAM policy statement, so that two spellings of one grant compare equal
//! before `policy verify` compares them: a string or a one-element list, any order, duplicates,
//! surrounding whitespace, the case of action names and condition keys (IAM matches both
//! case-insensitively; condition operators and ARNs it does not), an account written as
//! `123456789012` or `arn:aws:iam::123456789012:root`, and `"*"` or `{"AWS": "*"}` for anyone.
//!
//! Each value keeps the spelling it was first written in, for messages; comparisons use only the
//! canonical form.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::document;

/// One value as written and as compared.
#[derive(Clone, Debug)]
pub struct Name {
    pub canon: String,
    pub text: String,
}

impl Name {
    fn new(canon: String, text: &str) -> Self {
        Name {
            canon,
            text: text.to_owned(),
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.canon == other.canon
    }
}
impl Eq for Name {}
impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Name {
    fn cmp(&self, other: &Self) -> Ordering {
        self.canon.cmp(&other.canon)
    }
}

/// A set of values: order and duplicates do not matter, the first spelling is kept.
pub type Names = BTreeSet<Name>;

/// `Action` or `NotAction`, `Resource` or `NotResource`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub names: Names,
    /// Written as `NotAction` / `NotResource`: everything except `names`.
    pub negated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// No `Principal` element (an identity policy, or a broken resource policy).
    Missing,
    /// `"*"`, or `*` among the `AWS` principals: IAM treats both as everyone.
    Anyone,
    /// `{"Service": [...], "AWS": [...]}` by principal type.
    Of(BTreeMap<String, Names>),
}

impl Principal {
    pub fn includes_service(&self, service: &str) -> bool {
        match self {
            Principal::Missing => false,
            Principal::Anyone => true,
            Principal::Of(map) => map
                .get("Service")
                .is_some_and(|s| s.iter().any(|n| n.canon == service)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// One condition test: `operator` applied to `key` with any of `values`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Test {
    /// Case-sensitive, as IAM reads it (`StringEquals`, `ArnLike`, `ForAnyValue:StringLike`...).
    pub operator: String,
    /// Compared lowercased: IAM condition keys are case-insensitive.
    pub key: Name,
    pub values: Vec<Name>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Principal,
    /// Written as `NotPrincipal`: everyone except `principal`.
    pub not_principal: bool,
    pub action: Listed,
    pub resource: Listed,
    /// Sorted; every test must hold.
    pub condition: Vec<Test>,
}

impl Statement {
    /// The tests on one condition key, whatever the operator.
    pub fn tests_on<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Test> + 'a {
        self.condition.iter().filter(move |t| t.key.canon == key)
    }
}

/// Why a statement is not one: where inside it (a JSON pointer relative to the statement) and
/// what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError {
    pub pointer: String,
    pub message: String,
}

fn shape(pointer: impl Into<String>, message: impl Into<String>) -> ShapeError {
    ShapeError {
        pointer: pointer.into(),
        message: message.into(),
    }
}

/// Reads one statement of a policy document into its canonical form.
pub fn statement(value: &Value) -> Result<Statement, ShapeError> {
    let Value::Object(map) = value else {
        return Err(shape("", "a statement must be a JSON object"));
    };
    let sid = match map.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => return Err(shape("/Sid", "`Sid` must be a string")),
    };
    let effect = match map.get("Effect").and_then(Value::as_str).map(str::trim) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => {
            return Err(shape(
                "/Effect",
                "`Effect` must be `Allow` or `Deny` (IAM reads it case-sensitively)",
            ));
        }
    };
    let (principal, not_principal) = match (map.get("Principal"), map.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            return Err(shape(
                "/NotPrincipal",
                "a statement has `Principal` or `NotPrincipal`, not both",
            ));
        }
        (Some(p), None) => (principal(p, "/Principal")?, false),
        (None, Some(p)) => (principal(p, "/NotPrincipal")?, true),
        (None, None) => (Principal::Missing, false),
    };
    let action = listed(map, "Action", action_name)?;
    let resource = listed(map, "Resource", plain)?;
    let condition = match map.get("Condition") {
        None => Vec::new(),
        Some(c) => conditions(c)?,
    };
    Ok(Statement {
        sid,
        effect,
        principal,
        not_principal,
        action,
        resource,
        condition,
    })
}

/// IAM action names are case-insensitive (`s3:PutObject` = `s3:putobject`).
fn action_name(s: &str) -> Name {
    let text = s.trim();
    Name::new(text.to_ascii_lowercase(), text)
}

fn plain(s: &str) -> Name {
    let text = s.trim();
    Name::new(text.to_owned(), text)
}

/// An account written bare or as its root user's ARN (in any partition) is the same principal.
fn aws_principal(s: &str) -> Name {
    let text = s.trim();
    let account = text
        .strip_prefix("arn:")
        .and_then(|rest| rest.split_once(":iam::"))
        .and_then(|(_partition, rest)| rest.strip_suffix(":root"))
        .unwrap_or(text);
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Name::new(account.to_owned(), text)
    } else {
        Name::new(text.to_owned(), text)
    }
}

/// A string or a list of strings, as a set.
fn strings(value: &Value, pointer: &str, name: fn(&str) -> Name) -> Result<Names, ShapeError> {
    match value {
        Value::String(s) => Ok([name(s)].into_iter().collect()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(name(s)),
                _ => Err(shape(
                    format!("{pointer}/{i}"),
                    format!(
                        "`{}` lists something that is not a string",
                        pointer.rsplit('/').next().unwrap_or(pointer)
                    ),
                )),
            })
            .collect(),
        _ => Err(shape(
            pointer,
            format!(
                "`{}` must be a string or a list of strings",
                pointer.rsplit('/').next().unwrap_or(pointer)
            ),
        )),
    }
}

fn listed(
    map: &serde_json::Map<String, Value>,
    element: &str,
    name: fn(&str) -> Name,
) -> Result<Listed, ShapeError> {
    let negated_element = format!("Not{element}");
    match (map.get(element), map.get(&negated_element)) {
        (Some(_), Some(_)) => Err(shape(
            format!("/{negated_element}"),
            format!("a statement has `{element}` or `{negated_element}`, not both"),
        )),
        (Some(v), None) => Ok(Listed {
            names: strings(v, &format!("/{element}"), name)?,
            negated: false,
        }),
        (None, Some(v)) => Ok(Listed {
            names: strings(v, &format!("/{negated_element}"), name)?,
            negated: true,
        }),
        (None, None) => Err(shape(
            "",
            format!("the statement has neither `{element}` nor `{negated_element}`"),
        )),
    }
}

fn principal(value: &Value, pointer: &str) -> Result<Principal, ShapeError> {
    match value {
        Value::String(s) if s.trim() == "*" => Ok(Principal::Anyone),
        Value::Object(map) => {
            let mut out = BTreeMap::new();
            for (kind, v) in map {
                let kind = kind.trim();
                let child = format!("{pointer}/{}", crate::spec::tree::escape_segment(kind));
                let names = if kind == "AWS" {
                    strings(v, &child, aws_principal)?
                } else {
                    strings(v, &child, plain)?
                };
                if kind == "AWS" && names.iter().any(|n| n.canon == "*") {
                    return Ok(Principal::Anyone);
                }
                out.entry(kind.to_owned())
                    .or_insert_with(Names::new)
                    .extend(names);
            }
            Ok(Principal::Of(out))
        }
        _ => Err(shape(
            pointer,
            "a principal is `*` or an object such as `{\"Service\": ...}`",
        )),
    }
}

/// Condition values are strings in IAM; JSON booleans and numbers are read as their text.
fn condition_value(value: &Value) -> Option<Name> {
    match value {
        Value::String(s) => Some(plain(s)),
        Value::Bool(b) => Some(plain(&b.to_string())),
        Value::Number(n) => Some(plain(&n.to_string())),
        _ => None,
    }
}

fn conditions(value: &Value) -> Result<Vec<Test>, ShapeError> {
    let Value::Object(blocks) = value else {
        return Err(shape("/Condition", "`Condition` must be a JSON object"));
    };
    let mut out = Vec::new();
    for (operator, keys) in blocks {
        let at = format!("/Condition/{}", crate::spec::tree::escape_segment(operator));
        let Value::Object(keys) = keys else {
            return Err(shape(at, "a condition operator maps keys to values"));
        };
        for (key, values) in keys {
            let at = format!("{at}/{}", crate::spec::tree::escape_segment(key));
            let list: Vec<&Value> = match values {
                Value::Array(items) => items.iter().collect(),
                single => vec![single],
            };
            let mut names = Names::new();
            for (i, v) in list.into_iter().enumerate() {
                names.insert(
                    condition_value(v).ok_or_else(|| {
                        shape(format!("{at}/{i}"), "a condition value is a string")
                    })?,
                );
            }
            let key_text = key.trim();
            out.push(Test {
                operator: operator.trim().to_owned(),
                key: Name::new(key_text.to_ascii_lowercase(), key_text),
                values: names.into_iter().collect(),
            });
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The canonical form of a statement chatlog builds itself (the statements log delivery needs).
pub fn from_typed(s: &document::Statement) -> Statement {
    let set = |strings: &document::Strings, name: fn(&str) -> Name| -> Names {
        strings.values().into_iter().map(name).collect()
    };
    let principal = match &s.principal {
        None => Principal::Missing,
        Some(document::Principal::Anyone) => Principal::Anyone,
        Some(document::Principal::Service(v)) => Principal::Of(
            [("Service".to_owned(), set(v, plain))]
                .into_iter()
                .collect(),
        ),
    };
    let mut condition: Vec<Test> = s
        .condition
        .0
        .iter()
        .flat_map(|(operator, keys)| {
            keys.iter().map(move |(key, values)| Test {
                operator: operator.clone(),
                key: Name::new(key.to_ascii_lowercase(), key),
                values: set(values, plain).into_iter().collect(),
            })
        })
        .collect();
    condition.sort();
    condition.dedup();
    Statement {
        sid: s.sid.clone(),
        effect: match s.effect {
            document::Effect::Allow => Effect::Allow,
            document::Effect::Deny => Effect::Deny,
        },
        principal,
        not_principal: false,
        action: Listed {
            names: set(&s.action, action_name),
            negated: false,
        },
        resource: Listed {
            names: set(&s.resource, plain),
            negated: false,
        },
        condition,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::log_delivery::{self, Source};
    use serde_json::json;

    fn norm(v: Value) -> Statement {
        statement(&v).unwrap()
    }

    fn base(extra: Value) -> Value {
        let mut v = json!({
            "Sid": "S", "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::b/AWSLogs/111122223333/*"
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    }

    #[test]
    fn a_string_equals_a_one_element_list() {
        let a = norm(base(json!({})));
        let b = norm(base(json!({
            "Principal": {"Service": ["delivery.logs.amazonaws.com"]},
            "Action": ["s3:PutObject"],
            "Resource": ["arn:aws:s3:::b/AWSLogs/111122223333/*"]
        })));
        assert_eq!(a, b);
    }

    #[test]
    fn order_and_duplicates_do_not_matter() {
        let a = norm(base(json!({"Action": ["s3:GetBucketAcl", "s3:PutObject"],
            "Condition": {"StringEquals": {"aws:SourceAccount": ["1", "2"]}, "ArnLike": {"aws:SourceArn": "x"}}})));
        let b = norm(base(
            json!({"Action": ["s3:PutObject", "s3:GetBucketAcl", "s3:PutObject"],
            "Condition": {"ArnLike": {"aws:SourceArn": "x"}, "StringEquals": {"aws:SourceAccount": ["2", "1", "2"]}}}),
        ));
        assert_eq!(a, b);
        let c = norm(base(json!({"Action": ["s3:PutObject"]})));
        assert_ne!(a, c, "a different set is different");
    }

    #[test]
    fn a_bare_account_is_its_root_user() {
        let a = norm(base(json!({"Principal": {"AWS": "111122223333"}})));
        let b = norm(base(
            json!({"Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}}),
        ));
        assert_eq!(a, b);
        // A role in that account is not the account.
        let c = norm(base(
            json!({"Principal": {"AWS": "arn:aws:iam::111122223333:role/x"}}),
        ));
        assert_ne!(a, c);
        // The spelling is kept for messages.
        let Principal::Of(map) = &b.principal else {
            panic!("an object principal")
        };
        assert_eq!(
            map["AWS"].iter().next().unwrap().text,
            "arn:aws:iam::111122223333:root"
        );
    }

    #[test]
    fn whitespace_around_values_is_trimmed() {
        let a = norm(base(json!({})));
        let b = norm(base(json!({
            "Effect": " Allow ",
            "Principal": {"Service": " delivery.logs.amazonaws.com\n"},
            "Action": "\ts3:PutObject ",
            "Resource": [" arn:aws:s3:::b/AWSLogs/111122223333/* "]
        })));
        assert_eq!(a, b);
    }

    #[test]
    fn action_names_are_case_insensitive_resources_are_not() {
        let a = norm(base(json!({})));
        assert_eq!(a, norm(base(json!({"Action": "S3:putobject"}))));
        assert_ne!(
            a,
            norm(base(
                json!({"Resource": "arn:aws:s3:::B/AWSLogs/111122223333/*"})
            ))
        );
    }

    #[test]
    fn condition_keys_are_case_insensitive_operators_are_not() {
        let a = norm(base(
            json!({"Condition": {"StringEquals": {"aws:SourceAccount": "1"}}}),
        ));
        let b = norm(base(
            json!({"Condition": {"StringEquals": {"AWS:sourceaccount": "1"}}}),
        ));
        assert_eq!(a, b);
        let c = norm(base(
            json!({"Condition": {"stringequals": {"aws:SourceAccount": "1"}}}),
        ));
        assert_ne!(a, c);
        // Condition values are compared as written (StringEquals is case-sensitive).
        let d = norm(base(
            json!({"Condition": {"StringEquals": {"aws:SourceAccount": "A"}}}),
        ));
        let e = norm(base(
            json!({"Condition": {"StringEquals": {"aws:SourceAccount": "a"}}}),
        ));
        assert_ne!(d, e);
    }

    #[test]
    fn condition_booleans_and_numbers_are_their_text() {
        let a = norm(base(
            json!({"Condition": {"Bool": {"aws:SecureTransport": false}}}),
        ));
        let b = norm(base(
            json!({"Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
        ));
        assert_eq!(a, b);
        let c = norm(base(
            json!({"Condition": {"NumericLessThan": {"s3:max-keys": 10}}}),
        ));
        assert_eq!(c.condition[0].values[0].canon, "10");
    }

    #[test]
    fn anyone_is_star_or_aws_star() {
        assert_eq!(
            norm(base(json!({"Principal": "*"}))).principal,
            Principal::Anyone
        );
        assert_eq!(
            norm(base(json!({"Principal": {"AWS": "*"}}))).principal,
            Principal::Anyone
        );
        assert_eq!(
            norm(base(json!({"Principal": {"AWS": ["111122223333", "*"]}}))).principal,
            Principal::Anyone
        );
        assert!(Principal::Anyone.includes_service("delivery.logs.amazonaws.com"));
    }

    #[test]
    fn negations_are_kept() {
        let s = norm(
            json!({"Effect": "Deny", "NotPrincipal": {"AWS": "1"}, "NotAction": "s3:Get*", "NotResource": "x"}),
        );
        assert!(s.not_principal && s.action.negated && s.resource.negated);
    }

    #[test]
    fn shape_errors_point_inside_the_statement() {
        let cases = [
            (json!([]), ""),
            (base(json!({"Effect": "allow"})), "/Effect"),
            (base(json!({"Action": ["s3:PutObject", 3]})), "/Action/1"),
            (base(json!({"Resource": {"a": 1}})), "/Resource"),
            (
                base(json!({"Principal": "delivery.logs.amazonaws.com"})),
                "/Principal",
            ),
            (
                base(json!({"Condition": {"Bool": {"aws:SecureTransport": [{}]}}})),
                "/Condition/Bool/aws:SecureTransport/0",
            ),
            (base(json!({"NotAction": "s3:*"})), "/NotAction"),
        ];
        for (value, pointer) in cases {
            let e = statement(&value).unwrap_err();
            assert_eq!(e.pointer, pointer, "{value}: {}", e.message);
        }
    }

    #[test]
    fn typed_statements_normalize_like_their_json() {
        let source = Source {
            partition: "aws".into(),
            account: "111122223333".into(),
            region: "us-west-2".into(),
        };
        let mut typed = log_delivery::s3_statements("arn:aws:s3:::b", &source);
        typed.push(log_delivery::tls_only_statement("arn:aws:s3:::b"));
        typed.push(log_delivery::cwl_statement(vec!["g".into()], &source));
        for s in &typed {
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(from_typed(s), statement(&json).unwrap(), "{json}");
        }
    }
}
