// Original file: ../../proto/webhook/v1/webhook.proto


export interface RevokeApiKeyRequest {
  'name'?: (string);
}

export interface RevokeApiKeyRequest__Output {
  'name': (string);
}
