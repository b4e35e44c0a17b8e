import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { FieldMask as _google_protobuf_FieldMask, FieldMask__Output as _google_protobuf_FieldMask__Output } from './google/protobuf/FieldMask';
import type { ListValue as _google_protobuf_ListValue, ListValue__Output as _google_protobuf_ListValue__Output } from './google/protobuf/ListValue';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from './google/protobuf/Struct';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from './google/protobuf/Value';
import type { ApiKey as _webhook_v1_ApiKey, ApiKey__Output as _webhook_v1_ApiKey__Output } from './webhook/v1/ApiKey';
import type { Attempt as _webhook_v1_Attempt, Attempt__Output as _webhook_v1_Attempt__Output } from './webhook/v1/Attempt';
import type { CreateApiKeyRequest as _webhook_v1_CreateApiKeyRequest, CreateApiKeyRequest__Output as _webhook_v1_CreateApiKeyRequest__Output } from './webhook/v1/CreateApiKeyRequest';
import type { CreateApiKeyResponse as _webhook_v1_CreateApiKeyResponse, CreateApiKeyResponse__Output as _webhook_v1_CreateApiKeyResponse__Output } from './webhook/v1/CreateApiKeyResponse';
import type { CreateEndpointRequest as _webhook_v1_CreateEndpointRequest, CreateEndpointRequest__Output as _webhook_v1_CreateEndpointRequest__Output } from './webhook/v1/CreateEndpointRequest';
import type { DeleteEndpointRequest as _webhook_v1_DeleteEndpointRequest, DeleteEndpointRequest__Output as _webhook_v1_DeleteEndpointRequest__Output } from './webhook/v1/DeleteEndpointRequest';
import type { DeleteEndpointResponse as _webhook_v1_DeleteEndpointResponse, DeleteEndpointResponse__Output as _webhook_v1_DeleteEndpointResponse__Output } from './webhook/v1/DeleteEndpointResponse';
import type { Delivery as _webhook_v1_Delivery, Delivery__Output as _webhook_v1_Delivery__Output } from './webhook/v1/Delivery';
import type { DeliveryFilter as _webhook_v1_DeliveryFilter, DeliveryFilter__Output as _webhook_v1_DeliveryFilter__Output } from './webhook/v1/DeliveryFilter';
import type { DeliveryUpdate as _webhook_v1_DeliveryUpdate, DeliveryUpdate__Output as _webhook_v1_DeliveryUpdate__Output } from './webhook/v1/DeliveryUpdate';
import type { DisableEndpointRequest as _webhook_v1_DisableEndpointRequest, DisableEndpointRequest__Output as _webhook_v1_DisableEndpointRequest__Output } from './webhook/v1/DisableEndpointRequest';
import type { DispatchRequest as _webhook_v1_DispatchRequest, DispatchRequest__Output as _webhook_v1_DispatchRequest__Output } from './webhook/v1/DispatchRequest';
import type { DispatchResponse as _webhook_v1_DispatchResponse, DispatchResponse__Output as _webhook_v1_DispatchResponse__Output } from './webhook/v1/DispatchResponse';
import type { EnableEndpointRequest as _webhook_v1_EnableEndpointRequest, EnableEndpointRequest__Output as _webhook_v1_EnableEndpointRequest__Output } from './webhook/v1/EnableEndpointRequest';
import type { Endpoint as _webhook_v1_Endpoint, Endpoint__Output as _webhook_v1_Endpoint__Output } from './webhook/v1/Endpoint';
import type { EndpointRetryPolicy as _webhook_v1_EndpointRetryPolicy, EndpointRetryPolicy__Output as _webhook_v1_EndpointRetryPolicy__Output } from './webhook/v1/EndpointRetryPolicy';
import type { EndpointStatus as _webhook_v1_EndpointStatus, EndpointStatus__Output as _webhook_v1_EndpointStatus__Output } from './webhook/v1/EndpointStatus';
import type { Event as _webhook_v1_Event, Event__Output as _webhook_v1_Event__Output } from './webhook/v1/Event';
import type { EventTypeDefinition as _webhook_v1_EventTypeDefinition, EventTypeDefinition__Output as _webhook_v1_EventTypeDefinition__Output } from './webhook/v1/EventTypeDefinition';
import type { GetEndpointRequest as _webhook_v1_GetEndpointRequest, GetEndpointRequest__Output as _webhook_v1_GetEndpointRequest__Output } from './webhook/v1/GetEndpointRequest';
import type { GetEventRequest as _webhook_v1_GetEventRequest, GetEventRequest__Output as _webhook_v1_GetEventRequest__Output } from './webhook/v1/GetEventRequest';
import type { GetEventResponse as _webhook_v1_GetEventResponse, GetEventResponse__Output as _webhook_v1_GetEventResponse__Output } from './webhook/v1/GetEventResponse';
import type { GetMetricsRequest as _webhook_v1_GetMetricsRequest, GetMetricsRequest__Output as _webhook_v1_GetMetricsRequest__Output } from './webhook/v1/GetMetricsRequest';
import type { GetMetricsResponse as _webhook_v1_GetMetricsResponse, GetMetricsResponse__Output as _webhook_v1_GetMetricsResponse__Output } from './webhook/v1/GetMetricsResponse';
import type { LatencySummary as _webhook_v1_LatencySummary, LatencySummary__Output as _webhook_v1_LatencySummary__Output } from './webhook/v1/LatencySummary';
import type { ListApiKeysRequest as _webhook_v1_ListApiKeysRequest, ListApiKeysRequest__Output as _webhook_v1_ListApiKeysRequest__Output } from './webhook/v1/ListApiKeysRequest';
import type { ListApiKeysResponse as _webhook_v1_ListApiKeysResponse, ListApiKeysResponse__Output as _webhook_v1_ListApiKeysResponse__Output } from './webhook/v1/ListApiKeysResponse';
import type { ListDeadLettersRequest as _webhook_v1_ListDeadLettersRequest, ListDeadLettersRequest__Output as _webhook_v1_ListDeadLettersRequest__Output } from './webhook/v1/ListDeadLettersRequest';
import type { ListDeliveriesRequest as _webhook_v1_ListDeliveriesRequest, ListDeliveriesRequest__Output as _webhook_v1_ListDeliveriesRequest__Output } from './webhook/v1/ListDeliveriesRequest';
import type { ListDeliveriesResponse as _webhook_v1_ListDeliveriesResponse, ListDeliveriesResponse__Output as _webhook_v1_ListDeliveriesResponse__Output } from './webhook/v1/ListDeliveriesResponse';
import type { ListEndpointsRequest as _webhook_v1_ListEndpointsRequest, ListEndpointsRequest__Output as _webhook_v1_ListEndpointsRequest__Output } from './webhook/v1/ListEndpointsRequest';
import type { ListEndpointsResponse as _webhook_v1_ListEndpointsResponse, ListEndpointsResponse__Output as _webhook_v1_ListEndpointsResponse__Output } from './webhook/v1/ListEndpointsResponse';
import type { ListEventTypesRequest as _webhook_v1_ListEventTypesRequest, ListEventTypesRequest__Output as _webhook_v1_ListEventTypesRequest__Output } from './webhook/v1/ListEventTypesRequest';
import type { ListEventTypesResponse as _webhook_v1_ListEventTypesResponse, ListEventTypesResponse__Output as _webhook_v1_ListEventTypesResponse__Output } from './webhook/v1/ListEventTypesResponse';
import type { ListEventsRequest as _webhook_v1_ListEventsRequest, ListEventsRequest__Output as _webhook_v1_ListEventsRequest__Output } from './webhook/v1/ListEventsRequest';
import type { ListEventsResponse as _webhook_v1_ListEventsResponse, ListEventsResponse__Output as _webhook_v1_ListEventsResponse__Output } from './webhook/v1/ListEventsResponse';
import type { RedriveDeadLettersRequest as _webhook_v1_RedriveDeadLettersRequest, RedriveDeadLettersRequest__Output as _webhook_v1_RedriveDeadLettersRequest__Output } from './webhook/v1/RedriveDeadLettersRequest';
import type { RedriveDeadLettersResponse as _webhook_v1_RedriveDeadLettersResponse, RedriveDeadLettersResponse__Output as _webhook_v1_RedriveDeadLettersResponse__Output } from './webhook/v1/RedriveDeadLettersResponse';
import type { ReplayRequest as _webhook_v1_ReplayRequest, ReplayRequest__Output as _webhook_v1_ReplayRequest__Output } from './webhook/v1/ReplayRequest';
import type { ReplayResponse as _webhook_v1_ReplayResponse, ReplayResponse__Output as _webhook_v1_ReplayResponse__Output } from './webhook/v1/ReplayResponse';
import type { RevokeApiKeyRequest as _webhook_v1_RevokeApiKeyRequest, RevokeApiKeyRequest__Output as _webhook_v1_RevokeApiKeyRequest__Output } from './webhook/v1/RevokeApiKeyRequest';
import type { RotateEndpointSecretRequest as _webhook_v1_RotateEndpointSecretRequest, RotateEndpointSecretRequest__Output as _webhook_v1_RotateEndpointSecretRequest__Output } from './webhook/v1/RotateEndpointSecretRequest';
import type { RotateEndpointSecretResponse as _webhook_v1_RotateEndpointSecretResponse, RotateEndpointSecretResponse__Output as _webhook_v1_RotateEndpointSecretResponse__Output } from './webhook/v1/RotateEndpointSecretResponse';
import type { StreamDeliveriesRequest as _webhook_v1_StreamDeliveriesRequest, StreamDeliveriesRequest__Output as _webhook_v1_StreamDeliveriesRequest__Output } from './webhook/v1/StreamDeliveriesRequest';
import type { UpdateEndpointRequest as _webhook_v1_UpdateEndpointRequest, UpdateEndpointRequest__Output as _webhook_v1_UpdateEndpointRequest__Output } from './webhook/v1/UpdateEndpointRequest';
import type { WebhookServiceClient as _webhook_v1_WebhookServiceClient, WebhookServiceDefinition as _webhook_v1_WebhookServiceDefinition } from './webhook/v1/WebhookService';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      FieldMask: MessageTypeDefinition<_google_protobuf_FieldMask, _google_protobuf_FieldMask__Output>
      ListValue: MessageTypeDefinition<_google_protobuf_ListValue, _google_protobuf_ListValue__Output>
      NullValue: EnumTypeDefinition
      Struct: MessageTypeDefinition<_google_protobuf_Struct, _google_protobuf_Struct__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
      Value: MessageTypeDefinition<_google_protobuf_Value, _google_protobuf_Value__Output>
    }
  }
  webhook: {
    v1: {
      ApiKey: MessageTypeDefinition<_webhook_v1_ApiKey, _webhook_v1_ApiKey__Output>
      ApiKeyRole: EnumTypeDefinition
      Attempt: MessageTypeDefinition<_webhook_v1_Attempt, _webhook_v1_Attempt__Output>
      CreateApiKeyRequest: MessageTypeDefinition<_webhook_v1_CreateApiKeyRequest, _webhook_v1_CreateApiKeyRequest__Output>
      CreateApiKeyResponse: MessageTypeDefinition<_webhook_v1_CreateApiKeyResponse, _webhook_v1_CreateApiKeyResponse__Output>
      CreateEndpointRequest: MessageTypeDefinition<_webhook_v1_CreateEndpointRequest, _webhook_v1_CreateEndpointRequest__Output>
      DeleteEndpointRequest: MessageTypeDefinition<_webhook_v1_DeleteEndpointRequest, _webhook_v1_DeleteEndpointRequest__Output>
      DeleteEndpointResponse: MessageTypeDefinition<_webhook_v1_DeleteEndpointResponse, _webhook_v1_DeleteEndpointResponse__Output>
      Delivery: MessageTypeDefinition<_webhook_v1_Delivery, _webhook_v1_Delivery__Output>
      DeliveryFilter: MessageTypeDefinition<_webhook_v1_DeliveryFilter, _webhook_v1_DeliveryFilter__Output>
      DeliveryState: EnumTypeDefinition
      DeliveryUpdate: MessageTypeDefinition<_webhook_v1_DeliveryUpdate, _webhook_v1_DeliveryUpdate__Output>
      DisableEndpointRequest: MessageTypeDefinition<_webhook_v1_DisableEndpointRequest, _webhook_v1_DisableEndpointRequest__Output>
      DispatchRequest: MessageTypeDefinition<_webhook_v1_DispatchRequest, _webhook_v1_DispatchRequest__Output>
      DispatchResponse: MessageTypeDefinition<_webhook_v1_DispatchResponse, _webhook_v1_DispatchResponse__Output>
      EnableEndpointRequest: MessageTypeDefinition<_webhook_v1_EnableEndpointRequest, _webhook_v1_EnableEndpointRequest__Output>
      Endpoint: MessageTypeDefinition<_webhook_v1_Endpoint, _webhook_v1_Endpoint__Output>
      EndpointRetryPolicy: MessageTypeDefinition<_webhook_v1_EndpointRetryPolicy, _webhook_v1_EndpointRetryPolicy__Output>
      EndpointStatus: MessageTypeDefinition<_webhook_v1_EndpointStatus, _webhook_v1_EndpointStatus__Output>
      Event: MessageTypeDefinition<_webhook_v1_Event, _webhook_v1_Event__Output>
      EventTypeDefinition: MessageTypeDefinition<_webhook_v1_EventTypeDefinition, _webhook_v1_EventTypeDefinition__Output>
      GetEndpointRequest: MessageTypeDefinition<_webhook_v1_GetEndpointRequest, _webhook_v1_GetEndpointRequest__Output>
      GetEventRequest: MessageTypeDefinition<_webhook_v1_GetEventRequest, _webhook_v1_GetEventRequest__Output>
      GetEventResponse: MessageTypeDefinition<_webhook_v1_GetEventResponse, _webhook_v1_GetEventResponse__Output>
      GetMetricsRequest: MessageTypeDefinition<_webhook_v1_GetMetricsRequest, _webhook_v1_GetMetricsRequest__Output>
      GetMetricsResponse: MessageTypeDefinition<_webhook_v1_GetMetricsResponse, _webhook_v1_GetMetricsResponse__Output>
      LatencySummary: MessageTypeDefinition<_webhook_v1_LatencySummary, _webhook_v1_LatencySummary__Output>
      ListApiKeysRequest: MessageTypeDefinition<_webhook_v1_ListApiKeysRequest, _webhook_v1_ListApiKeysRequest__Output>
      ListApiKeysResponse: MessageTypeDefinition<_webhook_v1_ListApiKeysResponse, _webhook_v1_ListApiKeysResponse__Output>
      ListDeadLettersRequest: MessageTypeDefinition<_webhook_v1_ListDeadLettersRequest, _webhook_v1_ListDeadLettersRequest__Output>
      ListDeliveriesRequest: MessageTypeDefinition<_webhook_v1_ListDeliveriesRequest, _webhook_v1_ListDeliveriesRequest__Output>
      ListDeliveriesResponse: MessageTypeDefinition<_webhook_v1_ListDeliveriesResponse, _webhook_v1_ListDeliveriesResponse__Output>
      ListEndpointsRequest: MessageTypeDefinition<_webhook_v1_ListEndpointsRequest, _webhook_v1_ListEndpointsRequest__Output>
      ListEndpointsResponse: MessageTypeDefinition<_webhook_v1_ListEndpointsResponse, _webhook_v1_ListEndpointsResponse__Output>
      ListEventTypesRequest: MessageTypeDefinition<_webhook_v1_ListEventTypesRequest, _webhook_v1_ListEventTypesRequest__Output>
      ListEventTypesResponse: MessageTypeDefinition<_webhook_v1_ListEventTypesResponse, _webhook_v1_ListEventTypesResponse__Output>
      ListEventsRequest: MessageTypeDefinition<_webhook_v1_ListEventsRequest, _webhook_v1_ListEventsRequest__Output>
      ListEventsResponse: MessageTypeDefinition<_webhook_v1_ListEventsResponse, _webhook_v1_ListEventsResponse__Output>
      RedriveDeadLettersRequest: MessageTypeDefinition<_webhook_v1_RedriveDeadLettersRequest, _webhook_v1_RedriveDeadLettersRequest__Output>
      RedriveDeadLettersResponse: MessageTypeDefinition<_webhook_v1_RedriveDeadLettersResponse, _webhook_v1_RedriveDeadLettersResponse__Output>
      ReplayRequest: MessageTypeDefinition<_webhook_v1_ReplayRequest, _webhook_v1_ReplayRequest__Output>
      ReplayResponse: MessageTypeDefinition<_webhook_v1_ReplayResponse, _webhook_v1_ReplayResponse__Output>
      RevokeApiKeyRequest: MessageTypeDefinition<_webhook_v1_RevokeApiKeyRequest, _webhook_v1_RevokeApiKeyRequest__Output>
      RotateEndpointSecretRequest: MessageTypeDefinition<_webhook_v1_RotateEndpointSecretRequest, _webhook_v1_RotateEndpointSecretRequest__Output>
      RotateEndpointSecretResponse: MessageTypeDefinition<_webhook_v1_RotateEndpointSecretResponse, _webhook_v1_RotateEndpointSecretResponse__Output>
      SignatureScheme: EnumTypeDefinition
      StreamDeliveriesRequest: MessageTypeDefinition<_webhook_v1_StreamDeliveriesRequest, _webhook_v1_StreamDeliveriesRequest__Output>
      UpdateEndpointRequest: MessageTypeDefinition<_webhook_v1_UpdateEndpointRequest, _webhook_v1_UpdateEndpointRequest__Output>
      UpdateKind: EnumTypeDefinition
      /**
       * WebhookService is the API that producers and operators use.
       */
      WebhookService: SubtypeConstructor<typeof grpc.Client, _webhook_v1_WebhookServiceClient> & { service: _webhook_v1_WebhookServiceDefinition }
    }
  }
}

