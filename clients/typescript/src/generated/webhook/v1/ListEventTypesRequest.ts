// Original file: ../../proto/webhook/v1/webhook.proto


export interface ListEventTypesRequest {
}

export interface ListEventTypesRequest__Output {
}
