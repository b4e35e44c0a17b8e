// Original file: ../../proto/webhook/v1/webhook.proto

import type { SignatureScheme as _webhook_v1_SignatureScheme, SignatureScheme__Output as _webhook_v1_SignatureScheme__Output } from '../../webhook/v1/SignatureScheme';
import type { EndpointRetryPolicy as _webhook_v1_EndpointRetryPolicy, EndpointRetryPolicy__Output as _webhook_v1_EndpointRetryPolicy__Output } from '../../webhook/v1/EndpointRetryPolicy';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct';

export interface CreateEndpointRequest {
  /**
   * Optional; "ep_" and a random suffix when empty. [A-Za-z0-9_.-], at most
   * 255 characters.
   */
  'id'?: (string);
  /**
   * http(s) URL with a host.
   */
  'url'?: (string);
  /**
   * At least one event type or pattern.
   */
  'eventTypes'?: (string)[];
  /**
   * Optional signing secret (at least 24 characters); when empty, deliveries
   * are signed with webhook_engine.signing_secret. With
   * SIGNATURE_SCHEME_STANDARD it is required: "whsec_" + base64 of at least
   * 24 random bytes (HMAC, v1), or "whsk_" + base64 of a 32-byte ed25519
   * seed (v1a).
   */
  'secret'?: (string);
  /**
   * Create the endpoint disabled.
   */
  'disabled'?: (boolean);
  /**
   * UNSPECIFIED means SIGNATURE_SCHEME_WEBHOOKD.
   */
  'signatureScheme'?: (_webhook_v1_SignatureScheme);
  /**
   * Static headers added to every delivery (at most 20; names are
   * case-insensitive). The headers webhookd sets (Content-Type, Host,
   * User-Agent, X-Webhook-*, webhook-*, traceparent, tracestate, hop-by-hop
   * headers) cannot be set.
   */
  'headers'?: ({[key: string]: string});
  /**
   * Its own retry schedule; unset: the config's retry_policy.
   */
  'retryPolicy'?: (_webhook_v1_EndpointRetryPolicy | null);
  /**
   * Optional payload filter: events of its types are routed to it only
   * when their payload matches, decided at Dispatch. A JSON object of
   * dotted paths to conditions, all of which must hold: a plain value is
   * equality; an object of operators ($eq, $ne, $in, $nin, $exists, $gt,
   * $gte, $lt, $lte) tests the value at the path. For example
   * {"order.total": {"$gte": 100}, "order.currency": {"$in": ["EUR", "USD"]}}.
   * Endpoints named in DispatchRequest.endpoint_ids and replays are not
   * filtered. The language is in docs/event-log.md.
   */
  'filter'?: (_google_protobuf_Struct | null);
}

export interface CreateEndpointRequest__Output {
  /**
   * Optional; "ep_" and a random suffix when empty. [A-Za-z0-9_.-], at most
   * 255 characters.
   */
  'id': (string);
  /**
   * http(s) URL with a host.
   */
  'url': (string);
  /**
   * At least one event type or pattern.
   */
  'eventTypes': (string)[];
  /**
   * Optional signing secret (at least 24 characters); when empty, deliveries
   * are signed with webhook_engine.signing_secret. With
   * SIGNATURE_SCHEME_STANDARD it is required: "whsec_" + base64 of at least
   * 24 random bytes (HMAC, v1), or "whsk_" + base64 of a 32-byte ed25519
   * seed (v1a).
   */
  'secret': (string);
  /**
   * Create the endpoint disabled.
   */
  'disabled': (boolean);
  /**
   * UNSPECIFIED means SIGNATURE_SCHEME_WEBHOOKD.
   */
  'signatureScheme': (_webhook_v1_SignatureScheme__Output);
  /**
   * Static headers added to every delivery (at most 20; names are
   * case-insensitive). The headers webhookd sets (Content-Type, Host,
   * User-Agent, X-Webhook-*, webhook-*, traceparent, tracestate, hop-by-hop
   * headers) cannot be set.
   */
  'headers': ({[key: string]: string});
  /**
   * Its own retry schedule; unset: the config's retry_policy.
   */
  'retryPolicy': (_webhook_v1_EndpointRetryPolicy__Output | null);
  /**
   * Optional payload filter: events of its types are routed to it only
   * when their payload matches, decided at Dispatch. A JSON object of
   * dotted paths to conditions, all of which must hold: a plain value is
   * equality; an object of operators ($eq, $ne, $in, $nin, $exists, $gt,
   * $gte, $lt, $lte) tests the value at the path. For example
   * {"order.total": {"$gte": 100}, "order.currency": {"$in": ["EUR", "USD"]}}.
   * Endpoints named in DispatchRequest.endpoint_ids and replays are not
   * filtered. The language is in docs/event-log.md.
   */
  'filter': (_google_protobuf_Struct__Output | null);
}
