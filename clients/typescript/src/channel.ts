/**
 * Connections to webhookd: TLS unless the host is a loopback address, and
 * an interceptor that adds the API key and the default deadlines to every
 * call, those made through the raw client included.
 */
import { isIP } from 'node:net';
import * as grpc from '@grpc/grpc-js';

/**
 * Whether `address` (`host:port`, `[v6]:port`, `unix:path`) stays on this
 * machine: 127.0.0.0/8, ::1, `localhost` and Unix sockets.
 */
export function isLoopback(address: string): boolean {
  if (address.startsWith('unix:') || address.startsWith('unix-abstract:')) {
    return true;
  }
  const target = address.replace(/^(dns:\/\/\/|ipv4:|ipv6:)/, '');
  let host: string;
  if (target.startsWith('[')) {
    host = target.slice(1, target.indexOf(']'));
  } else if (target.split(':').length === 2) {
    host = target.slice(0, target.lastIndexOf(':'));
  } else {
    host = target; // a bare host, or a bare IPv6 address
  }
  host = host.toLowerCase();
  if (host === 'localhost') {
    return true;
  }
  if (isIP(host) === 4) {
    return host.startsWith('127.');
  }
  if (isIP(host) === 6) {
    // The URL parser normalises the spellings of ::1 (0:0:0:0:0:0:0:1, ...).
    return new URL(`http://[${host}]/`).hostname === '[::1]';
  }
  return false;
}

/** The TLS options of {@link channelCredentials}. */
export interface TlsOptions {
  tls?: boolean;
  rootCertificates?: Buffer;
  clientCertificate?: Buffer;
  clientKey?: Buffer;
}

/** The credentials of a channel to `address`: TLS unless `tls` is false, or unset and the address is loopback. */
export function channelCredentials(address: string, options: TlsOptions): grpc.ChannelCredentials {
  const useTls = options.tls ?? !isLoopback(address);
  if (!useTls) {
    if (options.rootCertificates || options.clientCertificate || options.clientKey) {
      throw new TypeError('TLS certificates were given but TLS is off (tls: false or a loopback address)');
    }
    return grpc.credentials.createInsecure();
  }
  if ((options.clientCertificate === undefined) !== (options.clientKey === undefined)) {
    throw new TypeError('mTLS needs both clientCertificate and clientKey');
  }
  return grpc.credentials.createSsl(
    options.rootCertificates ?? null,
    options.clientKey ?? null,
    options.clientCertificate ?? null,
  );
}

/**
 * Adds the API key to every call, and a deadline to calls that set none:
 * `timeoutMs` for unary calls, `streamTimeoutMs` for streams (`undefined`:
 * none).
 */
export function callDefaults(
  apiKey: string | undefined,
  timeoutMs: number | undefined,
  streamTimeoutMs: number | undefined,
): grpc.Interceptor {
  return (options, nextCall) => {
    const defaultMs = options.method_definition.responseStream ? streamTimeoutMs : timeoutMs;
    const callOptions =
      options.deadline === undefined && defaultMs !== undefined
        ? { ...options, deadline: Date.now() + defaultMs }
        : options;
    return new grpc.InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        if (apiKey !== undefined) {
          metadata.set('authorization', `Bearer ${apiKey}`);
        }
        next(metadata, listener);
      },
    });
  };
}
