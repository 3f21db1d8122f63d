/**
 * proto/openrtb.proto against the OpenRTB protobuf field table (openrtb-proto-fields.tsv: every field of the
 * IAB schema with its number, type and label, and Google's number where Google has the field): every
 * message and field is there with the table's number, type and label, nothing else is, and messages that
 * exist in Google's schema declare Google's extension range 100–9999.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { schema } from './json-to-proto.js';

interface Row {
  readonly message: string;
  readonly field: string;
  readonly number: number;
  readonly type: string;
  readonly repeated: boolean;
  readonly google: string;
}

const kTsv = new URL('../../../../proto/openrtb-proto-fields.tsv', import.meta.url);

const rows: readonly Row[] = readFileSync(kTsv, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('message\t'))
  .map((l) => {
    const [message = '', field = '', number = '', type = '', label = '', google = ''] = l.split('\t');
    return { message, field, number: Number(number), type, repeated: label === 'repeated', google: google.trim() };
  });

const messages = [...new Set(rows.map((r) => r.message))];

function messageType(name: string): protobuf.Type {
  return schema.lookupType(`openrtb.${name}`);
}

/** The table's type as written in the .proto: `google.protobuf.Value` is carried as bytes (same wire type). */
function protoType(tsvType: string): string {
  return tsvType.replace(/^\./, '') === 'google.protobuf.Value' ? 'bytes' : tsvType;
}

describe('proto/openrtb.proto', () => {
  it('is proto2 in package openrtb', () => {
    const text = readFileSync(new URL('../../../../proto/openrtb.proto', import.meta.url), 'utf8');
    expect(text).toMatch(/^syntax = "proto2";$/m);
    expect(text).toMatch(/^package openrtb;$/m);
  });

  it('reads the whole field table', () => {
    expect(rows.length).toBeGreaterThan(500);
    expect(messages.length).toBeGreaterThan(60);
  });

  it('has every field of the table with its number, type and label', () => {
    const wrong: string[] = [];
    for (const row of rows) {
      const f = messageType(row.message).fields[row.field];
      if (f === undefined) wrong.push(`${row.message}.${row.field}: missing`);
      else if (f.id !== row.number || f.type !== protoType(row.type) || f.repeated !== row.repeated || f.required) {
        wrong.push(
          `${row.message}.${row.field}: ${f.id} ${f.type} ${f.rule ?? 'optional'}, table says ${row.number} ${row.type} ${row.repeated ? 'repeated' : 'optional'}`,
        );
      }
      if (row.google !== '' && row.google !== String(row.number))
        wrong.push(`${row.message}.${row.field}: Google's number ${row.google} differs`);
    }
    expect(wrong).toStrictEqual([]);
  });

  it('has no field the table does not list', () => {
    const listed = new Set(rows.map((r) => `${r.message}.${r.field}`));
    const extra: string[] = [];
    for (const name of messages)
      for (const f of messageType(name).fieldsArray)
        if (!listed.has(`${name}.${f.name}`)) extra.push(`${name}.${f.name}`);
    expect(extra).toStrictEqual([]);
  });

  it("declares extensions 100 to 9999 exactly on the messages Google's schema has", () => {
    for (const name of messages) {
      const inGoogle = rows.some((r) => r.message === name && r.google !== '');
      expect(messageType(name).extensions ?? [], name).toStrictEqual(inGoogle ? [[100, 9999]] : []);
    }
  });

  it('keeps enumerations as int32 (no enum types), so unknown values survive', () => {
    const enums: string[] = [];
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const o of ns.nestedArray) {
        if (o instanceof protobuf.Enum) enums.push(o.fullName);
        if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) walk(o);
      }
    };
    walk(schema);
    expect(enums).toStrictEqual([]);
  });
});
