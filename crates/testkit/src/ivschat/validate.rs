//! Input validation as the service does it: every constraint of the model's shapes (aws-facts
//! §1(a) Shapes and constraints), all bad fields reported at once in one `ValidationException`.
//!
//! botocore's patterns are unanchored; the service is taken to match the whole value (as the
//! CloudFormation schemas' `^…$` versions of the same patterns do), so `lobby!` is not a valid
//! room name here.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{ApiError, FieldError};
use super::model::{Destination, Handler};

/// A string shape: length bounds in characters and a whole-value pattern.
pub(crate) struct StringShape {
    min: usize,
    max: usize,
    matches: fn(&str) -> bool,
    pattern: &'static str,
}

fn any(_: &str) -> bool {
    true
}

fn all_chars(value: &str, allowed: fn(char) -> bool) -> bool {
    value.chars().all(allowed)
}

/// `[a-zA-Z0-9-_]*`
pub(crate) const NAME: StringShape = StringShape {
    min: 0,
    max: 128,
    matches: |v| all_chars(v, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
    pattern: "[a-zA-Z0-9-_]*",
};

/// `arn:aws:ivschat:[a-z0-9-]+:[0-9]+:logging-configuration/[a-zA-Z0-9-]+`
pub(crate) const CONFIGURATION_ARN: StringShape = StringShape {
    min: 1,
    max: 128,
    matches: |v| parse_arn(v, "logging-configuration").is_some(),
    pattern: "arn:aws:ivschat:[a-z0-9-]+:[0-9]+:logging-configuration/[a-zA-Z0-9-]+",
};

/// `arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+`
pub(crate) const ROOM_ARN: StringShape = StringShape {
    min: 1,
    max: 128,
    matches: |v| parse_arn(v, "room").is_some(),
    pattern: "arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+",
};

/// The tag operations' `ResourceArn`. Its model pattern (`...:[a-z-]/...`) matches no real ARN
/// (aws-facts §1(a), model bug), so only the length and the ivschat prefix are checked; anything
/// else that is not a resource of the caller is "not found".
pub(crate) const RESOURCE_ARN: StringShape = StringShape {
    min: 1,
    max: 128,
    matches: |v| v.starts_with("arn:aws:ivschat:"),
    pattern: "arn:aws:ivschat:…",
};

const BUCKET: StringShape = StringShape {
    min: 3,
    max: 63,
    matches: |v| {
        all_chars(v, |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'
        })
    },
    pattern: "[a-z0-9-.]+",
};

const LOG_GROUP: StringShape = StringShape {
    min: 1,
    max: 512,
    matches: |v| all_chars(v, |c| c.is_ascii_alphanumeric() || ".-_/#".contains(c)),
    pattern: r"[\.\-_/#A-Za-z0-9]+",
};

const DELIVERY_STREAM: StringShape = StringShape {
    min: 1,
    max: 64,
    matches: |v| all_chars(v, |c| c.is_ascii_alphanumeric() || "_.-".contains(c)),
    pattern: "[a-zA-Z0-9_.-]+",
};

/// `$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+.*`
pub(crate) const LAMBDA_ARN: StringShape = StringShape {
    min: 0,
    max: 170,
    matches: is_lambda_arn_or_empty,
    pattern: "$|^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+.*",
};

const ANY_STRING: StringShape = StringShape {
    min: 0,
    max: usize::MAX,
    matches: any,
    pattern: ".*",
};

const PAGINATION_TOKEN: StringShape = StringShape {
    min: 0,
    max: 1024,
    matches: any,
    pattern: ".*",
};

pub(crate) const TAG_KEY: StringShape = StringShape {
    min: 1,
    max: 128,
    matches: any,
    pattern: ".*",
};

const TAG_VALUE: StringShape = StringShape {
    min: 0,
    max: 256,
    matches: any,
    pattern: ".*",
};

/// Tags per resource, keys per UntagResource, identifiers per room (aws-facts §1(a)).
pub(crate) const MAX_TAGS: usize = 50;
pub(crate) const MAX_ROOM_CONFIGURATIONS: usize = 3;

fn is_region(v: &str) -> bool {
    !v.is_empty()
        && all_chars(v, |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
        })
}

fn is_digits(v: &str) -> bool {
    !v.is_empty() && v.chars().all(|c| c.is_ascii_digit())
}

fn is_lambda_arn_or_empty(v: &str) -> bool {
    if v.is_empty() {
        return true;
    }
    let Some(rest) = v.strip_prefix("arn:aws:lambda:") else {
        return false;
    };
    let mut parts = rest.splitn(4, ':');
    let (Some(region), Some(account), Some("function"), Some(function)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    is_region(region)
        && account.len() == 12
        && is_digits(account)
        && !function.is_empty()
        && !function.contains('\n')
}

/// The parts of an IVS Chat ARN of `kind` (`room`, `logging-configuration`):
/// `arn:aws:ivschat:REGION:ACCOUNT:KIND/ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
    pub(crate) id: &'a str,
}

pub(crate) fn parse_arn<'a>(value: &'a str, kind: &str) -> Option<Arn<'a>> {
    let rest = value.strip_prefix("arn:aws:ivschat:")?;
    let (region, rest) = rest.split_once(':')?;
    let (account, resource) = rest.split_once(':')?;
    let id = resource.strip_prefix(kind)?.strip_prefix('/')?;
    let id_ok = !id.is_empty() && all_chars(id, |c| c.is_ascii_alphanumeric() || c == '-');
    (is_region(region) && is_digits(account) && id_ok).then_some(Arn {
        region,
        account,
        id,
    })
}

/// Reads members of a request body, collecting every violation.
pub(crate) struct Input<'a> {
    body: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Input<'a> {
    pub(crate) fn new(body: &'a Map<String, Value>) -> Self {
        Self {
            body,
            errors: Vec::new(),
        }
    }

    /// Records a violation found outside this reader (a rule across members).
    pub(crate) fn fail_at(&mut self, name: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(name, message));
    }

    fn fail(&mut self, name: &str, message: impl Into<String>) {
        self.fail_at(name, message);
    }

    /// Records "is required" when `name` is absent.
    pub(crate) fn require(&mut self, name: &str) {
        if !self.has(name) {
            self.fail(name, "is required");
        }
    }

    /// Everything read so far was valid.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::fields(self.errors))
        }
    }

    fn present(&self, name: &str) -> Option<&'a Value> {
        // JSON null is how some clients spell "absent".
        self.body.get(name).filter(|v| !v.is_null())
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.present(name).is_some()
    }

    /// An optional string member.
    pub(crate) fn string(&mut self, name: &str, shape: &StringShape) -> Option<String> {
        let value = self.present(name)?;
        check_string(value, name, shape, &mut self.errors)
    }

    /// A required string member.
    pub(crate) fn required_string(&mut self, name: &str, shape: &StringShape) -> Option<String> {
        self.require(name);
        self.string(name, shape)
    }

    /// An optional integer member within `min..=max`.
    pub(crate) fn int(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        let value = self.present(name)?;
        match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) => {
                self.fail(name, format!("{n} is not between {min} and {max}"));
                None
            }
            None => {
                self.fail(name, "must be an integer");
                None
            }
        }
    }

    /// An optional `Tags` map.
    pub(crate) fn tags(&mut self, name: &str) -> Option<BTreeMap<String, String>> {
        let value = self.present(name)?;
        let Some(map) = value.as_object() else {
            self.fail(name, "must be a map of strings");
            return None;
        };
        if map.len() > MAX_TAGS {
            self.fail(
                name,
                format!("has {} tags, at most {MAX_TAGS} are allowed", map.len()),
            );
        }
        let mut tags = BTreeMap::new();
        for (key, value) in map {
            let mut ok = check_string(
                &Value::String(key.clone()),
                name,
                &TAG_KEY,
                &mut self.errors,
            )
            .is_some();
            let path = format!("{name}.{key}");
            ok &= check_string(value, &path, &TAG_VALUE, &mut self.errors).is_some();
            if ok && let Some(text) = value.as_str() {
                tags.insert(key.clone(), text.to_owned());
            }
        }
        Some(tags)
    }

    /// An optional list of strings of `shape`, with at most `max` items.
    pub(crate) fn string_list(
        &mut self,
        name: &str,
        shape: &StringShape,
        max: usize,
    ) -> Option<Vec<String>> {
        let value = self.present(name)?;
        let Some(items) = value.as_array() else {
            self.fail(name, "must be a list");
            return None;
        };
        if items.len() > max {
            self.fail(
                name,
                format!("has {} items, at most {max} are allowed", items.len()),
            );
            return None;
        }
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let path = format!("{name}[{index}]");
            if let Some(text) = check_string(item, &path, shape, &mut self.errors) {
                out.push(text);
            }
        }
        Some(out)
    }

    /// An optional pagination token.
    pub(crate) fn token(&mut self, name: &str) -> Option<String> {
        self.string(name, &PAGINATION_TOKEN)
    }

    /// A `DestinationConfiguration` union: exactly one of `s3`, `cloudWatchLogs`, `firehose`,
    /// each with its one required member.
    pub(crate) fn destination(&mut self, name: &str, required: bool) -> Option<Destination> {
        let Some(value) = self.present(name) else {
            if required {
                self.fail(name, "is required");
            }
            return None;
        };
        let Some(union) = value.as_object() else {
            self.fail(name, "must be an object");
            return None;
        };
        let set: Vec<(&String, &Value)> = union.iter().filter(|(_, v)| !v.is_null()).collect();
        let [(member, inner)] = set.as_slice() else {
            self.fail(
                name,
                format!(
                    "must set exactly one of s3, cloudWatchLogs, firehose (found {})",
                    set.len()
                ),
            );
            return None;
        };
        let (field, shape): (&str, &StringShape) = match member.as_str() {
            "s3" => ("bucketName", &BUCKET),
            "cloudWatchLogs" => ("logGroupName", &LOG_GROUP),
            "firehose" => ("deliveryStreamName", &DELIVERY_STREAM),
            other => {
                self.fail(name, format!("`{other}` is not a destination type"));
                return None;
            }
        };
        let path = format!("{name}.{member}.{field}");
        let Some(target) = inner
            .as_object()
            .and_then(|o| o.get(field))
            .filter(|v| !v.is_null())
        else {
            self.fail(&path, "is required");
            return None;
        };
        let text = check_string(target, &path, shape, &mut self.errors)?;
        Some(match member.as_str() {
            "s3" => Destination::S3 { bucket: text },
            "cloudWatchLogs" => Destination::CloudWatchLogs { log_group: text },
            _ => Destination::Firehose { stream: text },
        })
    }

    /// An optional `MessageReviewHandler`: `uri` (a Lambda ARN or empty) and `fallbackResult`
    /// (`ALLOW` or `DENY`), both optional.
    pub(crate) fn handler(&mut self, name: &str) -> Option<Handler> {
        let value = self.present(name)?;
        let Some(object) = value.as_object() else {
            self.fail(name, "must be an object");
            return None;
        };
        let mut inner = Input::new(object);
        let uri = inner.string("uri", &LAMBDA_ARN);
        let fallback = inner.string("fallbackResult", &ANY_STRING);
        for error in inner.errors {
            self.fail(&format!("{name}.{}", error.name), error.message);
        }
        if let Some(result) = &fallback
            && result != "ALLOW"
            && result != "DENY"
        {
            self.fail(
                &format!("{name}.fallbackResult"),
                format!("`{result}` is not one of ALLOW, DENY"),
            );
            return None;
        }
        Some(Handler { uri, fallback })
    }
}

fn check_string(
    value: &Value,
    name: &str,
    shape: &StringShape,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let Some(text) = value.as_str() else {
        errors.push(FieldError::new(name, "must be a string"));
        return None;
    };
    let length = text.chars().count();
    if length < shape.min || length > shape.max {
        errors.push(FieldError::new(
            name,
            format!(
                "length {length} is not between {} and {}",
                shape.min, shape.max
            ),
        ));
        return None;
    }
    if !(shape.matches)(text) {
        errors.push(FieldError::new(
            name,
            format!("does not match the pattern {}", shape.pattern),
        ));
        return None;
    }
    Some(text.to_owned())
}
