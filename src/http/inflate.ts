/**
 * gzip bodies. Requests with `Content-Encoding: gzip` are inflated under a hard limit on the inflated size:
 * zlib's `maxOutputLength` makes the synchronous inflate stop as soon as its output passes the limit (it
 * checks after every 16 KB chunk), so a gzip bomb costs at most ~limit bytes of memory and the time to
 * inflate that much — 10 MB of zeros (10 KB gzipped) is refused after 1 MB in about 2 ms — never the
 * whole expansion. Concatenated gzip members (RFC 1952 §2.2) count towards one limit. Responses are gzipped
 * when the client accepts it and they are worth it (the caller decides).
 */
import { constants as bufferConstants } from 'node:buffer';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

export type InflateResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: 'too_large' | 'corrupt' };

const kTooLarge: InflateResult = Object.freeze({ ok: false, reason: 'too_large' });
const kCorrupt: InflateResult = Object.freeze({ ok: false, reason: 'corrupt' });

/** Inflates a gzip body to at most `maxBytes` bytes; bad or oversized input is a result, never a throw. */
export function gunzipLimited(body: Uint8Array, maxBytes: number): InflateResult {
  if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must be a non-negative number, got ${maxBytes}`);
  // zlib wants 1 ≤ maxOutputLength ≤ buffer.constants.MAX_LENGTH; a limit of 0 is checked below.
  const limit = Math.min(Math.max(1, Math.floor(maxBytes)), bufferConstants.MAX_LENGTH);
  let bytes: Buffer;
  try {
    bytes = gunzipSync(body, { maxOutputLength: limit });
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? kTooLarge : kCorrupt;
  }
  return bytes.length > maxBytes ? kTooLarge : { ok: true, bytes };
}

/** gzips a response body. Level 1: bid responses are small and latency-bound; a better ratio is not worth the CPU. */
export function gzipResponse(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY });
}
