//! `chatlog inventory` output: every logging configuration with the columns of the
//! `aws.ivschat_logging_configuration` dataset (seed 002), and every room with its configurations.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::live::{LiveDestination, LiveLoggingConfiguration, LiveRoom, RegionInventory, Tags};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InventoryFormat {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON document: `{"logging_configurations": [...], "rooms": [...]}`.
    Json,
    /// One JSON object per line, each with a `resource` field.
    Jsonl,
    /// RFC 4180 CSV with a `resource` column; cells of the other kind are empty.
    Csv,
}

/// Seed 002's columns, in its order.
const CONFIGURATION_COLUMNS: [&str; 9] = [
    "account_id",
    "arn",
    "create_time",
    "destination_configuration",
    "id",
    "name",
    "state",
    "tags",
    "update_time",
];

const ROOM_COLUMNS: [&str; 11] = [
    "account_id",
    "arn",
    "create_time",
    "id",
    "logging_configuration_identifiers",
    "maximum_message_length",
    "maximum_message_rate_per_second",
    "message_review_handler",
    "name",
    "tags",
    "update_time",
];

pub fn render(inventories: &[RegionInventory], format: InventoryFormat) -> String {
    let configurations: Vec<Value> = inventories
        .iter()
        .flat_map(|inv| {
            inv.logging_configurations
                .iter()
                .map(|c| configuration_row(&inv.account, c))
        })
        .collect();
    let rooms: Vec<Value> = inventories
        .iter()
        .flat_map(|inv| inv.rooms.iter().map(|r| room_row(&inv.account, r)))
        .collect();
    match format {
        InventoryFormat::Json => {
            let doc = json!({"logging_configurations": configurations, "rooms": rooms});
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            text
        }
        InventoryFormat::Jsonl => {
            let mut out = String::new();
            for (kind, rows) in [("logging_configuration", &configurations), ("room", &rooms)] {
                for row in rows {
                    let mut line = serde_json::Map::new();
                    line.insert("resource".to_owned(), Value::from(kind));
                    if let Value::Object(fields) = row {
                        line.extend(fields.clone());
                    }
                    let _ = writeln!(out, "{}", Value::Object(line));
                }
            }
            out
        }
        InventoryFormat::Csv => csv(&configurations, &rooms),
        InventoryFormat::Table => table(inventories),
    }
}

fn configuration_row(account: &str, c: &LiveLoggingConfiguration) -> Value {
    json!({
        "account_id": account,
        "arn": c.arn,
        "create_time": c.create_time,
        "destination_configuration": c.destination,
        "id": c.id,
        "name": c.name,
        "state": c.state,
        "tags": c.tags,
        "update_time": c.update_time,
    })
}

fn room_row(account: &str, r: &LiveRoom) -> Value {
    json!({
        "account_id": account,
        "arn": r.arn,
        "create_time": r.create_time,
        "id": r.id,
        "logging_configuration_identifiers": r.logging_configuration_identifiers,
        "maximum_message_length": r.maximum_message_length,
        "maximum_message_rate_per_second": r.maximum_message_rate_per_second,
        "message_review_handler": r.message_review_handler.as_ref().map(|h| json!({"uri": h.uri, "fallbackResult": h.fallback_result})),
        "name": r.name,
        "tags": r.tags,
        "update_time": r.update_time,
    })
}

fn csv(configurations: &[Value], rooms: &[Value]) -> String {
    let mut columns: Vec<&str> = vec!["resource"];
    for c in CONFIGURATION_COLUMNS.iter().chain(ROOM_COLUMNS.iter()) {
        if !columns.contains(c) {
            columns.push(c);
        }
    }
    let mut out = String::new();
    push_csv_line(&mut out, columns.iter().map(|c| (*c).to_owned()));
    for (kind, rows) in [("logging_configuration", configurations), ("room", rooms)] {
        for row in rows {
            let cells = columns.iter().map(|column| {
                if *column == "resource" {
                    kind.to_owned()
                } else {
                    row.get(*column).map(cell).unwrap_or_default()
                }
            });
            push_csv_line(&mut out, cells);
        }
    }
    out
}

/// A scalar as its text, a structure (tags, destination) as compact JSON, null as empty.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn push_csv_line(out: &mut String, cells: impl Iterator<Item = String>) {
    let quoted: Vec<String> = cells
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

fn table(inventories: &[RegionInventory]) -> String {
    let mut configurations = vec![vec![
        "ACCOUNT".to_owned(),
        "REGION".to_owned(),
        "ID".to_owned(),
        "NAME".to_owned(),
        "STATE".to_owned(),
        "DESTINATION".to_owned(),
        "TAGS".to_owned(),
    ]];
    let mut rooms = vec![vec![
        "ACCOUNT".to_owned(),
        "REGION".to_owned(),
        "ID".to_owned(),
        "NAME".to_owned(),
        "LOGGING CONFIGURATIONS".to_owned(),
        "TAGS".to_owned(),
    ]];
    for inv in inventories {
        for c in &inv.logging_configurations {
            configurations.push(vec![
                inv.account.clone(),
                inv.region.clone(),
                c.id.clone(),
                c.name.clone(),
                c.state.clone(),
                destination_text(&c.destination),
                tags_text(&c.tags),
            ]);
        }
        for r in &inv.rooms {
            let ids: Vec<&str> = r
                .logging_configuration_identifiers
                .iter()
                .map(|arn| arn.rsplit('/').next().unwrap_or(arn))
                .collect();
            rooms.push(vec![
                inv.account.clone(),
                inv.region.clone(),
                r.id.clone(),
                r.name.clone(),
                if ids.is_empty() {
                    "-".to_owned()
                } else {
                    ids.join(",")
                },
                tags_text(&r.tags),
            ]);
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Logging configurations ({})",
        configurations.len().saturating_sub(1)
    );
    aligned(&mut out, &configurations);
    let _ = writeln!(out, "\nRooms ({})", rooms.len().saturating_sub(1));
    aligned(&mut out, &rooms);
    out
}

fn destination_text(d: &LiveDestination) -> String {
    match d {
        LiveDestination::S3 { bucket_name } => format!("s3:{bucket_name}"),
        LiveDestination::CloudWatchLogs { log_group_name } => format!("logs:{log_group_name}"),
        LiveDestination::Firehose {
            delivery_stream_name,
        } => format!("firehose:{delivery_stream_name}"),
        LiveDestination::Unknown => "unknown".to_owned(),
    }
}

fn tags_text(tags: &Tags) -> String {
    if tags.is_empty() {
        return "-".to_owned();
    }
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Tag values may hold anything: cells get every control character escaped, so neither a
/// terminal nor the column alignment receives them raw.
fn aligned(out: &mut String, rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| crate::sanitize::one_cell(c)).collect())
        .collect();
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<RegionInventory> {
        vec![RegionInventory {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            logging_configurations: vec![LiveLoggingConfiguration {
                arn: "arn:aws:ivschat:us-west-2:111122223333:logging-configuration/abcdABCDefgh"
                    .to_owned(),
                id: "abcdABCDefgh".to_owned(),
                name: "archive".to_owned(),
                state: "ACTIVE".to_owned(),
                destination: LiveDestination::S3 {
                    bucket_name: "b".to_owned(),
                },
                tags: Tags::from([("note".to_owned(), "a,\"b\"\n\u{1b}[31m".to_owned())]),
                create_time: Some("2026-11-22T10:00:00Z".to_owned()),
                update_time: Some("2026-11-22T10:00:00Z".to_owned()),
            }],
            rooms: vec![LiveRoom {
                arn: "arn:aws:ivschat:us-west-2:111122223333:room/roomROOMroom".to_owned(),
                id: "roomROOMroom".to_owned(),
                name: "lobby".to_owned(),
                logging_configuration_identifiers: vec![
                    "arn:aws:ivschat:us-west-2:111122223333:logging-configuration/abcdABCDefgh"
                        .to_owned(),
                ],
                maximum_message_length: None,
                maximum_message_rate_per_second: None,
                message_review_handler: None,
                tags: Tags::new(),
                create_time: None,
                update_time: None,
            }],
        }]
    }

    #[test]
    fn json_has_the_seed_columns_and_destination_union() {
        let doc: Value = serde_json::from_str(&render(&sample(), InventoryFormat::Json)).unwrap();
        let row = &doc["logging_configurations"][0];
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, CONFIGURATION_COLUMNS);
        assert_eq!(
            row["destination_configuration"],
            json!({"s3": {"bucketName": "b"}})
        );
        assert_eq!(
            doc["rooms"][0]["logging_configuration_identifiers"][0],
            json!("arn:aws:ivschat:us-west-2:111122223333:logging-configuration/abcdABCDefgh")
        );
    }

    #[test]
    fn jsonl_lines_each_parse_and_name_their_resource() {
        let text = render(&sample(), InventoryFormat::Jsonl);
        let kinds: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["resource"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(kinds, ["logging_configuration", "room"]);
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        let text = render(&sample(), InventoryFormat::Csv);
        assert!(text.starts_with("resource,account_id,arn,create_time,destination_configuration,"));
        // The tag map is one JSON cell; its quotes are doubled and the cell quoted.
        assert!(
            text.contains(r#""{""note"":""a,\""b\""\n\u001b[31m""}""#),
            "{text}"
        );
        assert_eq!(text.matches("\r\n").count(), 3);
    }

    #[test]
    fn table_escapes_control_characters() {
        let text = render(&sample(), InventoryFormat::Table);
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("Logging configurations (1)"));
        assert!(text.contains("abcdABCDefgh"));
    }

    /// Each format as a person or a tool reads it, hostile tag value included.
    #[test]
    fn every_format_matches_its_snapshot() {
        for (format, label) in [
            (InventoryFormat::Table, "table"),
            (InventoryFormat::Json, "json"),
            (InventoryFormat::Jsonl, "jsonl"),
            (InventoryFormat::Csv, "csv"),
        ] {
            let text = render(&sample(), format);
            insta::with_settings!({
                snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
                prepend_module_to_snapshot => false,
            }, {
                insta::assert_snapshot!(format!("report-inventory@{label}"), text);
            });
        }
    }
}
