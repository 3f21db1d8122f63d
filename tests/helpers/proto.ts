/**
 * OpenRTB JSON → the generated protobuf message shape, for tests: integers-as-booleans become booleans
 * (the proto schema types them bool), `native.request` stays a string, unknown fields are dropped by the
 * encoder. Enough for the spec examples and our fixtures.
 */
type Json = Record<string, unknown>;

const kBoolFields = new Set([
  'test',
  'allimps',
  'instl',
  'secure',
  'clickbrowser',
  'private_auction',
  'coppa',
  'gdpr',
  'lmt',
  'dnt',
  'js',
  'geofetch',
  'privacypolicy',
  'paid',
  'complete',
  'hp',
  'fd',
  'boxingallowed',
  'skip',
  'topframe',
  'vcm',
  'mobile',
  'required',
  'rwdd',
]);

function convert(v: unknown, key: string): unknown {
  if (Array.isArray(v)) return v.map((x) => convert(x, key));
  if (v !== null && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'ext') continue;
      if (k === 'request' && key === 'native' && typeof x !== 'string') {
        out[k] = JSON.stringify(x);
        continue;
      }
      out[k] = convert(x, k);
    }
    return out;
  }
  if (kBoolFields.has(key) && typeof v === 'number') return v === 1;
  return v;
}

export function jsonToProtoRequest(json: Json): Json {
  return convert(json, '') as Json;
}
