//! The restJson1 binding: routes (method and path to operation), the caller from SigV4, bodies in
//! and out, and the order of things around an operation (latency, faults, TPS, recording).

use serde_json::{Map, Value, json};

use super::control::{FaultTiming, RecordedCall};
use super::error::ApiError;
use super::http::{Request, Response};
use super::ids::new_id;
use super::ops::{Caller, Reply, Service};

/// moto's default account, used when the access key is not a 12-digit account id.
const DEFAULT_ACCOUNT: &str = "123456789012";
const DEFAULT_REGION: &str = "us-east-1";

/// The operations whose input is the JSON body, at `POST /<Operation>` (aws-facts §1(a)).
const BODY_OPERATIONS: [&str; 10] = [
    "CreateLoggingConfiguration",
    "GetLoggingConfiguration",
    "ListLoggingConfigurations",
    "UpdateLoggingConfiguration",
    "DeleteLoggingConfiguration",
    "CreateRoom",
    "GetRoom",
    "ListRooms",
    "UpdateRoom",
    "DeleteRoom",
];

/// A request resolved to an operation and its input members.
struct Routed {
    /// The model's name, or `Unknown`.
    operation: &'static str,
    /// The input members, or why they could not be read.
    input: Result<Value, ApiError>,
}

/// Answers one request: latency first, then an injected fault, the TPS quota, and the
/// operation (a fault after the effect replaces the answer, or hangs up); every answer is
/// recorded.
pub(crate) async fn handle(service: &Service, request: Request) -> Response {
    let caller = caller(request.header("authorization"));
    let routed = route(
        &request.method,
        &request.path,
        request.query.as_deref(),
        &request.body,
    );

    let latency = service.control.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = service.control.take_fault(routed.operation, &caller.region);
    let outcome = match fault {
        Some((status, FaultTiming::Instead)) => Err(ApiError::injected(status)),
        Some((_, FaultTiming::LostWrite)) => Ok(Reply::Json(json!({}))),
        _ => answer(service, &caller, &routed, &request.method, &request.path).await,
    };
    let response = match fault {
        Some((status, FaultTiming::AfterEffect)) => respond(Err(ApiError::injected(status))),
        Some((_, FaultTiming::HangUpAfterEffect)) => Response::hang_up(),
        _ => respond(outcome),
    };
    service.control.record(RecordedCall {
        operation: routed.operation.to_owned(),
        account: caller.account,
        region: caller.region,
        status: response.status,
        request: routed.input.unwrap_or(Value::Null),
    });
    response
}

async fn answer(
    service: &Service,
    caller: &Caller,
    routed: &Routed,
    method: &str,
    path: &str,
) -> Result<Reply, ApiError> {
    if routed.operation == "Unknown" {
        return Err(ApiError::unknown_operation(method, path));
    }
    let input = routed.input.clone()?;
    service.admit(caller, routed.operation)?;
    service.call(caller, routed.operation, &input).await
}

fn respond(outcome: Result<Reply, ApiError>) -> Response {
    let mut headers = vec![("x-amzn-requestid", new_id())];
    let (status, body) = match outcome {
        Ok(Reply::Json(value)) => (200, Some(value)),
        Ok(Reply::NoContent) => (204, None),
        Err(error) => {
            headers.push(("x-amzn-errortype", error.shape.to_owned()));
            (error.status, Some(error.body()))
        }
    };
    if body.is_some() {
        headers.push(("content-type", "application/json".to_owned()));
    }
    Response {
        status,
        headers,
        body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
    }
}

/// The account and region of the SigV4 credential scope
/// (`Credential=AKID/DATE/REGION/ivschat/aws4_request`): the access key is the account when it
/// is 12 digits (see `moto::fresh_account`), else moto's default account.
fn caller(authorization: Option<&str>) -> Caller {
    let scope: Vec<&str> = authorization
        .and_then(|v| v.split("Credential=").nth(1))
        .and_then(|v| v.split([',', ' ']).next())
        .map(|v| v.split('/').collect())
        .unwrap_or_default();
    let account = scope
        .first()
        .filter(|k| k.len() == 12 && k.chars().all(|c| c.is_ascii_digit()))
        .map_or(DEFAULT_ACCOUNT, |k| k);
    let region = scope
        .get(2)
        .filter(|r| !r.is_empty())
        .map_or(DEFAULT_REGION, |r| r);
    Caller {
        account: account.to_owned(),
        region: region.to_owned(),
    }
}

fn route(method: &str, path: &str, query: Option<&str>, body: &[u8]) -> Routed {
    if let Some(label) = path.strip_prefix("/tags/") {
        let arn = percent_decode(label);
        let operation = match method {
            "GET" => "ListTagsForResource",
            "POST" => "TagResource",
            "DELETE" => "UntagResource",
            _ => "Unknown",
        };
        let input = match (operation, arn) {
            (_, None) => Err(ApiError::field(
                "resourceArn",
                "is not valid percent-encoded UTF-8",
            )),
            ("TagResource", Some(arn)) => parse_body(body).map(|mut members| {
                members.insert("resourceArn".to_owned(), json!(arn));
                Value::Object(members)
            }),
            ("UntagResource", Some(arn)) => {
                let mut members = Map::new();
                members.insert("resourceArn".to_owned(), json!(arn));
                let keys = query_values(query.unwrap_or_default(), "tagKeys");
                if let Some(keys) = keys {
                    members.insert("tagKeys".to_owned(), json!(keys));
                }
                Ok(Value::Object(members))
            }
            (_, Some(arn)) => Ok(json!({ "resourceArn": arn })),
        };
        return Routed { operation, input };
    }
    let name = path.trim_start_matches('/');
    match BODY_OPERATIONS.iter().find(|op| **op == name) {
        Some(operation) if method == "POST" => Routed {
            operation,
            input: parse_body(body).map(Value::Object),
        },
        _ => Routed {
            operation: "Unknown",
            input: parse_body(body).map(Value::Object),
        },
    }
}

fn parse_body(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(_) => Err(ApiError::other("the request body must be a JSON object")),
        Err(error) => Err(ApiError::other(format!(
            "the request body is not JSON: {error}"
        ))),
    }
}

/// Every value of `name` in a query string, or `None` if it does not occur.
fn query_values(query: &str, name: &str) -> Option<Vec<String>> {
    let values: Vec<String> = query
        .split('&')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key).as_deref() == Some(name)).then(|| percent_decode(value))?
        })
        .collect();
    (!values.is_empty()).then_some(values)
}

/// Decodes `%XX` escapes (URI labels and query values); `None` for a bad escape or bytes that
/// are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let hex = bytes.get(index + 1..index + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caller_comes_from_the_credential_scope() {
        let signed = "AWS4-HMAC-SHA256 Credential=111122223333/20260101/eu-west-1/ivschat/aws4_request, SignedHeaders=host, Signature=00";
        assert_eq!(
            caller(Some(signed)),
            Caller {
                account: "111122223333".into(),
                region: "eu-west-1".into()
            }
        );
        let named =
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-west-2/ivschat/aws4_request";
        assert_eq!(
            caller(Some(named)),
            Caller {
                account: DEFAULT_ACCOUNT.into(),
                region: "us-west-2".into()
            }
        );
        assert_eq!(caller(None).region, DEFAULT_REGION);
    }

    #[test]
    fn percent_escapes_decode_and_bad_ones_are_refused() {
        assert_eq!(
            percent_decode("arn%3Aaws%3Aivschat%3Aus-east-1%3A1%3Aroom%2FabcDEF123456").as_deref(),
            Some("arn:aws:ivschat:us-east-1:1:room/abcDEF123456")
        );
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
    }

    #[test]
    fn untag_keys_come_from_the_repeated_query_parameter() {
        assert_eq!(
            query_values("tagKeys=a&tagKeys=b%20c&x=1", "tagKeys"),
            Some(vec!["a".to_owned(), "b c".to_owned()])
        );
        assert_eq!(query_values("x=1", "tagKeys"), None);
    }
}
