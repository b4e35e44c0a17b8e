/**
 * @webhookd/client: call webhookd over gRPC (one typed method per RPC),
 * and verify the signed webhooks it delivers on the receiving side.
 */
export {
  WebhookdClient,
  DeliveryStream,
  DEFAULT_TIMEOUT_MS,
  type WebhookdClientOptions,
  type DispatchOptions,
  type StreamDeliveriesOptions,
  type PageOptions,
} from './client';
export { WebhookdError, type FieldViolation, type ErrorDetails } from './errors';
export { DEFAULT_RETRY_POLICY, RETRYABLE_CODES, type RetryPolicy } from './retry';
export type {
  ApiKey,
  ApiKeyRole,
  Attempt,
  CreatedApiKey,
  Delivery,
  DeliveryFilter,
  DeliveryState,
  DeliveryUpdate,
  DispatchResult,
  Endpoint,
  EndpointStatus,
  Event,
  EventCatalog,
  EventDetail,
  EventType,
  LatencySummary,
  Metrics,
  Page,
  ReplayResult,
  RetrySchedule,
  RotatedSecret,
  SignatureScheme,
  UpdateKind,
} from './models';
export { VERSION } from './version';
export {
  sign,
  verify,
  verifyStandard,
  WebhookVerificationError,
  DEFAULT_TOLERANCE_SECONDS,
  ID_HEADER,
  TIMESTAMP_HEADER,
  SIGNATURE_HEADER,
  STANDARD_ID_HEADER,
  STANDARD_TIMESTAMP_HEADER,
  STANDARD_SIGNATURE_HEADER,
  type HeaderValue,
  type VerifyOptions,
  type VerifyStandardOptions,
  type WebhookBody,
  type WebhookHeaders,
  type WebhookVerificationErrorCode,
} from './signature';
export type { WebhookServiceClient } from './generated/webhook/v1/WebhookService';
