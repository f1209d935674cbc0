//! `apply --audit-log FILE`: one JSON line per API call, in the shape of a CloudTrail record
//! (seed 001: eventTime, eventSource, eventName, awsRegion, requestParameters,
//! responseElements, errorCode, errorMessage, requestID, readOnly), so CI can keep a change
//! record. Credentials are never part of a record.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use aws_sdk_ivschat::primitives::{DateTime, DateTimeFormat};
use serde_json::{Value, json};

#[derive(Debug)]
pub struct AuditLog {
    file: Mutex<File>,
    /// A record that could not be written: the run must not end as if the log were complete.
    lost: AtomicBool,
}

/// One call, as the caller saw it.
pub struct Record<'a> {
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub read_only: bool,
    pub request: Value,
    pub response: Value,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_id: Option<String>,
}

/// The audit log's file could not be opened for appending.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the audit log {path}: {source}")]
pub struct AuditLogError {
    pub path: String,
    pub source: std::io::Error,
}

impl AuditLog {
    /// Opens FILE for appending (created if missing): earlier records are kept.
    pub fn open(path: &Path) -> Result<Self, AuditLogError> {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map(|f| AuditLog {
                file: Mutex::new(f),
                lost: AtomicBool::new(false),
            })
            .map_err(|source| AuditLogError {
                path: path.display().to_string(),
                source,
            })
    }

    pub fn write(&self, r: Record<'_>) {
        let now = DateTime::from(SystemTime::now());
        let time = now.fmt(DateTimeFormat::DateTime).unwrap_or_default();
        let line = json!({
            "eventVersion": "1.08",
            "eventTime": time,
            "eventSource": r.event_source,
            "eventName": r.event_name,
            "awsRegion": r.region,
            "userAgent": concat!("chatlog/", env!("CARGO_PKG_VERSION")),
            "requestParameters": r.request,
            "responseElements": r.response,
            "errorCode": r.error_code,
            "errorMessage": r.error_message,
            "requestID": r.request_id,
            "readOnly": r.read_only,
            "eventType": "AwsApiCall",
            "recipientAccountId": r.account,
        });
        // One write per line under the lock, so concurrent calls never interleave records.
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if writeln!(file, "{line}")
            .and_then(|()| file.flush())
            .is_err()
        {
            self.lost.store(true, Ordering::SeqCst);
        }
    }

    /// Whether some record could not be written.
    pub fn incomplete(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
}
