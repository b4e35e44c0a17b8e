//! `webhook.v1.WebhookService`: each method parses its request into domain
//! types, calls the service layer (or reads the store), and converts the
//! result. Nothing here commits, wakes or publishes by itself.

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::Instrument;

use super::convert::{endpoint_to_proto, report_to_proto, struct_from_json};
use super::keys::{key_to_proto, role_from_proto};
use super::page::page_request;
use super::proto::webhook_service_server::WebhookService;
use super::proto::{
    DispatchRequest, DispatchResponse, GetMetricsRequest, GetMetricsResponse, ReplayRequest,
    ReplayResponse, StreamDeliveriesRequest,
};
use super::stream::{self, DeliveryUpdateStream};
use super::{dispatch, endpoints, log, proto};
use crate::clock::now_millis;
use crate::domain::{UnknownTypes, continue_trace};
use crate::error::ApiError;
use crate::service::{self, Services, metrics};
use crate::store::{DispatchOutcome, StoreError};

/// The gRPC service.
pub struct WebhookApi {
    pub services: Services,
    /// Cancelled when the server stops: open streams end.
    pub shutdown: CancellationToken,
}

impl WebhookApi {
    fn store(&self) -> &dyn crate::store::Store {
        self.services.store.as_ref()
    }
}

#[tonic::async_trait]
impl WebhookService for WebhookApi {
    async fn dispatch(
        &self,
        request: Request<DispatchRequest>,
    ) -> Result<Response<DispatchResponse>, Status> {
        let trace = dispatch::trace_context(request.metadata());
        let mut new = dispatch::parse(request.into_inner(), self.services.max_payload_bytes)?;
        let span = tracing::info_span!(
            "dispatch",
            event_type = %new.event_type,
            trace_id = tracing::field::Empty
        );
        if let Some(trace) = &trace {
            continue_trace(&span, trace);
            span.record("trace_id", trace.trace_id.as_str());
        }
        new.trace = trace;
        let response = match self.services.dispatch(new).instrument(span).await? {
            DispatchOutcome::Created {
                event_id,
                deliveries,
            } => DispatchResponse {
                event_id: event_id.to_string(),
                delivery_ids: deliveries.iter().map(|d| d.id.to_string()).collect(),
                duplicate: false,
            },
            DispatchOutcome::Duplicate {
                event_id,
                delivery_ids,
            } => DispatchResponse {
                event_id: event_id.to_string(),
                delivery_ids: delivery_ids.iter().map(ToString::to_string).collect(),
                duplicate: true,
            },
        };
        Ok(Response::new(response))
    }

    async fn replay(
        &self,
        request: Request<ReplayRequest>,
    ) -> Result<Response<ReplayResponse>, Status> {
        let replay = log::replay_request(request.into_inner())?;
        let outcome = self.services.replay(replay).await?;
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
            log::get_event(self.store(), request.into_inner()).await?,
        ))
    }

    async fn list_events(
        &self,
        request: Request<proto::ListEventsRequest>,
    ) -> Result<Response<proto::ListEventsResponse>, Status> {
        Ok(Response::new(
            log::list_events(self.store(), request.into_inner()).await?,
        ))
    }

    async fn list_deliveries(
        &self,
        request: Request<proto::ListDeliveriesRequest>,
    ) -> Result<Response<proto::ListDeliveriesResponse>, Status> {
        Ok(Response::new(
            log::list_deliveries(self.store(), request.into_inner()).await?,
        ))
    }

    async fn list_dead_letters(
        &self,
        request: Request<proto::ListDeadLettersRequest>,
    ) -> Result<Response<proto::ListDeliveriesResponse>, Status> {
        Ok(Response::new(
            log::list_dead_letters(self.store(), request.into_inner()).await?,
        ))
    }

    async fn redrive_dead_letters(
        &self,
        request: Request<proto::RedriveDeadLettersRequest>,
    ) -> Result<Response<proto::RedriveDeadLettersResponse>, Status> {
        let request = request.into_inner();
        let selection = log::redrive_selection(&request)?;
        let count = self.services.redrive(&selection, request.dry_run).await?;
        Ok(Response::new(proto::RedriveDeadLettersResponse { count }))
    }

    async fn create_endpoint(
        &self,
        request: Request<proto::CreateEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        let spec = endpoints::new_endpoint(&request.into_inner(), &self.services.network_policy)?;
        let view = self.services.create_endpoint(spec).await?;
        Ok(Response::new(endpoint_to_proto(&view)))
    }

    async fn get_endpoint(
        &self,
        request: Request<proto::GetEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        let id = endpoints::endpoint_id("id", &request.get_ref().id)?;
        let view = self.services.get_endpoint(&id).await?;
        Ok(Response::new(endpoint_to_proto(&view)))
    }

    async fn list_endpoints(
        &self,
        request: Request<proto::ListEndpointsRequest>,
    ) -> Result<Response<proto::ListEndpointsResponse>, Status> {
        let request = request.into_inner();
        let page = page_request(request.page_size, &request.page_token)?;
        let views = self
            .services
            .list_endpoints(page.after(), page.fetch())
            .await?;
        let (views, next_page_token) = page.split(views, |view| view.record.id.to_string());
        Ok(Response::new(proto::ListEndpointsResponse {
            endpoints: views.iter().map(endpoint_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn update_endpoint(
        &self,
        request: Request<proto::UpdateEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        let (id, changes) =
            endpoints::endpoint_changes(request.get_ref(), &self.services.network_policy)?;
        let view = self.services.update_endpoint(&id, &changes).await?;
        Ok(Response::new(endpoint_to_proto(&view)))
    }

    async fn delete_endpoint(
        &self,
        request: Request<proto::DeleteEndpointRequest>,
    ) -> Result<Response<proto::DeleteEndpointResponse>, Status> {
        let id = endpoints::endpoint_id("id", &request.get_ref().id)?;
        let cancelled = self.services.delete_endpoint(&id).await?;
        Ok(Response::new(proto::DeleteEndpointResponse {
            cancelled_deliveries: cancelled,
        }))
    }

    async fn enable_endpoint(
        &self,
        request: Request<proto::EnableEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        let id = endpoints::endpoint_id("id", &request.get_ref().id)?;
        let view = self.services.enable_endpoint(&id).await?;
        Ok(Response::new(endpoint_to_proto(&view)))
    }

    async fn disable_endpoint(
        &self,
        request: Request<proto::DisableEndpointRequest>,
    ) -> Result<Response<proto::Endpoint>, Status> {
        let request = request.into_inner();
        let id = endpoints::endpoint_id("id", &request.id)?;
        let reason = endpoints::disable_reason(&request.reason)?;
        let view = self.services.disable_endpoint(&id, reason).await?;
        Ok(Response::new(endpoint_to_proto(&view)))
    }

    async fn rotate_endpoint_secret(
        &self,
        request: Request<proto::RotateEndpointSecretRequest>,
    ) -> Result<Response<proto::RotateEndpointSecretResponse>, Status> {
        let request = request.into_inner();
        let id = endpoints::endpoint_id("id", &request.id)?;
        let grace = endpoints::rotation_grace(request.grace_period_seconds)?;
        let rotated = self.services.rotate_endpoint_secret(&id, grace).await?;
        Ok(Response::new(proto::RotateEndpointSecretResponse {
            endpoint: Some(endpoint_to_proto(&rotated.endpoint)),
            new_secret: rotated.new_secret,
        }))
    }

    async fn create_api_key(
        &self,
        request: Request<proto::CreateApiKeyRequest>,
    ) -> Result<Response<proto::CreateApiKeyResponse>, Status> {
        let request = request.into_inner();
        let name = service::parse_key_name(&request.name)?;
        let role = role_from_proto(request.role)?;
        let (view, key) = self.services.create_api_key(name, role).await?;
        Ok(Response::new(proto::CreateApiKeyResponse {
            api_key: Some(key_to_proto(&view)),
            key,
        }))
    }

    async fn list_api_keys(
        &self,
        request: Request<proto::ListApiKeysRequest>,
    ) -> Result<Response<proto::ListApiKeysResponse>, Status> {
        let keys = self
            .services
            .list_api_keys(request.get_ref().include_revoked)
            .await?;
        Ok(Response::new(proto::ListApiKeysResponse {
            api_keys: keys.iter().map(key_to_proto).collect(),
        }))
    }

    async fn list_event_types(
        &self,
        _request: Request<proto::ListEventTypesRequest>,
    ) -> Result<Response<proto::ListEventTypesResponse>, Status> {
        let catalog = &self.services.catalog;
        Ok(Response::new(proto::ListEventTypesResponse {
            event_types: catalog
                .entries()
                .map(|entry| proto::EventTypeDefinition {
                    name: entry.event_type.to_string(),
                    description: entry.description.clone(),
                    schema: entry.schema().map(struct_from_json),
                })
                .collect(),
            unknown_types_allowed: catalog.unknown_types == UnknownTypes::Allow,
        }))
    }

    async fn revoke_api_key(
        &self,
        request: Request<proto::RevokeApiKeyRequest>,
    ) -> Result<Response<proto::ApiKey>, Status> {
        let name = service::parse_key_name(&request.get_ref().name)?;
        let view = self.services.revoke_api_key(&name).await?;
        Ok(Response::new(key_to_proto(&view)))
    }

    type StreamDeliveriesStream = DeliveryUpdateStream;

    async fn stream_deliveries(
        &self,
        request: Request<StreamDeliveriesRequest>,
    ) -> Result<Response<Self::StreamDeliveriesStream>, Status> {
        Ok(Response::new(
            stream::open(
                &self.services.updates,
                self.store(),
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
            metrics::scope(u64::from(request.window_seconds), &request.endpoint_id)?;
        if let Some(id) = &endpoint
            && self
                .store()
                .get_endpoint(id)
                .await
                .map_err(ApiError::from)?
                .is_none()
        {
            return Err(ApiError::from(StoreError::EndpointNotFound(id.to_string())).into());
        }
        let report = metrics::report(&self.services, window, endpoint.as_ref(), now_millis())
            .await
            .map_err(ApiError::from)?;
        Ok(Response::new(report_to_proto(&report)))
    }
}
