// Original file: ../../proto/webhook/v1/webhook.proto

/**
 * Signature schemes an endpoint can receive.
 */
export const SignatureScheme = {
  SIGNATURE_SCHEME_UNSPECIFIED: 'SIGNATURE_SCHEME_UNSPECIFIED',
  /**
   * X-Webhook-Id / X-Webhook-Timestamp / X-Webhook-Signature: sha256=<hex>.
   */
  SIGNATURE_SCHEME_WEBHOOKD: 'SIGNATURE_SCHEME_WEBHOOKD',
  /**
   * Standard Webhooks: webhook-id / webhook-timestamp / webhook-signature.
   */
  SIGNATURE_SCHEME_STANDARD: 'SIGNATURE_SCHEME_STANDARD',
} as const;

/**
 * Signature schemes an endpoint can receive.
 */
export type SignatureScheme =
  | 'SIGNATURE_SCHEME_UNSPECIFIED'
  | 0
  /**
   * X-Webhook-Id / X-Webhook-Timestamp / X-Webhook-Signature: sha256=<hex>.
   */
  | 'SIGNATURE_SCHEME_WEBHOOKD'
  | 1
  /**
   * Standard Webhooks: webhook-id / webhook-timestamp / webhook-signature.
   */
  | 'SIGNATURE_SCHEME_STANDARD'
  | 2

/**
 * Signature schemes an endpoint can receive.
 */
export type SignatureScheme__Output = typeof SignatureScheme[keyof typeof SignatureScheme]
