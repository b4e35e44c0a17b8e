// Original file: ../../proto/webhook/v1/webhook.proto


export interface ListApiKeysRequest {
  /**
   * Also list revoked keys.
   */
  'includeRevoked'?: (boolean);
}

export interface ListApiKeysRequest__Output {
  /**
   * Also list revoked keys.
   */
  'includeRevoked': (boolean);
}
