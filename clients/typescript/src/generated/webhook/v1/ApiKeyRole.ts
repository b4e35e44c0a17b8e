// Original file: ../../proto/webhook/v1/webhook.proto

/**
 * What an API key may do.
 */
export const ApiKeyRole = {
  API_KEY_ROLE_UNSPECIFIED: 'API_KEY_ROLE_UNSPECIFIED',
  /**
   * Dispatch only.
   */
  API_KEY_ROLE_DISPATCH: 'API_KEY_ROLE_DISPATCH',
  /**
   * Streams, metrics and the event log.
   */
  API_KEY_ROLE_READ: 'API_KEY_ROLE_READ',
  /**
   * Everything.
   */
  API_KEY_ROLE_ADMIN: 'API_KEY_ROLE_ADMIN',
} as const;

/**
 * What an API key may do.
 */
export type ApiKeyRole =
  | 'API_KEY_ROLE_UNSPECIFIED'
  | 0
  /**
   * Dispatch only.
   */
  | 'API_KEY_ROLE_DISPATCH'
  | 1
  /**
   * Streams, metrics and the event log.
   */
  | 'API_KEY_ROLE_READ'
  | 2
  /**
   * Everything.
   */
  | 'API_KEY_ROLE_ADMIN'
  | 3

/**
 * What an API key may do.
 */
export type ApiKeyRole__Output = typeof ApiKeyRole[keyof typeof ApiKeyRole]
