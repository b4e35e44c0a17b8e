//! `webhook.v1.WebhookService`: validates requests, stores events, wakes the
//! scheduler.

use std::sync::Arc;

use tokio::sync::Notify;
use tonic::{Request, Response, Status};
use tracing::info;

use super::convert::report_to_proto;
use super::proto::dispatch_request::Body;
use super::proto::webhook_service_server::WebhookService;
use super::proto::{
    DispatchRequest, DispatchResponse, GetMetricsRequest, GetMetricsResponse, ReplayRequest,
    ReplayResponse, StreamDeliveriesRequest,
};
use super::stream::{self, DeliveryUpdateStream};
use super::{endpoints, fields, keys, log, proto};
use crate::alert::{Alert, AlertKind, Alerter};
use crate::auth::ApiKeys;
use crate::clock::now_millis;
use crate::domain::Event;
use crate::domain::network::NetworkPolicy;
use crate::domain::{
    CanonicalPayload, DeliveryState, EndpointId, EventId, EventType, MAX_ID_LEN, PayloadError,
};
use crate::error::{ApiError, ErrorCode};
use crate::health::EndpointHealth;
use crate::limits::reason;
use crate::metrics::{self, Counters};
use crate::store::{DispatchOutcome, Routing, Store};
use crate::updates::{Update, UpdateBus, UpdateKind};
use secrecy::SecretString;

/// The gRPC service and the handles it works with.
pub struct WebhookApi {
    pub store: Arc<dyn Store>,
    /// Wakes the scheduler when new work is due.
    pub wake: Arc<Notify>,
    pub updates: Arc<UpdateBus>,
    pub max_payload_bytes: usize,
    /// Signs for endpoints without their own secret; kept valid while such
    /// an endpoint rotates to a secret of its own.
    pub default_secret: SecretString,
    pub counters: Arc<Counters>,
    pub health: Arc<EndpointHealth>,
    pub alerter: Alerter,
    /// New endpoint URLs must point where deliveries may go.
    pub network_policy: Arc<NetworkPolicy>,
    /// Refreshed at once when a key is created or revoked here.
    pub api_keys: Arc<ApiKeys>,
    /// Cancelled when the server stops: open streams end.
    pub shutdown: tokio_util::sync::CancellationToken,
}

impl WebhookApi {
    fn publish_endpoint_change(&self, kind: UpdateKind, endpoint: &proto::Endpoint) {
        let mut update = Update::new(kind, EndpointId::from_stored(endpoint.id.clone()));
        update.detail = endpoint.disabled_reason.clone();
        self.updates.publish(update);
    }
}

/// A Dispatch request after validation.
struct ValidDispatch {
    event_type: EventType,
    payload: CanonicalPayload,
    idempotency_key: Option<String>,
    routing: Routing,
}

fn validate_dispatch(request: DispatchRequest, limit: usize) -> Result<ValidDispatch, ApiError> {
    let event_type = EventType::parse(&request.event_type)
        .map_err(|reason| ApiError::invalid_field("event_type", reason))?;
    let payload = match &request.body {
        Some(Body::Payload(payload)) => {
            CanonicalPayload::from_object(&super::convert::payload_from_struct(payload), limit)
                .map_err(|e| payload_error("payload", e))?
        }
        Some(Body::PayloadJson(text)) => CanonicalPayload::from_json_text(text, limit)
            .map_err(|e| payload_error("payload_json", e))?,
        None => {
            return Err(ApiError::invalid_field(
                "payload",
                "a payload is required: set `payload` (a JSON object) or `payload_json` (a string of JSON)",
            ));
        }
    };
    let idempotency_key = match request.idempotency_key.as_str() {
        "" => None,
        key if key.len() > MAX_ID_LEN => {
            return Err(ApiError::invalid_field(
                "idempotency_key",
                format!("must be at most {MAX_ID_LEN} bytes (got {})", key.len()),
            ));
        }
        key => Some(key.to_owned()),
    };
    let routing = if request.endpoint_ids.is_empty() {
        Routing::Subscribed
    } else {
        Routing::Targeted(fields::endpoint_ids("endpoint_ids", &request.endpoint_ids)?)
    };
    Ok(ValidDispatch {
        event_type,
        payload,
        idempotency_key,
        routing,
    })
}

fn payload_error(field: &str, error: PayloadError) -> ApiError {
    let too_large = match &error {
        PayloadError::TooLarge { limit, .. } => Some(*limit),
        _ => None,
    };
    let invalid = ApiError::invalid_field(field, error.to_string());
    match too_large {
        Some(limit) => ApiError {
            code: ErrorCode::ResourceExhausted,
            ..invalid
        }
        .with_reason(reason::PAYLOAD_TOO_LARGE)
        .with_metadata("limit", limit.to_string()),
        None => invalid,
    }
}

#[tonic::async_trait]
impl WebhookService for WebhookApi {
    async fn dispatch(
        &self,
        request: Request<DispatchRequest>,
    ) -> Result<Response<DispatchResponse>, Status> {
        let valid = validate_dispatch(request.into_inner(), self.max_payload_bytes)?;
        let event_type = valid.event_type.clone();
        let event = Event {
            id: EventId::generate(),
            event_type: valid.event_type,
            payload: valid.payload,
            idempotency_key: valid.idempotency_key,
            created_at: now_millis(),
        };
        let outcome = self
            .store
            .dispatch(event, valid.routing)
            .await
            .map_err(ApiError::from)?;
        let response = match outcome {
            DispatchOutcome::Created {
                event_id,
                deliveries,
            } => {
                if !deliveries.is_empty() {
                    self.wake.notify_one();
                }
                self.counters.observe_dispatch();
                for delivery in &deliveries {
                    let mut update = Update::new(UpdateKind::Created, delivery.endpoint_id.clone());
                    update.delivery_id = Some(delivery.id.clone());
                    update.event_id = Some(event_id.clone());
                    update.event_type = Some(event_type.clone());
                    update.state = Some(DeliveryState::Pending);
                    self.updates.publish(update);
                }
                info!(event_id = %event_id, deliveries = deliveries.len(), "event accepted");
                DispatchResponse {
                    event_id: event_id.to_string(),
                    delivery_ids: deliveries.iter().map(|d| d.id.to_string()).collect(),
                    duplicate: false,
                }
            }
            DispatchOutcome::Duplicate {
                event_id,
                delivery_ids,
            } => {
                info!(event_id = %event_id, "duplicate idempotency key, nothing new stored");
                DispatchResponse {
                    event_id: event_id.to_string(),
                    delivery_ids: delivery_ids.iter().map(ToString::to_string).collect(),
                    duplicate: true,
                }
            }
        };
        Ok(Response::new(response))
    }

    async fn replay(
        &self,
        request: Request<ReplayRequest>,
    ) -> Result<Response<ReplayResponse>, Status> {
        let outcome = log::replay(self.store.as_ref(), request.into_inner(), now_millis()).await?;
        if !outcome.deliveries.is_empty() {
            self.wake.notify_one();
        }
        for delivery in &outcome.deliveries {
            let mut update = Update::new(UpdateKind::Replayed, delivery.endpoint_id.clone());
            update.delivery_id = Some(delivery.id.clone());
            update.event_id = outcome.event_id.clone();
            update.state = Some(DeliveryState::Pending);
            self.updates.publish(update);
        }
        info!(count = outcome.count, "replay");
        Ok(Response::new(ReplayResponse {
            delivery_ids: outcome
                .deliveries
                .iter()
                .map(|d| d.id.to_string())
                .collect(),
            count: outcome.count,
        }))
    }

    async fn get_event(
        &self,
        request: Request<proto::GetEventRequest>,
    ) -> Result<Response<proto::GetEventResponse>, Status> {
        Ok(Response::new(
            log::get_event(self.store.as_ref(), request.into_inner()).await?,
        ))
    }

    async fn list_events(
        &self,
        request: Request<proto::ListEventsRequest>,
    ) -> Result<Response<proto::ListEventsResponse>, Status> {
        Ok(Response::new(
            log::list_events(self.store.as_ref(), request.into_inner()).await?,
        ))
    }

    async fn list_deliveries(
        &self,
        request: Request<proto::ListDeliveriesRequest>,
    ) -> Result<Response<proto::ListDeliveriesResponse>, Status> {
        Ok(Response::new(
            log::list_deliveries(self.store.as_ref(), request.into_inner()).await?,
        ))
    }

    async fn list_dead_letters(
        &self,
        request: Request<proto::ListDeadLettersRequest>,
    ) -> Result<Response<proto::ListDeliveriesResponse>, Status> {
        Ok(Response::new(
            log::list_dead_letters(self.store.as_ref(), request.into_inner()).await?,
        ))
    }

    async fn redrive_dead_letters(
        &self,
        request: Request<proto::RedriveDeadLettersRequest>,
    ) -> Result<Response<proto::RedriveDeadLettersResponse>, Status> {
        let dry_run = request.get_ref().dry_run;
        let count = log::redrive(self.store.as_ref(), request.into_inner(), now_millis()).await?;
        if count > 0 && !dry_run {
            self.wake.notify_one();
            info!(count, "dead letters redriven");
        }
        Ok(Response::new(proto::RedriveDeadLettersResponse { count }))
    }

    async fn create_endpoint(
        &self,
        request: Request<proto::CreateEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        let endpoint = endpoints::create(
            self.store.as_ref(),
            &self.health,
            request.into_inner(),
            &self.network_policy,
            now_millis(),
        )
        .await?;
        info!(endpoint_id = %endpoint.id, "endpoint created");
        Ok(Response::new(endpoint))
    }

    async fn get_endpoint(
        &self,
        request: Request<proto::GetEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        Ok(Response::new(
            endpoints::get(self.store.as_ref(), &self.health, request.into_inner()).await?,
        ))
    }

    async fn list_endpoints(
        &self,
        request: Request<proto::ListEndpointsRequest>,
    ) -> Result<Response<proto::ListEndpointsResponse>, Status> {
        Ok(Response::new(
            endpoints::list(self.store.as_ref(), &self.health, request.into_inner()).await?,
        ))
    }

    async fn update_endpoint(
        &self,
        request: Request<proto::UpdateEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        let endpoint = endpoints::update(
            self.store.as_ref(),
            &self.health,
            request.into_inner(),
            &self.network_policy,
            now_millis(),
        )
        .await?;
        info!(endpoint_id = %endpoint.id, "endpoint updated");
        Ok(Response::new(endpoint))
    }

    async fn delete_endpoint(
        &self,
        request: Request<proto::DeleteEndpointRequest>,
    ) -> Result<Response<proto::DeleteEndpointResponse>, Status> {
        let id = request.get_ref().id.clone();
        let cancelled =
            endpoints::delete(self.store.as_ref(), request.into_inner(), now_millis()).await?;
        info!(endpoint_id = %id, cancelled, "endpoint deleted");
        Ok(Response::new(proto::DeleteEndpointResponse {
            cancelled_deliveries: cancelled,
        }))
    }

    async fn enable_endpoint(
        &self,
        request: Request<proto::EnableEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        let id = &request.get_ref().id;
        let was_disabled = match EndpointId::parse(id) {
            Ok(parsed) => self
                .store
                .get_endpoint(&parsed)
                .await
                .map_err(ApiError::from)?
                .is_some_and(|e| !e.active),
            Err(_) => false,
        };
        let endpoint = endpoints::set_active(
            self.store.as_ref(),
            &self.health,
            id,
            true,
            "",
            now_millis(),
        )
        .await?;
        let endpoint_id = EndpointId::from_stored(endpoint.id.clone());
        self.health.reset(&endpoint_id);
        if was_disabled {
            self.alerter.send(Alert {
                kind: AlertKind::Recovered {
                    how: "enabled by an operator".to_owned(),
                },
                endpoint_id,
                url: endpoint.url.clone(),
                at: now_millis(),
            });
        }
        // Its paused deliveries are due again.
        self.wake.notify_one();
        self.publish_endpoint_change(UpdateKind::EndpointEnabled, &endpoint);
        Ok(Response::new(endpoint))
    }

    async fn disable_endpoint(
        &self,
        request: Request<proto::DisableEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        let request = request.into_inner();
        let endpoint = endpoints::set_active(
            self.store.as_ref(),
            &self.health,
            &request.id,
            false,
            &request.reason,
            now_millis(),
        )
        .await?;
        self.publish_endpoint_change(UpdateKind::EndpointDisabled, &endpoint);
        Ok(Response::new(endpoint))
    }

    async fn rotate_endpoint_secret(
        &self,
        request: Request<proto::RotateEndpointSecretRequest>,
    ) -> Result<Response<proto::RotateEndpointSecretResponse>, Status> {
        let response = endpoints::rotate_secret(
            self.store.as_ref(),
            &self.health,
            request.into_inner(),
            &self.default_secret,
            now_millis(),
        )
        .await?;
        if let Some(endpoint) = &response.endpoint {
            info!(endpoint_id = %endpoint.id, "endpoint secret rotated");
        }
        Ok(Response::new(response))
    }

    async fn create_api_key(
        &self,
        request: Request<proto::CreateApiKeyRequest>,
    ) -> Result<Response<proto::CreateApiKeyResponse>, Status> {
        let response = keys::create(
            self.store.as_ref(),
            &self.api_keys,
            request.into_inner(),
            now_millis(),
        )
        .await?;
        if let Some(key) = &response.api_key {
            info!(api_key = %key.name, role = key.role().as_str_name(), "API key created");
        }
        Ok(Response::new(response))
    }

    async fn list_api_keys(
        &self,
        request: Request<proto::ListApiKeysRequest>,
    ) -> Result<Response<proto::ListApiKeysResponse>, Status> {
        Ok(Response::new(
            keys::list(self.store.as_ref(), &self.api_keys, request.into_inner()).await?,
        ))
    }

    async fn revoke_api_key(
        &self,
        request: Request<proto::RevokeApiKeyRequest>,
    ) -> Result<Response<proto::ApiKey>, Status> {
        let key = keys::revoke(
            self.store.as_ref(),
            &self.api_keys,
            request.into_inner(),
            now_millis(),
        )
        .await?;
        info!(api_key = %key.name, "API key revoked");
        Ok(Response::new(key))
    }

    type StreamDeliveriesStream = DeliveryUpdateStream;

    async fn stream_deliveries(
        &self,
        request: Request<StreamDeliveriesRequest>,
    ) -> Result<Response<Self::StreamDeliveriesStream>, Status> {
        Ok(Response::new(
            stream::open(
                &self.updates,
                self.store.as_ref(),
                request.get_ref(),
                self.shutdown.child_token(),
            )
            .await?,
        ))
    }

    async fn get_metrics(
        &self,
        request: Request<GetMetricsRequest>,
    ) -> Result<Response<GetMetricsResponse>, Status> {
        let request = request.into_inner();
        let (window, endpoint) =
            crate::http::metrics_scope(u64::from(request.window_seconds), &request.endpoint_id)?;
        if let Some(id) = &endpoint
            && self
                .store
                .get_endpoint(id)
                .await
                .map_err(ApiError::from)?
                .is_none()
        {
            return Err(
                ApiError::from(crate::store::StoreError::EndpointNotFound(id.to_string())).into(),
            );
        }
        let report = metrics::report(
            self.store.as_ref(),
            &self.health,
            window,
            endpoint.as_ref(),
            now_millis(),
        )
        .await
        .map_err(ApiError::from)?;
        Ok(Response::new(report_to_proto(&report)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn request(event_type: &str, json: &str) -> DispatchRequest {
        DispatchRequest {
            event_type: event_type.to_owned(),
            body: Some(Body::PayloadJson(json.to_owned())),
            ..Default::default()
        }
    }

    #[test]
    fn rejects_bad_requests_with_the_field_at_fault() {
        let cases = [
            (
                "bad event type",
                request("Order.Created", "{}"),
                "event_type",
            ),
            ("empty event type", request("", "{}"), "event_type"),
            (
                "missing payload",
                DispatchRequest {
                    event_type: "a.b".to_owned(),
                    ..Default::default()
                },
                "payload",
            ),
            (
                "payload not an object",
                request("a.b", "[1,2]"),
                "payload_json",
            ),
            ("payload not json", request("a.b", "{oops"), "payload_json"),
            (
                "payload too large",
                request("a.b", &format!("{{\"x\":\"{}\"}}", "y".repeat(100))),
                "payload_json",
            ),
            (
                "key too long",
                DispatchRequest {
                    idempotency_key: "k".repeat(256),
                    ..request("a.b", "{}")
                },
                "idempotency_key",
            ),
            (
                "bad endpoint id",
                DispatchRequest {
                    endpoint_ids: vec!["ok".to_owned(), "not ok".to_owned()],
                    ..request("a.b", "{}")
                },
                "endpoint_ids[1]",
            ),
        ];
        for (case, request, field) in cases {
            let err = validate_dispatch(request, 64)
                .err()
                .unwrap_or_else(|| panic!("case `{case}` should fail"));
            // Too large is a resource limit; everything else a bad argument.
            let expected = if case == "payload too large" {
                ErrorCode::ResourceExhausted
            } else {
                ErrorCode::InvalidArgument
            };
            assert_eq!(err.code, expected, "case `{case}`");
            assert_eq!(
                err.field_violations[0].0, field,
                "case `{case}`: {}",
                err.message
            );
        }
    }

    // Fuzz: any Dispatch request and any page request is accepted or refused
    // with an error, never a panic.
    proptest::proptest! {
        #[test]
        fn fuzz_any_dispatch_request_validates_cleanly(
            event_type in "\\PC{0,40}",
            json in "\\PC{0,200}",
            key in "\\PC{0,300}",
            ids in proptest::collection::vec("\\PC{0,20}", 0..120),
        ) {
            let mut dispatch = request(&event_type, &json);
            dispatch.idempotency_key = key;
            dispatch.endpoint_ids = ids;
            if let Err(e) = validate_dispatch(dispatch, 1024) {
                proptest::prop_assert!(!e.message.is_empty());
            }
        }

        #[test]
        fn fuzz_any_page_request_validates_cleanly(size: u32, token in "\\PC{0,80}") {
            let _ = super::super::page::page_request(size, &token);
        }
    }
}
