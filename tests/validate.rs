//! Validation: every rule is broken by a fixture that asserts its id and position, and the human
//! and JSON reports of every fixture are snapshots.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use chatlog::diagnostic::{Rule, Severity};
use chatlog::report;
use chatlog::spec::load::Input;
use chatlog::validate::{Validation, validate};

fn run_files(paths: &[&Path]) -> Validation {
    let inputs = paths
        .iter()
        .map(|p| Input {
            name: p
                .strip_prefix(common::root())
                .unwrap_or(p)
                .display()
                .to_string(),
            bytes: std::fs::read(p).unwrap(),
        })
        .collect();
    validate(inputs)
}

fn run_bytes(name: &str, bytes: &[u8]) -> Validation {
    validate(vec![Input {
        name: name.to_owned(),
        bytes: bytes.to_vec(),
    }])
}

/// Files given by name and text, in order.
fn run_texts(files: &[(&str, &str)]) -> Validation {
    validate(
        files
            .iter()
            .map(|(name, text)| Input {
                name: (*name).to_owned(),
                bytes: text.as_bytes().to_vec(),
            })
            .collect(),
    )
}

fn fixture(name: &str) -> std::path::PathBuf {
    common::root().join("tests/fixtures").join(name)
}

/// (fixture, rule, line, column) of the diagnostic each invalid fixture must produce.
const EXPECTED: &[(&str, &str, u32, u32)] = &[
    ("CL001-alias-loop.yaml", "CL001", 4, 10),
    ("CL001-bad-json.json", "CL001", 1, 38),
    ("CL001-duplicate-key.yaml", "CL001", 5, 3),
    ("CL001-unclosed-flow.yaml", "CL001", 3, 26),
    ("CL002-empty.yaml", "CL002", 1, 1),
    ("CL002-missing-bucket.yaml", "CL002", 5, 5),
    ("CL002-missing-version.yaml", "CL002", 1, 1),
    ("CL002-unquoted-account.yaml", "CL002", 2, 21),
    ("CL002-wrong-type.yaml", "CL002", 3, 8),
    ("CL003-unknown-key.yaml", "CL003", 5, 5),
    ("CL004-version.yaml", "CL004", 1, 10),
    ("CL005-no-kind.yaml", "CL005", 4, 3),
    ("CL005-two-kinds.yaml", "CL005", 4, 3),
    ("CL010-entry-name.yaml", "CL010", 4, 3),
    ("CL011-resource-name.yaml", "CL011", 5, 11),
    ("CL012-bucket-name.yaml", "CL012", 5, 18),
    ("CL012-s3-naming-rules.yaml", "CL012", 6, 28),
    ("CL013-log-group-aws-prefix.yaml", "CL013", 5, 34),
    ("CL013-log-group-name.yaml", "CL013", 5, 34),
    ("CL014-delivery-stream-name.yaml", "CL014", 5, 33),
    ("CL015-message-length.yaml", "CL015", 5, 29),
    ("CL016-message-rate.yaml", "CL016", 5, 38),
    ("CL017-lambda-arn.yaml", "CL017", 6, 12),
    ("CL018-fallback-result.yaml", "CL018", 7, 24),
    ("CL019-account-id.yaml", "CL019", 2, 21),
    ("CL020-region-format.yaml", "CL020", 2, 45),
    ("CL021-region-not-offered.yaml", "CL021", 2, 45),
    ("CL022-retention-days.yaml", "CL022", 5, 75),
    ("CL023-retention-without-create.yaml", "CL023", 5, 45),
    ("CL024-role-arn.yaml", "CL024", 5, 15),
    ("CL025-profile-name.yaml", "CL025", 5, 14),
    ("CL026-role-account.yaml", "CL026", 5, 15),
    ("CL027-spec-name.yaml", "CL027", 2, 7),
    ("CL028-lex-id.yaml", "CL028", 5, 13),
    ("CL029-kms-key-arn.yaml", "CL029", 10, 51),
    ("CL030-unknown-configuration.yaml", "CL030", 8, 21),
    ("CL030-unknown-destination.yaml", "CL030", 6, 26),
    ("CL031-too-many-configurations.yaml", "CL031", 5, 5),
    ("CL032-duplicate-configuration.yaml", "CL032", 5, 14),
    ("CL033-region-mismatch.yaml", "CL033", 8, 21),
    ("CL034-account-mismatch.yaml", "CL034", 6, 26),
    ("CL035-quota.yaml", "CL035", 16, 3),
    ("CL036-too-many-tags.yaml", "CL036", 38, 5),
    ("CL037-tag-key.yaml", "CL037", 5, 12),
    ("CL038-tag-value.yaml", "CL038", 5, 18),
    ("CL040-no-account.yaml", "CL040", 4, 3),
    ("CL041-same-bucket.yaml", "CL041", 5, 3),
    ("CL042-bot-alias.yaml", "CL042", 9, 5),
    ("CL043-alias-name.yaml", "CL043", 6, 19),
    ("CL044-log-prefix.yaml", "CL044", 10, 55),
    ("CL045-text-logs-to-s3.yaml", "CL045", 10, 30),
    ("CL046-bot-region.yaml", "CL046", 11, 30),
    ("CL047-v1-two-text.yaml", "CL047", 14, 20),
    ("CL048-v1-translated.yaml", "CL048", 8, 5),
    ("CL049-trail-name.yaml", "CL049", 4, 10),
    ("CL052-adopt-without-create.yaml", "CL052", 7, 7),
    ("CL050-unused-configuration.yaml", "CL050", 6, 3),
    ("CL051-unused-destination.yaml", "CL051", 4, 3),
    ("CL130-stack-set-name.yaml", "CL130", 4, 3),
    ("CL131-self-managed-ou.yaml", "CL131", 11, 9),
    ("CL132-ou-id.yaml", "CL132", 8, 32),
    ("CL133-self-managed-roles.yaml", "CL133", 7, 5),
    ("CL134-management-account.yaml", "CL134", 9, 36),
    ("CL135-region-without-ivschat.yaml", "CL135", 9, 30),
    ("CL136-bucket-without-account.yaml", "CL136", 12, 15),
    ("CL138-collision.yaml", "CL138", 17, 7),
    ("CL139-operation.yaml", "CL139", 10, 5),
    ("CL140-existing-bucket.yaml", "CL140", 12, 9),
];

#[test]
fn each_fixture_reports_its_rule_at_its_position() {
    for (name, rule, line, column) in EXPECTED {
        let v = run_files(&[&fixture(&format!("invalid/{name}"))]);
        let hit = v.diagnostics.iter().find(|d| d.rule.id() == *rule);
        let Some(d) = hit else {
            panic!(
                "{name}: expected {rule}, got {:?}",
                v.diagnostics
                    .iter()
                    .map(|d| d.rule.id())
                    .collect::<Vec<_>>()
            );
        };
        let loc = d
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: {rule} has no location"));
        assert_eq!(
            (loc.line, loc.column),
            (*line, *column),
            "{name}: {rule} at the wrong place: {}",
            d.message
        );
        assert!(
            d.help.as_deref().is_some_and(|h| !h.is_empty()),
            "{name}: {rule} has no help line"
        );
        assert!(
            !d.message.ends_with('.'),
            "{name}: messages carry no trailing period"
        );
        assert!(!d.message.contains('\n'), "{name}: messages are one line");
        if d.severity == Severity::Error {
            assert!(
                v.model.is_none(),
                "{name}: an error must not produce a model"
            );
        }
    }
}

#[test]
fn every_rule_has_a_fixture() {
    let covered: BTreeSet<&str> = EXPECTED.iter().map(|(_, rule, _, _)| *rule).collect();
    // CL039 needs two files; `names_defined_in_two_files_name_both_places` covers it. Ids from
    // CL060 on are render-target rules, proven by the render tests. CL000 is chatlog's own
    // failure, which no spec can cause.
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .map(|r| r.id())
        .filter(|id| *id < "CL060" && !covered.contains(id) && *id != "CL039" && *id != "CL000")
        .collect();
    assert!(missing.is_empty(), "rules without a fixture: {missing:?}");
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixture("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = EXPECTED.iter().map(|(n, ..)| (*n).to_owned()).collect();
    assert_eq!(
        on_disk, listed,
        "every fixture on disk is listed in EXPECTED"
    );
}

#[test]
fn rule_ids_are_unique_and_well_formed() {
    let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len());
    for id in ids {
        assert!(
            id.len() == 5 && id.starts_with("CL") && id[2..].chars().all(|c| c.is_ascii_digit()),
            "{id}"
        );
        assert_eq!(Rule::from_id(id).map(|r| r.id()), Some(id));
    }
}

/// Every invalid fixture's human and JSON report (`validate-human@<fixture>.snap`). `glob!` runs
/// every file and fails at the end, so one mismatch does not hide the others.
#[test]
fn fixture_reports_match_snapshots() {
    common::snapshots().bind(|| {
        insta::glob!("fixtures/invalid/*", |path| {
            // glob! hands over a canonical path; the report names the file as users see it.
            let name = path.file_name().unwrap().to_string_lossy();
            let v = run_files(&[&fixture(&format!("invalid/{name}"))]);
            let human = common::report(&v, report::Format::Text);
            let json = common::report(&v, report::Format::Json);
            insta::assert_snapshot!("validate-human", human);
            insta::assert_snapshot!("validate-json", json);
        });
    });
}

#[test]
fn valid_fixtures_and_examples_are_clean() {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(fixture("valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.extend(common::examples());
    for path in files {
        let v = run_files(&[&path]);
        assert!(
            v.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            v.diagnostics
        );
        assert!(v.model.is_some());
    }
}

#[test]
fn boundaries_are_accepted_and_resolved() {
    let v = run_files(&[&fixture("valid/boundaries.yaml")]);
    let model = v.model.expect("valid");
    let deployment = &model.deployments[0];
    assert_eq!(
        deployment.logging_configurations.len(),
        11,
        "a raised quota admits an 11th configuration"
    );
    let shortest = deployment
        .rooms
        .iter()
        .find(|r| r.key == "shortest")
        .unwrap();
    assert_eq!(shortest.name(), "", "an empty AWS name is allowed and kept");
    assert_eq!(shortest.maximum_message_length, Some(1));
    assert_eq!(
        shortest.tags.len(),
        48,
        "25 default tags + 23 own tags is exactly the limit (50 minus chatlog's 2 ownership tags)"
    );
}

#[test]
fn yaml_1_1_words_stay_strings() {
    let v = run_files(&[&fixture("valid/yaml-1-1-words.yaml")]);
    let model = v.model.expect("valid");
    let tags = &model.deployments[0].rooms[0].tags;
    assert_eq!(tags.get("enabled").map(String::as_str), Some("NO"));
    assert_eq!(tags.get("mode").map(String::as_str), Some("on"));
    assert_eq!(tags.get("code").map(String::as_str), Some("0755"));
    assert_eq!(tags.get("when").map(String::as_str), Some("2010-09-09"));
}

#[test]
fn files_merge_into_one_spec() {
    let v = run_files(&[&fixture("multi/base.yaml"), &fixture("multi/extra.yaml")]);
    assert!(v.diagnostics.is_empty(), "{:?}", v.diagnostics);
    let model = v.model.unwrap();
    let rooms: Vec<&str> = model.deployments[0]
        .rooms
        .iter()
        .map(|r| r.key.as_str())
        .collect();
    assert_eq!(
        rooms,
        ["lobby", "stage"],
        "defaults from one file apply to the other"
    );
}

#[test]
fn names_defined_in_two_files_name_both_places() {
    let base = fixture("multi/base.yaml");
    let v = run_files(&[&base, &base]);
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.message == "room `lobby` is defined twice")
        .expect("CL039");
    assert_eq!(d.rule, Rule::DefinedTwice);
    assert_eq!(d.location.as_ref().map(|l| l.line), Some(4));
    assert_eq!(d.related.len(), 1, "the first definition is named");
    assert_eq!(d.related[0].message, "first defined here");

    let v = run_files(&[&base, &fixture("multi/conflict.yaml")]);
    let rules: Vec<&str> = v.diagnostics.iter().map(|d| d.rule.id()).collect();
    assert_eq!(rules, ["CL039", "CL039"], "{:?}", v.diagnostics);
    let defaults = v
        .diagnostics
        .iter()
        .find(|d| d.message.contains("defaults.region"))
        .expect("defaults conflict");
    assert!(
        defaults
            .location
            .as_ref()
            .unwrap()
            .file
            .ends_with("conflict.yaml")
    );
    assert!(defaults.related[0].location.file.ends_with("base.yaml"));
}

/// A room is placed at its key as it is read, and in its file by the merge: a room of a later
/// file is pointed at in that file, including one defined in an earlier file too.
#[test]
fn rooms_of_a_later_file_are_pointed_at_in_it() {
    let first = "version: 1\ndefaults: {account: \"111122223333\", region: us-west-2}\nrooms:\n  lobby: {}\n";
    let later = "version: 1\nrooms:\n  stage: {}\n  lobby: {}\n  side: {logging: [nowhere]}\n";
    let v = run_texts(&[("first.yaml", first), ("later.yaml", later)]);
    let found: Vec<(&str, &str, u32)> = v
        .diagnostics
        .iter()
        .map(|d| {
            let at = d.location.as_ref().expect("located");
            (d.rule.id(), at.file.as_str(), at.line)
        })
        .collect();
    assert_eq!(found, [("CL039", "later.yaml", 4)], "{:?}", v.diagnostics);
    let twice = &v.diagnostics[0];
    assert_eq!(twice.related[0].location.file, "first.yaml");
    assert_eq!(twice.related[0].location.line, 4);

    // Once the repeat is gone, the rules that run on the merged spec see the rest.
    let later = later.replace("  lobby: {}\n", "");
    let v = run_texts(&[("first.yaml", first), ("later.yaml", &later)]);
    let d = v
        .diagnostics
        .iter()
        .find(|d| d.message.contains("nowhere"))
        .expect("the unknown reference");
    let at = d.location.as_ref().unwrap();
    assert_eq!((at.file.as_str(), at.line), ("later.yaml", 4), "{d:?}");

    // A later file's rooms between an earlier one's keys are merged into key order.
    let first = format!("{first}  zoo: {{}}\n");
    let v = run_texts(&[
        ("first.yaml", &first),
        ("later.yaml", "version: 1\nrooms:\n  stage: {}\n"),
    ]);
    let model = v.model.expect("valid");
    let keys: Vec<&str> = model.deployments[0]
        .rooms
        .iter()
        .map(|r| r.key.as_str())
        .collect();
    assert_eq!(keys, ["lobby", "stage", "zoo"]);
}

/// The rules the one walk of the rooms checks (their regions, their references, which logging
/// configurations they use) on rooms that break some of them, beside a configuration that
/// could not be placed, which a room still uses.
#[test]
fn rooms_are_checked_for_regions_and_their_configurations_for_use() {
    let spec = "version: 1
defaults: {account: \"111122223333\"}
destinations:
  archive: {region: us-west-2, s3: {bucket: my-bucket}}
logging_configurations:
  used: {destination: archive}
  unused: {destination: archive}
  homeless: {destination: nowhere}
rooms:
  lobby: {region: us-west-2, logging: [used, homeless]}
  far: {region: ca-central-1}
";
    let v = run_bytes("rooms.yaml", spec.as_bytes());
    let found: Vec<(&str, u32, &str)> = v
        .diagnostics
        .iter()
        .map(|d| {
            let line = d.location.as_ref().map_or(0, |l| l.line);
            (d.rule.id(), line, d.message.as_str())
        })
        .collect();
    let of = |rule: &str| -> Vec<(u32, &str)> {
        found
            .iter()
            .filter(|(id, _, _)| *id == rule)
            .map(|&(_, line, message)| (line, message))
            .collect()
    };
    assert_eq!(
        of("CL021"),
        [(11, "IVS Chat is not offered in `ca-central-1`")],
        "{found:?}"
    );
    assert_eq!(
        of("CL050"),
        [(7, "logging configuration `unused` is not used by any room")],
        "{found:?}"
    );
    assert!(
        found.iter().any(|(_, line, _)| *line == 8),
        "`homeless` has errors of its own: {found:?}"
    );
}

#[test]
fn hostile_bytes_get_diagnostics_not_panics() {
    let header = "version: 1\ndefaults: {account: \"111122223333\", region: us-west-2}\n";
    // Invalid UTF-8 on line 3.
    let mut bytes = header.as_bytes().to_vec();
    bytes.extend_from_slice(b"rooms:\n  lob\xffby: {}\n");
    let v = run_bytes("bad-utf8.yaml", &bytes);
    let d = &v.diagnostics[0];
    assert_eq!(
        (d.rule, d.location.as_ref().map(|l| (l.line, l.column))),
        (Rule::Syntax, Some((4, 6)))
    );

    // A byte-order mark and CRLF line ends are fine.
    let crlf = format!(
        "\u{feff}{}rooms:\r\n  lobby: {{}}\r\n",
        header.replace('\n', "\r\n")
    );
    let v = run_bytes("bom-crlf.yaml", crlf.as_bytes());
    assert!(v.model.is_some(), "{:?}", v.diagnostics);

    // NUL bytes and control characters: an error, and nothing raw reaches a terminal.
    let v = run_bytes(
        "nul.yaml",
        format!("{header}rooms:\n  \"a\\u001b[31m\": {{}}\n  b\0: {{}}\n").as_bytes(),
    );
    assert!(v.has_errors());
    let text = common::report(&v, report::Format::Text);
    assert!(!text.contains('\u{1b}') && !text.contains('\0'), "{text}");

    // A billion-laughs alias bomb is refused by the parser's budget, quickly.
    let mut bomb = String::from("version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let previous = if i == 1 {
            "a".to_owned()
        } else {
            format!("l{}", i - 1)
        };
        let aliases = vec![format!("*{previous}"); 10].join(", ");
        bomb.push_str(&format!("l{i}: &l{i} [{aliases}]\n"));
    }
    let v = run_bytes("bomb.yaml", bomb.as_bytes());
    assert_eq!(
        v.diagnostics.first().map(|d| d.rule),
        Some(Rule::Syntax),
        "{:?}",
        v.diagnostics
    );

    // Deep nesting is an error, not a stack overflow.
    let deep = format!(
        "{header}rooms: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let v = run_bytes("deep.yaml", deep.as_bytes());
    assert!(v.has_errors());
}

#[test]
fn json_and_yaml_give_the_same_model() {
    let json = run_files(&[&fixture("valid/quickstart.json")]);
    let model = json.model.expect("valid JSON");
    let room = &model.deployments[0].rooms[0];
    assert_eq!(
        room.maximum_message_length,
        Some(500),
        "500.0 is the integer 500, as JSON Schema says"
    );
    let logging: Vec<&str> = model.deployments[0]
        .logging_of(room)
        .map(|c| c.key.as_str())
        .collect();
    assert_eq!(logging, ["archive"]);
}

/// A model room holds its logging configurations as positions in its deployment's list. Where
/// the configurations of three deployments take turns in key order, so that no configuration's
/// place among all of them is its place in its deployment, every room still logs to the ones its
/// spec lists, in the spec's order.
#[test]
fn rooms_log_to_the_configurations_they_list_in_their_order() {
    let regions = ["us-east-1", "us-west-2", "eu-west-1"];
    let mut spec =
        String::from("version: 1\ndefaults: {account: \"111122223333\"}\ndestinations:\n");
    for r in regions {
        spec.push_str(&format!(
            "  s3-{r}: {{region: {r}, s3: {{bucket: chat-{r}-logs, create: true}}}}\n"
        ));
    }
    spec.push_str("logging_configurations:\n");
    for c in 0..9 {
        spec.push_str(&format!("  c{c}: {{destination: s3-{}}}\n", regions[c % 3]));
    }
    spec.push_str("rooms:\n");
    let mut expected = std::collections::BTreeMap::new();
    let mut state = 0x2545_f491_u32;
    let mut next = |below: u32| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state % below) as usize
    };
    for i in 0..90 {
        let region = i % 3;
        let mut own: Vec<usize> = (0..9).filter(|c| c % 3 == region).collect();
        for k in (1..own.len()).rev() {
            own.swap(k, next(k as u32 + 1));
        }
        own.truncate(next(4));
        let listed: Vec<String> = own.iter().map(|c| format!("c{c}")).collect();
        spec.push_str(&format!(
            "  room-{i:02}: {{region: {}, logging: [{}]}}\n",
            regions[region],
            listed.join(", ")
        ));
        expected.insert(format!("room-{i:02}"), listed);
    }
    let v = run_bytes("order.yaml", spec.as_bytes());
    assert!(!v.has_errors(), "{:?}", v.diagnostics);
    let model = v.model.expect("valid");
    let mut rooms = 0;
    let mut listing_three = 0;
    for d in &model.deployments {
        for room in &d.rooms {
            let got: Vec<&str> = d.logging_of(room).map(|c| c.key.as_str()).collect();
            assert_eq!(got, expected[&room.key], "{} in {}", room.key, d.region);
            rooms += 1;
            listing_three += usize::from(got.len() == 3);
        }
    }
    assert_eq!(rooms, 90);
    assert!(listing_three > 0, "no room lists three configurations");
}

#[test]
fn logical_ids_are_unique_when_names_differ_only_by_separators() {
    let spec = "version: 1\ndefaults: {account: \"111122223333\", region: us-west-2}\nrooms:\n  chat-lobby: {}\n  chat_lobby: {}\n  Chat-Lobby: {}\n  chatlobby: {}\n";
    let v = run_bytes("ids.yaml", spec.as_bytes());
    let model = v.model.expect("valid");
    let ids: BTreeSet<&str> = model.deployments[0]
        .rooms
        .iter()
        .map(|r| r.logical_id.as_str())
        .collect();
    assert_eq!(ids.len(), 4);
    assert!(
        ids.iter()
            .all(|id| id.chars().all(|c| c.is_ascii_alphanumeric()))
    );
}

#[test]
fn deployments_group_by_account_and_region() {
    let v = run_files(&[&common::root().join("examples/multi-account.yaml")]);
    let model = v.model.expect("valid");
    let places: Vec<(&str, &str)> = model
        .deployments
        .iter()
        .map(|d| (d.account.as_str(), d.region.as_str()))
        .collect();
    assert_eq!(
        places,
        [
            ("111122223333", "ap-northeast-1"),
            ("111122223333", "us-west-2"),
            ("444455556666", "eu-west-1")
        ]
    );
    let eu = &model.deployments[2];
    assert_eq!(
        eu.logging_configurations.len(),
        2,
        "a configuration lives where its destination lives"
    );
    let bucket = eu
        .destinations
        .iter()
        .find(|d| d.key == "eu-archive")
        .unwrap();
    assert_eq!(bucket.arn, "arn:aws:s3:::acme-chat-eu-west-1");
    let group = eu.destinations.iter().find(|d| d.key == "eu-tail").unwrap();
    assert_eq!(
        group.arn,
        "arn:aws:logs:eu-west-1:444455556666:log-group:/aws/vendedlogs/ivschat/eu"
    );
}
