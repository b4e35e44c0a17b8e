// Original file: ../../proto/webhook/v1/webhook.proto

import type { ApiKey as _webhook_v1_ApiKey, ApiKey__Output as _webhook_v1_ApiKey__Output } from '../../webhook/v1/ApiKey';

export interface CreateApiKeyResponse {
  'apiKey'?: (_webhook_v1_ApiKey | null);
  /**
   * The key. This is the only response that ever contains it: store it now
   * and send it as "authorization: Bearer <key>".
   */
  'key'?: (string);
}

export interface CreateApiKeyResponse__Output {
  'apiKey': (_webhook_v1_ApiKey__Output | null);
  /**
   * The key. This is the only response that ever contains it: store it now
   * and send it as "authorization: Bearer <key>".
   */
  'key': (string);
}
