//! Payload filters: an endpoint gets an event of its types only when the
//! payload matches its filter, decided at Dispatch; endpoints named in the
//! request are not filtered.

use std::collections::BTreeSet;
use std::time::Duration;

use prost_types::FieldMask;
use serde_json::json;
use tonic::Code;
use webhookd::api::proto::DispatchRequest;
use webhookd::api::proto::{
    CreateEndpointRequest, Endpoint, GetEndpointRequest, UpdateEndpointRequest,
};

use crate::common::{
    Backend, Receiver, TestEndpoint, TestSettings, eventually, serde_json_to_struct, spawn_app,
};

fn to_struct(value: serde_json::Value) -> prost_types::Struct {
    serde_json_to_struct(&value.to_string())
}

async fn filters_route_by_payload_at_dispatch(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let mut large = TestEndpoint::new("ep_large", receiver.url(), &["order.*"]);
    large.filter = Some(json!({"order.total": {"$gte": 100}}));
    let mut euro = TestEndpoint::new("ep_euro", receiver.url(), &["order.*"]);
    euro.filter = Some(json!({"order.currency": "EUR", "test": {"$ne": true}}));
    let all = TestEndpoint::new("ep_all", receiver.url(), &["order.*"]);
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![large, euro, all]),
    )
    .await;

    let routed = |payload: &'static str| {
        let app = &app;
        async move {
            let event = app.dispatch("order.created", payload).await;
            app.deliveries(&event.event_id)
                .await
                .into_iter()
                .map(|d| d.endpoint_id.to_string())
                .collect::<BTreeSet<String>>()
        }
    };
    let names = |ids: &[&str]| {
        ids.iter()
            .map(|id| (*id).to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        routed(r#"{"order":{"total":150,"currency":"USD"}}"#).await,
        names(&["ep_all", "ep_large"])
    );
    assert_eq!(
        routed(r#"{"order":{"total":99.5,"currency":"EUR"}}"#).await,
        names(&["ep_all", "ep_euro"])
    );
    assert_eq!(
        routed(r#"{"order":{"total":100.0,"currency":"EUR"},"test":true}"#).await,
        names(&["ep_all", "ep_large"])
    );
    // Named endpoints are not filtered.
    let targeted = app
        .try_dispatch(DispatchRequest {
            endpoint_ids: vec!["ep_large".to_owned()],
            ..crate::common::dispatch_request("order.created", r#"{"order":{"total":1}}"#)
        })
        .await
        .unwrap();
    assert_eq!(targeted.delivery_ids.len(), 1);
    // What was routed is delivered: 2 + 2 + 2 + 1.
    eventually(Duration::from_secs(10), || async {
        receiver.success_count() == 7
    })
    .await
    .expect("every routed delivery arrives");

    // Over the API: set, read back, change, remove, refuse nonsense.
    let mut client = app.client.clone();
    let filter = to_struct(json!({"kind": {"$in": ["a", "b"]}, "amount": {"$gt": 10}}));
    let created = client
        .create_endpoint(CreateEndpointRequest {
            id: "ep_api".to_owned(),
            url: receiver.url(),
            event_types: vec!["user.*".to_owned()],
            filter: Some(filter.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.filter, Some(filter.clone()));
    let read = client
        .get_endpoint(GetEndpointRequest {
            id: "ep_api".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.filter, Some(filter));
    let user = |payload: &'static str| {
        let app = &app;
        async move {
            let event = app.dispatch("user.created", payload).await;
            event.delivery_ids.len()
        }
    };
    assert_eq!(user(r#"{"kind":"a","amount":11}"#).await, 1);
    assert_eq!(user(r#"{"kind":"c","amount":11}"#).await, 0);

    let update = |filter: Option<prost_types::Struct>| UpdateEndpointRequest {
        endpoint: Some(Endpoint {
            id: "ep_api".to_owned(),
            filter,
            ..Default::default()
        }),
        update_mask: Some(FieldMask {
            paths: vec!["filter".to_owned()],
        }),
    };
    let changed = client
        .update_endpoint(update(Some(to_struct(json!({"kind": "c"})))))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(changed.filter, Some(to_struct(json!({"kind": "c"}))));
    assert_eq!(user(r#"{"kind":"c","amount":0}"#).await, 1);
    let removed = client
        .update_endpoint(update(None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(removed.filter, None);
    assert_eq!(user(r#"{"kind":"z"}"#).await, 1);

    let bad = to_struct(json!({"amount": {"$regex": "x"}}));
    let refused = client
        .create_endpoint(CreateEndpointRequest {
            id: "ep_bad".to_owned(),
            url: receiver.url(),
            event_types: vec!["user.*".to_owned()],
            filter: Some(bad.clone()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    assert!(
        refused.message().contains("filter.amount.$regex"),
        "{refused:?}"
    );
    assert!(
        refused.message().contains("$gte"),
        "lists the operators: {refused:?}"
    );
    let refused = client.update_endpoint(update(Some(bad))).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    assert!(
        refused.message().contains("endpoint.filter.amount.$regex"),
        "{refused:?}"
    );
}

crate::backend_tests!(filters_route_by_payload_at_dispatch);
