//! The log-delivery policy statements AWS writes (aws-facts §1(c)), and how AWS is modelled to
//! fold them into a policy that already exists: append what is not granted yet, never touch
//! anyone else's statements.

use serde_json::{Map, Value, json};

const DELIVERY: &str = "delivery.logs.amazonaws.com";

/// The two bucket-policy statements for `account` delivering from `region` (aws-facts §1(c) S3).
pub(crate) fn s3_statements(bucket: &str, account: &str, region: &str) -> Vec<Value> {
    let source_arn = format!("arn:aws:logs:{region}:{account}:*");
    vec![
        json!({
            "Sid": "AWSLogDeliveryAclCheck",
            "Effect": "Allow",
            "Principal": { "Service": DELIVERY },
            "Action": "s3:GetBucketAcl",
            "Resource": format!("arn:aws:s3:::{bucket}"),
            "Condition": {
                "StringEquals": { "aws:SourceAccount": [account] },
                "ArnLike": { "aws:SourceArn": [source_arn] }
            }
        }),
        json!({
            "Sid": "AWSLogDeliveryWrite",
            "Effect": "Allow",
            "Principal": { "Service": DELIVERY },
            "Action": "s3:PutObject",
            "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/{account}/*"),
            "Condition": {
                "StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceAccount": [account]
                },
                "ArnLike": { "aws:SourceArn": [source_arn] }
            }
        }),
    ]
}

/// The log-group statement (aws-facts §1(c) CloudWatch Logs).
pub(crate) fn cloudwatch_statement(group: &str, account: &str, region: &str) -> Value {
    json!({
        "Sid": "AWSLogDeliveryWrite20150319",
        "Effect": "Allow",
        "Principal": { "Service": [DELIVERY] },
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [format!("arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:*")],
        "Condition": {
            "StringEquals": { "aws:SourceAccount": [account] },
            "ArnLike": { "aws:SourceArn": [format!("arn:aws:logs:{region}:{account}:*")] }
        }
    })
}

/// Adds each wanted statement that no statement of `document` covers, with a `Sid` not used
/// yet. Answers whether anything was added, or why the document cannot be changed.
pub(crate) fn merge_statements(document: &mut Value, wanted: &[Value]) -> Result<bool, String> {
    let statements = statements_mut(document)?;
    if statements
        .iter()
        .any(|s| s.get("NotAction").is_some() || s.get("NotPrincipal").is_some())
    {
        return Err("it has a statement with NotAction or NotPrincipal".to_owned());
    }
    let mut changed = false;
    for statement in wanted {
        if !statements.iter().any(|s| covers(s, statement)) {
            statements.push(with_free_sid(statement, statements));
            changed = true;
        }
    }
    Ok(changed)
}

/// The new `AWSLogDeliveryWrite20150319` account-level policy after adding `wanted`'s log group,
/// or `None` when some policy already grants it. The group's ARN joins the resource list of the
/// existing delivery statement when that statement grants the same thing to the same sources.
pub(crate) fn merge_log_group(
    current: Option<Value>,
    others: &[&Value],
    wanted: &Value,
) -> Option<Value> {
    let granted = |document: &Value| match document.get("Statement") {
        Some(Value::Array(list)) => list.iter().any(|s| covers(s, wanted)),
        Some(one) => covers(one, wanted),
        None => false,
    };
    if others.iter().any(|d| granted(d)) || current.as_ref().is_some_and(granted) {
        return None;
    }
    let Some(mut document) = current else {
        return Some(json!({ "Version": "2012-10-17", "Statement": [wanted] }));
    };
    let statements = statements_mut(&mut document).ok()?;
    let resource = wanted.get("Resource").cloned().unwrap_or(Value::Null);
    let same_grant = |s: &Value| {
        ["Sid", "Effect", "Principal", "Action", "Condition"]
            .iter()
            .all(|key| normalized(s.get(*key)) == normalized(wanted.get(*key)))
    };
    if let Some(statement) = statements.iter_mut().find(|s| same_grant(s)) {
        let mut resources = as_list(statement.get("Resource").unwrap_or(&Value::Null));
        resources.extend(as_list(&resource));
        if let Some(object) = statement.as_object_mut() {
            object.insert(
                "Resource".to_owned(),
                Value::Array(resources.into_iter().map(Value::String).collect()),
            );
        }
    } else {
        let statement = with_free_sid(wanted, statements);
        statements.push(statement);
    }
    Some(document)
}

/// The `Statement` list of a policy document (a single statement object becomes a list).
fn statements_mut(document: &mut Value) -> Result<&mut Vec<Value>, String> {
    let object = document
        .as_object_mut()
        .ok_or_else(|| "it is not a JSON object".to_owned())?;
    let entry = object
        .entry("Statement")
        .or_insert_with(|| Value::Array(Vec::new()));
    if entry.is_object() {
        *entry = Value::Array(vec![entry.take()]);
    }
    entry
        .as_array_mut()
        .ok_or_else(|| "its Statement is neither a list nor an object".to_owned())
}

fn with_free_sid(statement: &Value, existing: &[Value]) -> Value {
    let taken = |sid: &str| existing.iter().any(|s| s.get("Sid") == Some(&json!(sid)));
    let mut statement = statement.clone();
    let Some(base) = statement
        .get("Sid")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return statement;
    };
    if taken(&base)
        && let Some(sid) = (2..).map(|n| format!("{base}{n}")).find(|s| !taken(s))
        && let Some(object) = statement.as_object_mut()
    {
        object.insert("Sid".to_owned(), json!(sid));
    }
    statement
}

/// A string or a list of strings, as policy grammar allows either.
fn as_list(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// A member in a form where `"a"` equals `["a"]` and list order does not matter.
fn normalized(value: Option<&Value>) -> Value {
    match value {
        None => Value::Null,
        Some(Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalized(Some(v))))
                .collect::<Map<String, Value>>(),
        ),
        Some(other) => {
            let mut list = as_list(other);
            if list.is_empty() {
                return other.clone();
            }
            list.sort();
            json!(list)
        }
    }
}

/// Whether `existing` grants at least what `wanted` grants: same principal service, every
/// wanted action and resource matched (wildcards allowed), and every condition of `existing`
/// satisfied by what `wanted` admits (no condition at all is broader still).
pub(crate) fn covers(existing: &Value, wanted: &Value) -> bool {
    if existing.get("Effect") != Some(&json!("Allow")) {
        return false;
    }
    let services = |s: &Value| {
        s.get("Principal")
            .and_then(|p| p.get("Service"))
            .map(as_list)
            .unwrap_or_default()
    };
    let granted_to = services(existing);
    if !services(wanted).iter().all(|s| granted_to.contains(s)) {
        return false;
    }
    let matched = |key: &str, ignore_case: bool| {
        let patterns = existing.get(key).map(as_list).unwrap_or_default();
        wanted
            .get(key)
            .map(as_list)
            .unwrap_or_default()
            .iter()
            .all(|item| {
                patterns.iter().any(|p| {
                    if ignore_case {
                        glob(&p.to_ascii_lowercase(), &item.to_ascii_lowercase())
                    } else {
                        glob(p, item)
                    }
                })
            })
    };
    if !matched("Action", true) || !matched("Resource", false) {
        return false;
    }
    let Some(conditions) = existing.get("Condition").and_then(Value::as_object) else {
        return true;
    };
    conditions.iter().all(|(operator, keys)| {
        keys.as_object().is_some_and(|keys| {
            keys.iter().all(|(key, allowed)| {
                let asked = wanted
                    .get("Condition")
                    .and_then(|c| c.get(operator))
                    .and_then(|c| c.get(key))
                    .map(as_list)
                    .unwrap_or_default();
                let allowed = as_list(allowed);
                !asked.is_empty() && asked.iter().all(|v| allowed.contains(v))
            })
        })
    })
}

/// IAM wildcard matching: `*` any run of characters, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || Some(&c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_iam_wildcards() {
        assert!(glob(
            "arn:aws:logs:*:1:log-group:*",
            "arn:aws:logs:r:1:log-group:g:log-stream:*"
        ));
        assert!(glob("s3:*", "s3:putobject"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(!glob("arn:aws:s3:::b", "arn:aws:s3:::b/x"));
    }

    #[test]
    fn an_empty_policy_gets_both_statements_and_a_second_merge_adds_nothing() {
        let mut document = json!({ "Version": "2012-10-17", "Statement": [] });
        let wanted = s3_statements("b", "111122223333", "us-west-2");
        assert_eq!(merge_statements(&mut document, &wanted), Ok(true));
        assert_eq!(document["Statement"].as_array().map(Vec::len), Some(2));
        assert_eq!(merge_statements(&mut document, &wanted), Ok(false));
    }

    #[test]
    fn another_account_gets_its_own_statements_with_fresh_sids() {
        let mut document = json!({ "Statement": s3_statements("b", "111122223333", "us-west-2") });
        let wanted = s3_statements("b", "444455556666", "us-west-2");
        assert_eq!(merge_statements(&mut document, &wanted), Ok(true));
        let sids: Vec<&str> = document["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        assert_eq!(
            sids,
            [
                "AWSLogDeliveryAclCheck",
                "AWSLogDeliveryWrite",
                "AWSLogDeliveryAclCheck2",
                "AWSLogDeliveryWrite2"
            ]
        );
    }

    #[test]
    fn not_action_is_refused() {
        let mut document = json!({ "Statement": { "Effect": "Deny", "NotAction": "s3:*", "Resource": "*", "Principal": "*" } });
        assert!(merge_statements(&mut document, &s3_statements("b", "1", "r")).is_err());
    }

    #[test]
    fn a_broader_statement_covers_the_wanted_one() {
        let wanted = cloudwatch_statement("g", "1", "r");
        let broad = json!({
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": "logs:*",
            "Resource": "arn:aws:logs:r:1:log-group:*"
        });
        assert!(covers(&broad, &wanted));
        let narrow = json!({
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": "logs:PutLogEvents",
            "Resource": "*"
        });
        assert!(!covers(&narrow, &wanted));
    }

    #[test]
    fn a_second_log_group_joins_the_existing_statement() {
        let first = merge_log_group(None, &[], &cloudwatch_statement("a", "1", "r"));
        let second = merge_log_group(first, &[], &cloudwatch_statement("b", "1", "r"));
        let resources = second
            .as_ref()
            .and_then(|d| d["Statement"][0]["Resource"].as_array())
            .cloned();
        assert_eq!(
            resources,
            Some(vec![
                json!("arn:aws:logs:r:1:log-group:a:log-stream:*"),
                json!("arn:aws:logs:r:1:log-group:b:log-stream:*")
            ])
        );
        assert_eq!(
            merge_log_group(second, &[], &cloudwatch_statement("b", "1", "r")),
            None
        );
    }
}
