// Original file: proto/webhook/v1/webhook.proto


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
   * are signed with webhook_engine.signing_secret.
   */
  'secret'?: (string);
  /**
   * Create the endpoint disabled.
   */
  'disabled'?: (boolean);
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
   * are signed with webhook_engine.signing_secret.
   */
  'secret': (string);
  /**
   * Create the endpoint disabled.
   */
  'disabled': (boolean);
}
