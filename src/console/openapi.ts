/**
 * The admin API's OpenAPI description, served at `GET /admin/openapi.json` on the ops port. Kept next to
 * the routes it describes; tests check that every path in it answers.
 */

const kError = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    issues: {
      type: 'array',
      description: 'Field issues, each with the dotted path of the campaign field it belongs to',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;

const kEditResult = {
  type: 'object',
  properties: {
    etag: { type: 'string' },
    diff: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, before: {}, after: {} } },
    },
    reload: { type: ['object', 'null'] },
  },
} as const;

const kPatch = {
  type: 'object',
  additionalProperties: false,
  description: 'Only the fields given change; the result must pass the same schema as config/campaigns/*.yaml.',
  properties: {
    status: { enum: ['active', 'paused'] },
    budget: {
      type: 'object',
      additionalProperties: false,
      properties: {
        daily: { type: 'number', exclusiveMinimum: 0 },
        total: { type: ['number', 'null'], description: 'null removes the total budget' },
        channels: { type: 'object', additionalProperties: { type: 'number' }, description: 'shares summing to 1' },
        floating: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
    bid: { type: 'object', description: 'the whole bid strategy, e.g. { strategy: fixed_cpm, cpm: 2.5 }' },
    flight: {
      type: 'object',
      properties: { start: { type: ['string', 'null'] }, end: { type: ['string', 'null'] } },
    },
    frequencyCaps: {
      type: 'array',
      items: { type: 'object', properties: { count: { type: 'integer' }, window: { type: ['string', 'integer'] } } },
    },
  },
} as const;

const kId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } } as const;
const kIfMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'The ETag last read; the change is refused with 412 if the file changed since',
  schema: { type: 'string' },
} as const;
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const editResponses = {
  '200': { description: 'written, logged and reloaded', ...json(kEditResult) },
  '401': { description: 'missing or wrong bearer token' },
  '404': { description: 'no such campaign', ...json(kError) },
  '409': { description: 'the campaign shares its file with others', ...json(kError) },
  '412': { description: 'the file changed since the given ETag', ...json(kError) },
  '422': { description: 'the campaign would be invalid', ...json(kError) },
};

export const kOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'Peregrine admin API',
    version: '1',
    description: 'Ops port only. Bearer token (admin.token); without one, loopback callers only.',
  },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  security: [{ bearer: [] }],
  paths: {
    '/admin/config': { get: { summary: 'The live config snapshot (ids, budgets, shares)', responses: { '200': {} } } },
    '/admin/reload': { post: { summary: 'Re-read the config directory', responses: { '200': {}, '422': {} } } },
    '/admin/spend': {
      get: { summary: "Today's spend, target and pools per campaign × channel", responses: { '200': {} } },
    },
    '/admin/campaigns/{id}': {
      get: {
        summary: "A campaign as written in its file, with the file's ETag",
        parameters: [kId],
        responses: { '200': { description: 'the campaign' }, '404': { description: 'no such campaign' } },
      },
      put: {
        summary: 'Change status, budgets, split, bid, flight or frequency caps',
        parameters: [kId, kIfMatch],
        requestBody: { required: true, ...json(kPatch) },
        responses: editResponses,
      },
    },
    '/admin/campaigns/{id}/pause': {
      post: { summary: 'Pause a campaign', parameters: [kId, kIfMatch], responses: editResponses },
    },
    '/admin/campaigns/{id}/resume': {
      post: { summary: 'Resume a campaign', parameters: [kId, kIfMatch], responses: editResponses },
    },
  },
} as const;
