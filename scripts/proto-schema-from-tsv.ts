/**
 * Writes proto/openrtb.proto from ../shared/openrtb-proto-fields.tsv (every OpenRTB 2.6 field with its IAB
 * number and Google's number; they agree wherever both exist). The schema is proto2 so it reads both IAB's
 * edition-2023 messages (packed repeated scalars) and Google's proto2 messages (unpacked): protobufjs
 * decoders accept either encoding. Enums are int32 so unknown values survive; `google.protobuf.Value`
 * fields are kept as raw bytes (same wire type) so the schema needs no imports.
 * Run: npx tsx scripts/proto-schema-from-tsv.ts [path/to/openrtb-proto-fields.tsv]
 */
import { readFileSync, writeFileSync } from 'node:fs';

const tsv = process.argv[2] ?? new URL('../../shared/openrtb-proto-fields.tsv', import.meta.url).pathname;
const out = new URL('../proto/openrtb.proto', import.meta.url).pathname;

interface Field {
  readonly name: string;
  readonly number: number;
  readonly type: string;
  readonly repeated: boolean;
  readonly google: string;
}

interface Msg {
  readonly fields: Field[];
  readonly children: Map<string, Msg>;
}

const root: Msg = { fields: [], children: new Map() };
const node = (path: string): Msg => {
  let m = root;
  for (const part of path.split('.')) {
    let c = m.children.get(part);
    if (c === undefined) {
      c = { fields: [], children: new Map() };
      m.children.set(part, c);
    }
    m = c;
  }
  return m;
};

for (const line of readFileSync(tsv, 'utf8').split('\n')) {
  if (line.startsWith('#') || line.startsWith('message\t') || line.trim() === '') continue;
  const [msg, name, number, type, label, google] = line.split('\t');
  if (msg === undefined || name === undefined || number === undefined || type === undefined) continue;
  node(msg).fields.push({ name, number: Number(number), type, repeated: label === 'repeated', google: google ?? '' });
}



function render(name: string, m: Msg, indent: string): string {
  let s = `${indent}message ${name} {\n`;
  for (const [child, cm] of [...m.children].sort(([a], [b]) => a.localeCompare(b))) s += render(child, cm, `${indent}  `);
  for (const f of [...m.fields].sort((a, b) => a.number - b.number)) {
    let type = f.type.replace(/^\./, '');
    if (type === 'google.protobuf.Value') type = 'bytes';
    const label = f.repeated ? 'repeated' : 'optional';
    const note = f.google === '' ? ' // IAB only' : f.google !== String(f.number) ? ` // Google: ${f.google}` : '';
    s += `${indent}  ${label} ${type} ${f.name} = ${f.number};${note}\n`;
  }
  return `${s}${indent}}\n`;
}

let text = `// OpenRTB 2.6 as protocol buffers, generated from openrtb-proto-fields.tsv by scripts/proto-schema-from-tsv.ts.
// Wire-compatible with the IAB Tech Lab schema (edition 2023) and Google's com.google.openrtb (proto2):
// field numbers are IAB's, which equal Google's wherever Google has the field. Unknown fields and
// extensions (Google's 100-9999) are skipped by the decoder, never fatal.
syntax = "proto2";

package peregrine.openrtb;

// The per-object extension message (IAB: ext = 99). Its contents are exchange-specific.
message Ext {
  extensions 1 to max;
}

`;
for (const [name, m] of [...root.children].sort(([a], [b]) => a.localeCompare(b))) text += `${render(name, m, '')}\n`;
writeFileSync(out, text.trimEnd() + '\n');
console.log(`wrote ${out}`);
