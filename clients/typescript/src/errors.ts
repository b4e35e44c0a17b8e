/**
 * The one error type of failed calls, with the details webhookd attaches to
 * its statuses: a `google.rpc.Status` in the `grpc-status-details-bin`
 * trailer, holding an `ErrorInfo` (a stable reason such as
 * `PAYLOAD_TOO_LARGE`, metadata such as `limit`) and a `BadRequest` (the
 * invalid fields). The three messages are declared here, with only the
 * fields the SDK reads, rather than shipping googleapis' protos (parsed from
 * a string: no file is read).
 */
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';

const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

// Only the fields the SDK reads. Any is declared again so that protobufjs
// decodes it as a plain message (its google.protobuf.Any has wrappers).
const rpc = protobuf.parse(
  `syntax = "proto3";
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message Any { string type_url = 1; bytes value = 2; }
  message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
  message BadRequest { repeated FieldViolation field_violations = 1; }
  message FieldViolation { string field = 1; string description = 2; }`,
  { keepCase: true },
).root;
const StatusType = rpc.lookupType('Status');
const ErrorInfoType = rpc.lookupType('ErrorInfo');
const BadRequestType = rpc.lookupType('BadRequest');

/** One invalid field of a request (`google.rpc.BadRequest.FieldViolation`). */
export interface FieldViolation {
  /** The field's path, for example `event_type`. */
  field: string;
  description: string;
}

/** What a {@link WebhookdError} carries besides its code and message. */
export interface ErrorDetails {
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
  fieldViolations?: FieldViolation[];
}

/**
 * A call to webhookd failed. `code` is the gRPC status (`grpc.status`
 * numbers, `codeName` its name such as `'NOT_FOUND'`), `message` the
 * server's message, `reason` the `ErrorInfo` reason (`'ENDPOINT_NOT_FOUND'`,
 * `'PAYLOAD_TOO_LARGE'`, ...; empty when the status has none) with its
 * `metadata` (for example `{ limit: '1048576' }`), and `fieldViolations` the
 * invalid request fields. `cause` is the `@grpc/grpc-js` error.
 */
export class WebhookdError extends Error {
  override readonly name = 'WebhookdError';
  readonly code: grpc.status;
  readonly codeName: string;
  readonly reason: string;
  /** The ErrorInfo domain: `webhookd` for webhookd's own reasons. */
  readonly domain: string;
  readonly metadata: Record<string, string>;
  readonly fieldViolations: FieldViolation[];

  constructor(code: grpc.status, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.codeName = grpc.status[code] ?? 'UNKNOWN';
    this.reason = details.reason ?? '';
    this.domain = details.domain ?? '';
    this.metadata = details.metadata ?? {};
    this.fieldViolations = details.fieldViolations ?? [];
  }

  override toString(): string {
    return `${this.name}: ${this.codeName}: ${this.message}${this.reason ? ` (${this.reason})` : ''}`;
  }

  /** Builds the error of a failed call from its status and trailers. */
  static fromServiceError(error: grpc.ServiceError): WebhookdError {
    const [details] = error.metadata?.get(STATUS_DETAILS_KEY) ?? [];
    let decoded: ErrorDetails = {};
    if (details instanceof Buffer) {
      try {
        decoded = decodeStatusDetails(details);
      } catch {
        // Undecodable details must not hide the status itself.
      }
    }
    return new WebhookdError(error.code, error.details ?? error.message, decoded, { cause: error });
  }
}

/** Reads the ErrorInfo and BadRequest of a serialized google.rpc.Status. */
export function decodeStatusDetails(bytes: Uint8Array): ErrorDetails {
  const status = StatusType.toObject(StatusType.decode(bytes), { defaults: true }) as {
    details: { type_url: string; value: Uint8Array }[];
  };
  const result: Required<ErrorDetails> = { reason: '', domain: '', metadata: {}, fieldViolations: [] };
  for (const detail of status.details) {
    if (detail.type_url === ERROR_INFO_TYPE) {
      const info = ErrorInfoType.toObject(ErrorInfoType.decode(detail.value), { defaults: true }) as {
        reason: string;
        domain: string;
        metadata: Record<string, string>;
      };
      Object.assign(result, { reason: info.reason, domain: info.domain });
      Object.assign(result.metadata, info.metadata);
    } else if (detail.type_url === BAD_REQUEST_TYPE) {
      const badRequest = BadRequestType.toObject(BadRequestType.decode(detail.value), { defaults: true }) as {
        field_violations: FieldViolation[];
      };
      for (const violation of badRequest.field_violations) {
        result.fieldViolations.push({ field: violation.field, description: violation.description });
      }
    }
  }
  return result;
}

/** Whether `error` is the error of a failed gRPC call (which has a numeric status code). */
export function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number';
}
