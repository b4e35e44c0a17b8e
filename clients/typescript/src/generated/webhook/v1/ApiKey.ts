// Original file: ../../proto/webhook/v1/webhook.proto

import type { ApiKeyRole as _webhook_v1_ApiKeyRole, ApiKeyRole__Output as _webhook_v1_ApiKeyRole__Output } from '../../webhook/v1/ApiKeyRole';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

/**
 * An API key, without the key itself.
 */
export interface ApiKey {
  /**
   * Unique name of whoever holds the key, [A-Za-z0-9_.-], at most 64 characters.
   */
  'name'?: (string);
  'role'?: (_webhook_v1_ApiKeyRole);
  /**
   * "config" (from the config file, read-only here) or "api".
   */
  'origin'?: (string);
  'createdAt'?: (_google_protobuf_Timestamp | null);
  /**
   * Set once the key is revoked.
   */
  'revokedAt'?: (_google_protobuf_Timestamp | null);
  /**
   * The first 8 hex characters of the key's SHA-256, to tell keys apart.
   */
  'fingerprint'?: (string);
}

/**
 * An API key, without the key itself.
 */
export interface ApiKey__Output {
  /**
   * Unique name of whoever holds the key, [A-Za-z0-9_.-], at most 64 characters.
   */
  'name': (string);
  'role': (_webhook_v1_ApiKeyRole__Output);
  /**
   * "config" (from the config file, read-only here) or "api".
   */
  'origin': (string);
  'createdAt': (_google_protobuf_Timestamp__Output | null);
  /**
   * Set once the key is revoked.
   */
  'revokedAt': (_google_protobuf_Timestamp__Output | null);
  /**
   * The first 8 hex characters of the key's SHA-256, to tell keys apart.
   */
  'fingerprint': (string);
}
