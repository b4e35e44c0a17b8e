//! The outbound HTTP client: one signed POST, redirects never followed, a
//! timeout on every request, and only a small excerpt of the response kept.
//! hyper-util's pooled client over rustls: reqwest's layers above it
//! (its URL parses, retry and redirect policies) cost about 5 % of a
//! flood's CPU (docs/benchmarks.md).

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{
    ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT as USER_AGENT_HEADER,
};
use hyper::{Method, Request, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::time::{Instant, timeout_at};

use super::resolver::{GuardedResolver, ResolveError, SystemLookup};
use crate::domain::ErrorKind;
use crate::domain::network::{NetworkError, NetworkPolicy};

/// The `User-Agent` of every delivery.
pub const USER_AGENT: &str = concat!("webhookd/", env!("CARGO_PKG_VERSION"));

/// Most response bytes read before the connection is dropped. Larger bodies
/// are cut off; only the excerpt is kept.
const MAX_RESPONSE_READ: usize = 64 * 1024;

/// Longest wait for the TCP connection, within the request timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an unused pooled connection is kept.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

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

type Connector = HttpsConnector<HttpConnector<GuardedResolver<SystemLookup>>>;

#[derive(Debug, Clone)]
pub struct DeliveryClient {
    client: Client<Connector, Full<Bytes>>,
    request_timeout: Duration,
    excerpt_bytes: usize,
    /// Which addresses may be reached: names are filtered by the client's
    /// resolver, IP literals (which skip the resolver) in `post`.
    policy: Arc<NetworkPolicy>,
}

/// How HTTPS endpoints are checked.
#[derive(Clone, Default)]
pub struct ReceiverTls {
    /// CAs trusted beside the system's roots.
    pub extra_roots: Vec<CertificateDer<'static>>,
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
        source: rustls::pki_types::pem::Error,
    },
    #[error("{path} holds no PEM certificate")]
    Empty { path: String },
}

/// Why the delivery client cannot be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up TLS for receivers: {0}")]
pub struct ClientError(#[from] rustls::Error);

/// Reads the PEM CA certificates trusted for HTTPS receivers (the config's
/// `security.receiver_ca_file`, `check-receiver --ca-file`).
pub fn read_ca_file(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    let shown = || path.display().to_string();
    let pem = std::fs::read(path).map_err(|source| CaFileError::Read {
        path: shown(),
        source,
    })?;
    let roots = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| CaFileError::NotPem {
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
    ) -> Result<Self, ClientError> {
        let mut http = HttpConnector::new_with_resolver(GuardedResolver {
            policy: Arc::clone(&policy),
            lookup: Arc::new(SystemLookup),
        });
        // The TLS layer above takes the https:// URLs.
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(request_timeout.min(MAX_CONNECT_TIMEOUT)));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config(tls)?)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        // Proxy variables of the environment are not read: deliveries go
        // straight to their endpoint. Redirects are never followed.
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        Ok(DeliveryClient {
            client,
            request_timeout,
            excerpt_bytes,
            policy,
        })
    }

    /// POSTs `body` with `headers` to `url`.
    pub async fn post(&self, url: &str, headers: HeaderMap, body: Bytes) -> SendResult {
        let invalid = |e: &dyn std::fmt::Display| SendResult::NoAnswer {
            kind: ErrorKind::Connect,
            message: format!("invalid URL `{url}`: {e}"),
        };
        let parsed = match url::Url::parse(url) {
            Ok(parsed) => parsed,
            Err(e) => return invalid(&e),
        };
        if let Err(reason) = self.policy.check_url(&parsed) {
            return SendResult::NoAnswer {
                kind: ErrorKind::Blocked,
                message: format!("blocked: {reason}"),
            };
        }
        let uri = match parsed.as_str().parse::<Uri>() {
            Ok(uri) => uri,
            Err(e) => return invalid(&e),
        };
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        let headers = request.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers
            .entry(USER_AGENT_HEADER)
            .or_insert(HeaderValue::from_static(USER_AGENT));
        headers
            .entry(ACCEPT)
            .or_insert(HeaderValue::from_static("*/*"));

        // One deadline for the whole exchange, body included.
        let deadline = Instant::now() + self.request_timeout;
        let response = match timeout_at(deadline, self.client.request(request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => return no_answer(&error),
            Err(_) => {
                return SendResult::NoAnswer {
                    kind: ErrorKind::Timeout,
                    message: format!(
                        "no answer within the request timeout of {:?}",
                        self.request_timeout
                    ),
                };
            }
        };
        let status = response.status().as_u16();
        let retry_after = matches!(status, 429 | 503)
            .then(|| response.headers().get(RETRY_AFTER))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, std::time::SystemTime::now()));
        let mut body = response.into_body();
        let mut excerpt = Vec::with_capacity(self.excerpt_bytes.min(4096));
        let mut read = 0usize;
        // The status decides the outcome; a body that breaks off or times out
        // only shortens the excerpt.
        while read < MAX_RESPONSE_READ {
            match timeout_at(deadline, body.frame()).await {
                Ok(Some(Ok(frame))) => {
                    let Ok(chunk) = frame.into_data() else {
                        continue;
                    };
                    read += chunk.len();
                    let room = self.excerpt_bytes.saturating_sub(excerpt.len());
                    excerpt.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                _ => break,
            }
        }
        SendResult::Answered {
            status,
            response_excerpt: String::from_utf8_lossy(&excerpt).into_owned(),
            retry_after,
        }
    }
}

/// rustls with the platform's roots plus the configured ones, or with no
/// certificate check at all when the operator asks for that.
fn tls_config(tls: ReceiverTls) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?
        .dangerous();
    let config = if tls.accept_invalid_certs {
        builder.with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
    } else {
        let verifier =
            rustls_platform_verifier::Verifier::new_with_extra_roots(tls.extra_roots, provider)?;
        builder.with_custom_certificate_verifier(Arc::new(verifier))
    };
    Ok(config.with_no_client_auth())
}

/// Takes any certificate (`security.dangerous_accept_invalid_certs`); the
/// handshake's signatures are still checked against it.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
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

fn no_answer(error: &hyper_util::client::legacy::Error) -> SendResult {
    SendResult::NoAnswer {
        kind: classify(error),
        message: describe(error),
    }
}

/// Sorts a transport error into an error kind by the types in its cause
/// chain: our resolver's and network policy's errors, rustls' errors, a
/// connection attempt that timed out.
fn classify(error: &hyper_util::client::legacy::Error) -> ErrorKind {
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
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return ErrorKind::Timeout;
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
fn describe(error: &hyper_util::client::legacy::Error) -> String {
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

    #[tokio::test]
    async fn a_body_that_stalls_past_the_timeout_only_shortens_the_excerpt() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let stalling = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = stalling.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut socket, _) = stalling.accept().await.unwrap();
            let mut request = vec![0; 4096];
            let _ = socket.read(&mut request).await;
            let head = "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nabc";
            socket.write_all(head.as_bytes()).await.unwrap();
            // The other 97 bytes never come.
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        let loopback = "127.0.0.0/8".parse().unwrap();
        let client = DeliveryClient::new(
            Duration::from_millis(500),
            64,
            Arc::new(NetworkPolicy::new(vec![loopback])),
            ReceiverTls::default(),
        )
        .unwrap();
        let url = format!("http://127.0.0.1:{port}/hook");
        let started = std::time::Instant::now();
        let answer = client.post(&url, HeaderMap::new(), Bytes::new()).await;
        assert_eq!(
            answer,
            SendResult::Answered {
                status: 200,
                response_excerpt: "abc".into(),
                retry_after: None,
            }
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
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
