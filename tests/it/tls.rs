//! TLS: the gRPC and HTTP listeners with server certificates and client
//! certificate checks (mTLS); HTTPS receivers verified against the system
//! roots, an extra CA file, or (dangerously) not at all; `https_only`.

use std::time::Duration;

use axum::http::Version;
use prost_types::FieldMask;
use tonic::Code;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use webhookd::api::proto::{CreateEndpointRequest, Endpoint, UpdateEndpointRequest};
use webhookd::app::App;
use webhookd::config::{Config, ConfigError, ListenerTlsConfig};
use webhookd::domain::{DeliveryState, ErrorKind};
use webhookd::tls::ListenerTls;

use crate::common::certs::{IssuedCert, TestCa};
use crate::common::receiver::Receiver;
use crate::common::settings::TlsFiles;
use crate::common::{Backend, TestApp, TestEndpoint, TestSettings, spawn_app};

/// Starts webhookd with `settings` (which may hold TLS) and returns its
/// gRPC and HTTP ports and a handle that stops it when dropped.
async fn start_app(
    settings: &TestSettings,
    dir: &std::path::Path,
) -> (u16, u16, tokio::sync::oneshot::Sender<()>) {
    let yaml = settings.to_yaml(&format!("sqlite://{}", dir.join("webhookd.db").display()));
    let config = Config::load(Some(&yaml), Vec::new(), &Default::default())
        .unwrap_or_else(|e| panic!("test config is invalid: {e}\n{yaml}"));
    let app = App::build(config).await.expect("app builds");
    let ports = (app.grpc_addr().port(), app.http_addr().port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    (ports.0, ports.1, stop)
}

async fn grpc_channel(
    port: u16,
    ca: &TestCa,
    client: Option<&IssuedCert>,
) -> Result<Channel, String> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca.pem()))
        .domain_name("localhost");
    if let Some(client) = client {
        tls = tls.identity(Identity::from_pem(&client.cert_pem, &client.key_pem));
    }
    Channel::from_shared(format!("https://127.0.0.1:{port}"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .map_err(|e| format!("{e:?}"))
}

async fn health(channel: Channel) -> Result<i32, tonic::Status> {
    HealthClient::new(channel)
        .check(HealthCheckRequest::default())
        .await
        .map(|response| response.into_inner().status)
}

fn https_client(ca: &TestCa, client: Option<&IssuedCert>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(ca.pem().as_bytes()).unwrap()]);
    if let Some(client) = client {
        let pem = format!("{}{}", client.cert_pem, client.key_pem);
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listeners_serve_tls_and_require_client_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("webhookd test CA");
    let server = ca.server_cert(dir.path(), "server");
    let client = ca.client_cert(dir.path(), "client");
    let stranger = TestCa::new("someone else").client_cert(dir.path(), "stranger");
    let settings = TestSettings {
        tls: Some(TlsFiles {
            cert_file: server.cert_file.clone(),
            key_file: server.key_file.clone(),
            client_ca_file: Some(ca.write(dir.path(), "ca.pem")),
        }),
        ..TestSettings::default()
    };
    let (grpc_port, http_port, _stop) = start_app(&settings, dir.path()).await;

    let channel = grpc_channel(grpc_port, &ca, Some(&client))
        .await
        .expect("a client with a certificate of the CA connects");
    assert_eq!(health(channel).await.unwrap(), 1, "SERVING over TLS");

    // Without a certificate, or with one from another CA, no call gets through.
    for (name, identity) in [
        ("no certificate", None),
        ("foreign certificate", Some(&stranger)),
    ] {
        let refused = match grpc_channel(grpc_port, &ca, identity).await {
            Err(_) => true,
            Ok(channel) => health(channel).await.is_err(),
        };
        assert!(refused, "gRPC with {name} must be refused");
    }
    let plaintext = Channel::from_shared(format!("http://127.0.0.1:{grpc_port}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(2))
        .connect()
        .await;
    let refused = match plaintext {
        Err(_) => true,
        Ok(channel) => health(channel).await.is_err(),
    };
    assert!(refused, "plaintext gRPC must be refused");

    let url = format!("https://localhost:{http_port}/healthz");
    let response = https_client(&ca, Some(&client))
        .get(&url)
        .send()
        .await
        .expect("HTTPS with a client certificate");
    assert_eq!(response.status(), 200);
    assert!(
        https_client(&ca, None).get(&url).send().await.is_err(),
        "HTTPS without a client certificate must be refused"
    );
    assert!(
        reqwest::get(format!("http://127.0.0.1:{http_port}/healthz"))
            .await
            .is_err(),
        "plaintext HTTP must be refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_or_mismatched_tls_files_fail_at_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("webhookd test CA");
    let server = ca.server_cert(dir.path(), "server");
    let other = ca.server_cert(dir.path(), "other");
    let missing = dir.path().join("missing.pem");
    let cases = [
        (
            &missing,
            &server.key_file,
            "server.tls.cert_file",
            "cannot read",
        ),
        (
            &server.cert_file,
            &missing,
            "server.tls.key_file",
            "cannot read",
        ),
        (
            &server.key_file,
            &server.key_file,
            "server.tls.cert_file",
            "no PEM certificate",
        ),
        (
            &server.cert_file,
            &other.key_file,
            "server.tls.key_file",
            "does not match",
        ),
    ];
    for (cert, key, expected_key, reason) in cases {
        let settings = TestSettings {
            tls: Some(TlsFiles {
                cert_file: cert.clone(),
                key_file: key.clone(),
                client_ca_file: None,
            }),
            ..TestSettings::default()
        };
        let error = start_error(&settings).await;
        assert!(
            error.contains(&format!("`{expected_key}`")) && error.contains(reason),
            "{error}"
        );
    }
    let receiver_ca_cases = [
        (missing.clone(), "cannot read"),
        (server.key_file.clone(), "no PEM certificate"),
    ];
    for (ca_file, reason) in receiver_ca_cases {
        let settings = TestSettings {
            receiver_ca_file: Some(ca_file),
            ..TestSettings::default()
        };
        let error = start_error(&settings).await;
        assert!(
            error.contains("`security.receiver_ca_file`") && error.contains(reason),
            "{error}"
        );
    }
}

/// The error that refuses to start an app with `settings`: a `ConfigError`,
/// which the binary turns into exit code 2.
async fn start_error(settings: &TestSettings) -> String {
    let yaml = settings.to_yaml("sqlite::memory:");
    let config = Config::load(Some(&yaml), Vec::new(), &Default::default())
        .expect("the file's syntax and values are valid");
    let error = match App::build(config).await {
        Ok(_) => panic!("unusable certificate files must refuse the start"),
        Err(error) => error,
    };
    error
        .downcast_ref::<ConfigError>()
        .unwrap_or_else(|| panic!("expected a ConfigError, got {error:#}"))
        .to_string()
}

/// An HTTPS receiver with a certificate from `ca`.
async fn https_receiver(ca: &TestCa, dir: &std::path::Path) -> Receiver {
    https_receiver_offering(ca, dir, b"http/1.1").await
}

/// An HTTPS receiver whose TLS offers only the `alpn` protocol.
async fn https_receiver_offering(ca: &TestCa, dir: &std::path::Path, alpn: &[u8]) -> Receiver {
    let cert = ca.server_cert(dir, "receiver");
    let tls = ListenerTls::load(&ListenerTlsConfig {
        cert_file: cert.cert_file,
        key_file: cert.key_file,
        client_ca_file: None,
    })
    .unwrap()
    .rustls_config(&[alpn])
    .unwrap();
    Receiver::start_https(200, tls).await
}

/// A receiver that offers HTTP/2 in its TLS handshake gets its deliveries
/// over HTTP/2, one that offers HTTP/1.1 over HTTP/1.1.
async fn the_receivers_tls_picks_the_http_version(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("receiver CA");
    let ca_file = ca.write(dir.path(), "receiver-ca.pem");
    for (alpn, version) in [
        (&b"h2"[..], Version::HTTP_2),
        (&b"http/1.1"[..], Version::HTTP_11),
    ] {
        let mut receiver = https_receiver_offering(&ca, dir.path(), alpn).await;
        let settings = TestSettings {
            receiver_ca_file: Some(ca_file.clone()),
            ..TestSettings::with_endpoints(vec![TestEndpoint::new(
                "ep_tls",
                receiver.url(),
                &["*"],
            )])
        };
        let app = spawn_app(&backend, settings).await;
        app.dispatch("order.created", "{}").await;
        let request = receiver.next_request(Duration::from_secs(10)).await;
        assert_eq!(
            request.version,
            version,
            "{}",
            String::from_utf8_lossy(alpn)
        );
        assert!(request.header("user-agent").starts_with("webhookd/"));
    }
}

async fn https_receivers_are_verified_unless_told_otherwise(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let private_ca = TestCa::new("private receiver CA");
    let receiver = https_receiver(&private_ca, dir.path()).await;
    assert!(receiver.url().starts_with("https://"));
    let ca_file = private_ca.write(dir.path(), "receiver-ca.pem");
    let one_attempt = || TestSettings {
        max_attempts: 1,
        ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_tls", receiver.url(), &["*"])])
    };
    let cases = [
        ("system roots only", one_attempt(), DeliveryState::Dead),
        (
            "private CA trusted",
            TestSettings {
                receiver_ca_file: Some(ca_file),
                ..one_attempt()
            },
            DeliveryState::Succeeded,
        ),
        (
            "checks switched off",
            TestSettings {
                dangerous_accept_invalid_certs: true,
                ..one_attempt()
            },
            DeliveryState::Succeeded,
        ),
    ];
    for (name, settings, expected) in cases {
        let app = spawn_app(&backend, settings).await;
        let event = app.dispatch("order.created", "{}").await;
        let delivery = &event.delivery_ids[0];
        app.wait_for_state(&event.event_id, delivery, expected, Duration::from_secs(10))
            .await;
        let attempts = app.attempts(delivery).await;
        let kind = attempts[0].error_kind;
        match expected {
            DeliveryState::Succeeded => assert_eq!(kind, None, "{name}"),
            _ => assert_eq!(kind, Some(ErrorKind::Tls), "{name}: {attempts:?}"),
        }
    }
}

/// With `security.https_only`, plain HTTP URLs are refused in the file, at
/// creation and update, and deliveries to one stored before are blocked;
/// HTTPS endpoints work as before.
async fn https_only_refuses_plain_http_everywhere(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("private receiver CA");
    let https = https_receiver(&ca, dir.path()).await;
    let plain = Receiver::start(200).await;
    let mut before = spawn_app(&backend, TestSettings::default()).await;
    create_endpoint(&before, "ep_plain", &plain.url())
        .await
        .unwrap();
    before.stop().await.unwrap();

    let strict = TestSettings {
        https_only: true,
        max_attempts: 1,
        receiver_ca_file: Some(ca.write(dir.path(), "receiver-ca.pem")),
        ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_tls", https.url(), &["*"])])
    };
    let app = before.restart_with(strict.clone()).await;
    let refused = create_endpoint(&app, "ep_new", "http://127.0.0.1:9/x")
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(
        refused.message().contains("security.https_only"),
        "{refused:?}"
    );
    let updated = app
        .client
        .clone()
        .update_endpoint(UpdateEndpointRequest {
            endpoint: Some(Endpoint {
                id: "ep_tls".to_owned(),
                url: plain.url(),
                ..Default::default()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["url".to_owned()],
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(updated.code(), Code::InvalidArgument, "{updated:?}");
    create_endpoint(&app, "ep_https", &https.url())
        .await
        .unwrap();

    let event = app.dispatch("order.created", "{}").await;
    for delivery in app.deliveries(&event.event_id).await {
        let expected = match delivery.endpoint_id.as_str() {
            "ep_plain" => DeliveryState::Dead,
            _ => DeliveryState::Succeeded,
        };
        app.wait_for_state(
            &event.event_id,
            delivery.id.as_str(),
            expected,
            Duration::from_secs(10),
        )
        .await;
        if expected == DeliveryState::Dead {
            let attempts = app.attempts(delivery.id.as_str()).await;
            assert_eq!(
                attempts[0].error_kind,
                Some(ErrorKind::Blocked),
                "{attempts:?}"
            );
        }
    }
    assert_eq!(
        plain.total_requests(),
        0,
        "a plain HTTP endpoint was dialled"
    );

    // A plain HTTP endpoint in the file refuses the start, naming its key.
    let file = TestSettings {
        endpoints: vec![TestEndpoint::new("ep_file", plain.url(), &["*"])],
        ..strict
    };
    let error = Config::load(
        Some(&file.to_yaml("sqlite::memory:")),
        Vec::new(),
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("endpoints[0].url") && error.contains("security.https_only"),
        "{error}"
    );
}

async fn create_endpoint(app: &TestApp, id: &str, url: &str) -> Result<(), tonic::Status> {
    app.client
        .clone()
        .create_endpoint(CreateEndpointRequest {
            id: id.to_owned(),
            url: url.to_owned(),
            event_types: vec!["*".to_owned()],
            ..Default::default()
        })
        .await
        .map(drop)
}

crate::backend_tests!(
    https_receivers_are_verified_unless_told_otherwise,
    the_receivers_tls_picks_the_http_version,
    https_only_refuses_plain_http_everywhere,
);
