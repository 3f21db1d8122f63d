/**
 * gzip bodies: requests with `Content-Encoding: gzip` are inflated with a hard limit on the output size
 * (zlib stops at `maxOutputLength`, so a gzip bomb costs at most that much memory and time), and large
 * responses are gzipped when the client accepts it.
 */
import { gunzipSync, gzipSync, constants } from 'node:zlib';

export type InflateResult = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly reason: 'too_large' | 'corrupt' };

export function gunzipLimited(body: Uint8Array, maxBytes: number): InflateResult {
  try {
    return { ok: true, bytes: gunzipSync(body, { maxOutputLength: maxBytes }) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'corrupt' };
  }
}

export function gzipResponse(bytes: Uint8Array): Uint8Array {
  // Level 1: bid responses are small and latency-bound; the best ratio is not worth the CPU.
  return gzipSync(bytes, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY });
}
