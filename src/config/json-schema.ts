/**
 * JSON Schema (draft 2020-12) for the YAML config files, generated from the zod schemas that validate them,
 * so editors (yaml-language-server, IntelliJ) complete and check `bidder.yaml`, `channels.yaml` and
 * `campaigns/*.yaml` with the same rules the bidder applies. `npm run schema` writes them to schema/; a test
 * fails when the committed files drift from the zod schemas. The schemas describe what a file may contain
 * (zod's input side: durations as `30s` or seconds, fields with defaults optional); cross-file rules (a
 * campaign's channels exist, ids are unique) are the loader's, and only the bidder reports those.
 */
import { z } from 'zod';
import { bidderSchema, campaignSchema, channelsSchema } from './schema.js';

export interface JsonSchemaFile {
  /** File name under schema/. */
  readonly name: string;
  /** What it validates, for the schema's title. */
  readonly title: string;
  readonly schema: Record<string, unknown>;
}

function toJson(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

export function configJsonSchemas(): JsonSchemaFile[] {
  const campaign = toJson(campaignSchema);
  const { $schema: _draft, ...campaignBody } = campaign;
  return [
    { name: 'bidder.schema.json', title: 'Peregrine bidder.yaml', schema: toJson(bidderSchema) },
    { name: 'channels.schema.json', title: 'Peregrine channels.yaml', schema: toJson(channelsSchema) },
    {
      name: 'campaign.schema.json',
      title: 'Peregrine campaigns/*.yaml: one campaign, or { campaigns: [...] }',
      schema: {
        $schema: campaign.$schema,
        $defs: { campaign: campaignBody },
        anyOf: [
          { $ref: '#/$defs/campaign' },
          {
            type: 'object',
            properties: { campaigns: { type: 'array', items: { $ref: '#/$defs/campaign' } } },
            required: ['campaigns'],
            additionalProperties: false,
          },
        ],
      },
    },
  ].map((f) => ({ ...f, schema: { title: f.title, ...f.schema } }));
}

/** The file's text as written: stable key order from zod, two-space indent, final newline. */
export function schemaText(f: JsonSchemaFile): string {
  return `${JSON.stringify(f.schema, null, 2)}\n`;
}
