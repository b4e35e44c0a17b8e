//! Hard limits on input, in one place. Over a limit a caller gets
//! `RESOURCE_EXHAUSTED` or `INVALID_ARGUMENT` with a message that names the
//! limit, and a `google.rpc.ErrorInfo` whose reason is one of the codes here.
//! The payload limit itself is `webhook_engine.max_payload_bytes`.

/// HTTP/2 streams (calls) one gRPC connection may have open at once.
pub const MAX_CONCURRENT_STREAMS_PER_CONNECTION: u32 = 256;
/// Bytes of request headers (gRPC metadata) per call.
pub const MAX_HEADER_LIST_BYTES: u32 = 16 * 1024;
/// Endpoint ids in one request (Dispatch, Replay, StreamDeliveries).
pub const MAX_ENDPOINT_IDS: usize = 100;
/// Delivery ids in one RedriveDeadLetters request.
pub const MAX_DELIVERY_IDS: usize = 1000;
/// Open StreamDeliveries calls per instance; each
/// holds a buffer of recent updates.
pub const MAX_LIVE_STREAMS: usize = 1000;
/// Items in one page of a List call.
pub const MAX_PAGE_SIZE: usize = 1000;
/// Event types an endpoint may subscribe to, or a filter may name.
pub const MAX_EVENT_TYPES: usize = 100;
/// Delivery states one filter may name (there are few states; repeats are
/// pointless).
pub const MAX_STATES: usize = 16;
/// Bytes of an endpoint URL.
pub const MAX_URL_BYTES: usize = 4096;
/// Bytes of a free-text reason (DisableEndpoint).
pub const MAX_REASON_BYTES: usize = 1024;
/// Bytes of an endpoint secret a caller sets.
pub const MAX_SECRET_BYTES: usize = 1024;
/// Bytes of a page token (ours are far shorter).
pub const MAX_PAGE_TOKEN_BYTES: usize = 1024;
/// Paths in one update mask.
pub const MAX_UPDATE_MASK_PATHS: usize = 16;
/// Custom headers of one endpoint.
pub const MAX_ENDPOINT_HEADERS: usize = 20;
/// Bytes of a custom header's name.
pub const MAX_HEADER_NAME_BYTES: usize = 128;
/// Bytes of a custom header's value.
pub const MAX_HEADER_VALUE_BYTES: usize = 1024;
/// Attempts an endpoint's own retry schedule may allow.
pub const MAX_ENDPOINT_ATTEMPTS: u32 = 100;
/// Explicit delays in an endpoint's retry schedule.
pub const MAX_RETRY_DELAYS: usize = 100;
/// Longest explicit delay, in seconds (a day).
pub const MAX_RETRY_DELAY_SECONDS: f64 = 86_400.0;
/// Bytes of an endpoint's payload filter as JSON.
pub const MAX_FILTER_BYTES: usize = 8 * 1024;
/// Paths one payload filter tests.
pub const MAX_FILTER_CONDITIONS: usize = 32;
/// Values in one `$in` or `$nin` list (its error message says 256).
pub const MAX_FILTER_IN_VALUES: usize = 256;
/// Largest gRPC message decoded. Above the payload limit (a JSON payload
/// sent as a `Struct` takes several times its canonical size), so requests
/// up to here get webhookd's own PAYLOAD_TOO_LARGE answer; beyond it the
/// transport refuses them before they are read whole.
pub const MAX_GRPC_MESSAGE_BYTES: usize = 32 * 1024 * 1024;
/// Fastest bulk replay rate, deliveries per second; a slower cap may be as
/// slow as one a day.
pub const MAX_REPLAY_RATE: f64 = 1_000_000.0;
pub const MIN_REPLAY_RATE: f64 = 1.0 / 86_400.0;

/// Stable `ErrorInfo.reason` codes, one per kind of refusal.
pub mod reason {
    pub const INVALID_ARGUMENT: &str = "INVALID_ARGUMENT";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const TOO_MANY_ENDPOINT_IDS: &str = "TOO_MANY_ENDPOINT_IDS";
    pub const TOO_MANY_EVENT_TYPES: &str = "TOO_MANY_EVENT_TYPES";
    pub const TOO_MANY_DELIVERY_IDS: &str = "TOO_MANY_DELIVERY_IDS";
    pub const TOO_MANY_STATES: &str = "TOO_MANY_STATES";
    pub const TOO_MANY_HEADERS: &str = "TOO_MANY_HEADERS";
    pub const TOO_MANY_MASK_PATHS: &str = "TOO_MANY_MASK_PATHS";
    pub const FIELD_TOO_LONG: &str = "FIELD_TOO_LONG";
    pub const OUT_OF_RANGE: &str = "OUT_OF_RANGE";
    pub const MALFORMED_REQUEST: &str = "MALFORMED_REQUEST";
    pub const LAST_ADMIN_KEY: &str = "LAST_ADMIN_KEY";
    pub const FIRST_KEY_NOT_ADMIN: &str = "FIRST_KEY_NOT_ADMIN";
    pub const PAGE_SIZE_TOO_LARGE: &str = "PAGE_SIZE_TOO_LARGE";
    pub const ENDPOINT_NOT_FOUND: &str = "ENDPOINT_NOT_FOUND";
    pub const ENDPOINT_EXISTS: &str = "ENDPOINT_EXISTS";
    pub const ENDPOINT_INACTIVE: &str = "ENDPOINT_INACTIVE";
    pub const EVENT_NOT_FOUND: &str = "EVENT_NOT_FOUND";
    pub const API_KEY_NOT_FOUND: &str = "API_KEY_NOT_FOUND";
    pub const API_KEY_EXISTS: &str = "API_KEY_EXISTS";
    pub const API_KEY_MISSING: &str = "API_KEY_MISSING";
    pub const API_KEY_INVALID: &str = "API_KEY_INVALID";
    pub const ROLE_NOT_ALLOWED: &str = "ROLE_NOT_ALLOWED";
    pub const FAILED_PRECONDITION: &str = "FAILED_PRECONDITION";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const ALREADY_EXISTS: &str = "ALREADY_EXISTS";
    pub const TOO_MANY_STREAMS: &str = "TOO_MANY_STREAMS";
    pub const STORE_UNAVAILABLE: &str = "STORE_UNAVAILABLE";
    pub const INTERNAL: &str = "INTERNAL";
    pub const SCHEMA_VIOLATION: &str = "SCHEMA_VIOLATION";
    pub const UNKNOWN_EVENT_TYPE: &str = "UNKNOWN_EVENT_TYPE";
}
