// Original file: ../../proto/webhook/v1/webhook.proto


export interface GetMetricsRequest {
  /**
   * The window to report on, in seconds; 0 means the last 300 seconds; at
   * most 86400.
   */
  'windowSeconds'?: (number);
  /**
   * Optional. Report on this endpoint only.
   */
  'endpointId'?: (string);
}

export interface GetMetricsRequest__Output {
  /**
   * The window to report on, in seconds; 0 means the last 300 seconds; at
   * most 86400.
   */
  'windowSeconds': (number);
  /**
   * Optional. Report on this endpoint only.
   */
  'endpointId': (string);
}
