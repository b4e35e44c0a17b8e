//! Operators' faults: a full disk, a second process on one SQLite file, the
//! database file deleted underneath a running instance. Each row of
//! docs/reliability.md's "Fault and input handling" table names its test.

use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;
use webhookd::api::proto::GetEventRequest;

use crate::common::daemon::{BINARY, Daemon, write_config};
use crate::common::tmpfs::Tmpfs;
use crate::common::{
    Backend, Receiver, TestApp, TestEndpoint, TestSettings, dispatch_request, eventually,
    spawn_app, spawn_app_on, sql,
};

const SERVING: i32 = ServingStatus::Serving as i32;
const NOT_SERVING: i32 = ServingStatus::NotServing as i32;

/// Bytes of the payload of each event: large, so the disk fills quickly.
const PAYLOAD_BYTES: usize = 50_000;

fn big_payload(n: usize) -> String {
    format!("{{\"n\":{n},\"pad\":\"{}\"}}", "x".repeat(PAYLOAD_BYTES))
}

/// Dispatches `count` big events, 8 at a time; returns the ids answered OK
/// and how many were refused. Any refusal must be UNAVAILABLE.
async fn dispatch_burst(app: &TestApp, first: usize, count: usize) -> (Vec<String>, usize) {
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for chunk_start in (first..first + count).step_by(8) {
        let calls = (chunk_start..(chunk_start + 8).min(first + count)).map(|n| {
            let mut client = app.client.clone();
            async move {
                client
                    .dispatch(dispatch_request("order.created", &big_payload(n)))
                    .await
            }
        });
        for answer in futures::future::join_all(calls).await {
            match answer {
                Ok(response) => acknowledged.push(response.into_inner().event_id),
                Err(status) => {
                    assert_eq!(
                        status.code(),
                        Code::Unavailable,
                        "a failed write is UNAVAILABLE: {status:?}"
                    );
                    refused += 1;
                }
            }
        }
    }
    (acknowledged, refused)
}

/// Every event acknowledged while a disk fills, stays full and frees up is
/// in the database after a restart; while writes fail, Dispatch answers
/// UNAVAILABLE and readiness says NOT_SERVING; freed space is used again
/// without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_acknowledges_only_what_commits() {
    let Some(disk) = Tmpfs::mount(24 * 1024 * 1024) else {
        return;
    };
    // Space to give back later.
    let spare = disk.path().join("spare");
    std::fs::write(&spare, vec![0u8; 12 * 1024 * 1024]).unwrap();
    let receiver = Receiver::start(200).await;
    let database_url = format!("sqlite://{}", disk.path().join("webhookd.db").display());
    let mut app = spawn_app_on(
        &database_url,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
    )
    .await;
    eventually(Duration::from_secs(10), || async {
        app.readiness().await == (200, SERVING)
    })
    .await
    .expect("a new instance is ready");

    // Fill the disk: the writes start failing.
    let mut acknowledged: Vec<String> = Vec::new();
    let mut refused = 0;
    let mut sent = 0;
    while refused == 0 && sent < 400 {
        let (ok, failed) = dispatch_burst(&app, sent, 16).await;
        acknowledged.extend(ok);
        refused += failed;
        sent += 16;
    }
    assert!(
        refused > 0,
        "the 24 MiB disk never filled after {sent} events"
    );

    // Full: more calls. Whatever is answered OK must have committed.
    let (ok, failed) = dispatch_burst(&app, sent, 64).await;
    acknowledged.extend(ok);
    sent += 64;
    assert!(failed > 0, "writes still fail while the disk is full");
    eventually(Duration::from_secs(10), || async {
        app.readiness().await == (503, NOT_SERVING)
    })
    .await
    .expect("readiness turns NOT_SERVING while writes fail");
    let (ok, _) = dispatch_burst(&app, sent, 16).await;
    acknowledged.extend(ok);
    sent += 16;

    // Space comes back: writes commit again, no restart needed.
    std::fs::remove_file(&spare).unwrap();
    eventually(Duration::from_secs(10), || async {
        app.readiness().await == (200, SERVING)
    })
    .await
    .expect("readiness recovers once there is room");
    let (ok, failed) = dispatch_burst(&app, sent, 16).await;
    assert_eq!(failed, 0, "dispatches commit again after space returned");
    acknowledged.extend(ok);

    // The ledger: every OK answer survives a restart.
    app.stop().await.unwrap();
    let restarted = app.restart().await;
    let mut missing = Vec::new();
    for event_id in &acknowledged {
        let found = restarted
            .client
            .clone()
            .get_event(GetEventRequest {
                event_id: event_id.clone(),
            })
            .await;
        if found.is_err() {
            missing.push(event_id.clone());
        }
    }
    eprintln!(
        "full disk: {} acknowledged, {refused}+ refused, {} missing after restart",
        acknowledged.len(),
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged events are gone after a restart: {missing:?}",
        missing.len(),
        acknowledged.len()
    );
    let unique: HashSet<&String> = acknowledged.iter().collect();
    assert_eq!(unique.len(), acknowledged.len());
}

/// A second `webhookd serve` on the same SQLite file is refused with exit
/// code 2 and a message naming the holder; the first keeps delivering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_on_one_sqlite_file_is_refused() {
    let receiver = Receiver::start(200).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("webhookd.db").display());
    let config = write_config(
        dir.path(),
        &TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
        &database_url,
    );
    let first = Daemon::start(&config);

    let second = Command::new(BINARY)
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "refused start: {stderr}");
    assert!(
        stderr.contains("already serving the SQLite database")
            && stderr.contains(&format!("pid {}", first.pid())),
        "the refusal names the database and the holder: {stderr}"
    );
    assert_eq!(
        stderr.matches("already serving").count(),
        1,
        "the error is printed once: {stderr}"
    );
    let migrate = Command::new(BINARY)
        .args(["migrate", "--database-url", &database_url])
        .output()
        .unwrap();
    assert_eq!(migrate.status.code(), Some(2), "migrate is refused too");

    // The first instance is untouched: it accepts and delivers.
    let mut client = first.client().await;
    let event = client
        .dispatch(dispatch_request("order.created", "{\"n\":1}"))
        .await
        .expect("the first instance still accepts")
        .into_inner();
    eventually(Duration::from_secs(10), || async {
        receiver.succeeded_event_ids().contains(&event.event_id)
    })
    .await
    .expect("the first instance still delivers");
    assert!(
        !first
            .log_text()
            .contains("released deliveries left in flight"),
        "nothing of the first instance was recovered"
    );
}

/// The database file deleted under a running instance: readiness turns
/// NOT_SERVING with a log line naming the file, and Dispatch stops
/// acknowledging into the unlinked file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_database_file_stops_acknowledgements() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("webhookd.db");
    let app = spawn_app_on(
        &format!("sqlite://{}", path.display()),
        TestSettings::default(),
    )
    .await;
    app.dispatch("order.created", "{}").await;

    std::fs::remove_file(&path).unwrap();
    eventually(Duration::from_secs(10), || async {
        app.readiness().await == (503, NOT_SERVING)
    })
    .await
    .expect("readiness turns NOT_SERVING once the file is gone");
    let refused = app
        .try_dispatch(dispatch_request("order.created", "{}"))
        .await
        .expect_err("no event is acknowledged into a deleted file");
    assert_eq!(refused.code(), Code::Unavailable);
    assert!(
        refused.message().contains("unavailable"),
        "{}",
        refused.message()
    );
    assert!(
        !path.exists(),
        "nothing recreated an empty database file in its place"
    );
}

/// A batch that fails inside the database (here a trigger refuses one
/// event type) leaves the writer's connection usable: the next dispatches
/// commit, and survive a restart.
async fn a_failed_batch_does_not_poison_the_writer(backend: Backend) {
    let mut app = spawn_app(&backend, TestSettings::default()).await;
    let refuse = if app.database_url.starts_with("sqlite:") {
        "CREATE TRIGGER test_refuse BEFORE INSERT ON events WHEN NEW.event_type = 'test.refused'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    } else {
        "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.event_type = 'test.refused' THEN RAISE EXCEPTION 'refused by the test'; END IF;
         RETURN NEW; END $$;
         CREATE TRIGGER test_refuse BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION test_refuse()"
    };
    for statement in refuse.split_inclusive("END $$;") {
        sql(&app.database_url, statement).await;
    }

    let mut acknowledged = Vec::new();
    for round in 0..5 {
        let refused = app
            .try_dispatch(dispatch_request("test.refused", "{}"))
            .await
            .expect_err("the trigger refuses this event");
        assert_eq!(refused.code(), Code::Unavailable, "round {round}");
        for n in 0..4 {
            let event = app
                .dispatch("order.created", &format!("{{\"round\":{round},\"n\":{n}}}"))
                .await;
            acknowledged.push(event.event_id);
        }
    }

    app.stop().await.unwrap();
    let restarted = app.restart().await;
    for event_id in &acknowledged {
        restarted
            .client
            .clone()
            .get_event(GetEventRequest {
                event_id: event_id.clone(),
            })
            .await
            .unwrap_or_else(|e| panic!("acknowledged {event_id} is gone after a restart: {e:?}"));
    }
}

crate::backend_tests!(a_failed_batch_does_not_poison_the_writer);

/// Opens `count` connections to `addr`; each sends `preamble` (maybe
/// nothing) and then nothing more.
async fn idle_connections(
    addr: std::net::SocketAddr,
    count: usize,
    preamble: &[u8],
) -> Vec<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let mut open = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        if !preamble.is_empty() {
            stream.write_all(preamble).await.unwrap();
        }
        open.push(stream);
    }
    open
}

/// Health says SERVING and a Dispatch is accepted, on `channel`.
async fn assert_health_and_dispatch_answer(channel: tonic::transport::Channel) {
    let health = tonic_health::pb::health_client::HealthClient::new(channel.clone())
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .expect("health answers")
        .into_inner();
    assert_eq!(health.status, SERVING);
    webhookd::api::proto::webhook_service_client::WebhookServiceClient::new(channel)
        .dispatch(dispatch_request("order.created", "{}"))
        .await
        .expect("Dispatch answers");
}

/// Whether the server has closed `stream` (EOF or reset) within `within`.
async fn closed_by_server(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 512];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // The server's HTTP/2 settings or a 408: keep reading to the end.
            Ok(Ok(_)) => continue,
        }
    }
}

/// More connections than `server.max_connections` that send nothing or
/// half a header, on both listeners: health, Dispatch and /readyz still
/// answer on new connections, and the idle ones are closed after the
/// header-read timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_beyond_the_cap_leave_the_api_reachable() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_on(
        &format!("sqlite://{}", dir.path().join("webhookd.db").display()),
        TestSettings {
            max_connections: Some(40),
            header_read_timeout_seconds: Some(2.0),
            ..TestSettings::default()
        },
    )
    .await;
    let grpc_addr: std::net::SocketAddr =
        app.grpc_url.trim_start_matches("http://").parse().unwrap();
    let http_addr: std::net::SocketAddr =
        app.http_base.trim_start_matches("http://").parse().unwrap();

    let mut flood = idle_connections(grpc_addr, 60, b"").await;
    flood.extend(idle_connections(grpc_addr, 20, b"PRI * HTTP/2.0\r\n").await);
    flood.extend(idle_connections(http_addr, 40, b"").await);
    flood.extend(idle_connections(http_addr, 40, b"GET /readyz HTTP/1.1\r\nHost: x\r\n").await);

    // New connections still get answers.
    let channel = tonic::transport::Channel::from_shared(app.grpc_url.clone())
        .unwrap()
        .connect()
        .await
        .expect("a new gRPC connection is accepted");
    assert_health_and_dispatch_answer(channel).await;
    let ready = reqwest::get(format!("{}/readyz", app.http_base))
        .await
        .expect("a new HTTP connection is accepted");
    assert_eq!(ready.status(), 200);

    // The idle ones do not stay: evicted at once or closed at the timeout.
    let mut still_open = 0;
    for stream in &mut flood {
        if !closed_by_server(stream, Duration::from_secs(5)).await {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "idle connections are closed by the server");
}

/// The real process with 256 file descriptors: 400 idle connections on the
/// gRPC port do not make it unreachable (the cap follows the file limit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_flood_cannot_exhaust_file_descriptors() {
    let _ = rlimit::increase_nofile_limit(4096);
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("webhookd.db").display());
    let config = write_config(dir.path(), &TestSettings::default(), &database_url);
    let daemon = Daemon::start_with_file_limit(&config, 256);
    assert!(
        daemon
            .log_text()
            .contains("server.max_connections lowered to fit the open file limit"),
        "the cap follows the file limit: {}",
        daemon.log_text()
    );

    let _flood = idle_connections(daemon.grpc_addr, 400, b"").await;
    assert_health_and_dispatch_answer(daemon.channel().await).await;
}
