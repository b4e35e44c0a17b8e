// Original file: ../../proto/webhook/v1/webhook.proto

import type { ApiKey as _webhook_v1_ApiKey, ApiKey__Output as _webhook_v1_ApiKey__Output } from '../../webhook/v1/ApiKey';

export interface ListApiKeysResponse {
  'apiKeys'?: (_webhook_v1_ApiKey)[];
}

export interface ListApiKeysResponse__Output {
  'apiKeys': (_webhook_v1_ApiKey__Output)[];
}
