// Original file: ../../proto/webhook/v1/webhook.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { SignatureScheme as _webhook_v1_SignatureScheme, SignatureScheme__Output as _webhook_v1_SignatureScheme__Output } from '../../webhook/v1/SignatureScheme';
import type { EndpointRetryPolicy as _webhook_v1_EndpointRetryPolicy, EndpointRetryPolicy__Output as _webhook_v1_EndpointRetryPolicy__Output } from '../../webhook/v1/EndpointRetryPolicy';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct';

export interface Endpoint {
  'id'?: (string);
  'url'?: (string);
  /**
   * Event types and patterns it subscribes to.
   */
  'eventTypes'?: (string)[];
  'active'?: (boolean);
  /**
   * Why it is disabled, when it is.
   */
  'disabledReason'?: (string);
  'disabledAt'?: (_google_protobuf_Timestamp | null);
  /**
   * "config" (from the config file) or "api".
   */
  'origin'?: (string);
  /**
   * The last 4 characters of its signing secret; secrets are never returned.
   */
  'secretHint'?: (string);
  /**
   * While a rotated-out secret is still accepted: until when.
   */
  'previousSecretExpiresAt'?: (_google_protobuf_Timestamp | null);
  'consecutiveFailures'?: (number);
  'createdAt'?: (_google_protobuf_Timestamp | null);
  'updatedAt'?: (_google_protobuf_Timestamp | null);
  /**
   * The circuit breaker: "closed", "open" or "half_open".
   */
  'circuitState'?: (string);
  'signatureScheme'?: (_webhook_v1_SignatureScheme);
  /**
   * For Standard Webhooks endpoints with an ed25519 (whsk_) secret: the
   * whpk_ public key receivers verify v1a signatures with.
   */
  'publicKey'?: (string);
  /**
   * Static headers added to every delivery, by lower-case name. Values of
   * credential headers (authorization, proxy-authorization, cookie,
   * x-api-key, api-key) read back as "***".
   */
  'headers'?: ({[key: string]: string});
  /**
   * Its own retry schedule; unset: the config's retry_policy.
   */
  'retryPolicy'?: (_webhook_v1_EndpointRetryPolicy | null);
  /**
   * Its payload filter (see CreateEndpointRequest.filter); unset: every
   * event of its types.
   */
  'filter'?: (_google_protobuf_Struct | null);
}

export interface Endpoint__Output {
  'id': (string);
  'url': (string);
  /**
   * Event types and patterns it subscribes to.
   */
  'eventTypes': (string)[];
  'active': (boolean);
  /**
   * Why it is disabled, when it is.
   */
  'disabledReason': (string);
  'disabledAt': (_google_protobuf_Timestamp__Output | null);
  /**
   * "config" (from the config file) or "api".
   */
  'origin': (string);
  /**
   * The last 4 characters of its signing secret; secrets are never returned.
   */
  'secretHint': (string);
  /**
   * While a rotated-out secret is still accepted: until when.
   */
  'previousSecretExpiresAt': (_google_protobuf_Timestamp__Output | null);
  'consecutiveFailures': (number);
  'createdAt': (_google_protobuf_Timestamp__Output | null);
  'updatedAt': (_google_protobuf_Timestamp__Output | null);
  /**
   * The circuit breaker: "closed", "open" or "half_open".
   */
  'circuitState': (string);
  'signatureScheme': (_webhook_v1_SignatureScheme__Output);
  /**
   * For Standard Webhooks endpoints with an ed25519 (whsk_) secret: the
   * whpk_ public key receivers verify v1a signatures with.
   */
  'publicKey': (string);
  /**
   * Static headers added to every delivery, by lower-case name. Values of
   * credential headers (authorization, proxy-authorization, cookie,
   * x-api-key, api-key) read back as "***".
   */
  'headers': ({[key: string]: string});
  /**
   * Its own retry schedule; unset: the config's retry_policy.
   */
  'retryPolicy': (_webhook_v1_EndpointRetryPolicy__Output | null);
  /**
   * Its payload filter (see CreateEndpointRequest.filter); unset: every
   * event of its types.
   */
  'filter': (_google_protobuf_Struct__Output | null);
}
