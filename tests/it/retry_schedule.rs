//! An endpoint's own retry schedule (`retry_policy` of an endpoint): its
//! attempts and explicit delays replace the config's for its deliveries.

use std::time::Duration;

use prost_types::FieldMask;
use tonic::Code;
use webhookd::api::proto::{
    CreateEndpointRequest, Endpoint, EndpointRetryPolicy, GetEndpointRequest, UpdateEndpointRequest,
};
use webhookd::domain::DeliveryState;

use crate::common::{
    Backend, Receiver, TestEndpoint, TestRetrySchedule, TestSettings, eventually, spawn_app,
};

async fn an_endpoint_schedule_replaces_the_configs(backend: Backend) {
    let failing = Receiver::start(500).await;
    let mut own = TestEndpoint::new("ep_own", failing.url(), &["order.*"]);
    own.retry_policy = Some(TestRetrySchedule {
        max_attempts: 3,
        delays_seconds: vec![0.3, 0.6],
    });
    let settings = TestSettings {
        max_attempts: 5,
        ..TestSettings::with_endpoints(vec![
            own,
            TestEndpoint::new("ep_config", failing.url(), &["order.*"]),
        ])
    };
    let app = spawn_app(&backend, settings).await;
    let event = app.dispatch("order.created", "{}").await;
    eventually(Duration::from_secs(15), || async {
        app.deliveries(&event.event_id)
            .await
            .iter()
            .all(|d| d.state == DeliveryState::Dead)
    })
    .await
    .expect("both deliveries use up their attempts");
    for delivery in app.deliveries(&event.event_id).await {
        let attempts = app.attempts(delivery.id.as_str()).await;
        let starts: Vec<i64> = attempts.iter().map(|a| a.started_at).collect();
        match delivery.endpoint_id.as_str() {
            // Its own: 3 attempts, 0.3 s then 0.6 s apart (no jitter here).
            "ep_own" => {
                assert_eq!(attempts.len(), 3, "{starts:?}");
                assert!(starts[1] - starts[0] >= 290, "{starts:?}");
                assert!(starts[2] - starts[1] >= 590, "{starts:?}");
            }
            // The config's: 5 attempts.
            _ => assert_eq!(attempts.len(), 5, "{starts:?}"),
        }
    }

    // Over the API: set, read back, clear, refuse nonsense.
    let mut client = app.client.clone();
    let schedule = EndpointRetryPolicy {
        max_attempts: 2,
        delays_seconds: vec![0.25],
    };
    let created = client
        .create_endpoint(CreateEndpointRequest {
            id: "ep_api".to_owned(),
            url: failing.url(),
            event_types: vec!["user.*".to_owned()],
            retry_policy: Some(schedule.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.retry_policy, Some(schedule));
    let cleared = client
        .update_endpoint(UpdateEndpointRequest {
            endpoint: Some(Endpoint {
                id: "ep_api".to_owned(),
                ..Default::default()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["retry_policy".to_owned()],
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cleared.retry_policy, None);
    let read = client
        .get_endpoint(GetEndpointRequest {
            id: "ep_own".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        read.retry_policy,
        Some(EndpointRetryPolicy {
            max_attempts: 3,
            delays_seconds: vec![0.3, 0.6],
        })
    );
    for (bad, field) in [
        ((101, vec![]), "retry_policy.max_attempts"),
        ((3, vec![1.0, -1.0]), "retry_policy.delays_seconds[1]"),
    ] {
        let refused = client
            .create_endpoint(CreateEndpointRequest {
                id: "ep_bad".to_owned(),
                url: failing.url(),
                event_types: vec!["user.*".to_owned()],
                retry_policy: Some(EndpointRetryPolicy {
                    max_attempts: bad.0,
                    delays_seconds: bad.1,
                }),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
        assert!(refused.message().contains(field), "{refused:?}");
    }
}

crate::backend_tests!(an_endpoint_schedule_replaces_the_configs);
