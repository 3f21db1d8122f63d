/** A `RequestInfo` as the HTTP server fills it, for endpoint tests below the sockets. */
import type { RequestInfo } from '../../../src/http/server.js';

export function requestInfo(more: Partial<RequestInfo> = {}): RequestInfo {
  return {
    method: 'post',
    url: '/',
    query: '',
    param: '',
    contentType: 'application/json',
    contentEncoding: '',
    acceptEncoding: '',
    origin: '',
    authorization: '',
    remoteAddress: '10.0.0.7',
    receivedAtMs: 0,
    arrivedAtMs: 0,
    ...more,
  };
}

/** The parsed JSON body of a reply (error replies carry `{ error: { code, … } }`). */
export function jsonOf(body: string | Uint8Array | undefined): Record<string, unknown> {
  return JSON.parse(typeof body === 'string' ? body : Buffer.from(body ?? '').toString('utf8'));
}
