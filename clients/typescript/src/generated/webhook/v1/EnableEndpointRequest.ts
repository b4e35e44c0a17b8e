// Original file: ../../proto/webhook/v1/webhook.proto


export interface EnableEndpointRequest {
  'id'?: (string);
}

export interface EnableEndpointRequest__Output {
  'id': (string);
}
