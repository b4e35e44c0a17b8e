//! Several webhookd processes on one PostgreSQL: work sharing, an instance
//! killed mid-delivery, a database restart under load, and instances split
//! into the api and worker roles.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::common::daemon::{Daemon, write_config};
use crate::common::postgres::{PrivateCluster, fresh_database, server_url, wait_until_accepting};
use webhookd::api::proto::DispatchRequest;

use crate::common::{
    Receiver, TestEndpoint, TestSettings, consistently, dispatch_request, eventually, spawn_app_on,
    sql,
};

/// Dispatches `count` events round-robin through `daemons`, `concurrency`
/// calls at a time, and returns the accepted event ids.
async fn dispatch_round_robin(
    daemons: &[Daemon],
    count: usize,
    concurrency: usize,
) -> HashSet<String> {
    let mut clients = Vec::new();
    for daemon in daemons {
        clients.push(daemon.client().await);
    }
    let accepted = Arc::new(Mutex::new(HashSet::new()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let mut client = clients[worker % clients.len()].clone();
        let accepted = Arc::clone(&accepted);
        let next = Arc::clone(&next);
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= count {
                    return;
                }
                let response = client
                    .dispatch(dispatch_request("order.created", &format!("{{\"n\":{n}}}")))
                    .await
                    .expect("dispatch is accepted")
                    .into_inner();
                accepted.lock().unwrap().insert(response.event_id);
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let accepted = accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), count);
    accepted
}

fn endpoints(receivers: &[Receiver]) -> Vec<TestEndpoint> {
    receivers
        .iter()
        .enumerate()
        .map(|(index, receiver)| TestEndpoint::new(&format!("ep_{index}"), receiver.url(), &["*"]))
        .collect()
}

/// Waits until every receiver has answered 2xx for every accepted event.
async fn wait_for_every_pair(receivers: &[Receiver], accepted: &HashSet<String>, within: Duration) {
    let complete = eventually(within, || async {
        receivers
            .iter()
            .all(|r| r.succeeded_event_ids().len() == accepted.len())
    })
    .await;
    for (index, receiver) in receivers.iter().enumerate() {
        let received = receiver.succeeded_event_ids();
        assert!(
            complete.is_ok() && &received == accepted,
            "receiver {index} got {} of {} events",
            received.len(),
            accepted.len()
        );
    }
}

fn duplicates(receivers: &[Receiver]) -> usize {
    receivers
        .iter()
        .map(|r| r.success_count() - r.succeeded_event_ids().len())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_share_the_work_without_duplicates() {
    let Some(server) = server_url() else { return };
    let mut receivers = Vec::new();
    for _ in 0..5 {
        receivers.push(Receiver::start(200).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(&server).await;
    let config = write_config(
        dir.path(),
        &TestSettings::with_endpoints(endpoints(&receivers)),
        &database_url,
    );
    let daemons: Vec<Daemon> = (0..3).map(|_| Daemon::start(&config)).collect();

    // One idempotency key sent to all three instances at once: one event.
    let mut clients = Vec::new();
    for daemon in &daemons {
        clients.push(daemon.client().await);
    }
    let keyed = (0..30).map(|n| {
        let mut client = clients[n % 3].clone();
        async move {
            let request = DispatchRequest {
                idempotency_key: "shared-key".to_owned(),
                ..dispatch_request("order.created", "{}")
            };
            client.dispatch(request).await.unwrap().into_inner()
        }
    });
    let responses = futures::future::join_all(keyed).await;
    assert_eq!(responses.iter().filter(|r| !r.duplicate).count(), 1);
    assert!(
        responses
            .iter()
            .all(|r| r.event_id == responses[0].event_id)
    );
    let mut accepted_keyed = HashSet::new();
    accepted_keyed.insert(responses[0].event_id.clone());
    wait_for_every_pair(&receivers, &accepted_keyed, Duration::from_secs(20)).await;

    let started = Instant::now();
    let mut accepted = dispatch_round_robin(&daemons, 5000, 24).await;
    accepted.extend(accepted_keyed);
    wait_for_every_pair(&receivers, &accepted, Duration::from_secs(120)).await;
    let elapsed = started.elapsed();

    assert_eq!(duplicates(&receivers), 0, "no crash, so no duplicates");
    for daemon in &daemons {
        let attempts = sql(
            &database_url,
            &format!(
                "SELECT COUNT(*) FROM attempts WHERE instance_id = '{}'",
                daemon.instance_id
            ),
        )
        .await
        .unwrap();
        eprintln!("instance {} made {attempts} attempts", daemon.instance_id);
        assert!(attempts > 0, "instance {} did no work", daemon.instance_id);
    }
    eprintln!("25,005 deliveries by 3 instances in {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_an_instance_mid_delivery_loses_nothing() {
    let Some(server) = server_url() else { return };
    let mut receivers = Vec::new();
    for _ in 0..2 {
        let receiver = Receiver::start(200).await;
        receiver.set_delay(Duration::from_millis(50));
        receivers.push(receiver);
    }
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(&server).await;
    let max_in_flight = 10;
    let settings = TestSettings {
        max_concurrent_deliveries: max_in_flight,
        timeout_seconds: 1.0,
        lease_seconds: Some(2.0),
        ..TestSettings::with_endpoints(endpoints(&receivers))
    };
    let config = write_config(dir.path(), &settings, &database_url);
    let mut daemons: Vec<Daemon> = (0..3).map(|_| Daemon::start(&config)).collect();

    let accepted = dispatch_round_robin(&daemons, 600, 12).await;
    let victim = daemons.remove(0);
    let in_flight_query = format!(
        "SELECT COUNT(*) FROM deliveries WHERE state = 'in_flight' AND lease_owner = '{}'",
        victim.instance_id
    );
    eventually(Duration::from_secs(20), || async {
        sql(&database_url, &in_flight_query).await.unwrap_or(0) > 0
    })
    .await
    .expect("the victim holds in-flight deliveries");
    let in_flight_at_kill = sql(&database_url, &in_flight_query).await.unwrap_or(0) as usize;
    victim.sigkill();

    wait_for_every_pair(&receivers, &accepted, Duration::from_secs(60)).await;
    let duplicates = duplicates(&receivers);
    eprintln!("killed an instance holding {in_flight_at_kill} leases: {duplicates} duplicates");
    // Duplicates can only come from attempts the victim had started.
    assert!(
        duplicates <= max_in_flight,
        "{duplicates} duplicates, more than the {max_in_flight} the victim could have in flight"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_under_load_loses_nothing() {
    if server_url().is_none() {
        return;
    }
    let cluster = PrivateCluster::start();
    wait_until_accepting(&cluster.url(), Duration::from_secs(10)).await;
    let receiver = Receiver::start(200).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(&cluster.url()).await;
    let config = write_config(
        dir.path(),
        &TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
        &database_url,
    );
    let daemon = Daemon::start(&config);
    let client = daemon.client().await;
    let health = HealthClient::new(daemon.channel().await);
    let health_of = |status: ServingStatus| {
        let mut health = health.clone();
        async move {
            health
                .check(HealthCheckRequest::default())
                .await
                .map(|r| r.into_inner().status() == status)
                .unwrap_or(false)
        }
    };

    let mut accepted = HashSet::new();
    let mut unavailable = 0;
    let dispatch = |n: usize| {
        let mut client = client.clone();
        async move {
            client
                .dispatch(dispatch_request("order.created", &format!("{{\"n\":{n}}}")))
                .await
        }
    };
    for n in 0..50 {
        accepted.insert(dispatch(n).await.unwrap().into_inner().event_id);
    }

    cluster.stop_immediate();
    let outage = Instant::now();
    let mut n = 50;
    let mut saw_not_serving = false;
    while outage.elapsed() < Duration::from_secs(4) {
        match dispatch(n).await {
            Ok(response) => {
                panic!("Dispatch answered OK while the database was down: {response:?}")
            }
            Err(status) => {
                assert_eq!(status.code(), Code::Unavailable, "{status:?}");
                unavailable += 1;
            }
        }
        saw_not_serving |= health_of(ServingStatus::NotServing).await;
        n += 1;
        // Paces the probes through the fixed 4 s outage: the window is the
        // claim (no Dispatch may succeed in it), not a wait for a condition.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        saw_not_serving,
        "health turned NOT_SERVING during the outage"
    );

    cluster.pg_ctl_start();
    eventually(Duration::from_secs(15), || {
        health_of(ServingStatus::Serving)
    })
    .await
    .expect("health is SERVING again once the database is back");
    for m in 0..50 {
        let response = dispatch(n + m)
            .await
            .expect("dispatch works again without a restart");
        accepted.insert(response.into_inner().event_id);
    }
    eventually(Duration::from_secs(30), || async {
        receiver.succeeded_event_ids() == accepted
    })
    .await
    .expect("every accepted event is delivered after the restart");
    eprintln!(
        "database restart: {unavailable} dispatches refused with UNAVAILABLE, {} accepted, all delivered",
        accepted.len()
    );
}

/// `server.roles`: an api instance takes Dispatch and delivers nothing; a
/// worker instance delivers what it accepted and serves no WebhookService;
/// both answer health checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_and_worker_instances_split_the_work() {
    let Some(server) = server_url() else { return };
    let receiver = Receiver::start(200).await;
    let database_url = fresh_database(&server).await;
    let settings = |roles: &[&'static str]| TestSettings {
        roles: Some(roles.to_vec()),
        ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
    };
    let api = spawn_app_on(&database_url, settings(&["api"])).await;
    let accepted = api.dispatch("order.created", "{}").await;
    consistently(Duration::from_millis(800), || async {
        receiver.total_requests() == 0
    })
    .await
    .expect("an api-only instance delivers nothing");

    let worker = spawn_app_on(&database_url, settings(&["worker"])).await;
    eventually(Duration::from_secs(10), || async {
        receiver.succeeded_event_ids().contains(&accepted.event_id)
    })
    .await
    .expect("the worker delivers what the api instance accepted");
    // Dispatched while both run: the worker hears of it at once.
    let next = api.dispatch("order.created", "{}").await;
    eventually(Duration::from_secs(5), || async {
        receiver.succeeded_event_ids().contains(&next.event_id)
    })
    .await
    .expect("the worker is woken by the api instance's dispatch");

    let refused = worker
        .try_dispatch(dispatch_request("order.created", "{}"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unimplemented, "{refused:?}");
    for app in [&api, &worker] {
        let overall = HealthClient::new(app.channel.clone())
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(overall.status, ServingStatus::Serving as i32);
    }
    let webhook_service = HealthClient::new(worker.channel.clone())
        .check(HealthCheckRequest {
            service: "webhook.v1.WebhookService".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        webhook_service.code(),
        Code::NotFound,
        "{webhook_service:?}"
    );
}
