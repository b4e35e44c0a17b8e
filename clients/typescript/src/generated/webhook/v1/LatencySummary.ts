// Original file: ../../proto/webhook/v1/webhook.proto


export interface LatencySummary {
  'p50Ms'?: (number | string);
  'p95Ms'?: (number | string);
  'p99Ms'?: (number | string);
  'maxMs'?: (number | string);
}

export interface LatencySummary__Output {
  'p50Ms': (number);
  'p95Ms': (number);
  'p99Ms': (number);
  'maxMs': (number);
}
