/**
 * `native.request_native` (the Native 1.2 request as a protobuf message, which Google sends instead of the
 * JSON string) → the JSON text the rest of the bidder expects in `Native.request` (Native 1.2 §4).
 *
 * A rare path (the JSON string form wins when both are sent), so it uses the generated decoder: its message
 * objects have own properties only for the fields on the wire (and empty repeated fields), and with
 * `--keep-case` their names are the Native JSON names, so a generic walk gives the minimal JSON: booleans
 * become the spec's 0/1 integers; empty lists, opaque `ext` messages and protobufjs's `$`-prefixed
 * bookkeeping are dropped.
 */
import { openrtb } from './generated/openrtb.js';

export function nativeRequestJson(bytes: Uint8Array): string {
  return JSON.stringify(toJson(openrtb.NativeRequest.decode(bytes)));
}

function toJson(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(toJson);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    // Generated constructors start every repeated field as an own empty array: on the wire that is absence.
    if (k === 'ext' || k.startsWith('$') || x instanceof Uint8Array || (Array.isArray(x) && x.length === 0)) continue;
    out[k] = toJson(x);
  }
  return out;
}
