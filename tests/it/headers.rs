//! Custom headers per endpoint: added to every delivery, never over the
//! headers webhookd sets, credentials masked when read back.

use std::collections::HashMap;
use std::time::Duration;

use prost_types::FieldMask;
use tonic::Code;
use webhookd::api::proto::{
    CreateEndpointRequest, Endpoint, GetEndpointRequest, UpdateEndpointRequest,
};
use webhookd::signing;

use crate::common::{Backend, Receiver, TestEndpoint, TestSettings, spawn_app};

fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

async fn custom_headers_reach_the_receiver_and_cannot_forge_a_delivery(backend: Backend) {
    let mut receiver = Receiver::start(200).await;
    let mut endpoint = TestEndpoint::new("ep_file", receiver.url(), &["order.*"]);
    endpoint.headers = headers(&[("Authorization", "Bearer gw-token"), ("X-Tenant", "acme")])
        .into_iter()
        .collect();
    let app = spawn_app(&backend, TestSettings::with_endpoints(vec![endpoint])).await;
    let mut client = app.client.clone();

    app.dispatch("order.created", "{}").await;
    let request = receiver.next_request(Duration::from_secs(10)).await;
    assert_eq!(request.header("authorization"), "Bearer gw-token");
    assert_eq!(request.header("x-tenant"), "acme");
    assert!(
        request
            .header(signing::HEADER_SIGNATURE)
            .starts_with("sha256=")
    );
    assert_eq!(request.header("content-type"), "application/json");

    // Read back: names lower-cased, the credential masked.
    let shown = client
        .get_endpoint(GetEndpointRequest {
            id: "ep_file".to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
        .headers;
    assert_eq!(
        shown,
        headers(&[("authorization", "***"), ("x-tenant", "acme")])
    );

    // The headers webhookd sets cannot be given, over the API either.
    for (name, value) in [
        ("X-Webhook-Signature", "sha256=00"),
        ("webhook-id", "msg_1"),
        ("Host", "elsewhere.example"),
        ("X-Bad", "line\r\nX-Injected: 1"),
    ] {
        let refused = client
            .create_endpoint(CreateEndpointRequest {
                id: "ep_api".to_owned(),
                url: receiver.url(),
                event_types: vec!["order.*".to_owned()],
                headers: headers(&[(name, value)]),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::InvalidArgument, "{name}: {refused:?}");
        assert!(refused.message().contains(name), "{name}: {refused:?}");
    }

    // An update replaces the headers; the next delivery carries the new set.
    let updated = client
        .update_endpoint(UpdateEndpointRequest {
            endpoint: Some(Endpoint {
                id: "ep_file".to_owned(),
                headers: headers(&[("X-Tenant", "globex")]),
                ..Default::default()
            }),
            update_mask: Some(FieldMask {
                paths: vec!["headers".to_owned()],
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.headers, headers(&[("x-tenant", "globex")]));
    app.dispatch("order.created", "{}").await;
    let request = receiver.next_request(Duration::from_secs(10)).await;
    assert_eq!(request.header("x-tenant"), "globex");
    assert!(request.headers.get("authorization").is_none());
}

crate::backend_tests!(custom_headers_reach_the_receiver_and_cannot_forge_a_delivery);
