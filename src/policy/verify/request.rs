//! The request log delivery makes, as far as chatlog knows it, and whether a condition holds for
//! it: yes, no, or cannot tell. An Allow counts only when its conditions surely hold; a Deny is
//! a finding when they surely or possibly hold.

use super::glob;
use crate::policy::log_delivery::Source;
use crate::policy::normalize::Test;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// One action log delivery performs for a destination.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub source: &'a Source,
    /// Canonical (lowercase) action name.
    pub action: &'a str,
}

/// What the request context holds for a condition key.
enum Known {
    Value(String),
    /// The key is not in the request at all.
    Absent,
    /// `aws:SourceArn`: only the part up to the account is known (`arn:aws:logs:R:A:*`).
    SourceArn(String),
    Unknown,
}

/// The ARN pattern of log delivery's source for a deployment (aws-facts §1(c)).
pub fn source_arn(source: &Source) -> String {
    format!(
        "arn:{}:logs:{}:{}:*",
        source.partition, source.region, source.account
    )
}

fn known(key: &str, request: &Request<'_>) -> Known {
    match key {
        // aws-facts §1(c): log delivery's requests carry its source account and source ARN,
        // and PutObject the `bucket-owner-full-control` canned ACL.
        "aws:sourceaccount" => Known::Value(request.source.account.clone()),
        "aws:sourcearn" => Known::SourceArn(source_arn(request.source)),
        "s3:x-amz-acl" if request.action == "s3:putobject" => {
            Known::Value("bucket-owner-full-control".to_owned())
        }
        // The ACL header exists only on writes; other actions (and other services) lack it.
        "s3:x-amz-acl" => Known::Absent,
        // Log delivery writes over TLS: chatlog's own TLS-only deny must leave it alone.
        "aws:securetransport" => Known::Value("true".to_owned()),
        // IAM's global keys for a request an AWS service principal makes itself. Not in
        // aws-facts.md: general IAM request-context semantics.
        "aws:principalisawsservice" => Known::Value("true".to_owned()),
        "aws:principalservicename" => {
            Known::Value(crate::policy::log_delivery::DELIVERY_PRINCIPAL.to_owned())
        }
        key if key.starts_with("s3:") && !request.action.starts_with("s3:") => Known::Absent,
        key if key.starts_with("logs:") && !request.action.starts_with("logs:") => Known::Absent,
        _ => Known::Unknown,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Compare {
    Exact,
    IgnoreCase,
    Like,
    Bool,
}

/// How one condition value relates to the request's value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hit {
    Yes,
    Maybe,
    No,
}

/// Whether one condition test holds for the request.
pub fn eval(test: &Test, request: &Request<'_>) -> Truth {
    let operator = test.operator.as_str();
    let (operator, if_exists) = match operator.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (operator, false),
    };
    let key = known(&test.key.canon, request);
    if operator == "Null" {
        let present = match key {
            Known::Absent => Truth::False,
            Known::Unknown => return Truth::Unknown,
            _ => Truth::True,
        };
        let wants_null = test.values.iter().any(|v| v.canon == "true");
        return if wants_null { present.not() } else { present };
    }
    // Set operators and the numeric, date and address families are not modelled.
    let (compare, negated) = match operator {
        "StringEquals" => (Compare::Exact, false),
        "StringNotEquals" => (Compare::Exact, true),
        "StringEqualsIgnoreCase" => (Compare::IgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (Compare::IgnoreCase, true),
        "StringLike" | "ArnLike" | "ArnEquals" => (Compare::Like, false),
        "StringNotLike" | "ArnNotLike" | "ArnNotEquals" => (Compare::Like, true),
        "Bool" => (Compare::Bool, false),
        _ => {
            return match key {
                Known::Absent if if_exists => Truth::True,
                _ => Truth::Unknown,
            };
        }
    };
    let hits: Vec<Hit> = match &key {
        // IAM: a missing key fails a positive test and passes a negated one; `IfExists` passes.
        Known::Absent => {
            return if if_exists || negated {
                Truth::True
            } else {
                Truth::False
            };
        }
        Known::Unknown => return Truth::Unknown,
        Known::Value(actual) => test
            .values
            .iter()
            .map(|v| hit_value(compare, &v.canon, actual))
            .collect(),
        Known::SourceArn(pattern) => test
            .values
            .iter()
            .map(|v| hit_pattern(compare, &v.canon, pattern))
            .collect(),
    };
    let any = if hits.contains(&Hit::Yes) {
        Truth::True
    } else if hits.contains(&Hit::Maybe) {
        Truth::Unknown
    } else {
        Truth::False
    };
    if negated { any.not() } else { any }
}

fn hit_value(compare: Compare, value: &str, actual: &str) -> Hit {
    let yes = match compare {
        Compare::Exact => value == actual,
        Compare::IgnoreCase | Compare::Bool => value.eq_ignore_ascii_case(actual),
        Compare::Like => glob::matches(value, actual),
    };
    if yes { Hit::Yes } else { Hit::No }
}

/// A condition value against a request value known only as a pattern.
fn hit_pattern(compare: Compare, value: &str, pattern: &str) -> Hit {
    match compare {
        Compare::Like if glob::covers(value, pattern) => Hit::Yes,
        Compare::Like if glob::intersects(value, pattern) => Hit::Maybe,
        // An exact value may be the request's, if it fits the known part.
        Compare::Exact | Compare::IgnoreCase if glob::matches(pattern, value) => Hit::Maybe,
        _ => Hit::No,
    }
}

/// Whether all tests hold (IAM ANDs them), and the tests that do not surely hold.
pub fn eval_all<'a>(tests: &'a [Test], request: &Request<'_>) -> (Truth, Vec<(&'a Test, Truth)>) {
    let mut open = Vec::new();
    for t in tests {
        let truth = eval(t, request);
        if truth != Truth::True {
            open.push((t, truth));
        }
    }
    let overall = if open.iter().any(|(_, t)| *t == Truth::False) {
        Truth::False
    } else if open.is_empty() {
        Truth::True
    } else {
        Truth::Unknown
    };
    (overall, open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::normalize::statement;
    use serde_json::json;

    fn tests_of(condition: serde_json::Value) -> Vec<Test> {
        statement(&json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": condition}))
            .unwrap()
            .condition
    }

    fn source() -> Source {
        Source {
            partition: "aws".into(),
            account: "111122223333".into(),
            region: "us-west-2".into(),
        }
    }

    fn truth(condition: serde_json::Value, action: &str) -> Truth {
        let s = source();
        eval_all(&tests_of(condition), &Request { source: &s, action }).0
    }

    #[test]
    fn the_tls_only_deny_does_not_hold_for_log_delivery() {
        assert_eq!(
            truth(
                json!({"Bool": {"aws:SecureTransport": "false"}}),
                "s3:putobject"
            ),
            Truth::False
        );
        assert_eq!(
            truth(
                json!({"Bool": {"aws:SecureTransport": false}}),
                "s3:getbucketacl"
            ),
            Truth::False
        );
    }

    #[test]
    fn source_conditions() {
        let p = "s3:putobject";
        assert_eq!(
            truth(
                json!({"StringEquals": {"aws:SourceAccount": ["999988887777", "111122223333"]}}),
                p
            ),
            Truth::True
        );
        assert_eq!(
            truth(
                json!({"StringEquals": {"aws:SourceAccount": "999988887777"}}),
                p
            ),
            Truth::False
        );
        assert_eq!(
            truth(
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:logs:us-west-2:111122223333:*"}}),
                p
            ),
            Truth::True
        );
        assert_eq!(
            truth(
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:111122223333:*"}}),
                p
            ),
            Truth::True
        );
        assert_eq!(
            truth(
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:logs:eu-west-1:111122223333:*"}}),
                p
            ),
            Truth::False
        );
        assert_eq!(
            truth(
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:logs:us-west-2:111122223333:delivery-source:*"}}),
                p
            ),
            Truth::Unknown
        );
        // StringEquals takes the `*` literally: it cannot match every source ARN.
        assert_eq!(
            truth(
                json!({"StringEquals": {"aws:SourceArn": "arn:aws:logs:us-west-2:111122223333:*"}}),
                p
            ),
            Truth::Unknown
        );
        assert_eq!(
            truth(
                json!({"ArnNotLike": {"aws:SourceArn": "arn:aws:logs:us-west-2:111122223333:*"}}),
                p
            ),
            Truth::False
        );
    }

    #[test]
    fn missing_keys_follow_iam() {
        // The ACL header exists only on PutObject.
        let acl = json!({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}});
        assert_eq!(truth(acl.clone(), "s3:putobject"), Truth::True);
        assert_eq!(truth(acl, "s3:getbucketacl"), Truth::False);
        assert_eq!(
            truth(
                json!({"StringEqualsIfExists": {"s3:x-amz-acl": "private"}}),
                "s3:getbucketacl"
            ),
            Truth::True
        );
        assert_eq!(
            truth(
                json!({"StringNotEquals": {"s3:x-amz-acl": "private"}}),
                "logs:putlogevents"
            ),
            Truth::True
        );
        assert_eq!(
            truth(json!({"Null": {"s3:x-amz-acl": "true"}}), "s3:getbucketacl"),
            Truth::True
        );
        assert_eq!(
            truth(
                json!({"Null": {"aws:SourceAccount": "true"}}),
                "s3:getbucketacl"
            ),
            Truth::False
        );
    }

    #[test]
    fn unknown_keys_and_operators_are_unknown() {
        assert_eq!(
            truth(
                json!({"StringNotEquals": {"aws:PrincipalOrgID": "o-123"}}),
                "s3:putobject"
            ),
            Truth::Unknown
        );
        assert_eq!(
            truth(
                json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                "s3:putobject"
            ),
            Truth::Unknown
        );
        // A false test decides the whole block, whatever else is unknown.
        assert_eq!(
            truth(
                json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:SecureTransport": "false"}}),
                "s3:putobject"
            ),
            Truth::False
        );
        assert_eq!(
            truth(
                json!({"Bool": {"aws:PrincipalIsAWSService": "false"}}),
                "s3:putobject"
            ),
            Truth::False
        );
    }
}
