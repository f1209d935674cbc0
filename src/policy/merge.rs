//! Merging the statements log delivery needs into a bucket policy someone else owns. Every
//! other statement is kept byte-for-byte as a JSON value (key order included); statements with
//! one of chatlog's Sids are extended, never replaced, so other accounts' entries stay.

use serde_json::{Map, Value};

use super::document::PolicyDocument;
use super::limits::S3_BUCKET_POLICY_MAX_BYTES;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error("the existing policy is not valid JSON: {0}")]
    NotJson(String),
    #[error(
        "the existing policy is not a policy document (expected a JSON object with `Statement`)"
    )]
    NotAPolicy,
    #[error("the file holds `get-bucket-policy` output, not the policy itself")]
    Wrapped,
    #[error("statement {0} uses `{1}`, where log delivery cannot add its statements")]
    Negated(String, &'static str),
    #[error("statement `{0}` exists with another effect or principal than log delivery needs")]
    Conflict(String),
    #[error("the merged policy would be {0} bytes, over the 20 KB ({1} bytes) S3 allows")]
    TooLarge(usize, usize),
}

impl MergeError {
    pub fn help(&self) -> &'static str {
        match self {
            MergeError::NotJson(_) | MergeError::NotAPolicy => {
                "pass the bucket policy document, e.g. from `aws s3api get-bucket-policy --bucket NAME --query Policy --output text`"
            }
            MergeError::Wrapped => {
                "extract the document first: `aws s3api get-bucket-policy --bucket NAME --query Policy --output text`"
            }
            MergeError::Negated(..) => {
                "AWS's own append fails on `NotAction` and `NotPrincipal` too; rewrite that statement with `Action` / `Principal`, then merge"
            }
            MergeError::Conflict(_) => {
                "rename or remove that statement; chatlog only extends statements it recognizes"
            }
            MergeError::TooLarge(..) => {
                "shorten or consolidate other statements, or log to a separate bucket"
            }
        }
    }
}

#[derive(Debug)]
pub struct Merged {
    /// The merged policy, as it should be written (pretty JSON, or compact when only that fits).
    pub text: String,
    /// false when the existing policy already had everything (merging again changes nothing).
    pub changed: bool,
}

/// Merges `needed` into the existing policy text (empty text: the bucket has no policy).
pub fn merge_bucket_policy(existing: &str, needed: &PolicyDocument) -> Result<Merged, MergeError> {
    let needed_value = needed.to_value();
    let original: Value = if existing.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_str(existing).map_err(|e| MergeError::NotJson(e.to_string()))?
    };
    let mut doc = original.clone();
    let Value::Object(obj) = &mut doc else {
        return Err(MergeError::NotAPolicy);
    };
    if obj.contains_key("Policy") && !obj.contains_key("Statement") {
        return Err(MergeError::Wrapped);
    }
    if obj.is_empty() {
        // No policy yet: the needed document as it is.
        if let Value::Object(n) = &needed_value {
            obj.clone_from(n);
        }
        return finish(&doc, true);
    }
    let statements = match obj.remove("Statement") {
        None => Vec::new(),
        Some(Value::Array(v)) => v,
        Some(single @ Value::Object(_)) => vec![single],
        Some(_) => return Err(MergeError::NotAPolicy),
    };
    for (i, s) in statements.iter().enumerate() {
        for key in ["NotAction", "NotPrincipal"] {
            if s.get(key).is_some() {
                let name = s
                    .get("Sid")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("#{}", i + 1), |sid| format!("`{sid}`"));
                return Err(MergeError::Negated(name, key));
            }
        }
    }
    let mut statements = statements;
    let wanted = needed_value
        .get("Statement")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for want in wanted {
        let sid = want.get("Sid").and_then(Value::as_str).unwrap_or_default();
        match statements
            .iter_mut()
            .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
        {
            None => statements.push(want),
            Some(have) => extend(have, &want, sid)?,
        }
    }
    obj.insert("Statement".to_owned(), Value::Array(statements));
    let changed = doc != original;
    finish(&doc, changed)
}

fn finish(doc: &Value, changed: bool) -> Result<Merged, MergeError> {
    let pretty = serde_json::to_string_pretty(doc).unwrap_or_default() + "\n";
    if pretty.len() <= S3_BUCKET_POLICY_MAX_BYTES {
        return Ok(Merged {
            text: pretty,
            changed,
        });
    }
    let compact = serde_json::to_string(doc).unwrap_or_default() + "\n";
    if compact.len() <= S3_BUCKET_POLICY_MAX_BYTES {
        return Ok(Merged {
            text: compact,
            changed,
        });
    }
    Err(MergeError::TooLarge(
        compact.len(),
        S3_BUCKET_POLICY_MAX_BYTES,
    ))
}

/// A string or list of strings as a list.
fn strings(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(s @ Value::String(_)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// `"x"` and `["x"]` mean the same; so do `{"Service": "x"}` and `{"Service": ["x"]}`.
fn normalize_principal(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::Object(m) => Some(Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let mut list = strings(Some(v));
                    list.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    (k.clone(), Value::Array(list))
                })
                .collect(),
        )),
        other => Some(other.clone()),
    }
}

/// Adds what `want` has and `have` lacks, keeping `have`'s order and shape where nothing is added.
fn union_into(have: &mut Value, want: &Value) {
    let mut list = strings(Some(have));
    let before = list.len();
    for v in strings(Some(want)) {
        if !list.contains(&v) {
            list.push(v);
        }
    }
    if list.len() != before {
        *have = Value::Array(list);
    }
}

fn extend(have: &mut Value, want: &Value, sid: &str) -> Result<(), MergeError> {
    let same_effect = have.get("Effect") == want.get("Effect");
    let same_principal =
        normalize_principal(have.get("Principal")) == normalize_principal(want.get("Principal"));
    if !same_effect || !same_principal {
        return Err(MergeError::Conflict(sid.to_owned()));
    }
    let Value::Object(h) = have else {
        return Err(MergeError::Conflict(sid.to_owned()));
    };
    for key in ["Action", "Resource"] {
        if let Some(w) = want.get(key) {
            match h.get_mut(key) {
                Some(existing) => union_into(existing, w),
                None => {
                    h.insert(key.to_owned(), w.clone());
                }
            }
        }
    }
    // Conditions: extend the values of keys the statement already tests. A key it does not
    // test is not added: that would narrow a statement that already lets log delivery in.
    if let (Some(Value::Object(hc)), Some(Value::Object(wc))) =
        (h.get_mut("Condition"), want.get("Condition"))
    {
        for (op, keys) in wc {
            let (Some(Value::Object(hk)), Value::Object(wk)) = (hc.get_mut(op), keys) else {
                continue;
            };
            for (k, v) in wk {
                if let Some(existing) = hk.get_mut(k) {
                    union_into(existing, v);
                }
            }
        }
    }
    Ok(())
}

/// The statements log delivery needs on `bucket`, when the spec logs to it.
pub fn needed_for_bucket(model: &crate::model::Model, bucket: &str) -> Option<PolicyDocument> {
    model.deployments.iter().find_map(|dep| {
        let policies = super::plan::for_deployment(dep);
        policies
            .buckets
            .iter()
            .find(|b| b.bucket == bucket)
            .map(|b| {
                PolicyDocument::new(super::log_delivery::s3_statements(
                    &b.destination.arn,
                    &policies.source,
                ))
                .with_id(super::log_delivery::LOG_DELIVERY_ID)
            })
    })
}

/// The S3 buckets a spec logs to, for "did you mean" help.
pub fn buckets(model: &crate::model::Model) -> Vec<String> {
    let mut out: Vec<String> = model
        .deployments
        .iter()
        .flat_map(|d| &d.destinations)
        .filter_map(|d| match &d.kind {
            crate::model::DestinationKind::S3 { bucket } => Some(bucket.clone()),
            _ => None,
        })
        .collect();
    out.sort();
    out
}
