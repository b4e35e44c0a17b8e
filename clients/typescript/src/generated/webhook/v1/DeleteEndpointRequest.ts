// Original file: ../../proto/webhook/v1/webhook.proto


export interface DeleteEndpointRequest {
  'id'?: (string);
}

export interface DeleteEndpointRequest__Output {
  'id': (string);
}
