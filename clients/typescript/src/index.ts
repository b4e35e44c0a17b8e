/**
 * @webhookd/client: dispatch events to webhookd over gRPC, watch their
 * deliveries, and verify signed webhooks on the receiving side.
 */
export {
  WebhookdClient,
  DeliveryStream,
  type WebhookdClientOptions,
  type DispatchOptions,
  type DeliveryUpdate,
  type DeliveryStreamFilter,
} from './client';
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
export { DeliveryState } from './generated/webhook/v1/DeliveryState';
export { UpdateKind } from './generated/webhook/v1/UpdateKind';
export type { WebhookServiceClient } from './generated/webhook/v1/WebhookService';
