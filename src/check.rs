//! `webhookd check-receiver`: a conformance check for the receiving side.
//! It sends a receiver the requests it must accept (a valid delivery, one
//! signed during a secret rotation) and those it must refuse (a tampered
//! body, a stale timestamp, another secret's signature), signed exactly as
//! the delivery workers sign, through the same HTTP client, and reports what
//! the receiver answered to each.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::header::HeaderMap;
use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};

use crate::clock::now_millis;
use crate::delivery::http_client::{ClientError, DeliveryClient, ReceiverTls, SendResult};
use crate::delivery::worker::{SignedRequest, signed_headers};
use crate::domain::network::NetworkPolicy;
use crate::domain::{EndpointError, EventId, SignatureScheme, check_secret};
use crate::signing::standard;

/// Event type of the check's requests.
pub const CHECK_EVENT_TYPE: &str = "webhookd.check";

/// How old the stale request's timestamp is: twice the tolerance receivers
/// are told to allow.
const STALE_BY: Duration = Duration::from_secs(10 * 60);

/// Why the check could not run.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("URL `{0}`: only http:// and https:// URLs can be checked")]
    Url(String),
    #[error("--secret: {0}")]
    Secret(EndpointError),
    #[error("the HTTP client could not be built: {0}")]
    Client(#[from] ClientError),
}

/// What to check and how.
pub struct CheckOptions {
    pub url: String,
    /// The secret the receiver verifies with (its endpoint's secret).
    pub secret: SecretString,
    pub scheme: SignatureScheme,
    pub timeout: Duration,
    /// Extra CAs for a receiver behind a private CA.
    pub tls: ReceiverTls,
}

/// What a receiver should do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Answer 2xx.
    Accept,
    /// Answer anything but 2xx (4xx is right: webhookd never sends these).
    Reject,
}

/// The kinds of request the check sends, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Valid,
    TamperedBody,
    StaleTimestamp,
    RotatedSecret,
    OtherSecret,
}

impl Case {
    pub const ALL: [Case; 5] = [
        Case::Valid,
        Case::TamperedBody,
        Case::StaleTimestamp,
        Case::RotatedSecret,
        Case::OtherSecret,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Case::Valid => "valid",
            Case::TamperedBody => "tampered body",
            Case::StaleTimestamp => "stale timestamp (10 min)",
            Case::RotatedSecret => "rotated secret (new + yours)",
            Case::OtherSecret => "another secret",
        }
    }

    pub fn expected(self) -> Expected {
        match self {
            Case::Valid | Case::RotatedSecret => Expected::Accept,
            Case::TamperedBody | Case::StaleTimestamp | Case::OtherSecret => Expected::Reject,
        }
    }

    /// What a receiver that gets this case wrong is missing.
    fn advice(self) -> &'static str {
        match self {
            Case::Valid => "verify over the raw body bytes, with this secret",
            Case::TamperedBody => "verify the signature over the raw body before using it",
            Case::StaleTimestamp => "reject timestamps more than 5 minutes from your clock",
            Case::RotatedSecret => "accept a request when any of its signatures matches",
            Case::OtherSecret => "compare the signature, not just its presence",
        }
    }
}

/// What the receiver did with one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    /// The status it answered, or why there was no answer.
    pub answer: Result<u16, String>,
}

impl Outcome {
    pub fn accepted(&self) -> bool {
        matches!(self.answer, Ok(status) if (200..300).contains(&status))
    }

    pub fn passed(&self) -> bool {
        match (self.case.expected(), &self.answer) {
            (_, Err(_)) => false,
            (Expected::Accept, _) => self.accepted(),
            (Expected::Reject, _) => !self.accepted(),
        }
    }
}

/// Sends every case to the receiver, one after another.
pub async fn run(options: &CheckOptions) -> Result<Vec<Outcome>, CheckError> {
    let url = url::Url::parse(&options.url).map_err(|_| CheckError::Url(options.url.clone()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CheckError::Url(options.url.clone()));
    }
    check_secret(options.scheme, Some(&options.secret), 1).map_err(CheckError::Secret)?;
    // Another caller may have installed one already; either will do.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The operator names the receiver, wherever it is: no address is refused.
    let everywhere: Vec<IpNet> = vec!["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()];
    let client = DeliveryClient::new(
        options.timeout,
        256,
        Arc::new(NetworkPolicy::new(everywhere)),
        options.tls.clone(),
    )?;
    let mut outcomes = Vec::with_capacity(Case::ALL.len());
    for case in Case::ALL {
        let (headers, body) = request_for(case, options);
        let answer = match client.post(url.as_str(), headers, body).await {
            SendResult::Answered { status, .. } => Ok(status),
            SendResult::NoAnswer { message, .. } => Err(message),
        };
        outcomes.push(Outcome { case, answer });
    }
    Ok(outcomes)
}

/// The signed headers and the body of one case.
fn request_for(case: Case, options: &CheckOptions) -> (HeaderMap, Bytes) {
    let event_id = EventId::generate();
    let body = format!(
        r#"{{"check":"webhookd check-receiver","case":"{}","amount":100}}"#,
        case.name()
    );
    let other = SecretString::from(standard::generate_secret_like(Some(
        options.secret.expose_secret(),
    )));
    let now = now_millis();
    let (secret, previous, signed_at) = match case {
        Case::Valid | Case::TamperedBody => (&options.secret, None, now),
        Case::StaleTimestamp => (&options.secret, None, now - STALE_BY.as_millis() as i64),
        // Mid-rotation, webhookd signs with the new secret first and the one
        // the receiver still holds second.
        Case::RotatedSecret => (&other, Some(&options.secret), now),
        Case::OtherSecret => (&other, None, now),
    };
    let headers = signed_headers(
        &SignedRequest {
            event_id: event_id.as_str(),
            event_type: CHECK_EVENT_TYPE,
            attempt: 1,
            secret,
            previous_secret: previous,
            scheme: options.scheme,
            body: body.as_bytes(),
        },
        signed_at,
    );
    let sent = match case {
        Case::TamperedBody => body.replace(r#""amount":100"#, r#""amount":1"#),
        _ => body,
    };
    (headers, Bytes::from(sent))
}

/// The outcomes as a text table, with advice under each failed case.
pub fn render(url: &str, outcomes: &[Outcome]) -> String {
    let mut text = format!("receiver {url}\n\n");
    let _ = writeln!(
        text,
        "{:<30} {:<9} {:<24} result",
        "case", "expected", "answer"
    );
    for outcome in outcomes {
        let expected = match outcome.case.expected() {
            Expected::Accept => "accept",
            Expected::Reject => "reject",
        };
        let answer = match &outcome.answer {
            Ok(status) if outcome.accepted() => format!("{status} (accepted)"),
            Ok(status) => format!("{status} (rejected)"),
            Err(_) => "no answer".to_owned(),
        };
        let result = if outcome.passed() { "ok" } else { "FAIL" };
        let _ = writeln!(
            text,
            "{:<30} {:<9} {:<24} {result}",
            outcome.case.name(),
            expected,
            answer
        );
        if let Err(reason) = &outcome.answer {
            let _ = writeln!(text, "    {reason}");
        } else if !outcome.passed() {
            let _ = writeln!(text, "    {}", outcome.case.advice());
        }
    }
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let _ = write!(text, "\n{passed} of {} cases passed", outcomes.len());
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing;

    fn options(scheme: SignatureScheme, secret: &str) -> CheckOptions {
        CheckOptions {
            url: "http://127.0.0.1:9/hook".to_owned(),
            secret: SecretString::from(secret.to_owned()),
            scheme,
            timeout: Duration::from_secs(1),
            tls: ReceiverTls::default(),
        }
    }

    /// Whether a request verifies against the receiver's `secret`, checked
    /// as a receiver on `scheme` would.
    fn verifies(scheme: SignatureScheme, secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
        let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
        let now = now_millis() / 1000;
        match scheme {
            SignatureScheme::Webhookd => signing::verify(
                &[secret.as_bytes()],
                body,
                &header(signing::HEADER_TIMESTAMP),
                &header(signing::HEADER_SIGNATURE),
                now,
                signing::DEFAULT_TOLERANCE,
            )
            .is_ok(),
            SignatureScheme::Standard => {
                let (id, timestamp, signature) = (
                    header(standard::HEADER_ID),
                    header(standard::HEADER_TIMESTAMP),
                    header(standard::HEADER_SIGNATURE),
                );
                let received = standard::ReceivedHeaders {
                    id: &id,
                    timestamp: &timestamp,
                    signature: &signature,
                };
                standard::verify(
                    &[secret],
                    &[],
                    body,
                    &received,
                    now,
                    signing::DEFAULT_TOLERANCE,
                )
                .is_ok()
            }
        }
    }

    /// Each case verifies (or not) against the receiver's secret exactly as
    /// the case means to, on both schemes.
    #[test]
    fn each_case_verifies_only_when_it_should() {
        let secrets = [
            (
                SignatureScheme::Webhookd,
                "check-secret-0123456789abcdef".to_owned(),
            ),
            (
                SignatureScheme::Standard,
                standard::generate_secret_like(None),
            ),
        ];
        for (scheme, secret) in secrets {
            let options = options(scheme, &secret);
            for case in Case::ALL {
                let (headers, body) = request_for(case, &options);
                assert_eq!(
                    verifies(scheme, &secret, &headers, &body),
                    case.expected() == Expected::Accept,
                    "{scheme:?} {case:?}"
                );
            }
        }
    }

    #[test]
    fn the_table_marks_failures_with_advice() {
        let outcomes = vec![
            Outcome {
                case: Case::Valid,
                answer: Ok(204),
            },
            Outcome {
                case: Case::TamperedBody,
                answer: Ok(200),
            },
            Outcome {
                case: Case::StaleTimestamp,
                answer: Err("connection refused".to_owned()),
            },
        ];
        let table = render("http://r/hook", &outcomes);
        assert!(table.contains("valid"), "{table}");
        assert!(table.contains("204 (accepted)"), "{table}");
        assert!(
            table.contains("verify the signature over the raw body"),
            "{table}"
        );
        assert!(table.contains("connection refused"), "{table}");
        assert!(table.ends_with("1 of 3 cases passed"), "{table}");
    }
}
