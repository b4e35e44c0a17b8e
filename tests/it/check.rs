//! `webhookd check-receiver` against real receivers on loopback: one that
//! verifies as docs/receivers.md says, one that verifies nothing. (The
//! example receivers of docs/receivers.md get the same check from
//! docs/examples/test.sh.)

use std::process::Command;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use secrecy::SecretString;
use webhookd::check::{Case, CheckOptions, run};
use webhookd::delivery::http_client::ReceiverTls;
use webhookd::domain::SignatureScheme;
use webhookd::signing;

use crate::common::receiver::Receiver;

const SECRET: &str = "check-receiver-secret-0123456789";

/// A receiver that verifies the webhookd scheme with `SECRET`, as
/// docs/receivers.md tells receivers to; returns its URL.
async fn verifying_receiver() -> String {
    async fn handle(headers: HeaderMap, body: Bytes) -> StatusCode {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let now = webhookd::clock::now_millis() / 1000;
        match signing::verify(
            &[SECRET.as_bytes()],
            &body,
            &header(signing::HEADER_TIMESTAMP),
            &header(signing::HEADER_SIGNATURE),
            now,
            signing::DEFAULT_TOLERANCE,
        ) {
            Ok(()) => StatusCode::NO_CONTENT,
            Err(_) => StatusCode::UNAUTHORIZED,
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, Router::new().route("/webhook", post(handle)))
            .await
            .unwrap()
    });
    format!("http://{addr}/webhook")
}

fn options(url: String) -> CheckOptions {
    CheckOptions {
        url,
        secret: SecretString::from(SECRET.to_owned()),
        scheme: SignatureScheme::Webhookd,
        timeout: Duration::from_secs(5),
        tls: ReceiverTls::default(),
    }
}

#[tokio::test]
async fn a_verifying_receiver_passes_every_case() {
    let outcomes = run(&options(verifying_receiver().await)).await.unwrap();
    assert_eq!(outcomes.len(), Case::ALL.len());
    for outcome in &outcomes {
        assert!(outcome.passed(), "{outcome:?}");
    }
}

#[tokio::test]
async fn a_receiver_that_verifies_nothing_fails_the_cases_it_should_refuse() {
    let careless = Receiver::start(200).await;
    let outcomes = run(&options(careless.url())).await.unwrap();
    let failed: Vec<Case> = outcomes
        .iter()
        .filter(|outcome| !outcome.passed())
        .map(|outcome| outcome.case)
        .collect();
    assert_eq!(
        failed,
        [Case::TamperedBody, Case::StaleTimestamp, Case::OtherSecret]
    );
    assert_eq!(careless.total_requests(), Case::ALL.len());
}

#[tokio::test]
async fn an_unreachable_receiver_fails_every_case() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/webhook", closed.local_addr().unwrap());
    drop(closed);
    let outcomes = run(&options(url)).await.unwrap();
    assert!(outcomes.iter().all(|outcome| outcome.answer.is_err()));
    assert!(!outcomes.iter().any(|outcome| outcome.passed()));
}

/// The command line: a table on stdout, exit 0 when every case passed, 1
/// when one failed, 2 for unusable arguments.
#[tokio::test]
async fn the_command_prints_a_table_and_exits_by_the_verdict() {
    let good = verifying_receiver().await;
    let careless = Receiver::start(200).await;
    let careless_url = careless.url();
    let (good_run, careless_run, bad_url) = tokio::task::spawn_blocking(move || {
        let check = |url: &str| {
            Command::new(env!("CARGO_BIN_EXE_webhookd"))
                .args(["check-receiver", url, "--secret", SECRET])
                .output()
                .unwrap()
        };
        (
            check(&good),
            check(&careless_url),
            check("ftp://example.invalid/"),
        )
    })
    .await
    .unwrap();

    let table = String::from_utf8_lossy(&good_run.stdout);
    assert_eq!(good_run.status.code(), Some(0), "{table}");
    assert!(table.contains("5 of 5 cases passed"), "{table}");

    let table = String::from_utf8_lossy(&careless_run.stdout);
    assert_eq!(careless_run.status.code(), Some(1), "{table}");
    assert!(table.contains("tampered body"), "{table}");
    assert!(table.contains("FAIL"), "{table}");
    assert!(table.contains("2 of 5 cases passed"), "{table}");

    let error = String::from_utf8_lossy(&bad_url.stderr);
    assert_eq!(bad_url.status.code(), Some(2), "{error}");
    assert!(error.contains("only http:// and https://"), "{error}");
}
