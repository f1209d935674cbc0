//! Errors as the service sends them: a status code, the `x-amzn-errortype` header naming the
//! error shape, and a JSON body with `message` and the shape's other members (aws-facts §1(a)
//! Errors; the SDK reads the header first).

use serde_json::{Map, Value, json};

/// The model's `ResourceType` enum has the single value `ROOM`, which the service also uses for
/// logging configurations as far as the model tells (aws-facts §1(a) Errors). Staying inside the
/// model's enum keeps clients that match on it working.
const RESOURCE_TYPE: &str = "ROOM";

/// One entry of a `ValidationException`'s `fieldList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) name: String,
    pub(crate) message: String,
}

impl FieldError {
    pub(crate) fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
        }
    }
}

/// An error response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) shape: &'static str,
    pub(crate) message: String,
    members: Map<String, Value>,
}

impl ApiError {
    fn new(status: u16, shape: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            shape,
            message: message.into(),
            members: Map::new(),
        }
    }

    fn with(mut self, key: &str, value: Value) -> Self {
        self.members.insert(key.to_owned(), value);
        self
    }

    /// `ValidationException` with reason `FIELD_VALIDATION_FAILED` and one entry per bad field.
    pub(crate) fn fields(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => format!("1 validation error detected: {}: {}", one.name, one.message),
            many => format!("{} validation errors detected", many.len()),
        };
        let list: Vec<Value> = fields
            .into_iter()
            .map(|f| json!({ "name": f.name, "message": f.message }))
            .collect();
        Self::new(400, "ValidationException", message)
            .with("reason", json!("FIELD_VALIDATION_FAILED"))
            .with("fieldList", Value::Array(list))
    }

    /// `ValidationException` about one field.
    pub(crate) fn field(name: &str, message: impl Into<String>) -> Self {
        Self::fields(vec![FieldError::new(name, message)])
    }

    /// `ValidationException` with reason `OTHER` (not about one field: an unreadable body, a
    /// refused destination policy).
    pub(crate) fn other(message: impl Into<String>) -> Self {
        Self::new(400, "ValidationException", message).with("reason", json!("OTHER"))
    }

    /// `ValidationException` with reason `UNKNOWN_OPERATION`.
    pub(crate) fn unknown_operation(method: &str, path: &str) -> Self {
        Self::new(
            400,
            "ValidationException",
            format!("no operation matches {method} {path}"),
        )
        .with("reason", json!("UNKNOWN_OPERATION"))
    }

    pub(crate) fn not_found(resource_id: &str, message: impl Into<String>) -> Self {
        Self::new(404, "ResourceNotFoundException", message)
            .with("resourceId", json!(resource_id))
            .with("resourceType", json!(RESOURCE_TYPE))
    }

    pub(crate) fn conflict(resource_id: &str, message: impl Into<String>) -> Self {
        Self::new(409, "ConflictException", message)
            .with("resourceId", json!(resource_id))
            .with("resourceType", json!(RESOURCE_TYPE))
    }

    pub(crate) fn quota(resource_id: &str, limit: usize, message: impl Into<String>) -> Self {
        Self::new(402, "ServiceQuotaExceededException", message)
            .with("resourceId", json!(resource_id))
            .with("resourceType", json!(RESOURCE_TYPE))
            .with("limit", json!(limit))
    }

    pub(crate) fn throttling(resource_id: &str, limit: usize, message: impl Into<String>) -> Self {
        Self::new(429, "ThrottlingException", message)
            .with("resourceId", json!(resource_id))
            .with("resourceType", json!(RESOURCE_TYPE))
            .with("limit", json!(limit))
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalServerException", message)
    }

    /// The error an injected fault answers. 503 is `ServiceUnavailableException`, which the model
    /// does not list but AWS front ends send; the SDK retries it by status code.
    pub(crate) fn injected(status: u16) -> Self {
        let message = format!("injected fault (HTTP {status})");
        match status {
            400 => Self::other(message),
            402 => Self::quota("injected", 0, message),
            403 => Self::new(403, "AccessDeniedException", message),
            404 => Self::not_found("injected", message),
            409 => Self::conflict("injected", message),
            429 => Self::throttling("injected", 0, message),
            503 => Self::new(503, "ServiceUnavailableException", message),
            _ => Self::new(status, "InternalServerException", message),
        }
    }

    /// The JSON body: `message` first, then the shape's other members.
    pub(crate) fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("message".to_owned(), json!(self.message));
        body.extend(self.members.clone());
        Value::Object(body)
    }
}
