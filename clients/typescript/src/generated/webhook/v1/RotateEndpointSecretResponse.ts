// Original file: ../../proto/webhook/v1/webhook.proto

import type { Endpoint as _webhook_v1_Endpoint, Endpoint__Output as _webhook_v1_Endpoint__Output } from '../../webhook/v1/Endpoint';

export interface RotateEndpointSecretResponse {
  'endpoint'?: (_webhook_v1_Endpoint | null);
  /**
   * The new secret. This is the only response that ever contains a secret:
   * store it now.
   */
  'newSecret'?: (string);
}

export interface RotateEndpointSecretResponse__Output {
  'endpoint': (_webhook_v1_Endpoint__Output | null);
  /**
   * The new secret. This is the only response that ever contains a secret:
   * store it now.
   */
  'newSecret': (string);
}
