//! The spec's JSON Schema: the published contract, and the first check every document passes.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Rule};
use crate::suggest;

use super::source::{Anchor, FileId, Sources};

/// The schema as published by `chatlog schema`.
pub const SCHEMA_TEXT: &str = include_str!("../../schemas/chatlog.schema.json");

struct Compiled {
    schema: Value,
    validator: Validator,
}

fn compiled() -> Result<&'static Compiled, String> {
    static COMPILED: OnceLock<Result<Compiled, String>> = OnceLock::new();
    COMPILED
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(SCHEMA_TEXT).map_err(|e| e.to_string())?;
            let validator = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
            Ok(Compiled { schema, validator })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Whether the schema accepts a document (used to prove the schema and the types agree).
pub fn accepts(value: &Value) -> Result<bool, String> {
    Ok(compiled()?.validator.is_valid(value))
}

/// Checks one parsed document and returns a located diagnostic per schema error.
pub fn check(sources: &Sources, file: FileId, value: &Value) -> Vec<Diagnostic> {
    let compiled = match compiled() {
        Ok(c) => c,
        Err(e) => {
            return vec![Diagnostic::new(
                Rule::Internal,
                format!("internal error: the bundled schema does not compile: {e}"),
            )];
        }
    };
    let mut out: Vec<Diagnostic> = compiled
        .validator
        .iter_errors(value)
        .map(|error| describe(sources, file, &compiled.schema, &error))
        .collect();
    // `oneOf` on destinations reports the branch errors too; the summary is enough.
    out.dedup_by(|a, b| a.message == b.message && a.location == b.location);
    out
}

fn describe(
    sources: &Sources,
    file: FileId,
    schema: &Value,
    error: &ValidationError,
) -> Diagnostic {
    let instance_path = error.instance_path().as_str().to_owned();
    let schema_path = error.schema_path().as_str().to_owned();
    let field = field_name(&instance_path);
    let value_at = sources.locate(file, &instance_path, Anchor::Value);
    let key_at = sources.locate(file, &instance_path, Anchor::Key);
    let rule_here =
        || annotated_rule(schema, &schema_path, keyword_of(&schema_path)).unwrap_or(Rule::Schema);

    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_properties(schema, &schema_path);
            let key = unexpected.first().cloned().unwrap_or_default();
            let pointer = format!("{instance_path}/{}", super::tree::escape_segment(&key));
            let mut d = Diagnostic::new(
                Rule::UnknownKey,
                format!("unknown key `{key}` in {}", describe_parent(&instance_path)),
            )
            .at(sources.locate(file, &pointer, Anchor::Key));
            d = match suggest::did_you_mean(&key, allowed.iter().map(String::as_str)) {
                Some(hint) => d.help(hint),
                None if !allowed.is_empty() => {
                    d.help(format!("expected one of {}", backticked(&allowed)))
                }
                None => d,
            };
            d
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            Diagnostic::new(
                Rule::Schema,
                format!(
                    "missing required key `{name}` in {}",
                    describe_parent(&instance_path)
                ),
            )
            .at(key_at)
            .help(required_help(name))
        }
        ValidationErrorKind::Type { .. } => {
            let expected = type_expected(error);
            Diagnostic::new(
                Rule::Schema,
                format!(
                    "{field} must be {expected}, found {}",
                    describe_value(error.instance())
                ),
            )
            .at(value_at)
            .help(type_help(&instance_path, &expected))
        }
        ValidationErrorKind::PropertyNames { error: inner } => {
            let key = inner.instance().as_str().unwrap_or_default().to_owned();
            let pointer = format!("{instance_path}/{}", super::tree::escape_segment(&key));
            let nested = format!("{schema_path}/propertyNames");
            let rule = annotated_rule(schema, &nested, None).unwrap_or(Rule::Schema);
            let reason = match rule {
                Rule::TagKey => super::constraints::tag_key(&key).err(),
                Rule::EntryName => super::constraints::entry_key(&key).err(),
                _ => None,
            };
            let shown = truncate(&key);
            let message = match reason {
                Some(reason) => format!("invalid {} `{shown}`: {reason}", key_kind(&instance_path)),
                None => format!("invalid {} `{shown}`", key_kind(&instance_path)),
            };
            Diagnostic::new(rule, message)
                .at(sources.locate(file, &pointer, Anchor::Key))
                .help(rule_help(rule))
        }
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. }
            if rule_here() == Rule::DestinationKind =>
        {
            let present: Vec<String> = ["s3", "cloudwatch_logs", "firehose"]
                .iter()
                .filter(|k| error.instance().get(**k).is_some())
                .map(|k| (*k).to_owned())
                .collect();
            let message = if present.is_empty() {
                format!("destination `{}` has no kind", last_segment(&instance_path))
            } else {
                format!(
                    "destination `{}` has several kinds: {}",
                    last_segment(&instance_path),
                    backticked(&present)
                )
            };
            Diagnostic::new(Rule::DestinationKind, message)
                .at(key_at)
                .help(rule_help(Rule::DestinationKind))
        }
        _ => {
            let rule = rule_here();
            let message = if rule == Rule::Version {
                format!("unsupported spec version `{}`", error.instance())
            } else if let Some(reason) = string_reason(rule, &instance_path, error.instance()) {
                let shown = truncate(error.instance().as_str().unwrap_or_default());
                format!("{field} `{shown}` is invalid: {reason}")
            } else {
                format!("{field}: {error}")
            };
            let at = if matches!(rule, Rule::TooManyTags | Rule::TooManyLoggingConfigurations) {
                key_at
            } else {
                value_at
            };
            Diagnostic::new(rule, message).at(at).help(rule_help(rule))
        }
    }
}

/// For string constraints, the reason in words (which character, which length) instead of the
/// regular expression the schema states.
fn string_reason(rule: Rule, pointer: &str, instance: &Value) -> Option<String> {
    use super::constraints as c;
    let value = instance.as_str()?;
    let field = last_segment(pointer);
    let check: fn(&str) -> Result<(), String> = match (rule, field.as_str()) {
        (Rule::BotAliasField, "name") => c::bot_alias_name,
        (Rule::BotAliasField, "bot_version") => c::bot_version,
        (Rule::BotAliasField, "description") => c::alias_description,
        (Rule::LexV1Settings, "resourceArn") => c::lex_v1_resource_arn,
        (Rule::AuditTrail, "trail") => c::trail_name,
        (Rule::AuditTrail, "prefix") => c::trail_prefix,
        _ => return string_reason_of_rule(rule, value),
    };
    check(value).err()
}

fn string_reason_of_rule(rule: Rule, value: &str) -> Option<String> {
    use super::constraints as c;
    let check: fn(&str) -> Result<(), String> = match rule {
        Rule::LexId => c::lex_id,
        Rule::KmsKeyArn => c::kms_key_arn,
        Rule::LogPrefix => c::log_prefix,
        Rule::ResourceName => c::resource_name,
        Rule::BucketName => c::bucket_name,
        Rule::LogGroupName => c::log_group_name,
        Rule::DeliveryStreamName => c::delivery_stream_name,
        Rule::LambdaArn => c::lambda_arn,
        Rule::AccountId => c::account_id,
        Rule::RegionFormat => c::region,
        Rule::TagValue => c::tag_value,
        _ => return None,
    };
    check(value).err()
}

/// The keyword at the end of a schema path (`maximum` in `.../maximum_message_length/maximum`).
fn keyword_of(schema_path: &str) -> Option<&str> {
    schema_path.rsplit('/').next()
}

/// Walks the schema along `schema_path` (following `$ref`) and returns the innermost `x-rule`
/// annotation that applies, so every constraint maps to its stable rule id.
fn annotated_rule(schema: &Value, schema_path: &str, keyword: Option<&str>) -> Option<Rule> {
    // Inner nodes win; a node's own annotation wins over the one of the definition it refers to.
    walk(schema, schema_path).0.iter().rev().find_map(|step| {
        rule_of(step.node, keyword).or_else(|| step.target.and_then(|t| rule_of(t, keyword)))
    })
}

/// One node on a schema path, and the definition its `$ref` points to, if any.
struct Step<'a> {
    node: &'a Value,
    target: Option<&'a Value>,
}

/// The nodes along `schema_path` (an RFC 6901 pointer into the schema, in which a `$ref` segment
/// means "follow this node's reference"), from the root on, and whether the whole path was found.
fn walk<'a>(schema: &'a Value, schema_path: &str) -> (Vec<Step<'a>>, bool) {
    let step = |node: &'a Value| Step {
        node,
        target: node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| resolve_ref(schema, r)),
    };
    let mut steps = vec![step(schema)];
    let mut node = schema;
    for segment in schema_path.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let next = match (segment.as_str(), node) {
            ("$ref", _) => node
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| resolve_ref(schema, r)),
            (_, Value::Object(map)) => map.get(&segment),
            (_, Value::Array(items)) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        let Some(next) = next else {
            return (steps, false);
        };
        node = next;
        steps.push(step(node));
    }
    (steps, true)
}

fn rule_of(node: &Value, keyword: Option<&str>) -> Option<Rule> {
    match node.get("x-rule")? {
        Value::String(id) => Rule::from_id(id),
        Value::Object(by_keyword) => keyword
            .and_then(|k| by_keyword.get(k))
            .and_then(Value::as_str)
            .and_then(Rule::from_id),
        _ => None,
    }
}

fn resolve_ref<'a>(schema: &'a Value, reference: &str) -> Option<&'a Value> {
    schema.pointer(reference.strip_prefix('#')?)
}

/// The properties the schema allows at the object whose `additionalProperties` failed.
fn allowed_properties(schema: &Value, schema_path: &str) -> Vec<String> {
    let object_path = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    let (steps, complete) = walk(schema, object_path);
    let object = steps
        .last()
        .filter(|_| complete)
        .map(|s| s.target.unwrap_or(s.node));
    object
        .and_then(|o| o.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().filter(|k| !k.starts_with('$')).cloned().collect())
        .unwrap_or_default()
}

fn last_segment(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~")
}

fn field_name(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the document".to_owned();
    }
    format!("`{}`", last_segment(pointer))
}

fn describe_parent(pointer: &str) -> String {
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    match segments.as_slice() {
        [] => "the spec".to_owned(),
        [section, name]
            if ["rooms", "destinations", "logging_configurations", "bots"]
                .contains(&section.as_str()) =>
        {
            format!("{} `{name}`", singular(section))
        }
        [section, name, rest @ ..]
            if ["rooms", "destinations", "logging_configurations", "bots"]
                .contains(&section.as_str()) =>
        {
            format!("`{}` of {} `{name}`", rest.join("."), singular(section))
        }
        other => format!("`{}`", other.join(".")),
    }
}

fn singular(section: &str) -> &'static str {
    match section {
        "rooms" => "room",
        "destinations" => "destination",
        "bots" => "bot",
        _ => "logging configuration",
    }
}

fn key_kind(pointer: &str) -> &'static str {
    match pointer {
        "/rooms" => "room name",
        "/bots" => "bot name",
        "/destinations" => "destination name",
        "/logging_configurations" => "logging configuration name",
        _ if pointer.ends_with("/tags") => "tag key",
        _ => "key",
    }
}

fn backticked(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_value(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string `{}`", truncate(s)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

fn truncate(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out.replace('\n', "\\n")
}

fn type_expected(error: &ValidationError) -> String {
    use jsonschema::error::TypeKind;
    let names = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "object" => "a mapping".to_owned(),
        "array" => "a list".to_owned(),
        "integer" => "an integer".to_owned(),
        "number" => "a number".to_owned(),
        "boolean" => "`true` or `false`".to_owned(),
        "null" => "null".to_owned(),
        other => format!("a {other}"),
    };
    match error.kind() {
        ValidationErrorKind::Type {
            kind: TypeKind::Single(t),
        } => names(t),
        ValidationErrorKind::Type {
            kind: TypeKind::Multiple(ts),
        } => ts
            .iter()
            .map(|t| names(&t))
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "something else".to_owned(),
    }
}

fn type_help(pointer: &str, expected: &str) -> String {
    if pointer.ends_with("/account") && expected == "a string" {
        return "quote the account id (`account: \"123456789012\"`) so YAML keeps it a string with its leading zeros".to_owned();
    }
    if pointer.is_empty() {
        return "a spec is a mapping that starts with `version: 1`; `chatlog init` writes a starter".to_owned();
    }
    if pointer.contains("/tags/") && expected == "a string" {
        return "quote tag values: tags are strings in AWS (`enabled: \"true\"`)".to_owned();
    }
    format!("write {expected} here; `chatlog schema` prints the format")
}

fn required_help(property: &str) -> String {
    match property {
        "version" => "add `version: 1` at the top of the file".to_owned(),
        "destination" => "name the entry of `destinations` this configuration writes to".to_owned(),
        "bucket" => "name the S3 bucket: `s3: { bucket: my-chat-logs }`".to_owned(),
        "log_group" => "name the log group: `cloudwatch_logs: { log_group: /ivs/chat }`".to_owned(),
        "delivery_stream" => {
            "name the stream: `firehose: { delivery_stream: chat-stream }`".to_owned()
        }
        "uri" => "give the Lambda function ARN: `uri: arn:aws:lambda:REGION:ACCOUNT:function:NAME`"
            .to_owned(),
        other => format!("add `{other}`; `chatlog schema` prints the format"),
    }
}

/// The help line for a constraint rule: the limit and its source, and how to fix it.
pub fn rule_help(rule: Rule) -> String {
    let how = match rule {
        Rule::Version => "set `version: 1`, the only spec version",
        Rule::DestinationKind => {
            "give exactly one of `s3: { bucket: ... }`, `cloudwatch_logs: { log_group: ... }` or `firehose: { delivery_stream: ... }`"
        }
        Rule::EntryName => {
            "use 1-128 of A-Z, a-z, 0-9, `-` and `_`; the key is also the default AWS name"
        }
        Rule::ResourceName => "use 0-128 of A-Z, a-z, 0-9, `-` and `_`",
        Rule::BucketName => {
            "use 3-63 of a-z, 0-9, `.` and `-`, beginning and ending with a letter or digit, without `..`, not an IP address, and none of S3's reserved prefixes (`xn--`, `sthree-`, `amzn-s3-demo-`) and suffixes (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`)"
        }
        Rule::LogGroupName => "use 1-512 of A-Z, a-z, 0-9, `.`, `-`, `_`, `/` and `#`",
        Rule::DeliveryStreamName => "use 1-64 of A-Z, a-z, 0-9, `_`, `.` and `-`",
        Rule::MessageLength => {
            "use a value from 1 to 500 (characters); omit it for the default of 500"
        }
        Rule::MessageRate => {
            "use a value from 1 to 100 (messages per second); omit it for the default of 10"
        }
        Rule::LambdaArn => "use the function's ARN, `arn:aws:lambda:REGION:ACCOUNT:function:NAME`",
        Rule::FallbackResult => "use `ALLOW` or `DENY`",
        Rule::AccountId => "use the 12-digit account id, quoted: `\"123456789012\"`",
        Rule::RegionFormat => "use a region code such as `us-west-2`",
        Rule::RetentionDays => {
            "use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
        }
        Rule::TooManyLoggingConfigurations => {
            "a room takes at most 3 logging configurations; send more destinations through fewer configurations or split the room"
        }
        Rule::DuplicateLoggingConfiguration => "list each logging configuration once",
        Rule::TooManyTags => "a resource takes at most 50 tags, `defaults.tags` included",
        Rule::TagKey => "tag keys are 1-128 characters and may not start with `aws:`",
        Rule::TagValue => "tag values are at most 256 characters",
        Rule::LoggingConfigurationQuota => "the quota must be at least 1",
        Rule::LexId => {
            "use the 10-character id the Lex console or `aws lexv2-models list-bots` / `list-bot-aliases` shows"
        }
        Rule::KmsKeyArn => {
            "use the ARN of a customer managed key, `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`, or of its alias"
        }
        Rule::BotAliasField => {
            "alias names are 1-100 letters and digits, each optionally followed by one `_` or `-`; versions are 1-5 digits, quoted; descriptions at most 200 characters"
        }
        Rule::LogPrefix => "use at most 1024 characters, without control characters",
        Rule::LexV1Settings => {
            "write the V1 settings as the V1 API does: `destination` CLOUDWATCH_LOGS or S3, `logType` TEXT or AUDIO, `resourceArn` the log group or bucket ARN"
        }
        Rule::AuditTrail => {
            "trail names are 3-128 of A-Z, a-z, 0-9, `.`, `_`, `-`, starting and ending with a letter or digit; prefixes at most 200 characters"
        }
        _ => "",
    };
    if how.is_empty() {
        format!("see {}", rule.source())
    } else {
        format!("{how} ({})", rule.source())
    }
}
