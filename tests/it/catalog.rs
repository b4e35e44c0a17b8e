//! The event-type catalog: ListEventTypes lists it, and Dispatch checks
//! payloads against their type's JSON Schema and refuses unknown types when
//! told to.

use serde_json::json;
use tonic::Code;
use webhookd::api::proto::ListEventTypesRequest;

use crate::common::{
    Backend, Receiver, TestEndpoint, TestSettings, details, dispatch_request, serde_json_to_struct,
    spawn_app,
};

fn catalog(unknown_types: &str) -> serde_json::Value {
    json!({
        "unknown_types": unknown_types,
        "types": [
            {
                "name": "order.created",
                "description": "An order was placed",
                "schema": {
                    "type": "object",
                    "required": ["order_id", "total"],
                    "properties": {
                        "order_id": {"type": "string"},
                        "total": {"type": "number", "minimum": 0}
                    }
                }
            },
            {"name": "order.noted"}
        ]
    })
}

async fn dispatch_checks_payloads_against_the_catalog(backend: Backend) {
    let receiver = Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings {
            event_catalog: Some(catalog("refuse")),
            ..TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])])
        },
    )
    .await;
    let mut client = app.client.clone();

    let listed = client
        .list_event_types(ListEventTypesRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(!listed.unknown_types_allowed);
    let names: Vec<&str> = listed.event_types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["order.created", "order.noted"]);
    assert_eq!(listed.event_types[0].description, "An order was placed");
    assert_eq!(
        listed.event_types[0].schema,
        Some(serde_json_to_struct(
            &catalog("refuse")["types"][0]["schema"].to_string()
        ))
    );
    assert_eq!(listed.event_types[1].schema, None);

    app.dispatch("order.created", r#"{"order_id":"o_1","total":12.5}"#)
        .await;
    app.dispatch("order.noted", r#"{"anything":true}"#).await;
    let refused = app
        .try_dispatch(dispatch_request(
            "order.created",
            r#"{"order_id":7,"total":-1}"#,
        ))
        .await
        .unwrap_err();
    let (code, reason, _, fields) = details(&refused);
    assert_eq!(
        (code, reason.as_str()),
        (Code::InvalidArgument, "SCHEMA_VIOLATION")
    );
    assert_eq!(fields, ["payload/order_id", "payload/total"], "{refused:?}");
    let missing = app
        .try_dispatch(dispatch_request("order.created", r#"{"order_id":"o_2"}"#))
        .await
        .unwrap_err();
    let (_, _, _, fields) = details(&missing);
    assert_eq!(fields, ["payload/"], "{missing:?}");
    assert!(missing.message().contains("total"), "{missing:?}");
    let unknown = app
        .try_dispatch(dispatch_request("user.created", "{}"))
        .await
        .unwrap_err();
    let (code, reason, _, fields) = details(&unknown);
    assert_eq!(
        (code, reason.as_str(), fields),
        (
            Code::InvalidArgument,
            "UNKNOWN_EVENT_TYPE",
            vec!["event_type".to_owned()]
        )
    );
    // Refused payloads store nothing; accepted ones are delivered.
    crate::common::eventually(std::time::Duration::from_secs(10), || async {
        receiver.success_count() == 2
    })
    .await
    .expect("the two accepted events are delivered");
    let stored = crate::common::sql(&app.database_url, "SELECT COUNT(*) FROM events").await;
    assert_eq!(stored, Some(2));
}

async fn unknown_types_pass_when_allowed(backend: Backend) {
    let app = spawn_app(
        &backend,
        TestSettings {
            event_catalog: Some(catalog("allow")),
            ..TestSettings::default()
        },
    )
    .await;
    app.dispatch("user.created", "{}").await;
    let listed = app
        .client
        .clone()
        .list_event_types(ListEventTypesRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(listed.unknown_types_allowed);
}

crate::backend_tests!(
    dispatch_checks_payloads_against_the_catalog,
    unknown_types_pass_when_allowed,
);
