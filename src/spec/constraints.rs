//! The value constraints of the spec, each traced to its source. The JSON Schema states the same
//! constraints for editors; `tests/schema_agreement.rs` keeps the two in step.

/// IVS Chat regions in the `aws` partition: reference/aws-facts.md §1(a), from botocore
/// endpoints.json (ivschat). Elsewhere the spec is accepted with a warning (CL021).
pub const IVSCHAT_REGIONS: [&str; 7] = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "eu-central-1",
    "eu-west-1",
    "us-east-1",
    "us-west-2",
];

/// Logging configurations per account and region by default: IVS Chat service quotas
/// (aws-facts.md §1(b)), adjustable.
pub const DEFAULT_LOGGING_CONFIGURATION_QUOTA: u32 = 10;
/// LoggingConfigurationIdentifierList: 0-3 items (ivschat service model).
pub const MAX_LOGGING_CONFIGURATIONS_PER_ROOM: usize = 3;
/// Tags map: 0-50 entries, key 1-128, value 0-256 (ivschat service model, Tags).
pub const MAX_TAGS: usize = 50;
/// `chatlog:spec` and `chatlog:key`, which `apply` adds to everything it creates.
pub const OWNERSHIP_TAGS: usize = 2;
/// What a spec may set on one resource, so that the ownership tags still fit.
pub const MAX_SPEC_TAGS: usize = MAX_TAGS - OWNERSHIP_TAGS;
pub const MAX_TAG_KEY: usize = 128;
pub const MAX_TAG_VALUE: usize = 256;
/// RoomMaxMessageLength 1-500 and RoomMaxMessageRatePerSecond 1-100 (ivschat service model).
pub const MESSAGE_LENGTH: (i64, i64) = (1, 500);
pub const MESSAGE_RATE: (i64, i64) = (1, 100);
/// CloudWatch Logs retention values (AWS::Logs::LogGroup RetentionInDays, cfn-lint schema).
pub const RETENTION_DAYS: [i64; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

type Check = Result<(), String>;

fn length(value: &str, min: usize, max: usize, what: &str) -> Check {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(format!(
            "{what} must be {min}-{max} characters long, found {n}"
        ));
    }
    Ok(())
}

fn charset(value: &str, allowed: impl Fn(char) -> bool, what: &str, set: &str) -> Check {
    match value.chars().find(|c| !allowed(*c)) {
        Some(bad) => Err(format!("{what} may only contain {set}, found {bad:?}")),
        None => Ok(()),
    }
}

fn alnum_dash_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

pub fn entry_key(value: &str) -> Check {
    length(value, 1, 128, "a name")?;
    charset(
        value,
        alnum_dash_underscore,
        "a name",
        "A-Z, a-z, 0-9, `-` and `_`",
    )
}

/// LoggingConfigurationName / RoomName: len 0-128, `[a-zA-Z0-9-_]*`.
pub fn resource_name(value: &str) -> Check {
    length(value, 0, 128, "a name")?;
    charset(
        value,
        alnum_dash_underscore,
        "a name",
        "A-Z, a-z, 0-9, `-` and `_`",
    )
}

pub fn account_id(value: &str) -> Check {
    if value.len() == 12 && value.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err("an account id is 12 digits".to_owned())
    }
}

/// An IAM role ARN as the Lex V2 model constrains `roleArn` (20-2048, `^arn:[\w\-]+:iam::[\d]{12}:role/.+$`,
/// aws-facts.md §1(g)), with the role name's own limit of 64 characters (aws-facts.md §1(d)) and
/// IAM's name characters `[\w+=,.@-]` for the path and name.
pub fn role_arn(value: &str) -> Check {
    let bad = || {
        Err("expected `arn:aws:iam::ACCOUNT:role/NAME` (optionally `role/PATH/NAME`)".to_owned())
    };
    length(value, 20, 2048, "a role ARN")?;
    let Some(rest) = value.strip_prefix("arn:") else {
        return bad();
    };
    let Some((partition, rest)) = rest.split_once(':') else {
        return bad();
    };
    let partition_ok = partition.starts_with("aws")
        && !partition.is_empty()
        && partition
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-');
    let Some(rest) = rest.strip_prefix("iam::") else {
        return bad();
    };
    let Some((account, path)) = rest.split_once(":role/") else {
        return bad();
    };
    let name = path.rsplit('/').next().unwrap_or_default();
    let name_char = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    let path_ok = path
        .split('/')
        .all(|segment| !segment.is_empty() && segment.chars().all(name_char));
    if !partition_ok || account_id(account).is_err() || !path_ok || name.chars().count() > 64 {
        return bad();
    }
    Ok(())
}

/// The account a role ARN belongs to, for a role ARN that `role_arn` accepted.
pub fn role_arn_account(value: &str) -> Option<&str> {
    value.split(':').nth(4)
}

/// A named profile of the shared AWS config files: any non-empty name without control characters
/// (the files are line-based).
pub fn profile_name(value: &str) -> Check {
    if value.is_empty() {
        return Err("a profile name may not be empty".to_owned());
    }
    match value.chars().find(|c| c.is_control()) {
        Some(bad) => Err(format!(
            "a profile name may not contain control characters, found {bad:?}"
        )),
        None => Ok(()),
    }
}

/// A spec's name, used as the value of the `chatlog:spec` ownership tag: 1-128 characters that
/// are safe in a tag value everywhere (IVS Chat allows any 0-256, aws-facts.md §1(a)).
pub fn spec_name(value: &str) -> Check {
    length(value, 1, 128, "a spec name")?;
    charset(
        value,
        |c| c.is_ascii_alphanumeric() || "_.:/=+@-".contains(c),
        "a spec name",
        "A-Z, a-z, 0-9 and `_.:/=+@-`",
    )
}

/// The shape of a region code (`us-west-2`, `ap-southeast-3`, `us-gov-west-1`).
pub fn region(value: &str) -> Check {
    let parts: Vec<&str> = value.split('-').collect();
    let shaped = parts.len() >= 3
        && parts
            .first()
            .is_some_and(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && parts
            .iter()
            .skip(1)
            .take(parts.len().saturating_sub(2))
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()));
    if shaped {
        Ok(())
    } else {
        Err("expected a region code such as `us-west-2`".to_owned())
    }
}

/// BucketName: len 3-63, `[a-z0-9-.]+`.
pub fn bucket_name(value: &str) -> Check {
    length(value, 3, 63, "a bucket name")?;
    charset(
        value,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.',
        "a bucket name",
        "a-z, 0-9, `.` and `-`",
    )
}

/// LogGroupName: len 1-512, `[\.\-_/#A-Za-z0-9]+`.
pub fn log_group_name(value: &str) -> Check {
    length(value, 1, 512, "a log group name")?;
    charset(
        value,
        |c| c.is_ascii_alphanumeric() || ".-_/#".contains(c),
        "a log group name",
        "A-Z, a-z, 0-9, `.`, `-`, `_`, `/` and `#`",
    )
}

/// DeliveryStreamName: len 1-64, `[a-zA-Z0-9_.-]+`.
pub fn delivery_stream_name(value: &str) -> Check {
    length(value, 1, 64, "a delivery stream name")?;
    charset(
        value,
        |c| c.is_ascii_alphanumeric() || "_.-".contains(c),
        "a delivery stream name",
        "A-Z, a-z, 0-9, `_`, `.` and `-`",
    )
}

/// LambdaArn: len 0-170, `^arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:.+` (an empty uri only
/// detaches a handler in UpdateRoom, so the spec requires a function).
pub fn lambda_arn(value: &str) -> Check {
    let bad = || Err("expected `arn:aws:lambda:REGION:ACCOUNT:function:NAME`".to_owned());
    length(value, 1, 170, "a Lambda ARN")?;
    let Some(rest) = value.strip_prefix("arn:aws:lambda:") else {
        return bad();
    };
    let Some((region, rest)) = rest.split_once(':') else {
        return bad();
    };
    let Some((account, rest)) = rest.split_once(':') else {
        return bad();
    };
    let Some(function) = rest.strip_prefix("function:") else {
        return bad();
    };
    let region_ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    // `.+` in the model's pattern: one character that is not a line break.
    let function_ok = function
        .chars()
        .next()
        .is_some_and(|c| c != '\n' && c != '\r');
    if region_ok && account_id(account).is_ok() && function_ok {
        Ok(())
    } else {
        bad()
    }
}

pub fn tag_key(value: &str) -> Check {
    length(value, 1, MAX_TAG_KEY, "a tag key")?;
    if value.starts_with("aws:") {
        return Err("tag keys starting with `aws:` are reserved for AWS".into());
    }
    if value.starts_with("chatlog:") {
        return Err(
            "tag keys starting with `chatlog:` are reserved for chatlog's ownership tags".into(),
        );
    }
    Ok(())
}

pub fn tag_value(value: &str) -> Check {
    length(value, 0, MAX_TAG_VALUE, "a tag value")
}

pub fn tag_count(count: usize) -> Check {
    if count > MAX_SPEC_TAGS {
        return Err(format!(
            "at most {MAX_SPEC_TAGS} tags are allowed ({MAX_TAGS} minus chatlog's {OWNERSHIP_TAGS} ownership tags), found {count}"
        ));
    }
    Ok(())
}

fn range(value: i64, (min, max): (i64, i64), what: &str) -> Check {
    if value < min || value > max {
        return Err(format!(
            "{what} must be between {min} and {max}, found {value}"
        ));
    }
    Ok(())
}

pub fn message_length(value: i64) -> Check {
    range(value, MESSAGE_LENGTH, "maximum_message_length")
}

pub fn message_rate(value: i64) -> Check {
    range(value, MESSAGE_RATE, "maximum_message_rate_per_second")
}

pub fn retention_days(value: i64) -> Check {
    if RETENTION_DAYS.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{value} is not a retention CloudWatch Logs accepts"
        ))
    }
}

pub fn quota_value(value: i64) -> Check {
    range(value, (1, i64::from(u32::MAX)), "a quota")
}

pub fn logging_list(list: &[String]) -> Check {
    if list.len() > MAX_LOGGING_CONFIGURATIONS_PER_ROOM {
        return Err(format!(
            "a room takes at most {MAX_LOGGING_CONFIGURATIONS_PER_ROOM} logging configurations, found {}",
            list.len()
        ));
    }
    for (i, item) in list.iter().enumerate() {
        if list.iter().take(i).any(|earlier| earlier == item) {
            return Err(format!("`{item}` is listed twice"));
        }
    }
    Ok(())
}
