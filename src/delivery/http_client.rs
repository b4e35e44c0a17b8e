//! The outbound HTTP client: one signed POST, redirects never followed, a
//! timeout on every request, and only a small excerpt of the response kept.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use std::sync::Arc;

use super::resolver::{GuardedResolver, ResolveError, SystemLookup};
use crate::domain::ErrorKind;
use crate::domain::network::{NetworkError, NetworkPolicy};

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
        /// The `Retry-After` of a 429 or 503, if it parses.
        retry_after: Option<Duration>,
    },
    /// No answer: the request failed before a status line arrived.
    NoAnswer { kind: ErrorKind, message: String },
}

#[derive(Debug, Clone)]
pub struct DeliveryClient {
    client: reqwest::Client,
    excerpt_bytes: usize,
    /// Which addresses may be reached: names are filtered by the client's
    /// resolver, IP literals (which skip the resolver) in `post`.
    policy: Arc<NetworkPolicy>,
}

/// How HTTPS endpoints are checked.
#[derive(Clone, Default)]
pub struct ReceiverTls {
    /// CAs trusted beside the system's roots.
    pub extra_roots: Vec<reqwest::Certificate>,
    /// Skip certificate checks entirely (`security.dangerous_accept_invalid_certs`).
    pub accept_invalid_certs: bool,
}

/// Why a file of CA certificates for receivers cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a PEM bundle: {source}")]
    NotPem {
        path: String,
        source: reqwest::Error,
    },
    #[error("{path} holds no PEM certificate")]
    Empty { path: String },
}

/// Reads the PEM CA certificates trusted for HTTPS receivers (the config's
/// `security.receiver_ca_file`, `check-receiver --ca-file`).
pub fn read_ca_file(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, CaFileError> {
    let shown = || path.display().to_string();
    let pem = std::fs::read(path).map_err(|source| CaFileError::Read {
        path: shown(),
        source,
    })?;
    let roots =
        reqwest::Certificate::from_pem_bundle(&pem).map_err(|source| CaFileError::NotPem {
            path: shown(),
            source,
        })?;
    if roots.is_empty() {
        return Err(CaFileError::Empty { path: shown() });
    }
    Ok(roots)
}

impl DeliveryClient {
    pub fn new(
        request_timeout: Duration,
        excerpt_bytes: usize,
        policy: Arc<NetworkPolicy>,
        tls: ReceiverTls,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .tls_certs_merge(tls.extra_roots)
            .tls_danger_accept_invalid_certs(tls.accept_invalid_certs)
            .dns_resolver(GuardedResolver {
                policy: Arc::clone(&policy),
                lookup: SystemLookup,
            })
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
            policy,
        })
    }

    /// POSTs `body` with `headers` to `url`.
    pub async fn post(&self, url: &str, headers: HeaderMap, body: Bytes) -> SendResult {
        let parsed = match url::Url::parse(url) {
            Ok(parsed) => parsed,
            Err(e) => {
                return SendResult::NoAnswer {
                    kind: ErrorKind::Connect,
                    message: format!("invalid URL `{url}`: {e}"),
                };
            }
        };
        if let Err(reason) = self.policy.check_url(&parsed) {
            return SendResult::NoAnswer {
                kind: ErrorKind::Blocked,
                message: format!("blocked: {reason}"),
            };
        }
        // The URL already parsed for the check: reqwest would parse it again
        // from the string.
        let request = self
            .client
            .post(parsed)
            .headers(headers)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body);
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return no_answer(&error),
        };
        let status = response.status().as_u16();
        let retry_after = matches!(status, 429 | 503)
            .then(|| response.headers().get(reqwest::header::RETRY_AFTER))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, std::time::SystemTime::now()));
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
            retry_after,
        }
    }
}

/// A `Retry-After` value: delay seconds or an HTTP date, relative to `now`.
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn no_answer(error: &reqwest::Error) -> SendResult {
    SendResult::NoAnswer {
        kind: classify(error),
        message: describe(error),
    }
}

/// Sorts a transport error into an error kind by the types in its cause
/// chain: our resolver's and network policy's errors, rustls' errors.
fn classify(error: &reqwest::Error) -> ErrorKind {
    if error.is_timeout() {
        return ErrorKind::Timeout;
    }
    let mut source = error.source();
    while let Some(cause) = source {
        if cause.is::<NetworkError>() {
            return ErrorKind::Blocked;
        }
        if cause.is::<ResolveError>() {
            return ErrorKind::Dns;
        }
        if is_tls_error(cause) {
            return ErrorKind::Tls;
        }
        source = cause.source();
    }
    if error.is_connect() {
        ErrorKind::Connect
    } else {
        ErrorKind::Io
    }
}

/// rustls reports through `io::Error`s that wrap its own error, at times
/// in more than one layer.
fn is_tls_error(cause: &(dyn StdError + 'static)) -> bool {
    let mut error = cause;
    loop {
        if error.is::<rustls::Error>() {
            return true;
        }
        match error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => error = inner,
            None => return false,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> DeliveryClient {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let loopback = "127.0.0.0/8".parse().unwrap();
        DeliveryClient::new(
            Duration::from_secs(5),
            64,
            Arc::new(NetworkPolicy::new(vec![loopback])),
            ReceiverTls::default(),
        )
        .unwrap()
    }

    async fn failure_kind(url: &str) -> ErrorKind {
        match client().post(url, HeaderMap::new(), Bytes::new()).await {
            SendResult::NoAnswer { kind, .. } => kind,
            answered => panic!("{url} answered: {answered:?}"),
        }
    }

    #[tokio::test]
    async fn transport_failures_are_sorted_by_error_type() {
        // `.invalid` never resolves (RFC 6761).
        assert_eq!(
            failure_kind("http://no-such-host.invalid/hook").await,
            ErrorKind::Dns
        );
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        assert_eq!(
            failure_kind(&format!("http://127.0.0.1:{port}/hook")).await,
            ErrorKind::Connect
        );
        // A plaintext listener cannot complete a TLS handshake.
        let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = plain.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            while let Ok((mut socket, _)) = plain.accept().await {
                let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        assert_eq!(
            failure_kind(&format!("https://127.0.0.1:{port}/hook")).await,
            ErrorKind::Tls
        );
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let now = httpdate::parse_http_date("Sun, 29 Nov 2026 12:00:00 GMT").unwrap();
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 29 Nov 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 29 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
