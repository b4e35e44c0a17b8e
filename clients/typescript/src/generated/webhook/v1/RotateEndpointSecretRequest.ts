// Original file: ../../proto/webhook/v1/webhook.proto


export interface RotateEndpointSecretRequest {
  'id'?: (string);
  /**
   * How long the previous secret stays valid, in seconds (default 86400).
   */
  'gracePeriodSeconds'?: (number);
}

export interface RotateEndpointSecretRequest__Output {
  'id': (string);
  /**
   * How long the previous secret stays valid, in seconds (default 86400).
   */
  'gracePeriodSeconds': (number);
}
