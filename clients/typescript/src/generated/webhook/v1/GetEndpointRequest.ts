// Original file: ../../proto/webhook/v1/webhook.proto


export interface GetEndpointRequest {
  'id'?: (string);
}

export interface GetEndpointRequest__Output {
  'id': (string);
}
