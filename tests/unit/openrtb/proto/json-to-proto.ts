/**
 * Test helper: OpenRTB JSON → the generated protobuf message shape, driven by proto/openrtb.proto itself
 * (protobufjs reflection, loaded once): each key is looked up in its message type, so the conversion is as
 * exact as the schema: 0/1 flags become bools where the field is `bool`, nested objects follow their message
 * type, `native.request` given as an object becomes its JSON text, and keys the schema does not have
 * (unknown or misspelt fields, like the spec example's `video.apis`) are dropped, as a protobuf exchange
 * could not send them. `ext` objects become empty `Ext` messages (their contents are exchange-specific).
 */
import protobuf from 'protobufjs';
import { openrtb } from '../../../../src/openrtb/proto/generated/openrtb.js';

type Json = Record<string, unknown>;

const kProtoFile = new URL('../../../../proto/openrtb.proto', import.meta.url).pathname;

/** The schema, parsed with the generated code's options (field names as written). */
export const schema: protobuf.Root = new protobuf.Root().loadSync(kProtoFile, { keepCase: true });

const kRequest = schema.lookupType('openrtb.BidRequest');

function convertMessage(type: protobuf.Type, json: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key];
    if (field === undefined || value === null || value === undefined) continue;
    out[key] =
      field.repeated && Array.isArray(value) ? value.map((v) => convertValue(field, v)) : convertValue(field, value);
  }
  return out;
}

function convertValue(field: protobuf.Field, value: unknown): unknown {
  const t = field.resolve().resolvedType;
  if (t instanceof protobuf.Type)
    return typeof value === 'object' && value !== null ? convertMessage(t, value as Json) : {};
  if (field.type === 'bool') return value === 1 || value === true;
  if (field.type === 'string' && typeof value === 'object') return JSON.stringify(value);
  return value;
}

export function jsonToProto(json: Json): openrtb.BidRequest.$Properties {
  return convertMessage(kRequest, json) as openrtb.BidRequest.$Properties;
}

/** The request's protobuf bytes, as an exchange would send them (generated encoder, proto2: unpacked). */
export function encodeJsonAsProto(json: Json): Uint8Array {
  return openrtb.BidRequest.encode(jsonToProto(json)).finish();
}
