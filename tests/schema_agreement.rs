//! The JSON Schema (for editors) and the serde types (for chatlog) are two statements of one
//! format. Every example and fixture must be accepted or refused by both alike.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use chatlog::spec::{schema, tree, types};

/// The examples, then the files of the named fixture folders.
fn documents(fixture_dirs: &[&str]) -> Vec<std::path::PathBuf> {
    let mut out = common::examples();
    for dir in fixture_dirs {
        let mut files: Vec<_> = std::fs::read_dir(common::root().join("tests/fixtures").join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}

#[test]
fn schema_and_types_agree_on_every_document() {
    let mut compared = 0;
    let mut refused = 0;
    for path in documents(&["valid", "invalid", "multi"]) {
        let text = std::fs::read_to_string(&path).unwrap();
        // Documents that are not YAML at all never reach either check.
        let Ok(parsed) = tree::parse(&text) else {
            continue;
        };
        let by_schema = schema::accepts(&parsed.value).unwrap();
        let by_types = types::accepts(&parsed.value);
        assert_eq!(
            by_schema,
            by_types.is_ok(),
            "{}: schema says {by_schema}, types say {by_types:?}",
            path.display()
        );
        compared += 1;
        refused += usize::from(!by_schema);
    }
    // Guard against a vacuous pass: both sides must have seen both outcomes many times.
    assert!(compared >= 40, "compared {compared}");
    assert!(
        refused >= 20 && compared - refused >= 10,
        "refused {refused} of {compared}"
    );
}

#[test]
fn every_constraint_edge_is_agreed() {
    // Each edited field of a minimal room or destination, on both sides of its limit.
    let cases: &[(&str, &str)] = &[
        ("/rooms/r/maximum_message_length", "1"),
        ("/rooms/r/maximum_message_length", "0"),
        ("/rooms/r/maximum_message_length", "500"),
        ("/rooms/r/maximum_message_length", "501"),
        ("/rooms/r/maximum_message_length", "5.5"),
        ("/rooms/r/maximum_message_length", "\"5\""),
        ("/rooms/r/maximum_message_rate_per_second", "100"),
        ("/rooms/r/maximum_message_rate_per_second", "101"),
        ("/rooms/r/name", "\"\""),
        ("/rooms/r/name", &format!("\"{}\"", "a".repeat(128))),
        ("/rooms/r/name", &format!("\"{}\"", "a".repeat(129))),
        ("/rooms/r/name", "\"a b\""),
        ("/rooms/r/logging", "[\"a\",\"b\",\"c\"]"),
        ("/rooms/r/logging", "[\"a\",\"b\",\"c\",\"d\"]"),
        ("/rooms/r/logging", "[\"a\",\"a\"]"),
        ("/rooms/r/tags", "{\"aws:x\": \"1\"}"),
        ("/rooms/r/tags", "{\"chatlog:spec\": \"1\"}"),
        ("/rooms/r/tags", "{\"chatlogx\": \"1\"}"),
        (
            "/rooms/r/tags",
            &format!(
                "{{{}}}",
                (0..48)
                    .map(|i| format!("\"k{i}\": \"v\""))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ),
        (
            "/rooms/r/tags",
            &format!(
                "{{{}}}",
                (0..49)
                    .map(|i| format!("\"k{i}\": \"v\""))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ),
        ("/rooms/r/tags", "{\"\": \"1\"}"),
        (
            "/rooms/r/tags",
            &format!("{{\"k\": \"{}\"}}", "v".repeat(256)),
        ),
        (
            "/rooms/r/tags",
            &format!("{{\"k\": \"{}\"}}", "v".repeat(257)),
        ),
        ("/rooms/r/account", "\"12345678901\""),
        ("/rooms/r/account", "\"123456789012\""),
        ("/rooms/r/region", "\"us-west-2\""),
        ("/rooms/r/region", "\"uswest2\""),
        ("/rooms/r/region", "\"us-west-2\\n\""),
        (
            "/rooms/r/message_review_handler",
            "{\"uri\": \"arn:aws:lambda:us-west-2:123456789012:function:f\"}",
        ),
        (
            "/rooms/r/message_review_handler",
            "{\"uri\": \"arn:aws:lambda:us-west-2:123456789012:function:\"}",
        ),
        ("/rooms/r/message_review_handler", "{\"uri\": \"\"}"),
        ("/destinations/d", "{\"s3\": {\"bucket\": \"ab\"}}"),
        ("/destinations/d", "{\"s3\": {\"bucket\": \"abc\"}}"),
        (
            "/destinations/d",
            "{\"s3\": {\"bucket\": \"abc\"}, \"firehose\": {\"delivery_stream\": \"x\"}}",
        ),
        ("/destinations/d", "{}"),
        (
            "/destinations/d",
            "{\"cloudwatch_logs\": {\"log_group\": \"/a\", \"retention_days\": 2}}",
        ),
        (
            "/destinations/d",
            "{\"cloudwatch_logs\": {\"log_group\": \"/a\", \"retention_days\": 3653}}",
        ),
        (
            "/destinations/d",
            "{\"firehose\": {\"delivery_stream\": \"a.b_c-d\"}}",
        ),
        (
            "/destinations/d",
            "{\"firehose\": {\"delivery_stream\": \"a:b\"}}",
        ),
        ("/version", "2"),
        ("/version", "1.0"),
        ("/quotas", "[{\"logging_configurations\": 0}]"),
        ("/quotas", "[{\"logging_configurations\": 4294967296}]"),
        ("/name", "\"acme-chat/prod@eu=1\""),
        ("/name", "\"\""),
        ("/name", "\"a b\""),
        ("/name", &format!("\"{}\"", "n".repeat(128))),
        ("/name", &format!("\"{}\"", "n".repeat(129))),
        ("/accounts/123456789012", "{}"),
        ("/accounts/12345678901", "{}"),
        ("/accounts/123456789012", "{\"profile\": \"prod\"}"),
        ("/accounts/123456789012", "{\"profile\": \"\"}"),
        ("/accounts/123456789012", "{\"profile\": \"a\\u0085b\"}"),
        (
            "/accounts/123456789012",
            "{\"role_arn\": \"arn:aws:iam::123456789012:role/a/b/deployer\"}",
        ),
        (
            "/accounts/123456789012",
            "{\"role_arn\": \"arn:aws:iam::123456789012:role/a//deployer\"}",
        ),
        (
            "/accounts/123456789012",
            "{\"role_arn\": \"arn:aws-us-gov:iam::123456789012:role/d\"}",
        ),
        (
            "/accounts/123456789012",
            &format!(
                "{{\"role_arn\": \"arn:aws:iam::123456789012:role/{}\"}}",
                "r".repeat(64)
            ),
        ),
        (
            "/accounts/123456789012",
            &format!(
                "{{\"role_arn\": \"arn:aws:iam::123456789012:role/{}\"}}",
                "r".repeat(65)
            ),
        ),
        (
            "/accounts/123456789012",
            "{\"role_arn\": \"arn:aws:iam::1:role/d\"}",
        ),
        ("/accounts/123456789012", "{\"external_id\": \"x\"}"),
    ];
    let bot = |extra: &str| format!("{{\"bot_id\": \"ABCDEFGHIJ\"{extra}}}");
    let v1 = |setting: &str| {
        bot(&format!(
            ", \"conversationLogs\": {{\"iamRoleArn\": \"arn:aws:iam::123456789012:role/lex\", \"logSettings\": [{setting}]}}"
        ))
    };
    let text = |arn: &str| {
        v1(&format!(
            "{{\"destination\": \"CLOUDWATCH_LOGS\", \"logType\": \"TEXT\", \"resourceArn\": \"{arn}\"}}"
        ))
    };
    let audio = |arn: &str| {
        v1(&format!(
            "{{\"destination\": \"S3\", \"logType\": \"AUDIO\", \"resourceArn\": \"arn:aws:s3:::{arn}\"}}"
        ))
    };
    let kms = |arn: &str| {
        bot(&format!(
            ", \"audio_logs\": {{\"destination\": \"a\", \"kms_key_arn\": \"{arn}\"}}"
        ))
    };
    let alias = |field: &str, value: &str| {
        bot(&format!(
            ", \"alias\": {{\"name\": \"live\", \"{field}\": \"{value}\"}}"
        ))
    };
    let prefix = |p: &str| {
        bot(&format!(
            ", \"text_logs\": {{\"destination\": \"t\", \"log_prefix\": \"{p}\"}}"
        ))
    };
    let trail = |name: &str, prefix: &str| {
        format!("{{\"trail\": \"{name}\", \"s3\": {{\"bucket\": \"audit-bucket\"}}{prefix}}}")
    };
    let lex_cases: Vec<(&str, String)> = vec![
        ("/bots/b", bot("")),
        ("/bots/b", "{\"bot_id\": \"ABCDEFGHI\"}".to_owned()),
        ("/bots/b", "{\"bot_id\": \"ABCDEFGHIJK\"}".to_owned()),
        ("/bots/b", "{\"bot_id\": \"ABCDE-GHIJ\"}".to_owned()),
        ("/bots/b", bot(", \"alias_id\": \"TSTALIASID\"")),
        ("/bots/b", bot(", \"alias_id\": \"TSTALIAS\"")),
        ("/bots/b", alias("name", "a-b_c")),
        ("/bots/b", alias("name", "a-")),
        ("/bots/b", alias("name", "a--b")),
        ("/bots/b", alias("name", "-a")),
        ("/bots/b", alias("name", &"a".repeat(100))),
        ("/bots/b", alias("name", &"a".repeat(101))),
        ("/bots/b", alias("bot_version", "12345")),
        ("/bots/b", alias("bot_version", "123456")),
        ("/bots/b", alias("bot_version", "DRAFT")),
        ("/bots/b", alias("bot_version", "")),
        ("/bots/b", alias("description", &"d".repeat(200))),
        ("/bots/b", alias("description", &"d".repeat(201))),
        ("/bots/b", prefix("")),
        ("/bots/b", prefix(&"p".repeat(1024))),
        ("/bots/b", prefix(&"p".repeat(1025))),
        ("/bots/b", prefix("a\\tb")),
        ("/bots/b", prefix("a\\u0085b")),
        (
            "/bots/b",
            kms("arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab"),
        ),
        (
            "/bots/b",
            kms("arn:aws:kms:us-west-2:123456789012:alias/chat/logs"),
        ),
        (
            "/bots/b",
            kms(&format!(
                "arn:aws:kms:us-west-2:123456789012:alias/{}",
                "a".repeat(256)
            )),
        ),
        (
            "/bots/b",
            kms(&format!(
                "arn:aws:kms:us-west-2:123456789012:alias/{}",
                "a".repeat(257)
            )),
        ),
        ("/bots/b", kms("arn:aws:kms:us-west-2:123456789012:key/")),
        ("/bots/b", kms("arn:aws:kms:us-west-2:12345678901:key/abc")),
        ("/bots/b", kms("arn:aws:kms:us-west-2:123456789012:key/a b")),
        ("/bots/b", kms("arn:aws:s3:us-west-2:123456789012:key/abc")),
        (
            "/bots/b",
            text("arn:aws:logs:us-west-2:123456789012:log-group:/lex/a"),
        ),
        (
            "/bots/b",
            text("arn:aws:logs:us-west-2:123456789012:log-group:/lex/a:*"),
        ),
        (
            "/bots/b",
            text("arn:aws:logs:us-west-2:123456789012:log-group:/lex/a:"),
        ),
        (
            "/bots/b",
            text("arn:aws:logs:us-west-2:123456789012:log-group:/lex a"),
        ),
        (
            "/bots/b",
            text("arn:aws:logs:us-west-2:1234567890:log-group:/lex/a"),
        ),
        ("/bots/b", audio("abc")),
        ("/bots/b", audio("ab")),
        ("/bots/b", audio("abc-")),
        ("/bots/b", audio(&"b".repeat(63))),
        ("/bots/b", audio(&"b".repeat(64))),
        (
            "/bots/b",
            v1(
                "{\"destination\": \"FIREHOSE\", \"logType\": \"TEXT\", \"resourceArn\": \"arn:aws:s3:::abc\"}",
            ),
        ),
        (
            "/bots/b",
            v1(
                "{\"destination\": \"S3\", \"logType\": \"VIDEO\", \"resourceArn\": \"arn:aws:s3:::abc\"}",
            ),
        ),
        ("/audit", trail("abc", "")),
        ("/audit", trail("ab", "")),
        ("/audit", trail("a.b", "")),
        ("/audit", trail("a.", "")),
        ("/audit", trail(&"t".repeat(128), "")),
        ("/audit", trail(&"t".repeat(129), "")),
        ("/audit", trail("abc", ", \"prefix\": \"chat/audit\"")),
        ("/audit", trail("abc", ", \"prefix\": \"/chat\"")),
        ("/audit", trail("abc", ", \"prefix\": \"chat//audit\"")),
        ("/audit", trail("abc", ", \"prefix\": \"chat*\"")),
        (
            "/audit",
            trail("abc", &format!(", \"prefix\": \"{}\"", "p".repeat(200))),
        ),
        (
            "/audit",
            trail("abc", &format!(", \"prefix\": \"{}\"", "p".repeat(201))),
        ),
    ];
    let lex_cases: Vec<(&str, &str)> = lex_cases.iter().map(|(p, v)| (*p, v.as_str())).collect();
    let cases: Vec<(&str, &str)> = cases.iter().copied().chain(lex_cases).collect();
    let mut accepted = 0;
    for (pointer, raw) in &cases {
        let mut doc: serde_json::Value = serde_json::json!({"version": 1, "rooms": {"r": {}}});
        let value: serde_json::Value = serde_json::from_str(raw).unwrap();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        if doc.pointer(parent).is_none() {
            let (grand, section) = parent.rsplit_once('/').unwrap();
            doc.pointer_mut(grand)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .insert(section.to_owned(), serde_json::json!({}));
        }
        doc.pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert(key.to_owned(), value);
        let by_schema = schema::accepts(&doc).unwrap();
        let by_types = types::accepts(&doc);
        assert_eq!(
            by_schema,
            by_types.is_ok(),
            "{pointer} = {raw}: schema says {by_schema}, types say {by_types:?}"
        );
        accepted += usize::from(by_schema);
    }
    // Both outcomes, many times: the edges are edges.
    assert!(
        accepted >= 30 && cases.len() - accepted >= 30,
        "{accepted} of {} accepted",
        cases.len()
    );
}

/// Every node of a document, as JSON pointers (the root is "").
fn pointers(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{at}/{}", escape(k)), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Random edits of every valid document (a node replaced by a value of another kind or at an
/// edge, a key or item dropped, a key the format lacks added) are accepted or refused by the
/// schema and the types alike. `validate` asks the schema only when the types refuse, so this
/// agreement is what makes its answer the schema's answer.
#[test]
fn schema_and_types_agree_on_random_edits_of_valid_documents() {
    let replacements: Vec<serde_json::Value> = [
        "0",
        "-1",
        "1",
        "1.5",
        "100",
        "101",
        "10000",
        "4294967296",
        "\"\"",
        "\"x\"",
        "\"a b\"",
        "\"UPPER\"",
        "\"../x\"",
        "\"111122223333\"",
        "\"us-west-2\"",
        "\"arn:aws:s3:::b\"",
        "true",
        "null",
        "[]",
        "{}",
        "[\"x\"]",
        "{\"x\": 1}",
    ]
    .iter()
    .map(|raw| serde_json::from_str(raw).unwrap())
    .collect();
    // The same edits on every run, so a failure can be run again.
    let mut dice = common::Dice(0x9E37_79B9_7F4A_7C15);
    let mut next = |n: usize| dice.roll(n);
    let (mut compared, mut accepted) = (0, 0);
    for path in documents(&["valid", "multi"]) {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(parsed) = tree::parse(&text) else {
            continue;
        };
        if !schema::accepts(&parsed.value).unwrap() {
            continue;
        }
        let mut all = Vec::new();
        pointers(&parsed.value, String::new(), &mut all);
        for _ in 0..300 {
            let mut doc = parsed.value.clone();
            let at = &all[next(all.len())];
            let edit = match next(4) {
                0 if !at.is_empty() => {
                    let (parent, key) = at.rsplit_once('/').unwrap();
                    match doc.pointer_mut(parent).unwrap() {
                        serde_json::Value::Object(map) => {
                            let key = key.replace("~1", "/").replace("~0", "~");
                            map.shift_remove(&key);
                        }
                        serde_json::Value::Array(items) => {
                            items.remove(key.parse::<usize>().unwrap());
                        }
                        _ => unreachable!(),
                    }
                    format!("drop {at}")
                }
                1 if doc.pointer(at).unwrap().is_object() => {
                    let map = doc.pointer_mut(at).unwrap().as_object_mut().unwrap();
                    map.insert("zz_unknown".to_owned(), serde_json::json!(1));
                    format!("add {at}/zz_unknown")
                }
                2 if doc.pointer(at).unwrap().is_string() => {
                    let node = doc.pointer_mut(at).unwrap();
                    let longer = format!("{}{}", node.as_str().unwrap(), "x".repeat(300));
                    *node = serde_json::Value::String(longer);
                    format!("lengthen {at}")
                }
                _ => {
                    let with = replacements[next(replacements.len())].clone();
                    let edit = format!("{at} = {with}");
                    *doc.pointer_mut(at).unwrap() = with;
                    edit
                }
            };
            let by_schema = schema::accepts(&doc).unwrap();
            let by_types = types::accepts(&doc);
            assert_eq!(
                by_schema,
                by_types.is_ok(),
                "{}, {edit}: schema says {by_schema}, types say {by_types:?}",
                path.display()
            );
            compared += 1;
            accepted += usize::from(by_schema);
        }
    }
    eprintln!("{accepted} of {compared} edits accepted by both");
    assert!(
        accepted >= 500 && compared - accepted >= 500,
        "{accepted} of {compared} edits accepted"
    );
}

/// serde reads a struct from an array of its fields in order, which the schema refuses; the
/// random edits never write a whole struct as such an array, so this case is its own. The typed
/// reader (spec::strict) refuses it as the schema does.
#[test]
fn a_struct_written_as_an_array_of_its_fields_is_refused_as_the_schema_refuses_it() {
    let doc = serde_json::json!({
        "version": 1,
        "accounts": {"111122223333": ["dev", "arn:aws:iam::111122223333:role/deployer"]},
    });
    assert!(!schema::accepts(&doc).unwrap());
    let refused = types::accepts(&doc).unwrap_err();
    assert!(refused.to_string().contains("sequence"), "{refused}");
    // What plain serde would have done: why the typed reader cannot be serde's own.
    assert!(serde_json::from_value::<types::SpecFile>(doc).is_ok());
}
