/**
 * Protobuf decode of the same ~1.2 KB-JSON banner request the JSON codec benchmark uses, into the same
 * internal request type; and JSON decode of it for comparison. Run: npm run bench:proto
 */
import { readFileSync } from 'node:fs';
import { decodeJsonRequest } from '../../src/openrtb/decode-json.js';
import { decodeProtoRequest } from '../../src/openrtb/proto/decode-proto.js';
import { peregrine } from '../../src/openrtb/proto/generated/openrtb.js';
import { jsonToProtoRequest } from '../../tests/helpers/proto.js';
import { runMicro } from './harness.js';

const text = readFileSync(new URL('./fixtures/banner-1k.json', import.meta.url), 'utf8');
const bytes = peregrine.openrtb.BidRequest.encode(jsonToProtoRequest(JSON.parse(text) as Record<string, unknown>)).finish();
if (!decodeProtoRequest(bytes).ok) throw new Error('fixture must decode');
console.log(`JSON ${Buffer.byteLength(text)} bytes; protobuf ${bytes.length} bytes`);
const json = Buffer.from(text);
await runMicro('protobuf vs JSON request decode', [
  { name: 'protobuf decode + map + validate', batch: 20, fn: () => { for (let i = 0; i < 20; i++) decodeProtoRequest(bytes); } },
  { name: 'JSON decode + validate', batch: 20, fn: () => { for (let i = 0; i < 20; i++) decodeJsonRequest(json); } },
]);
