// Original file: ../../proto/webhook/v1/webhook.proto

import type { ApiKeyRole as _webhook_v1_ApiKeyRole, ApiKeyRole__Output as _webhook_v1_ApiKeyRole__Output } from '../../webhook/v1/ApiKeyRole';

export interface CreateApiKeyRequest {
  'name'?: (string);
  'role'?: (_webhook_v1_ApiKeyRole);
}

export interface CreateApiKeyRequest__Output {
  'name': (string);
  'role': (_webhook_v1_ApiKeyRole__Output);
}
