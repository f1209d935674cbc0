//! Breaks a generated spec in one place: the validation target's inputs are mostly valid specs
//! with a few wrong values, so they reach the semantic rules that byte-level inputs never do.

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::{Map, Value, json};

/// Values that break one rule or another when put in the wrong place.
const SUSPECTS: &[&str] = &[
    "",
    "aws:reserved",
    "us-west-99",
    "eu-west-1",
    "mx-central-1",
    "111122223333",
    "12345",
    "arn:aws:lambda:us-west-2:111122223333:function:",
    "ALLOW",
    "DENY",
    "deny",
    "aws/x",
    "a",
    "lobby",
    "archive",
    "AB",
    "a..b",
    "#/x",
    "x y",
    "日本",
    "${x}",
    "\0",
];

/// Replaces, removes or adds one node somewhere in `value`: walks down a random path and
/// stops at a random depth.
pub fn mutate(u: &mut Unstructured<'_>, node: &mut Value) -> Result<()> {
    let deeper = match node {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if deeper > 0 && u.ratio(3u8, 4u8)? {
        let i = u.choose_index(deeper)?;
        let child = match node {
            Value::Object(m) => m.values_mut().nth(i),
            Value::Array(a) => a.get_mut(i),
            _ => None,
        };
        if let Some(child) = child {
            return mutate(u, child);
        }
    }
    change(u, node)
}

fn change(u: &mut Unstructured<'_>, node: &mut Value) -> Result<()> {
    match u.int_in_range(0..=5u8)? {
        0 => *node = scalar(u)?,
        1 => *node = json!(u.choose(SUSPECTS)?),
        2 => {
            if let Value::Object(m) = node {
                let key = if bool::arbitrary(u)? {
                    (*u.choose(SUSPECTS)?).to_owned()
                } else {
                    (*u.choose(&[
                        "tags",
                        "name",
                        "create",
                        "bucket",
                        "logging",
                        "regoin",
                        "s3",
                        "firehose",
                        "cloudwatch_logs",
                        "account",
                    ])?)
                    .to_owned()
                };
                m.insert(key, scalar(u)?);
            }
        }
        3 => {
            if let Value::Object(m) = node
                && !m.is_empty()
            {
                let i = u.choose_index(m.len())?;
                if let Some(k) = m.keys().nth(i).cloned() {
                    m.remove(&k);
                }
            }
        }
        4 => {
            let inner = node.take();
            *node = if bool::arbitrary(u)? {
                json!([inner.clone(), inner])
            } else {
                Value::Object(Map::from_iter([("x".to_owned(), inner)]))
            };
        }
        _ => {
            // Many copies of an entry: tag, configuration and quota limits.
            let first = match node {
                Value::Object(m) => m.iter().next().map(|(k, v)| (k.clone(), v.clone())),
                _ => None,
            };
            if let (Some((k, v)), Value::Object(m)) = (first, node) {
                for i in 0..u.int_in_range(1..=60u8)? {
                    m.insert(format!("{k}{i}"), v.clone());
                }
            }
        }
    }
    Ok(())
}

fn scalar(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=6u8)? {
        0 => Value::Null,
        1 => json!(bool::arbitrary(u)?),
        2 => json!(i64::arbitrary(u)?),
        3 => json!(u.int_in_range(-2..=600i64)?),
        4 => serde_json::Number::from_f64(f64::arbitrary(u)?).map_or(Value::Null, Value::Number),
        5 => json!(String::arbitrary(u)?),
        _ => json!([]),
    })
}
