// Original file: ../../proto/webhook/v1/webhook.proto


export interface ListEndpointsRequest {
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListEndpointsRequest__Output {
  'pageSize': (number);
  'pageToken': (string);
}
