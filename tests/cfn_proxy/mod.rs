//! A proxy in front of moto's CloudFormation for the stack-set tests: every call goes to moto,
//! except what moto lacks or cannot be made to do on demand, which the proxy answers or bends:
//!
//! - DetectStackSetDrift (moto 5.2 does not implement it): answered here, with an operation that
//!   has SUCCEEDED, and ListStackInstances then reports the chosen instances DRIFTED.
//! - OperationInProgressException: the next N calls of an action are refused with it, as
//!   CloudFormation refuses a second operation while one runs.
//! - ListStackInstanceResourceDrifts (not in moto either): the resources set in `Faults`.
//! - OrganizationalUnitId in ListStackInstances, which moto leaves out for service-managed
//!   instances.
//! - A failing instance: operations are reported FAILED, and the chosen account's result with a
//!   reason, as ListStackSetOperationResults reports one.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use crate::http_double::{self, Answer, Request};

#[derive(Default)]
pub struct Faults {
    /// (action, how many more calls to refuse with OperationInProgressException)
    pub in_progress: Option<(String, usize)>,
    /// The account whose instance fails every operation from now on.
    pub failing_account: Option<String>,
    /// Accounts whose instances drift detection reports DRIFTED.
    pub drifted: Vec<String>,
    /// The resources ListStackInstanceResourceDrifts reports for a drifted instance:
    /// (logical id, resource type, property path).
    pub resource_drifts: Vec<(String, String, String)>,
    /// (account, OU): moto's ListStackInstances leaves out OrganizationalUnitId, which
    /// CloudFormation reports for service-managed instances; the proxy adds it.
    pub organizational_units: Vec<(String, String)>,
    /// Actions seen, in order.
    pub seen: Vec<String>,
}

pub struct CfnProxy {
    pub endpoint: String,
    pub faults: Arc<Mutex<Faults>>,
}

const DRIFT_OPERATION: &str = "chatlog-test-drift-operation";

impl CfnProxy {
    pub fn start(moto_endpoint: &str) -> CfnProxy {
        let faults = Arc::new(Mutex::new(Faults::default()));
        let moto = moto_endpoint.trim_start_matches("http://").to_owned();
        let state = faults.clone();
        let endpoint =
            http_double::start(Arc::new(move |req: &Request| handle(&moto, &state, req)));
        CfnProxy { endpoint, faults }
    }
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect()
}

fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn xml(action: &str, result: &str) -> Answer {
    Answer {
        status: 200,
        content_type: "text/xml",
        headers: Vec::new(),
        body: format!(
            "<{action}Response xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>proxy</RequestId></ResponseMetadata></{action}Response>"
        ),
    }
}

fn handle(moto: &str, state: &Mutex<Faults>, req: &Request) -> Answer {
    let fields = form(&req.body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let action = get("Action");
    let mut f = state.lock().unwrap();
    f.seen.push(action.clone());
    if let Some((a, n)) = &mut f.in_progress
        && *a == action
        && *n > 0
    {
        *n -= 1;
        return Answer {
            status: 409,
            content_type: "text/xml",
            headers: Vec::new(),
            body: format!(
                "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>OperationInProgressException</Code><Message>Another Operation on StackSet {} is in progress</Message></Error><RequestId>proxy</RequestId></ErrorResponse>",
                get("StackSetName")
            ),
        };
    }
    if action == "DetectStackSetDrift" {
        return xml(
            &action,
            &format!("<OperationId>{DRIFT_OPERATION}</OperationId>"),
        );
    }
    if action == "DescribeStackSetOperation" && get("OperationId") == DRIFT_OPERATION {
        return xml(
            &action,
            &format!(
                "<StackSetOperation><OperationId>{DRIFT_OPERATION}</OperationId><Action>DETECT_DRIFT</Action><Status>SUCCEEDED</Status></StackSetOperation>"
            ),
        );
    }
    if action == "ListStackInstanceResourceDrifts" {
        let members: String = f
            .resource_drifts
            .iter()
            .map(|(id, ty, path)| {
                format!("<member><StackId>proxy</StackId><LogicalResourceId>{id}</LogicalResourceId><ResourceType>{ty}</ResourceType><StackResourceDriftStatus>MODIFIED</StackResourceDriftStatus><PropertyDifferences><member><PropertyPath>{path}</PropertyPath><ExpectedValue>a</ExpectedValue><ActualValue>b</ActualValue><DifferenceType>NOT_EQUAL</DifferenceType></member></PropertyDifferences><Timestamp>2026-12-03T00:00:00Z</Timestamp></member>")
            })
            .collect();
        return xml(&action, &format!("<Summaries>{members}</Summaries>"));
    }
    let units = f.organizational_units.clone();
    let failing = f.failing_account.clone();
    let drifted = f.drifted.clone();
    drop(f);
    let mut answer = forward(moto, req);
    if let Some(account) = failing {
        if action == "DescribeStackSetOperation" {
            answer.body = answer
                .body
                .replace("<Status>SUCCEEDED</Status>", "<Status>FAILED</Status>");
        }
        if action == "ListStackSetOperationResults" {
            let needle = format!("<Account>{account}</Account>");
            if let Some(at) = answer.body.find(&needle) {
                let (head, tail) = answer.body.split_at(at + needle.len());
                let tail = tail.replacen(
                    "<Status>SUCCEEDED</Status>",
                    "<Status>FAILED</Status><StatusReason>Resource handler returned message: injected failure</StatusReason>",
                    1,
                );
                answer.body = format!("{head}{tail}");
            }
        }
    }
    if action == "ListStackInstances" {
        for (account, ou) in &units {
            let needle = format!("<Account>{account}</Account>");
            answer.body = answer.body.replace(
                &needle,
                &format!("{needle}<OrganizationalUnitId>{ou}</OrganizationalUnitId>"),
            );
        }
    }
    if action == "ListStackInstances" && !drifted.is_empty() {
        for account in &drifted {
            let needle = format!("<Account>{account}</Account>");
            answer.body = answer.body.replace(
                &needle,
                &format!("{needle}<DriftStatus>DRIFTED</DriftStatus>"),
            );
        }
    }
    answer
}

/// The request as it came, to moto, and moto's answer (Connection: close, read to the end).
fn forward(moto: &str, req: &Request) -> Answer {
    let mut stream = TcpStream::connect(moto).unwrap();
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {moto}\r\nConnection: close\r\n",
        req.method, req.path
    );
    for (name, value) in &req.headers {
        if name == "host" || name == "connection" || name == "content-length" {
            continue;
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", req.body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&req.body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        content_type: "text/xml",
        headers: Vec::new(),
        body,
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}
