// Original file: ../../proto/webhook/v1/webhook.proto


export interface DisableEndpointRequest {
  'id'?: (string);
  /**
   * Recorded as disabled_reason; "disabled by an operator" when empty.
   */
  'reason'?: (string);
}

export interface DisableEndpointRequest__Output {
  'id': (string);
  /**
   * Recorded as disabled_reason; "disabled by an operator" when empty.
   */
  'reason': (string);
}
