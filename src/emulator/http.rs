//! Small HTTP helpers shared by the emulator and the AWS proxy.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde_json::Value;

/// Every response this module builds.
pub type Resp = Response<Full<Bytes>>;

/// Returned by a service to make hyper close the connection without writing any response
/// (the `drop` fault): hyper ends the connection when the service future fails.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
pub struct Dropped;

/// Largest request body read (the documented `request.bytes.max` is 512000; we allow a little more).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Reads a whole request body, `None` when it is too large or the connection failed.
pub async fn read_body(body: Incoming) -> Option<Bytes> {
    Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .ok()
        .map(|c| c.to_bytes())
}

/// A response with the given status (500 if out of range) and body.
pub fn response(status: u16, body: Bytes) -> Resp {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp
}

/// A JSON response.
pub fn json_response(status: u16, value: &Value) -> Resp {
    let mut resp = response(status, Bytes::from(value.to_string()));
    resp.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

/// Whether the request declares a JSON body (`application/json`, any parameters).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// A control-plane answer: 200 with the value, 400 `{"error"}` for a bad request, 404 when
/// `result` is `None` (no such endpoint).
pub fn control_reply(
    result: Option<Result<Value, String>>,
    method: &hyper::Method,
    path: &str,
) -> Resp {
    match result {
        Some(Ok(v)) => json_response(200, &v),
        Some(Err(e)) => json_response(400, &serde_json::json!({"error": e})),
        None => json_response(
            404,
            &serde_json::json!({"error": format!("no control endpoint {method} {path}")}),
        ),
    }
}
