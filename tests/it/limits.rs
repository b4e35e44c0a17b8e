//! Hard limits on input: each refusal names its limit and carries one
//! `google.rpc.ErrorInfo` with a stable reason (and field violations where
//! a field is at fault).

use tonic::Code;
use tonic_types::StatusExt;
use webhookd::api::proto::{ListEventsRequest, StreamDeliveriesRequest};

use crate::common::{Backend, TestSettings, dispatch_request, spawn_app};

/// (code, reason, metadata "limit", violated fields) of a failed call.
fn details(status: &tonic::Status) -> (Code, String, Option<String>, Vec<String>) {
    let details = status.get_error_details();
    let info = details
        .error_info()
        .unwrap_or_else(|| panic!("no ErrorInfo in {status:?}"));
    assert_eq!(info.domain, "webhookd");
    let fields = details
        .bad_request()
        .map(|bad| {
            bad.field_violations
                .iter()
                .map(|v| v.field.clone())
                .collect()
        })
        .unwrap_or_default();
    (
        status.code(),
        info.reason.clone(),
        info.metadata.get("limit").cloned(),
        fields,
    )
}

async fn over_limit_requests_name_the_limit(backend: Backend) {
    let app = spawn_app(
        &backend,
        TestSettings {
            max_payload_bytes: 1024,
            ..TestSettings::default()
        },
    )
    .await;
    let mut client = app.client.clone();

    let mut too_many = dispatch_request("order.created", "{}");
    too_many.endpoint_ids = (0..101).map(|i| format!("ep_{i}")).collect();
    let status = client.dispatch(too_many).await.unwrap_err();
    assert!(
        status.message().contains("at most 100"),
        "{}",
        status.message()
    );
    assert_eq!(
        details(&status),
        (
            Code::InvalidArgument,
            "TOO_MANY_ENDPOINT_IDS".to_owned(),
            Some("100".to_owned()),
            vec!["endpoint_ids".to_owned()]
        )
    );

    let big = format!(r#"{{"blob":"{}"}}"#, "x".repeat(2000));
    let status = client
        .dispatch(dispatch_request("order.created", &big))
        .await
        .unwrap_err();
    assert!(
        status.message().contains("limit of 1024 bytes"),
        "{}",
        status.message()
    );
    assert_eq!(
        details(&status),
        (
            Code::InvalidArgument,
            "PAYLOAD_TOO_LARGE".to_owned(),
            Some("1024".to_owned()),
            vec!["payload_json".to_owned()]
        )
    );

    let status = client
        .list_events(ListEventsRequest {
            page_size: 1001,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        details(&status),
        (
            Code::InvalidArgument,
            "PAGE_SIZE_TOO_LARGE".to_owned(),
            Some("1000".to_owned()),
            vec!["page_size".to_owned()]
        )
    );

    let status = client
        .stream_deliveries(StreamDeliveriesRequest {
            event_types: vec!["order.*".to_owned(); 101],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(details(&status).1, "TOO_MANY_EVENT_TYPES");

    // Errors that are not about limits carry a reason too.
    let mut unknown = dispatch_request("order.created", "{}");
    unknown.endpoint_ids = vec!["ep_nowhere".to_owned()];
    let status = client.dispatch(unknown).await.unwrap_err();
    assert_eq!(
        (status.code(), details(&status).1),
        (Code::NotFound, "ENDPOINT_NOT_FOUND".to_owned())
    );
    let status = client
        .dispatch(dispatch_request("Not A Type", "{}"))
        .await
        .unwrap_err();
    assert_eq!(
        details(&status),
        (
            Code::InvalidArgument,
            "INVALID_ARGUMENT".to_owned(),
            None,
            vec!["event_type".to_owned()]
        )
    );

    // Transport limits: oversized messages and metadata never reach a handler.
    let huge = format!(r#"{{"blob":"{}"}}"#, "x".repeat(8 * 1024 * 1024));
    let status = client
        .dispatch(dispatch_request("order.created", &huge))
        .await
        .unwrap_err();
    assert!(
        matches!(status.code(), Code::ResourceExhausted | Code::OutOfRange),
        "{status:?}"
    );
    let mut request = tonic::Request::new(dispatch_request("order.created", "{}"));
    request
        .metadata_mut()
        .insert("x-padding", "p".repeat(32 * 1024).parse().unwrap());
    assert!(
        client.dispatch(request).await.is_err(),
        "32 KiB of metadata is over the 16 KiB header limit"
    );
    // The connection still serves normal calls.
    client
        .dispatch(dispatch_request("order.created", "{}"))
        .await
        .expect("a normal call after the refusals");
}

crate::backend_tests!(over_limit_requests_name_the_limit);
