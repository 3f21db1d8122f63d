/** What both request decoders (JSON and protobuf) return: the internal request, or a field path and why. */
import type { BidRequest } from './types.js';

export type DecodeResult =
  | { readonly ok: true; readonly request: BidRequest }
  | { readonly ok: false; readonly path: string; readonly message: string };
