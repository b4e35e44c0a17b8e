//! The outbound HTTP client: one signed POST, redirects never followed, a
//! timeout on every request, and only a small excerpt of the response kept.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::domain::ErrorKind;

/// The `User-Agent` of every delivery.
pub const USER_AGENT: &str = concat!("webhookd/", env!("CARGO_PKG_VERSION"));

/// Most response bytes read before the connection is dropped. Larger bodies
/// are cut off; only the excerpt is kept.
const MAX_RESPONSE_READ: usize = 64 * 1024;

/// Longest wait for the TCP (and TLS) connection, within the request timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What one POST produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendResult {
    /// The receiver answered, with any status.
    Answered {
        status: u16,
        response_excerpt: String,
    },
    /// No answer: the request failed before a status line arrived.
    NoAnswer { kind: ErrorKind, message: String },
}

#[derive(Debug, Clone)]
pub struct DeliveryClient {
    client: reqwest::Client,
    excerpt_bytes: usize,
}

impl DeliveryClient {
    pub fn new(request_timeout: Duration, excerpt_bytes: usize) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            // Proxy variables of the environment are ignored: deliveries go
            // straight to their endpoint.
            .no_proxy()
            .timeout(request_timeout)
            .connect_timeout(request_timeout.min(MAX_CONNECT_TIMEOUT))
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()?;
        Ok(DeliveryClient {
            client,
            excerpt_bytes,
        })
    }

    /// POSTs `body` with `headers` to `url`.
    pub async fn post(&self, url: &str, headers: HeaderMap, body: Bytes) -> SendResult {
        let request = self
            .client
            .post(url)
            .headers(headers)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body);
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return no_answer(&error),
        };
        let status = response.status().as_u16();
        let mut excerpt = Vec::with_capacity(self.excerpt_bytes.min(4096));
        let mut read = 0usize;
        // The status decides the outcome; a body that breaks off or times out
        // only shortens the excerpt.
        while read < MAX_RESPONSE_READ {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    read += chunk.len();
                    let room = self.excerpt_bytes.saturating_sub(excerpt.len());
                    excerpt.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) | Err(_) => break,
            }
        }
        SendResult::Answered {
            status,
            response_excerpt: String::from_utf8_lossy(&excerpt).into_owned(),
        }
    }
}

fn no_answer(error: &reqwest::Error) -> SendResult {
    SendResult::NoAnswer {
        kind: classify(error),
        message: describe(error),
    }
}

/// Sorts a transport error into an error kind.
fn classify(error: &reqwest::Error) -> ErrorKind {
    if error.is_timeout() {
        return ErrorKind::Timeout;
    }
    let chain = describe(error).to_ascii_lowercase();
    if chain.contains("dns error") || chain.contains("failed to lookup address") {
        ErrorKind::Dns
    } else if has_tls_cause(error)
        || chain.contains("certificate")
        || chain.contains("tls handshake")
    {
        ErrorKind::Tls
    } else if error.is_connect() {
        ErrorKind::Connect
    } else {
        ErrorKind::Io
    }
}

fn has_tls_cause(error: &reqwest::Error) -> bool {
    let mut source = error.source();
    while let Some(cause) = source {
        if cause.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// The error and its causes on one line.
fn describe(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
