// Original file: ../../proto/webhook/v1/webhook.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApiKey as _webhook_v1_ApiKey, ApiKey__Output as _webhook_v1_ApiKey__Output } from '../../webhook/v1/ApiKey';
import type { CreateApiKeyRequest as _webhook_v1_CreateApiKeyRequest, CreateApiKeyRequest__Output as _webhook_v1_CreateApiKeyRequest__Output } from '../../webhook/v1/CreateApiKeyRequest';
import type { CreateApiKeyResponse as _webhook_v1_CreateApiKeyResponse, CreateApiKeyResponse__Output as _webhook_v1_CreateApiKeyResponse__Output } from '../../webhook/v1/CreateApiKeyResponse';
import type { CreateEndpointRequest as _webhook_v1_CreateEndpointRequest, CreateEndpointRequest__Output as _webhook_v1_CreateEndpointRequest__Output } from '../../webhook/v1/CreateEndpointRequest';
import type { DeleteEndpointRequest as _webhook_v1_DeleteEndpointRequest, DeleteEndpointRequest__Output as _webhook_v1_DeleteEndpointRequest__Output } from '../../webhook/v1/DeleteEndpointRequest';
import type { DeleteEndpointResponse as _webhook_v1_DeleteEndpointResponse, DeleteEndpointResponse__Output as _webhook_v1_DeleteEndpointResponse__Output } from '../../webhook/v1/DeleteEndpointResponse';
import type { DeliveryUpdate as _webhook_v1_DeliveryUpdate, DeliveryUpdate__Output as _webhook_v1_DeliveryUpdate__Output } from '../../webhook/v1/DeliveryUpdate';
import type { DisableEndpointRequest as _webhook_v1_DisableEndpointRequest, DisableEndpointRequest__Output as _webhook_v1_DisableEndpointRequest__Output } from '../../webhook/v1/DisableEndpointRequest';
import type { DispatchRequest as _webhook_v1_DispatchRequest, DispatchRequest__Output as _webhook_v1_DispatchRequest__Output } from '../../webhook/v1/DispatchRequest';
import type { DispatchResponse as _webhook_v1_DispatchResponse, DispatchResponse__Output as _webhook_v1_DispatchResponse__Output } from '../../webhook/v1/DispatchResponse';
import type { EnableEndpointRequest as _webhook_v1_EnableEndpointRequest, EnableEndpointRequest__Output as _webhook_v1_EnableEndpointRequest__Output } from '../../webhook/v1/EnableEndpointRequest';
import type { Endpoint as _webhook_v1_Endpoint, Endpoint__Output as _webhook_v1_Endpoint__Output } from '../../webhook/v1/Endpoint';
import type { GetEndpointRequest as _webhook_v1_GetEndpointRequest, GetEndpointRequest__Output as _webhook_v1_GetEndpointRequest__Output } from '../../webhook/v1/GetEndpointRequest';
import type { GetEventRequest as _webhook_v1_GetEventRequest, GetEventRequest__Output as _webhook_v1_GetEventRequest__Output } from '../../webhook/v1/GetEventRequest';
import type { GetEventResponse as _webhook_v1_GetEventResponse, GetEventResponse__Output as _webhook_v1_GetEventResponse__Output } from '../../webhook/v1/GetEventResponse';
import type { GetMetricsRequest as _webhook_v1_GetMetricsRequest, GetMetricsRequest__Output as _webhook_v1_GetMetricsRequest__Output } from '../../webhook/v1/GetMetricsRequest';
import type { GetMetricsResponse as _webhook_v1_GetMetricsResponse, GetMetricsResponse__Output as _webhook_v1_GetMetricsResponse__Output } from '../../webhook/v1/GetMetricsResponse';
import type { ListApiKeysRequest as _webhook_v1_ListApiKeysRequest, ListApiKeysRequest__Output as _webhook_v1_ListApiKeysRequest__Output } from '../../webhook/v1/ListApiKeysRequest';
import type { ListApiKeysResponse as _webhook_v1_ListApiKeysResponse, ListApiKeysResponse__Output as _webhook_v1_ListApiKeysResponse__Output } from '../../webhook/v1/ListApiKeysResponse';
import type { ListDeadLettersRequest as _webhook_v1_ListDeadLettersRequest, ListDeadLettersRequest__Output as _webhook_v1_ListDeadLettersRequest__Output } from '../../webhook/v1/ListDeadLettersRequest';
import type { ListDeliveriesRequest as _webhook_v1_ListDeliveriesRequest, ListDeliveriesRequest__Output as _webhook_v1_ListDeliveriesRequest__Output } from '../../webhook/v1/ListDeliveriesRequest';
import type { ListDeliveriesResponse as _webhook_v1_ListDeliveriesResponse, ListDeliveriesResponse__Output as _webhook_v1_ListDeliveriesResponse__Output } from '../../webhook/v1/ListDeliveriesResponse';
import type { ListEndpointsRequest as _webhook_v1_ListEndpointsRequest, ListEndpointsRequest__Output as _webhook_v1_ListEndpointsRequest__Output } from '../../webhook/v1/ListEndpointsRequest';
import type { ListEndpointsResponse as _webhook_v1_ListEndpointsResponse, ListEndpointsResponse__Output as _webhook_v1_ListEndpointsResponse__Output } from '../../webhook/v1/ListEndpointsResponse';
import type { ListEventTypesRequest as _webhook_v1_ListEventTypesRequest, ListEventTypesRequest__Output as _webhook_v1_ListEventTypesRequest__Output } from '../../webhook/v1/ListEventTypesRequest';
import type { ListEventTypesResponse as _webhook_v1_ListEventTypesResponse, ListEventTypesResponse__Output as _webhook_v1_ListEventTypesResponse__Output } from '../../webhook/v1/ListEventTypesResponse';
import type { ListEventsRequest as _webhook_v1_ListEventsRequest, ListEventsRequest__Output as _webhook_v1_ListEventsRequest__Output } from '../../webhook/v1/ListEventsRequest';
import type { ListEventsResponse as _webhook_v1_ListEventsResponse, ListEventsResponse__Output as _webhook_v1_ListEventsResponse__Output } from '../../webhook/v1/ListEventsResponse';
import type { RedriveDeadLettersRequest as _webhook_v1_RedriveDeadLettersRequest, RedriveDeadLettersRequest__Output as _webhook_v1_RedriveDeadLettersRequest__Output } from '../../webhook/v1/RedriveDeadLettersRequest';
import type { RedriveDeadLettersResponse as _webhook_v1_RedriveDeadLettersResponse, RedriveDeadLettersResponse__Output as _webhook_v1_RedriveDeadLettersResponse__Output } from '../../webhook/v1/RedriveDeadLettersResponse';
import type { ReplayRequest as _webhook_v1_ReplayRequest, ReplayRequest__Output as _webhook_v1_ReplayRequest__Output } from '../../webhook/v1/ReplayRequest';
import type { ReplayResponse as _webhook_v1_ReplayResponse, ReplayResponse__Output as _webhook_v1_ReplayResponse__Output } from '../../webhook/v1/ReplayResponse';
import type { RevokeApiKeyRequest as _webhook_v1_RevokeApiKeyRequest, RevokeApiKeyRequest__Output as _webhook_v1_RevokeApiKeyRequest__Output } from '../../webhook/v1/RevokeApiKeyRequest';
import type { RotateEndpointSecretRequest as _webhook_v1_RotateEndpointSecretRequest, RotateEndpointSecretRequest__Output as _webhook_v1_RotateEndpointSecretRequest__Output } from '../../webhook/v1/RotateEndpointSecretRequest';
import type { RotateEndpointSecretResponse as _webhook_v1_RotateEndpointSecretResponse, RotateEndpointSecretResponse__Output as _webhook_v1_RotateEndpointSecretResponse__Output } from '../../webhook/v1/RotateEndpointSecretResponse';
import type { StreamDeliveriesRequest as _webhook_v1_StreamDeliveriesRequest, StreamDeliveriesRequest__Output as _webhook_v1_StreamDeliveriesRequest__Output } from '../../webhook/v1/StreamDeliveriesRequest';
import type { UpdateEndpointRequest as _webhook_v1_UpdateEndpointRequest, UpdateEndpointRequest__Output as _webhook_v1_UpdateEndpointRequest__Output } from '../../webhook/v1/UpdateEndpointRequest';

/**
 * WebhookService is the API that producers and operators use.
 */
export interface WebhookServiceClient extends grpc.Client {
  /**
   * API keys managed over the API (admin role), beside those of the config
   * file. A key is shown once, in the CreateApiKey response; webhookd keeps
   * only its SHA-256. Revoked keys stop working on every instance within a
   * few seconds.
   */
  CreateApiKey(argument: _webhook_v1_CreateApiKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  CreateApiKey(argument: _webhook_v1_CreateApiKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  CreateApiKey(argument: _webhook_v1_CreateApiKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  CreateApiKey(argument: _webhook_v1_CreateApiKeyRequest, callback: grpc.requestCallback<_webhook_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  /**
   * API keys managed over the API (admin role), beside those of the config
   * file. A key is shown once, in the CreateApiKey response; webhookd keeps
   * only its SHA-256. Revoked keys stop working on every instance within a
   * few seconds.
   */
  createApiKey(argument: _webhook_v1_CreateApiKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  createApiKey(argument: _webhook_v1_CreateApiKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  createApiKey(argument: _webhook_v1_CreateApiKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  createApiKey(argument: _webhook_v1_CreateApiKeyRequest, callback: grpc.requestCallback<_webhook_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Endpoint management. Endpoints created here survive restarts; an
   * endpoint of the config file with the same id is overwritten by the file
   * at the next start.
   */
  CreateEndpoint(argument: _webhook_v1_CreateEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  CreateEndpoint(argument: _webhook_v1_CreateEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  CreateEndpoint(argument: _webhook_v1_CreateEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  CreateEndpoint(argument: _webhook_v1_CreateEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  /**
   * Endpoint management. Endpoints created here survive restarts; an
   * endpoint of the config file with the same id is overwritten by the file
   * at the next start.
   */
  createEndpoint(argument: _webhook_v1_CreateEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _webhook_v1_CreateEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _webhook_v1_CreateEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  createEndpoint(argument: _webhook_v1_CreateEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  
  /**
   * DeleteEndpoint removes an endpoint. Its pending deliveries end in the
   * state CANCELLED; its history stays in the log.
   */
  DeleteEndpoint(argument: _webhook_v1_DeleteEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_DeleteEndpointResponse__Output>): grpc.ClientUnaryCall;
  DeleteEndpoint(argument: _webhook_v1_DeleteEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_DeleteEndpointResponse__Output>): grpc.ClientUnaryCall;
  DeleteEndpoint(argument: _webhook_v1_DeleteEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_DeleteEndpointResponse__Output>): grpc.ClientUnaryCall;
  DeleteEndpoint(argument: _webhook_v1_DeleteEndpointRequest, callback: grpc.requestCallback<_webhook_v1_DeleteEndpointResponse__Output>): grpc.ClientUnaryCall;
  /**
   * DeleteEndpoint removes an endpoint. Its pending deliveries end in the
   * state CANCELLED; its history stays in the log.
   */
  deleteEndpoint(argument: _webhook_v1_DeleteEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_DeleteEndpointResponse__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _webhook_v1_DeleteEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_DeleteEndpointResponse__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _webhook_v1_DeleteEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_DeleteEndpointResponse__Output>): grpc.ClientUnaryCall;
  deleteEndpoint(argument: _webhook_v1_DeleteEndpointRequest, callback: grpc.requestCallback<_webhook_v1_DeleteEndpointResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * DisableEndpoint pauses an endpoint: no attempts, new events are stored
   * but not sent until it is enabled again.
   */
  DisableEndpoint(argument: _webhook_v1_DisableEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  DisableEndpoint(argument: _webhook_v1_DisableEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  DisableEndpoint(argument: _webhook_v1_DisableEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  DisableEndpoint(argument: _webhook_v1_DisableEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  /**
   * DisableEndpoint pauses an endpoint: no attempts, new events are stored
   * but not sent until it is enabled again.
   */
  disableEndpoint(argument: _webhook_v1_DisableEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  disableEndpoint(argument: _webhook_v1_DisableEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  disableEndpoint(argument: _webhook_v1_DisableEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  disableEndpoint(argument: _webhook_v1_DisableEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  
  /**
   * Dispatch stores an event and schedules one delivery per endpoint that
   * subscribes to its type. It returns only after the event and its
   * deliveries are committed to the store.
   * 
   * Errors: INVALID_ARGUMENT for a malformed event type or payload,
   * NOT_FOUND for an unknown endpoint id, FAILED_PRECONDITION for a targeted
   * endpoint that is not active, UNAVAILABLE when the store cannot commit.
   * 
   * W3C trace context sent as gRPC metadata (traceparent, tracestate)
   * travels with the event into every delivery request.
   */
  Dispatch(argument: _webhook_v1_DispatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_DispatchResponse__Output>): grpc.ClientUnaryCall;
  Dispatch(argument: _webhook_v1_DispatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_DispatchResponse__Output>): grpc.ClientUnaryCall;
  Dispatch(argument: _webhook_v1_DispatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_DispatchResponse__Output>): grpc.ClientUnaryCall;
  Dispatch(argument: _webhook_v1_DispatchRequest, callback: grpc.requestCallback<_webhook_v1_DispatchResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Dispatch stores an event and schedules one delivery per endpoint that
   * subscribes to its type. It returns only after the event and its
   * deliveries are committed to the store.
   * 
   * Errors: INVALID_ARGUMENT for a malformed event type or payload,
   * NOT_FOUND for an unknown endpoint id, FAILED_PRECONDITION for a targeted
   * endpoint that is not active, UNAVAILABLE when the store cannot commit.
   * 
   * W3C trace context sent as gRPC metadata (traceparent, tracestate)
   * travels with the event into every delivery request.
   */
  dispatch(argument: _webhook_v1_DispatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_DispatchResponse__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _webhook_v1_DispatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_DispatchResponse__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _webhook_v1_DispatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_DispatchResponse__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _webhook_v1_DispatchRequest, callback: grpc.requestCallback<_webhook_v1_DispatchResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * EnableEndpoint re-enables an endpoint, resets its failure count and
   * resumes its paused deliveries.
   */
  EnableEndpoint(argument: _webhook_v1_EnableEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  EnableEndpoint(argument: _webhook_v1_EnableEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  EnableEndpoint(argument: _webhook_v1_EnableEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  EnableEndpoint(argument: _webhook_v1_EnableEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  /**
   * EnableEndpoint re-enables an endpoint, resets its failure count and
   * resumes its paused deliveries.
   */
  enableEndpoint(argument: _webhook_v1_EnableEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  enableEndpoint(argument: _webhook_v1_EnableEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  enableEndpoint(argument: _webhook_v1_EnableEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  enableEndpoint(argument: _webhook_v1_EnableEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  
  GetEndpoint(argument: _webhook_v1_GetEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  GetEndpoint(argument: _webhook_v1_GetEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  GetEndpoint(argument: _webhook_v1_GetEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  GetEndpoint(argument: _webhook_v1_GetEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  getEndpoint(argument: _webhook_v1_GetEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  getEndpoint(argument: _webhook_v1_GetEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  getEndpoint(argument: _webhook_v1_GetEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  getEndpoint(argument: _webhook_v1_GetEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  
  /**
   * GetEvent returns an event exactly as it was signed, with every delivery
   * and every attempt.
   */
  GetEvent(argument: _webhook_v1_GetEventRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_GetEventResponse__Output>): grpc.ClientUnaryCall;
  GetEvent(argument: _webhook_v1_GetEventRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_GetEventResponse__Output>): grpc.ClientUnaryCall;
  GetEvent(argument: _webhook_v1_GetEventRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_GetEventResponse__Output>): grpc.ClientUnaryCall;
  GetEvent(argument: _webhook_v1_GetEventRequest, callback: grpc.requestCallback<_webhook_v1_GetEventResponse__Output>): grpc.ClientUnaryCall;
  /**
   * GetEvent returns an event exactly as it was signed, with every delivery
   * and every attempt.
   */
  getEvent(argument: _webhook_v1_GetEventRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_GetEventResponse__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _webhook_v1_GetEventRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_GetEventResponse__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _webhook_v1_GetEventRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_GetEventResponse__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _webhook_v1_GetEventRequest, callback: grpc.requestCallback<_webhook_v1_GetEventResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * GetMetrics returns delivery statistics over a time window.
   */
  GetMetrics(argument: _webhook_v1_GetMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_GetMetricsResponse__Output>): grpc.ClientUnaryCall;
  GetMetrics(argument: _webhook_v1_GetMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_GetMetricsResponse__Output>): grpc.ClientUnaryCall;
  GetMetrics(argument: _webhook_v1_GetMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_GetMetricsResponse__Output>): grpc.ClientUnaryCall;
  GetMetrics(argument: _webhook_v1_GetMetricsRequest, callback: grpc.requestCallback<_webhook_v1_GetMetricsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * GetMetrics returns delivery statistics over a time window.
   */
  getMetrics(argument: _webhook_v1_GetMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_GetMetricsResponse__Output>): grpc.ClientUnaryCall;
  getMetrics(argument: _webhook_v1_GetMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_GetMetricsResponse__Output>): grpc.ClientUnaryCall;
  getMetrics(argument: _webhook_v1_GetMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_GetMetricsResponse__Output>): grpc.ClientUnaryCall;
  getMetrics(argument: _webhook_v1_GetMetricsRequest, callback: grpc.requestCallback<_webhook_v1_GetMetricsResponse__Output>): grpc.ClientUnaryCall;
  
  ListApiKeys(argument: _webhook_v1_ListApiKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  ListApiKeys(argument: _webhook_v1_ListApiKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  ListApiKeys(argument: _webhook_v1_ListApiKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  ListApiKeys(argument: _webhook_v1_ListApiKeysRequest, callback: grpc.requestCallback<_webhook_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  listApiKeys(argument: _webhook_v1_ListApiKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  listApiKeys(argument: _webhook_v1_ListApiKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  listApiKeys(argument: _webhook_v1_ListApiKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  listApiKeys(argument: _webhook_v1_ListApiKeysRequest, callback: grpc.requestCallback<_webhook_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ListDeadLetters pages through dead-lettered deliveries, oldest first.
   */
  ListDeadLetters(argument: _webhook_v1_ListDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  ListDeadLetters(argument: _webhook_v1_ListDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  ListDeadLetters(argument: _webhook_v1_ListDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  ListDeadLetters(argument: _webhook_v1_ListDeadLettersRequest, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ListDeadLetters pages through dead-lettered deliveries, oldest first.
   */
  listDeadLetters(argument: _webhook_v1_ListDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  listDeadLetters(argument: _webhook_v1_ListDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  listDeadLetters(argument: _webhook_v1_ListDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  listDeadLetters(argument: _webhook_v1_ListDeadLettersRequest, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ListDeliveries pages through deliveries, oldest first.
   */
  ListDeliveries(argument: _webhook_v1_ListDeliveriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  ListDeliveries(argument: _webhook_v1_ListDeliveriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  ListDeliveries(argument: _webhook_v1_ListDeliveriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  ListDeliveries(argument: _webhook_v1_ListDeliveriesRequest, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ListDeliveries pages through deliveries, oldest first.
   */
  listDeliveries(argument: _webhook_v1_ListDeliveriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  listDeliveries(argument: _webhook_v1_ListDeliveriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  listDeliveries(argument: _webhook_v1_ListDeliveriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  listDeliveries(argument: _webhook_v1_ListDeliveriesRequest, callback: grpc.requestCallback<_webhook_v1_ListDeliveriesResponse__Output>): grpc.ClientUnaryCall;
  
  ListEndpoints(argument: _webhook_v1_ListEndpointsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEndpointsResponse__Output>): grpc.ClientUnaryCall;
  ListEndpoints(argument: _webhook_v1_ListEndpointsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListEndpointsResponse__Output>): grpc.ClientUnaryCall;
  ListEndpoints(argument: _webhook_v1_ListEndpointsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEndpointsResponse__Output>): grpc.ClientUnaryCall;
  ListEndpoints(argument: _webhook_v1_ListEndpointsRequest, callback: grpc.requestCallback<_webhook_v1_ListEndpointsResponse__Output>): grpc.ClientUnaryCall;
  listEndpoints(argument: _webhook_v1_ListEndpointsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEndpointsResponse__Output>): grpc.ClientUnaryCall;
  listEndpoints(argument: _webhook_v1_ListEndpointsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListEndpointsResponse__Output>): grpc.ClientUnaryCall;
  listEndpoints(argument: _webhook_v1_ListEndpointsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEndpointsResponse__Output>): grpc.ClientUnaryCall;
  listEndpoints(argument: _webhook_v1_ListEndpointsRequest, callback: grpc.requestCallback<_webhook_v1_ListEndpointsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The event-type catalog (event_catalog in the config file): the event
   * types producers may send, each with a description and optionally the
   * JSON Schema that Dispatch checks its payloads against. Open to every
   * API key role.
   */
  ListEventTypes(argument: _webhook_v1_ListEventTypesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEventTypesResponse__Output>): grpc.ClientUnaryCall;
  ListEventTypes(argument: _webhook_v1_ListEventTypesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListEventTypesResponse__Output>): grpc.ClientUnaryCall;
  ListEventTypes(argument: _webhook_v1_ListEventTypesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEventTypesResponse__Output>): grpc.ClientUnaryCall;
  ListEventTypes(argument: _webhook_v1_ListEventTypesRequest, callback: grpc.requestCallback<_webhook_v1_ListEventTypesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The event-type catalog (event_catalog in the config file): the event
   * types producers may send, each with a description and optionally the
   * JSON Schema that Dispatch checks its payloads against. Open to every
   * API key role.
   */
  listEventTypes(argument: _webhook_v1_ListEventTypesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEventTypesResponse__Output>): grpc.ClientUnaryCall;
  listEventTypes(argument: _webhook_v1_ListEventTypesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListEventTypesResponse__Output>): grpc.ClientUnaryCall;
  listEventTypes(argument: _webhook_v1_ListEventTypesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEventTypesResponse__Output>): grpc.ClientUnaryCall;
  listEventTypes(argument: _webhook_v1_ListEventTypesRequest, callback: grpc.requestCallback<_webhook_v1_ListEventTypesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ListEvents pages through the event log, oldest first.
   */
  ListEvents(argument: _webhook_v1_ListEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  ListEvents(argument: _webhook_v1_ListEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  ListEvents(argument: _webhook_v1_ListEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  ListEvents(argument: _webhook_v1_ListEventsRequest, callback: grpc.requestCallback<_webhook_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ListEvents pages through the event log, oldest first.
   */
  listEvents(argument: _webhook_v1_ListEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _webhook_v1_ListEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _webhook_v1_ListEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  listEvents(argument: _webhook_v1_ListEventsRequest, callback: grpc.requestCallback<_webhook_v1_ListEventsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * RedriveDeadLetters gives dead-lettered deliveries a fresh retry cycle.
   */
  RedriveDeadLetters(argument: _webhook_v1_RedriveDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  RedriveDeadLetters(argument: _webhook_v1_RedriveDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  RedriveDeadLetters(argument: _webhook_v1_RedriveDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  RedriveDeadLetters(argument: _webhook_v1_RedriveDeadLettersRequest, callback: grpc.requestCallback<_webhook_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * RedriveDeadLetters gives dead-lettered deliveries a fresh retry cycle.
   */
  redriveDeadLetters(argument: _webhook_v1_RedriveDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  redriveDeadLetters(argument: _webhook_v1_RedriveDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  redriveDeadLetters(argument: _webhook_v1_RedriveDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  redriveDeadLetters(argument: _webhook_v1_RedriveDeadLettersRequest, callback: grpc.requestCallback<_webhook_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Replay sends stored events again as new deliveries, linked to the event
   * (and to the delivery they repeat), signed afresh, with the same event id
   * in X-Webhook-Id. Either one event (event_id), or every delivery that
   * matches a filter.
   * 
   * Errors: NOT_FOUND for an unknown event or endpoint, FAILED_PRECONDITION
   * for a disabled endpoint, INVALID_ARGUMENT for a bad filter.
   */
  Replay(argument: _webhook_v1_ReplayRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ReplayResponse__Output>): grpc.ClientUnaryCall;
  Replay(argument: _webhook_v1_ReplayRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ReplayResponse__Output>): grpc.ClientUnaryCall;
  Replay(argument: _webhook_v1_ReplayRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ReplayResponse__Output>): grpc.ClientUnaryCall;
  Replay(argument: _webhook_v1_ReplayRequest, callback: grpc.requestCallback<_webhook_v1_ReplayResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Replay sends stored events again as new deliveries, linked to the event
   * (and to the delivery they repeat), signed afresh, with the same event id
   * in X-Webhook-Id. Either one event (event_id), or every delivery that
   * matches a filter.
   * 
   * Errors: NOT_FOUND for an unknown event or endpoint, FAILED_PRECONDITION
   * for a disabled endpoint, INVALID_ARGUMENT for a bad filter.
   */
  replay(argument: _webhook_v1_ReplayRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ReplayResponse__Output>): grpc.ClientUnaryCall;
  replay(argument: _webhook_v1_ReplayRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ReplayResponse__Output>): grpc.ClientUnaryCall;
  replay(argument: _webhook_v1_ReplayRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ReplayResponse__Output>): grpc.ClientUnaryCall;
  replay(argument: _webhook_v1_ReplayRequest, callback: grpc.requestCallback<_webhook_v1_ReplayResponse__Output>): grpc.ClientUnaryCall;
  
  RevokeApiKey(argument: _webhook_v1_RevokeApiKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  RevokeApiKey(argument: _webhook_v1_RevokeApiKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  RevokeApiKey(argument: _webhook_v1_RevokeApiKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  RevokeApiKey(argument: _webhook_v1_RevokeApiKeyRequest, callback: grpc.requestCallback<_webhook_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  revokeApiKey(argument: _webhook_v1_RevokeApiKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  revokeApiKey(argument: _webhook_v1_RevokeApiKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  revokeApiKey(argument: _webhook_v1_RevokeApiKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  revokeApiKey(argument: _webhook_v1_RevokeApiKeyRequest, callback: grpc.requestCallback<_webhook_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  
  /**
   * RotateEndpointSecret makes a new signing secret. The previous secret
   * stays valid for the grace period: meanwhile every request carries both
   * signatures.
   */
  RotateEndpointSecret(argument: _webhook_v1_RotateEndpointSecretRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_RotateEndpointSecretResponse__Output>): grpc.ClientUnaryCall;
  RotateEndpointSecret(argument: _webhook_v1_RotateEndpointSecretRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_RotateEndpointSecretResponse__Output>): grpc.ClientUnaryCall;
  RotateEndpointSecret(argument: _webhook_v1_RotateEndpointSecretRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_RotateEndpointSecretResponse__Output>): grpc.ClientUnaryCall;
  RotateEndpointSecret(argument: _webhook_v1_RotateEndpointSecretRequest, callback: grpc.requestCallback<_webhook_v1_RotateEndpointSecretResponse__Output>): grpc.ClientUnaryCall;
  /**
   * RotateEndpointSecret makes a new signing secret. The previous secret
   * stays valid for the grace period: meanwhile every request carries both
   * signatures.
   */
  rotateEndpointSecret(argument: _webhook_v1_RotateEndpointSecretRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_RotateEndpointSecretResponse__Output>): grpc.ClientUnaryCall;
  rotateEndpointSecret(argument: _webhook_v1_RotateEndpointSecretRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_RotateEndpointSecretResponse__Output>): grpc.ClientUnaryCall;
  rotateEndpointSecret(argument: _webhook_v1_RotateEndpointSecretRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_RotateEndpointSecretResponse__Output>): grpc.ClientUnaryCall;
  rotateEndpointSecret(argument: _webhook_v1_RotateEndpointSecretRequest, callback: grpc.requestCallback<_webhook_v1_RotateEndpointSecretResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * StreamDeliveries streams delivery and endpoint state changes as they
   * happen, optionally starting with recent history.
   */
  StreamDeliveries(argument: _webhook_v1_StreamDeliveriesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_webhook_v1_DeliveryUpdate__Output>;
  StreamDeliveries(argument: _webhook_v1_StreamDeliveriesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_webhook_v1_DeliveryUpdate__Output>;
  /**
   * StreamDeliveries streams delivery and endpoint state changes as they
   * happen, optionally starting with recent history.
   */
  streamDeliveries(argument: _webhook_v1_StreamDeliveriesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_webhook_v1_DeliveryUpdate__Output>;
  streamDeliveries(argument: _webhook_v1_StreamDeliveriesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_webhook_v1_DeliveryUpdate__Output>;
  
  UpdateEndpoint(argument: _webhook_v1_UpdateEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  UpdateEndpoint(argument: _webhook_v1_UpdateEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  UpdateEndpoint(argument: _webhook_v1_UpdateEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  UpdateEndpoint(argument: _webhook_v1_UpdateEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  updateEndpoint(argument: _webhook_v1_UpdateEndpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  updateEndpoint(argument: _webhook_v1_UpdateEndpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  updateEndpoint(argument: _webhook_v1_UpdateEndpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  updateEndpoint(argument: _webhook_v1_UpdateEndpointRequest, callback: grpc.requestCallback<_webhook_v1_Endpoint__Output>): grpc.ClientUnaryCall;
  
}

/**
 * WebhookService is the API that producers and operators use.
 */
export interface WebhookServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * API keys managed over the API (admin role), beside those of the config
   * file. A key is shown once, in the CreateApiKey response; webhookd keeps
   * only its SHA-256. Revoked keys stop working on every instance within a
   * few seconds.
   */
  CreateApiKey: grpc.handleUnaryCall<_webhook_v1_CreateApiKeyRequest__Output, _webhook_v1_CreateApiKeyResponse>;
  
  /**
   * Endpoint management. Endpoints created here survive restarts; an
   * endpoint of the config file with the same id is overwritten by the file
   * at the next start.
   */
  CreateEndpoint: grpc.handleUnaryCall<_webhook_v1_CreateEndpointRequest__Output, _webhook_v1_Endpoint>;
  
  /**
   * DeleteEndpoint removes an endpoint. Its pending deliveries end in the
   * state CANCELLED; its history stays in the log.
   */
  DeleteEndpoint: grpc.handleUnaryCall<_webhook_v1_DeleteEndpointRequest__Output, _webhook_v1_DeleteEndpointResponse>;
  
  /**
   * DisableEndpoint pauses an endpoint: no attempts, new events are stored
   * but not sent until it is enabled again.
   */
  DisableEndpoint: grpc.handleUnaryCall<_webhook_v1_DisableEndpointRequest__Output, _webhook_v1_Endpoint>;
  
  /**
   * Dispatch stores an event and schedules one delivery per endpoint that
   * subscribes to its type. It returns only after the event and its
   * deliveries are committed to the store.
   * 
   * Errors: INVALID_ARGUMENT for a malformed event type or payload,
   * NOT_FOUND for an unknown endpoint id, FAILED_PRECONDITION for a targeted
   * endpoint that is not active, UNAVAILABLE when the store cannot commit.
   * 
   * W3C trace context sent as gRPC metadata (traceparent, tracestate)
   * travels with the event into every delivery request.
   */
  Dispatch: grpc.handleUnaryCall<_webhook_v1_DispatchRequest__Output, _webhook_v1_DispatchResponse>;
  
  /**
   * EnableEndpoint re-enables an endpoint, resets its failure count and
   * resumes its paused deliveries.
   */
  EnableEndpoint: grpc.handleUnaryCall<_webhook_v1_EnableEndpointRequest__Output, _webhook_v1_Endpoint>;
  
  GetEndpoint: grpc.handleUnaryCall<_webhook_v1_GetEndpointRequest__Output, _webhook_v1_Endpoint>;
  
  /**
   * GetEvent returns an event exactly as it was signed, with every delivery
   * and every attempt.
   */
  GetEvent: grpc.handleUnaryCall<_webhook_v1_GetEventRequest__Output, _webhook_v1_GetEventResponse>;
  
  /**
   * GetMetrics returns delivery statistics over a time window.
   */
  GetMetrics: grpc.handleUnaryCall<_webhook_v1_GetMetricsRequest__Output, _webhook_v1_GetMetricsResponse>;
  
  ListApiKeys: grpc.handleUnaryCall<_webhook_v1_ListApiKeysRequest__Output, _webhook_v1_ListApiKeysResponse>;
  
  /**
   * ListDeadLetters pages through dead-lettered deliveries, oldest first.
   */
  ListDeadLetters: grpc.handleUnaryCall<_webhook_v1_ListDeadLettersRequest__Output, _webhook_v1_ListDeliveriesResponse>;
  
  /**
   * ListDeliveries pages through deliveries, oldest first.
   */
  ListDeliveries: grpc.handleUnaryCall<_webhook_v1_ListDeliveriesRequest__Output, _webhook_v1_ListDeliveriesResponse>;
  
  ListEndpoints: grpc.handleUnaryCall<_webhook_v1_ListEndpointsRequest__Output, _webhook_v1_ListEndpointsResponse>;
  
  /**
   * The event-type catalog (event_catalog in the config file): the event
   * types producers may send, each with a description and optionally the
   * JSON Schema that Dispatch checks its payloads against. Open to every
   * API key role.
   */
  ListEventTypes: grpc.handleUnaryCall<_webhook_v1_ListEventTypesRequest__Output, _webhook_v1_ListEventTypesResponse>;
  
  /**
   * ListEvents pages through the event log, oldest first.
   */
  ListEvents: grpc.handleUnaryCall<_webhook_v1_ListEventsRequest__Output, _webhook_v1_ListEventsResponse>;
  
  /**
   * RedriveDeadLetters gives dead-lettered deliveries a fresh retry cycle.
   */
  RedriveDeadLetters: grpc.handleUnaryCall<_webhook_v1_RedriveDeadLettersRequest__Output, _webhook_v1_RedriveDeadLettersResponse>;
  
  /**
   * Replay sends stored events again as new deliveries, linked to the event
   * (and to the delivery they repeat), signed afresh, with the same event id
   * in X-Webhook-Id. Either one event (event_id), or every delivery that
   * matches a filter.
   * 
   * Errors: NOT_FOUND for an unknown event or endpoint, FAILED_PRECONDITION
   * for a disabled endpoint, INVALID_ARGUMENT for a bad filter.
   */
  Replay: grpc.handleUnaryCall<_webhook_v1_ReplayRequest__Output, _webhook_v1_ReplayResponse>;
  
  RevokeApiKey: grpc.handleUnaryCall<_webhook_v1_RevokeApiKeyRequest__Output, _webhook_v1_ApiKey>;
  
  /**
   * RotateEndpointSecret makes a new signing secret. The previous secret
   * stays valid for the grace period: meanwhile every request carries both
   * signatures.
   */
  RotateEndpointSecret: grpc.handleUnaryCall<_webhook_v1_RotateEndpointSecretRequest__Output, _webhook_v1_RotateEndpointSecretResponse>;
  
  /**
   * StreamDeliveries streams delivery and endpoint state changes as they
   * happen, optionally starting with recent history.
   */
  StreamDeliveries: grpc.handleServerStreamingCall<_webhook_v1_StreamDeliveriesRequest__Output, _webhook_v1_DeliveryUpdate>;
  
  UpdateEndpoint: grpc.handleUnaryCall<_webhook_v1_UpdateEndpointRequest__Output, _webhook_v1_Endpoint>;
  
}

export interface WebhookServiceDefinition extends grpc.ServiceDefinition {
  CreateApiKey: MethodDefinition<_webhook_v1_CreateApiKeyRequest, _webhook_v1_CreateApiKeyResponse, _webhook_v1_CreateApiKeyRequest__Output, _webhook_v1_CreateApiKeyResponse__Output>
  CreateEndpoint: MethodDefinition<_webhook_v1_CreateEndpointRequest, _webhook_v1_Endpoint, _webhook_v1_CreateEndpointRequest__Output, _webhook_v1_Endpoint__Output>
  DeleteEndpoint: MethodDefinition<_webhook_v1_DeleteEndpointRequest, _webhook_v1_DeleteEndpointResponse, _webhook_v1_DeleteEndpointRequest__Output, _webhook_v1_DeleteEndpointResponse__Output>
  DisableEndpoint: MethodDefinition<_webhook_v1_DisableEndpointRequest, _webhook_v1_Endpoint, _webhook_v1_DisableEndpointRequest__Output, _webhook_v1_Endpoint__Output>
  Dispatch: MethodDefinition<_webhook_v1_DispatchRequest, _webhook_v1_DispatchResponse, _webhook_v1_DispatchRequest__Output, _webhook_v1_DispatchResponse__Output>
  EnableEndpoint: MethodDefinition<_webhook_v1_EnableEndpointRequest, _webhook_v1_Endpoint, _webhook_v1_EnableEndpointRequest__Output, _webhook_v1_Endpoint__Output>
  GetEndpoint: MethodDefinition<_webhook_v1_GetEndpointRequest, _webhook_v1_Endpoint, _webhook_v1_GetEndpointRequest__Output, _webhook_v1_Endpoint__Output>
  GetEvent: MethodDefinition<_webhook_v1_GetEventRequest, _webhook_v1_GetEventResponse, _webhook_v1_GetEventRequest__Output, _webhook_v1_GetEventResponse__Output>
  GetMetrics: MethodDefinition<_webhook_v1_GetMetricsRequest, _webhook_v1_GetMetricsResponse, _webhook_v1_GetMetricsRequest__Output, _webhook_v1_GetMetricsResponse__Output>
  ListApiKeys: MethodDefinition<_webhook_v1_ListApiKeysRequest, _webhook_v1_ListApiKeysResponse, _webhook_v1_ListApiKeysRequest__Output, _webhook_v1_ListApiKeysResponse__Output>
  ListDeadLetters: MethodDefinition<_webhook_v1_ListDeadLettersRequest, _webhook_v1_ListDeliveriesResponse, _webhook_v1_ListDeadLettersRequest__Output, _webhook_v1_ListDeliveriesResponse__Output>
  ListDeliveries: MethodDefinition<_webhook_v1_ListDeliveriesRequest, _webhook_v1_ListDeliveriesResponse, _webhook_v1_ListDeliveriesRequest__Output, _webhook_v1_ListDeliveriesResponse__Output>
  ListEndpoints: MethodDefinition<_webhook_v1_ListEndpointsRequest, _webhook_v1_ListEndpointsResponse, _webhook_v1_ListEndpointsRequest__Output, _webhook_v1_ListEndpointsResponse__Output>
  ListEventTypes: MethodDefinition<_webhook_v1_ListEventTypesRequest, _webhook_v1_ListEventTypesResponse, _webhook_v1_ListEventTypesRequest__Output, _webhook_v1_ListEventTypesResponse__Output>
  ListEvents: MethodDefinition<_webhook_v1_ListEventsRequest, _webhook_v1_ListEventsResponse, _webhook_v1_ListEventsRequest__Output, _webhook_v1_ListEventsResponse__Output>
  RedriveDeadLetters: MethodDefinition<_webhook_v1_RedriveDeadLettersRequest, _webhook_v1_RedriveDeadLettersResponse, _webhook_v1_RedriveDeadLettersRequest__Output, _webhook_v1_RedriveDeadLettersResponse__Output>
  Replay: MethodDefinition<_webhook_v1_ReplayRequest, _webhook_v1_ReplayResponse, _webhook_v1_ReplayRequest__Output, _webhook_v1_ReplayResponse__Output>
  RevokeApiKey: MethodDefinition<_webhook_v1_RevokeApiKeyRequest, _webhook_v1_ApiKey, _webhook_v1_RevokeApiKeyRequest__Output, _webhook_v1_ApiKey__Output>
  RotateEndpointSecret: MethodDefinition<_webhook_v1_RotateEndpointSecretRequest, _webhook_v1_RotateEndpointSecretResponse, _webhook_v1_RotateEndpointSecretRequest__Output, _webhook_v1_RotateEndpointSecretResponse__Output>
  StreamDeliveries: MethodDefinition<_webhook_v1_StreamDeliveriesRequest, _webhook_v1_DeliveryUpdate, _webhook_v1_StreamDeliveriesRequest__Output, _webhook_v1_DeliveryUpdate__Output>
  UpdateEndpoint: MethodDefinition<_webhook_v1_UpdateEndpointRequest, _webhook_v1_Endpoint, _webhook_v1_UpdateEndpointRequest__Output, _webhook_v1_Endpoint__Output>
}
