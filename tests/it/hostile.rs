//! Receivers that misbehave on purpose (a 1 GiB answer, a body dripping one
//! byte a second) cost a bounded read and a bounded time; and no secret ever
//! reaches the logs, even at debug level.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::post;
use webhookd::api::proto::{
    ApiKeyRole, CreateApiKeyRequest, CreateEndpointRequest, ListEventsRequest,
    RotateEndpointSecretRequest, SignatureScheme,
};
use webhookd::domain::{DeliveryState, Role};

use crate::common::daemon::{Daemon, write_config};
use crate::common::settings::ApiKey;
use crate::common::{
    Backend, Receiver, SECRET, TestEndpoint, TestSettings, dispatch_request, eventually,
    keyed_client, spawn_app,
};

const GIB: usize = 1 << 30;
const CHUNK: usize = 64 * 1024;

/// `/big` answers 200 with a 1 GiB body, produced lazily and counted;
/// `/drip` answers 200 and then sends one byte a second, forever.
async fn hostile_receiver() -> (SocketAddr, Arc<AtomicUsize>) {
    let produced = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&produced);
    let app = Router::new()
        .route(
            "/big",
            post(move || {
                let counter = Arc::clone(&counter);
                async move {
                    let chunks = futures::stream::iter((0..GIB / CHUNK).map(move |_| {
                        counter.fetch_add(CHUNK, Ordering::Relaxed);
                        Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; CHUNK]))
                    }));
                    Body::from_stream(chunks)
                }
            }),
        )
        .route(
            "/drip",
            post(|| async {
                let drops = futures::stream::unfold((), |()| async {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Some((Ok::<_, std::io::Error>(Bytes::from_static(b".")), ()))
                });
                Body::from_stream(drops)
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, produced)
}

async fn huge_and_dripping_answers_are_cut_short(backend: Backend) {
    let (addr, produced) = hostile_receiver().await;
    let app = spawn_app(
        &backend,
        TestSettings {
            timeout_seconds: 2.0,
            ..TestSettings::with_endpoints(vec![
                TestEndpoint::new("ep_big", format!("http://{addr}/big"), &["*"]),
                TestEndpoint::new("ep_drip", format!("http://{addr}/drip"), &["*"]),
            ])
        },
    )
    .await;
    let event = app.dispatch("order.created", "{}").await;
    for delivery in &event.delivery_ids {
        // The status decides: both answered 200.
        app.wait_for_state(
            &event.event_id,
            delivery,
            DeliveryState::Succeeded,
            Duration::from_secs(10),
        )
        .await;
    }
    let deliveries = app.deliveries(&event.event_id).await;
    for delivery in deliveries {
        let attempts = app.attempts(delivery.id.as_str()).await;
        let attempt = &attempts[0];
        assert!(
            attempt.response_excerpt.as_deref().unwrap_or("").len() <= 1024,
            "the excerpt is capped"
        );
        match delivery.endpoint_id.as_str() {
            "ep_big" => assert!(
                attempt.duration_ms < 2000,
                "1 GiB is not read: {} ms",
                attempt.duration_ms
            ),
            _ => assert!(
                (1500..4000).contains(&attempt.duration_ms),
                "the drip is cut at the 2 s timeout: {} ms",
                attempt.duration_ms
            ),
        }
    }
    // What the sender produced before its socket filled up: buffers, not 1 GiB.
    let sent = produced.load(Ordering::Relaxed);
    assert!(
        sent < 64 << 20,
        "read stopped early, yet {sent} bytes were produced"
    );
}

/// Every secret webhookd handles in a session, and the log it wrote.
async fn no_secret_reaches_the_logs(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = backend.fresh_database_url(dir.path()).await;
    let admin_key = "admin-key-for-log-test-0123456789";
    let config_secret = "config-endpoint-secret-0123456789";
    let mut config_endpoint = TestEndpoint::new("ep_conf", receiver.url(), &["*"]);
    config_endpoint.secret = Some(config_secret.to_owned());
    let config = write_config(
        dir.path(),
        &TestSettings {
            api_keys: vec![ApiKey::plain("ops", Role::Admin, admin_key)],
            ..TestSettings::with_endpoints(vec![config_endpoint])
        },
        &database_url,
    );
    let daemon = Daemon::start_logging(&config, "debug");
    let channel = daemon.channel().await;
    let mut client = keyed_client(channel.clone(), admin_key);
    let api_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    client
        .create_endpoint(CreateEndpointRequest {
            id: "ep_api".to_owned(),
            url: receiver.url(),
            event_types: vec!["*".to_owned()],
            secret: api_secret.to_owned(),
            signature_scheme: SignatureScheme::Standard as i32,
            ..Default::default()
        })
        .await
        .unwrap();
    let rotated = client
        .rotate_endpoint_secret(RotateEndpointSecretRequest {
            id: "ep_conf".to_owned(),
            grace_period_seconds: 60,
        })
        .await
        .unwrap()
        .into_inner()
        .new_secret;
    let created_key = client
        .create_api_key(CreateApiKeyRequest {
            name: "ingest".to_owned(),
            role: ApiKeyRole::Dispatch as i32,
        })
        .await
        .unwrap()
        .into_inner()
        .key;
    let wrong_key = "wrong-key-that-must-not-be-logged-42";
    let mut stranger = keyed_client(channel, wrong_key);
    assert!(
        stranger
            .list_events(ListEventsRequest::default())
            .await
            .is_err()
    );
    client
        .dispatch(dispatch_request("order.created", r#"{"n":1}"#))
        .await
        .unwrap();
    for _ in 0..2 {
        receiver.next_request(Duration::from_secs(10)).await;
    }
    // Let the results be recorded and logged.
    let _ = eventually(Duration::from_secs(5), || async {
        daemon.log_text().matches("delivered").count() >= 2
    })
    .await;
    let log = daemon.log_text();
    assert!(log.lines().count() > 10, "the daemon logged at debug level");
    for secret in [
        SECRET,
        config_secret,
        api_secret,
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        rotated.as_str(),
        admin_key,
        created_key.as_str(),
        wrong_key,
    ] {
        assert!(!log.contains(secret), "a secret is in the log: {secret}");
    }
}

crate::backend_tests!(
    huge_and_dripping_answers_are_cut_short,
    no_secret_reaches_the_logs
);
