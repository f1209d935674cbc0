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
    let n = char_count(value);
    if n < min || n > max {
        return Err(format!(
            "{what} must be {min}-{max} characters long, found {n}"
        ));
    }
    Ok(())
}

/// In ASCII, as many characters as bytes: a count a character at a time per name and tag was
/// 1% of a 5,000-room `validate`.
fn char_count(value: &str) -> usize {
    if value.is_ascii() {
        value.len()
    } else {
        value.chars().count()
    }
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
    if !partition_ok || account_id(account).is_err() || !path_ok || char_count(name) > 64 {
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
    // A region IVS Chat is offered in has the shape: known at once, for almost every room.
    if IVSCHAT_REGIONS.contains(&value) || region_shaped(value) {
        Ok(())
    } else {
        Err("expected a region code such as `us-west-2`".to_owned())
    }
}

fn region_shaped(value: &str) -> bool {
    // Split without collecting: one check per region the spec names, 50,000 rooms (issue 17).
    let lower = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase());
    match (value.split_once('-'), value.rsplit_once('-')) {
        (Some((first, rest)), Some((middle_and_first, last))) if rest.len() > last.len() => {
            let middle = middle_and_first.get(first.len() + 1..).unwrap_or_default();
            first.len() == 2
                && lower(first)
                && !last.is_empty()
                && last.bytes().all(|c| c.is_ascii_digit())
                && middle.split('-').all(lower)
        }
        _ => false,
    }
}

/// Prefixes S3 reserves (S3 general-purpose bucket naming rules, aws-facts.md §1(j)).
const RESERVED_BUCKET_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
/// Suffixes S3 reserves for access point aliases, Object Lambda access point aliases,
/// Multi-Region Access Points, directory buckets and table buckets (aws-facts.md §1(j)).
const RESERVED_BUCKET_SUFFIXES: [&str; 5] =
    ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/// BucketName: len 3-63, `[a-z0-9-.]+` (ivschat service model), and the rules S3 enforces on
/// top of it for general-purpose buckets (aws-facts.md §1(j)): a letter or digit at both ends,
/// no adjacent periods, not an IP address, none of the reserved prefixes and suffixes.
pub fn bucket_name(value: &str) -> Check {
    length(value, 3, 63, "a bucket name")?;
    charset(
        value,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.',
        "a bucket name",
        "a-z, 0-9, `.` and `-`",
    )?;
    let letter_or_digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !letter_or_digit(value.chars().next()) || !letter_or_digit(value.chars().last()) {
        return Err("S3 requires a bucket name to begin and end with a letter or digit".to_owned());
    }
    if value.contains("..") {
        return Err("S3 refuses a bucket name with two adjacent periods".to_owned());
    }
    let parts: Vec<&str> = value.split('.').collect();
    if parts.len() == 4 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
        return Err("S3 refuses a bucket name formatted as an IP address".to_owned());
    }
    if let Some(prefix) = RESERVED_BUCKET_PREFIXES
        .iter()
        .find(|p| value.starts_with(*p))
    {
        return Err(format!("S3 reserves the bucket-name prefix `{prefix}`"));
    }
    if let Some(suffix) = RESERVED_BUCKET_SUFFIXES
        .iter()
        .find(|s| value.ends_with(*s))
    {
        return Err(format!("S3 reserves the bucket-name suffix `{suffix}`"));
    }
    Ok(())
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

pub fn logging_list(list: &super::key_list::KeyList) -> Check {
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

/// Lex V2 bot and bot-alias ids: exactly 10 of `[0-9a-zA-Z]` (lexv2-models botId, and
/// AWS::Lex::BotAlias `Id`, aws-facts.md §1(g), §1(e)).
pub fn lex_id(value: &str) -> Check {
    let n = char_count(value);
    if n != 10 {
        return Err(format!(
            "a Lex bot or alias id is exactly 10 characters long, found {n}"
        ));
    }
    charset(
        value,
        |c| c.is_ascii_alphanumeric(),
        "a Lex bot or alias id",
        "A-Z, a-z and 0-9",
    )
}

/// BotAliasName: 1-100, `^([0-9a-zA-Z][_-]?){1,100}$` (lexv2-models, aws-facts.md §1(g)): letters
/// and digits, each optionally followed by one `_` or `-`.
pub fn bot_alias_name(value: &str) -> Check {
    length(value, 1, 100, "an alias name")?;
    charset(
        value,
        |c| c.is_ascii_alphanumeric() || c == '_' || c == '-',
        "an alias name",
        "A-Z, a-z, 0-9, `_` and `-`",
    )?;
    let separator = |c: char| c == '_' || c == '-';
    let mut previous_separator = true; // the name may not start with a separator
    for c in value.chars() {
        if separator(c) && previous_separator {
            return Err(
                "an alias name starts with a letter or digit and never has two `_` or `-` in a row"
                    .to_owned(),
            );
        }
        previous_separator = separator(c);
    }
    Ok(())
}

/// botVersion: 1-5 digits. The API's pattern is `^[0-9]+$`; CloudFormation also takes `DRAFT`,
/// which UpdateBotAlias does not, so the spec takes what both accept (aws-facts.md §1(g), §1(e)).
pub fn bot_version(value: &str) -> Check {
    length(value, 1, 5, "a bot version")?;
    charset(value, |c| c.is_ascii_digit(), "a bot version", "0-9")
}

/// An alias description: at most 200 characters (AWS::Lex::BotAlias Description; the API allows
/// 2000, aws-facts.md §1(g), §1(e)).
pub fn alias_description(value: &str) -> Check {
    length(value, 0, 200, "an alias description")
}

/// logPrefix of a text or audio log destination: at most 1024 characters (lexv2-models and
/// AWS::Lex::BotAlias, aws-facts.md §1(g), §1(e)).
pub fn log_prefix(value: &str) -> Check {
    length(value, 0, 1024, "a log prefix")?;
    match value.chars().find(|c| c.is_control()) {
        Some(bad) => Err(format!(
            "a log prefix may not contain control characters, found {bad:?}"
        )),
        None => Ok(()),
    }
}

/// What a KMS key ARN names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KmsKey<'a> {
    Key(&'a str),
    Alias(&'a str),
}

/// The parts of a KMS key ARN: partition, region, account and the key or alias.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsKeyArn<'a> {
    pub partition: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub key: KmsKey<'a>,
}

fn word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// kmsKeyArn: 20-2048, `^arn:[\w\-]+:kms:[\w\-]+:[\d]{12}:(?:key\/[\w\-]+|alias\/[a-zA-Z0-9:\/_\-]{1,256})$`
/// (lex-models, the pattern aws-facts.md §1(g) states; the V2 model states only 20-2048, and
/// AWS::Lex::BotAlias KmsKeyArn has the same pattern, §1(e)).
pub fn parse_kms_key_arn(value: &str) -> Result<KmsKeyArn<'_>, String> {
    let bad = || {
        Err::<KmsKeyArn<'_>, String>(
            "expected `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID` or `arn:aws:kms:REGION:ACCOUNT:alias/NAME`"
                .to_owned(),
        )
    };
    length(value, 20, 2048, "a KMS key ARN")?;
    let mut parts = value.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("kms"), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return bad();
    };
    let words = |s: &str| !s.is_empty() && s.chars().all(word);
    if !words(partition) || !words(region) || account_id(account).is_err() {
        return bad();
    }
    let key = if let Some(id) = resource.strip_prefix("key/") {
        if !words(id) {
            return bad();
        }
        KmsKey::Key(id)
    } else if let Some(name) = resource.strip_prefix("alias/") {
        let n = char_count(name);
        if n == 0 || n > 256 || !name.chars().all(|c| word(c) || c == ':' || c == '/') {
            return bad();
        }
        KmsKey::Alias(name)
    } else {
        return bad();
    };
    Ok(KmsKeyArn {
        partition,
        region,
        account,
        key,
    })
}

pub fn kms_key_arn(value: &str) -> Check {
    parse_kms_key_arn(value).map(|_| ())
}

/// What a Lex V1 `resourceArn` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexV1Resource<'a> {
    LogGroup {
        region: &'a str,
        account: &'a str,
        name: &'a str,
    },
    Bucket {
        name: &'a str,
    },
}

/// Lex V1 LogSettingsRequest resourceArn: 1-2048,
/// `^arn:[\w\-]+:(?:logs:[\w\-]+:[\d]{12}:log-group:[\.\-_/#A-Za-z0-9]{1,512}(?::\*)?|s3:::[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9])$`
/// (lex-models, aws-facts.md §1(g)).
pub fn parse_lex_v1_resource_arn(value: &str) -> Result<LexV1Resource<'_>, String> {
    let bad = || {
        Err::<LexV1Resource<'_>, String>(
            "expected a log group ARN (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME`) or a bucket ARN (`arn:aws:s3:::BUCKET`)"
                .to_owned(),
        )
    };
    length(value, 1, 2048, "a resource ARN")?;
    let Some(rest) = value.strip_prefix("arn:") else {
        return bad();
    };
    let Some((partition, rest)) = rest.split_once(':') else {
        return bad();
    };
    if partition.is_empty() || !partition.chars().all(word) {
        return bad();
    }
    if let Some(bucket) = rest.strip_prefix("s3:::") {
        let n = char_count(bucket);
        let edge =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let inner_ok = bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
        if (3..=63).contains(&n)
            && inner_ok
            && edge(bucket.chars().next())
            && edge(bucket.chars().last())
        {
            return Ok(LexV1Resource::Bucket { name: bucket });
        }
        return bad();
    }
    let Some(rest) = rest.strip_prefix("logs:") else {
        return bad();
    };
    let Some((region, rest)) = rest.split_once(':') else {
        return bad();
    };
    let Some((account, rest)) = rest.split_once(':') else {
        return bad();
    };
    let Some(name) = rest.strip_prefix("log-group:") else {
        return bad();
    };
    let name = name.strip_suffix(":*").unwrap_or(name);
    if region.is_empty()
        || !region.chars().all(word)
        || account_id(account).is_err()
        || log_group_name(name).is_err()
    {
        return bad();
    }
    Ok(LexV1Resource::LogGroup {
        region,
        account,
        name,
    })
}

pub fn lex_v1_resource_arn(value: &str) -> Check {
    parse_lex_v1_resource_arn(value).map(|_| ())
}

/// TrailName: 3-128, `(^[a-zA-Z0-9]$)|(^[a-zA-Z0-9]([a-zA-Z0-9\._-])*[a-zA-Z0-9]$)`
/// (AWS::CloudTrail::Trail, reference/cfn-schemas/aws-cloudtrail-trail.json; aws-facts.md
/// §1(e), §1(f)).
pub fn trail_name(value: &str) -> Check {
    length(value, 3, 128, "a trail name")?;
    charset(
        value,
        |c| c.is_ascii_alphanumeric() || "._-".contains(c),
        "a trail name",
        "A-Z, a-z, 0-9, `.`, `_` and `-`",
    )?;
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if alnum(value.chars().next()) && alnum(value.chars().last()) {
        Ok(())
    } else {
        Err("a trail name starts and ends with a letter or digit".to_owned())
    }
}

/// S3KeyPrefix of a trail: at most 200 characters (AWS::CloudTrail::Trail; the Terraform
/// provider allows 2,000, aws-facts.md §1(e), §1(f)). chatlog also keeps it to characters that
/// are safe in an S3 key and plain in an ARN: A-Z a-z 0-9 and `!-_.'()/` (no `*` or `?`, which a
/// policy resource would read as wildcards), without a leading, trailing or doubled `/`, so that
/// the bucket-policy resource `PREFIX/AWSLogs/...` is exactly the path CloudTrail writes.
pub fn trail_prefix(value: &str) -> Check {
    length(value, 1, 200, "a trail prefix")?;
    charset(
        value,
        |c| c.is_ascii_alphanumeric() || "!-_.'()/".contains(c),
        "a trail prefix",
        "A-Z, a-z, 0-9 and `!-_.'()/`",
    )?;
    if value.starts_with('/') || value.ends_with('/') || value.contains("//") {
        return Err(
            "a trail prefix neither starts nor ends with `/` and has no empty segment".to_owned(),
        );
    }
    Ok(())
}

/// A stack set's name: AWS::CloudFormation::StackSet StackSetName, `^[a-zA-Z][a-zA-Z0-9\-]{0,127}$`
/// (cfn-schemas/aws-cloudformation-stackset.json, aws-facts.md §1(k)).
pub fn stack_set_name(value: &str) -> Check {
    length(value, 1, 128, "a stack set name")?;
    if !value.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("a stack set name must begin with a letter".to_owned());
    }
    charset(
        value,
        |c| c.is_ascii_alphanumeric() || c == '-',
        "a stack set name",
        "A-Z, a-z, 0-9 and `-`",
    )
}

/// An organizational unit or organization root id as StackSets' DeploymentTargets takes it:
/// `^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$` (aws-cloudformation-stackset.json).
pub fn organizational_unit_id(value: &str) -> Check {
    let lower_digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    let ok = match value.strip_prefix("ou-") {
        Some(rest) => rest
            .split_once('-')
            .is_some_and(|(root, ou)| lower_digits(root, 4, 32) && lower_digits(ou, 8, 32)),
        None => value
            .strip_prefix("r-")
            .is_some_and(|root| lower_digits(root, 4, 32)),
    };
    if ok {
        Ok(())
    } else {
        Err("expected an OU id `ou-xxxx-xxxxxxxx` or a root id `r-xxxx` (lowercase letters and digits)".to_owned())
    }
}

/// ExecutionRoleName: 1-64 of `[a-zA-Z_0-9+=,.@/-]` (aws-cloudformation-stackset.json).
pub fn role_name(value: &str) -> Check {
    length(value, 1, 64, "a role name")?;
    charset(
        value,
        |c| c.is_ascii_alphanumeric() || "_+=,.@/-".contains(c),
        "a role name",
        "A-Z, a-z, 0-9 and `_+=,.@/-`",
    )
}

/// The placeholders a stack set's names may hold: each target's own account id and region,
/// which the member template takes from `AWS::AccountId` and `AWS::Region` (aws-facts.md §1(k)).
pub const PLACEHOLDERS: [&str; 2] = ["{account}", "{region}"];

/// A name that may hold `{account}` and `{region}`: outside them, only `allowed` characters. Its
/// length and the name's own rules are checked semantically, on the longest expansion.
fn templated(
    value: &str,
    max: usize,
    allowed: impl Fn(char) -> bool,
    what: &str,
    set: &str,
) -> Check {
    // Unexpanded, a name is never longer than expanded (a placeholder is shorter than any
    // account id or region): over the limit here is over it everywhere.
    length(value, 1, max, what)?;
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        let (head, tail) = rest.split_at(open);
        charset(head, &allowed, what, set)?;
        let Some(placeholder) = PLACEHOLDERS.iter().find(|p| tail.starts_with(*p)) else {
            return Err(format!(
                "{what} may only hold the placeholders `{{account}}` and `{{region}}`"
            ));
        };
        rest = tail.get(placeholder.len()..).unwrap_or_default();
    }
    charset(rest, allowed, what, set)
}

pub fn templated_bucket_name(value: &str) -> Check {
    templated(
        value,
        63,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.',
        "a bucket name",
        "a-z, 0-9, `.` and `-`",
    )
}

pub fn templated_log_group_name(value: &str) -> Check {
    templated(
        value,
        512,
        |c| c.is_ascii_alphanumeric() || ".-_/#".contains(c),
        "a log group name",
        "A-Z, a-z, 0-9, `.`, `-`, `_`, `/` and `#`",
    )
}

pub fn templated_delivery_stream_name(value: &str) -> Check {
    templated(
        value,
        64,
        |c| c.is_ascii_alphanumeric() || "_.-".contains(c),
        "a delivery stream name",
        "A-Z, a-z, 0-9, `_`, `.` and `-`",
    )
}

/// A name with its placeholders replaced.
pub fn expand(value: &str, account: &str, region: &str) -> String {
    value
        .replace("{account}", account)
        .replace("{region}", region)
}

/// StackSetOperationPreferences percentages: 0-100 (aws-cloudformation-stackset.json).
pub fn percentage(value: i64) -> Check {
    range(value, (0, 100), "a percentage")
}

/// FailureToleranceCount >= 0, MaxConcurrentCount >= 1 (aws-cloudformation-stackset.json).
pub fn failure_tolerance_count(value: i64) -> Check {
    range(value, (0, i64::from(u32::MAX)), "failure_tolerance_count")
}
pub fn max_concurrent_count(value: i64) -> Check {
    range(value, (1, i64::from(u32::MAX)), "max_concurrent_count")
}

#[cfg(test)]
mod tests {
    use super::{IVSCHAT_REGIONS, region, region_shaped};

    /// The known regions taken at once are all region-shaped, so the shortcut accepts nothing
    /// the shape check refuses; the shape check still decides every other code.
    #[test]
    fn regions_known_or_shaped() {
        for known in IVSCHAT_REGIONS {
            assert!(region_shaped(known), "{known}");
        }
        for shaped in ["us-gov-west-1", "cn-north-1", "ap-southeast-3", "eu-west-1"] {
            assert!(region(shaped).is_ok(), "{shaped}");
        }
        for odd in [
            "",
            "us-east",
            "US-EAST-1",
            "useast-1",
            "us-east-1a",
            "u-east-1",
            "us--1",
        ] {
            assert!(region(odd).is_err(), "{odd}");
        }
    }
}
