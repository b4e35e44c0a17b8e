//! Hard limits on input: each refusal names its limit and carries one
//! `google.rpc.ErrorInfo` with a stable reason (and field violations where
//! a field is at fault).

use bytes::{Buf, BufMut};
use tonic::Code;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use webhookd::api::proto::{
    CreateEndpointRequest, DeliveryFilter, DisableEndpointRequest, ListDeliveriesRequest,
    ListEventsRequest, ReplayRequest, StreamDeliveriesRequest,
};

use crate::common::{Backend, TestEndpoint, TestSettings, details, dispatch_request, spawn_app};

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
            Code::ResourceExhausted,
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

    // Up to the transport's hard cap, webhookd reads an oversized Dispatch
    // and answers with its own reason; beyond it the transport refuses.
    let huge = format!(r#"{{"blob":"{}"}}"#, "x".repeat(20 * 1024 * 1024));
    let status = client
        .dispatch(dispatch_request("order.created", &huge))
        .await
        .unwrap_err();
    assert_eq!(
        details(&status),
        (
            Code::ResourceExhausted,
            "PAYLOAD_TOO_LARGE".to_owned(),
            Some("1024".to_owned()),
            vec!["payload_json".to_owned()]
        )
    );
    let beyond = format!(r#"{{"blob":"{}"}}"#, "x".repeat(40 * 1024 * 1024));
    let status = client
        .dispatch(dispatch_request("order.created", &beyond))
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

/// Sends raw bytes as the request message of `method`, so a test can send
/// what no generated client would.
#[derive(Clone, Default)]
struct RawCodec;

struct RawEncoder;
struct RawDecoder;

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        Ok(Some(bytes.to_vec()))
    }
}

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }

    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

async fn send_raw(
    channel: tonic::transport::Channel,
    method: &'static str,
    message: Vec<u8>,
) -> tonic::Status {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    grpc.unary(
        tonic::Request::new(message),
        tonic::codegen::http::uri::PathAndQuery::from_static(method),
        RawCodec,
    )
    .await
    .expect_err("the server refuses the message")
}

/// Input a client can send that is wrong: each gets INVALID_ARGUMENT (or
/// RESOURCE_EXHAUSTED) with a reason, never INTERNAL or UNAVAILABLE.
async fn hostile_input_gets_a_reason(backend: Backend) {
    let receiver = crate::common::Receiver::start(200).await;
    let app = spawn_app(
        &backend,
        TestSettings::with_endpoints(vec![TestEndpoint::new("ep_1", receiver.url(), &["*"])]),
    )
    .await;
    let mut client = app.client.clone();
    let event = app.dispatch("order.created", "{}").await;

    // Undecodable requests: a string field that is not UTF-8, and a
    // length prefix past the end of the message.
    for (what, bytes) in [
        ("invalid UTF-8", vec![0x0a, 0x02, 0xff, 0xfe]),
        ("truncated", vec![0x0a, 0x7f, b'a']),
    ] {
        let status = send_raw(
            app.channel.clone(),
            "/webhook.v1.WebhookService/Dispatch",
            bytes,
        )
        .await;
        assert_eq!(
            (status.code(), details(&status).1.as_str()),
            (Code::InvalidArgument, "MALFORMED_REQUEST"),
            "{what}: {status:?}"
        );
    }

    // A replay rate so small that its spacing would overflow.
    let status = client
        .replay(ReplayRequest {
            filter: Some(DeliveryFilter::default()),
            max_per_second: 1e-300,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        (status.code(), details(&status).1.as_str()),
        (Code::InvalidArgument, "OUT_OF_RANGE")
    );

    // Repeated filter fields are capped like endpoint lists.
    let status = client
        .list_events(ListEventsRequest {
            event_types: vec!["order.created".to_owned(); 1000],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(details(&status).1, "TOO_MANY_EVENT_TYPES");
    let status = client
        .list_deliveries(ListDeliveriesRequest {
            filter: Some(DeliveryFilter {
                states: vec![1; 1000],
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(details(&status).1, "TOO_MANY_STATES");

    // Timestamps outside protobuf's range.
    let status = client
        .list_events(ListEventsRequest {
            start_time: Some(prost_types::Timestamp {
                seconds: 0,
                nanos: -5,
            }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        details(&status),
        (
            Code::InvalidArgument,
            "OUT_OF_RANGE".to_owned(),
            None,
            vec!["start_time".to_owned()]
        )
    );

    // Free text is bounded: a 1 MB reason, a 1 MB URL.
    let status = client
        .disable_endpoint(DisableEndpointRequest {
            id: "ep_1".to_owned(),
            reason: "x".repeat(1024 * 1024),
        })
        .await
        .unwrap_err();
    assert_eq!(
        details(&status),
        (
            Code::InvalidArgument,
            "FIELD_TOO_LONG".to_owned(),
            Some("1024".to_owned()),
            vec!["reason".to_owned()]
        )
    );
    let status = client
        .create_endpoint(CreateEndpointRequest {
            url: format!("https://hooks.example.com/{}", "x".repeat(1024 * 1024)),
            event_types: vec!["*".to_owned()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(details(&status).1, "FIELD_TOO_LONG");

    // Credentials in a refused URL are not echoed.
    let status = client
        .create_endpoint(CreateEndpointRequest {
            url: "ftp://alice:s3cret@hooks.example.com/x".to_owned(),
            event_types: vec!["*".to_owned()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        !format!("{status:?}").contains("s3cret"),
        "the password is echoed: {status:?}"
    );

    // The HTTP API answers a malformed query with its JSON error.
    let response = reqwest::get(format!("{}/api/v1/deliveries?limit=many", app.http_base))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "invalid_argument", "{body}");

    // After all that, the service is fine.
    assert!(
        app.try_dispatch(dispatch_request("order.created", "{}"))
            .await
            .is_ok()
    );
    assert!(!event.event_id.is_empty());
}

crate::backend_tests!(
    over_limit_requests_name_the_limit,
    hostile_input_gets_a_reason
);
