// Original file: ../../proto/webhook/v1/webhook.proto


export interface GetEventRequest {
  'eventId'?: (string);
}

export interface GetEventRequest__Output {
  'eventId': (string);
}
