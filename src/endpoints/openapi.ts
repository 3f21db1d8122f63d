/**
 * The OpenAPI 3.1 description of the ops port (health, metrics, the admin API): served as
 * `GET :OPS_PORT/openapi.json`, written to docs/openapi.yaml by `npm run schema`, and checked against the real
 * server by tests/e2e/openapi.e2e.test.ts (every route documented, every documented operation answering with a
 * documented status and a body its schema accepts). Kept as data here so the running bidder serves exactly
 * what is tested; edit it with the routes in app.ts.
 */
import { stringify } from 'yaml';

type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const json = (description: string, ref: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const text = (description: string, example: string) => ({
  description,
  content: { 'text/plain': { schema: { type: 'string' }, example } },
});
const kAdmin = {
  security: [{ bearer: [] }, {}],
  responses: { 401: error('UNAUTHORIZED: a token is configured and this request does not carry it') },
} as const;

const kNumber = { type: 'number' } as const;
const kString = { type: 'string' } as const;

export const kOpsOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'Peregrine ops API',
    version: '1',
    description:
      'The ops port (default 9464; OPS_PORT): metrics, health and the admin API. Never expose it to exchanges. ' +
      'Admin operations need `Authorization: Bearer <PEREGRINE_ADMIN_TOKEN>` when a token is configured ' +
      '(`admin.token` in bidder.yaml); without one they answer loopback callers only.',
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  servers: [{ url: 'http://localhost:9464' }],
  paths: {
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        responses: { 200: text('every peregrine_ metric, plus process and event-loop metrics', '# HELP …') },
      },
    },
    '/healthz': {
      get: {
        operationId: 'healthz',
        summary: 'Liveness: the process answers',
        responses: { 200: text('alive', 'ok') },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        summary: 'Readiness: config loaded, store reachable, not draining',
        responses: { 200: text('ready for traffic', 'ready'), 503: error('NOT_READY, with the reason') },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        responses: {
          200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/admin/reload': {
      post: {
        operationId: 'reload',
        summary: 'Re-read the config directory now (the file watcher does this on changes)',
        description: 'A valid config is swapped in atomically; an invalid one is refused and the previous stays live.',
        security: kAdmin.security,
        responses: {
          200: json('the config now live', 'ReloadResult'),
          401: kAdmin.responses[401],
          422: json('INVALID_CONFIG: every error with file and field path; the previous config stays', 'InvalidConfig'),
          503: json(
            'CONFIG_LOAD_FAILED: the directory could not be read (I/O, limits); the previous config stays',
            'InvalidConfig',
          ),
        },
      },
    },
    '/admin/config': {
      get: {
        operationId: 'config',
        summary: 'The live config: version, hash, channels, campaigns, warnings (no secrets)',
        security: kAdmin.security,
        responses: { 200: json('the live config snapshot', 'ConfigView'), 401: kAdmin.responses[401] },
      },
    },
    '/admin/spend': {
      get: {
        operationId: 'spend',
        summary: "Today's budget, spend, pacing target and signal per campaign × channel",
        security: kAdmin.security,
        responses: { 200: json('one row per campaign × channel', 'SpendReport'), 401: kAdmin.responses[401] },
      },
    },
    '/admin/replay/{channel}': {
      post: {
        operationId: 'replay',
        summary: 'Run a bid request through the real bid path without reserving budget, and explain the outcome',
        security: kAdmin.security,
        parameters: [
          { name: 'channel', in: 'path', required: true, schema: kString, description: 'a channel id' },
          {
            name: 'debug',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['1'] },
            description: "1: include every scored candidate's explanation",
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', description: 'an OpenRTB 2.5/2.6 BidRequest', required: ['id', 'imp'] },
            },
          },
        },
        responses: {
          200: json('what the bidder would answer, and why', 'ReplayResult'),
          400: error('BAD_REQUEST: not a valid bid request; `path` names the field'),
          401: kAdmin.responses[401],
          404: error('UNKNOWN_CHANNEL'),
        },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error', 'code'],
        properties: {
          error: { type: 'string', description: 'what was wrong' },
          code: { type: 'string', description: 'a code from the README table (src/errors.ts)' },
          path: { type: 'string', description: 'the field, when one is to blame' },
        },
      },
      ConfigIssue: {
        type: 'object',
        required: ['file', 'path', 'message'],
        properties: { file: kString, path: kString, message: kString },
      },
      InvalidConfig: {
        allOf: [
          { $ref: '#/components/schemas/Error' },
          {
            type: 'object',
            required: ['issues'],
            properties: {
              issues: { type: 'array', items: { $ref: '#/components/schemas/ConfigIssue' } },
              totalIssues: { type: 'integer', description: 'how many were found; `issues` may be capped' },
            },
          },
        ],
      },
      ReloadResult: {
        type: 'object',
        required: ['version', 'hash', 'changed', 'campaigns'],
        properties: {
          version: { type: 'integer', description: 'increments on every change' },
          hash: { type: 'string', description: 'sha256 prefix of every file: equal across a fleet on equal config' },
          changed: { type: 'boolean' },
          campaigns: { type: 'integer' },
        },
      },
      Channel: {
        type: 'object',
        required: ['id', 'name', 'auctionType', 'billableEvent', 'seat', 'format', 'dialect', 'priceKeys'],
        properties: {
          id: kString,
          name: kString,
          auctionType: { enum: [1, 2] },
          billableEvent: { enum: ['win', 'bill'] },
          timeoutMarginMs: kNumber,
          seat: kString,
          format: { enum: ['json', 'protobuf', 'auto'] },
          gzip: { type: 'boolean' },
          winsImplied: { type: 'boolean' },
          dialect: { enum: ['openrtb', 'prebid'] },
          priceKeys: { enum: ['set', 'unset'], description: 'whether the encrypted price keys are configured' },
          prebid: {
            type: 'object',
            properties: {
              bidderCodes: { type: 'array', items: kString },
              noBid: { enum: ['empty', '204'] },
              exp: kNumber,
            },
          },
          corsOrigins: { type: 'array', items: kString },
        },
      },
      ConfigView: {
        type: 'object',
        required: ['version', 'hash', 'loadedAt', 'channels', 'campaigns', 'warnings'],
        properties: {
          version: { type: 'integer' },
          hash: kString,
          loadedAt: { type: 'string', format: 'date-time' },
          channels: { type: 'array', items: { $ref: '#/components/schemas/Channel' } },
          campaigns: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'advertiser', 'active', 'dailyBudget', 'channels'],
              properties: {
                id: kString,
                advertiser: kString,
                active: { type: 'boolean' },
                dailyBudget: { type: 'number', description: 'account currency' },
                channels: { type: 'object', additionalProperties: kNumber, description: 'base share per channel' },
              },
            },
          },
          warnings: { type: 'array', items: kString },
        },
      },
      SpendReport: {
        type: 'object',
        required: ['currency', 'rows'],
        properties: {
          currency: kString,
          rows: {
            type: 'array',
            items: {
              type: 'object',
              required: ['campaign', 'channel', 'pacing', 'dailyBudget', 'spent', 'target', 'signal'],
              properties: {
                campaign: kString,
                channel: kString,
                day: { type: 'string', description: "the campaign's local day" },
                pacing: { enum: ['even', 'traffic', 'asap'] },
                dailyBudget: { type: 'number', description: "this channel's cap today, account currency" },
                baseShare: kNumber,
                spent: kNumber,
                target: { type: 'number', description: 'where spend should be now on the day curve' },
                signal: { type: 'number', description: 'the pacing controller output, 0..1' },
                reserved: kNumber,
                lease: kNumber,
                exploration: { type: 'object', properties: { budget: kNumber, spent: kNumber } },
              },
            },
          },
        },
      },
      ReplayResult: {
        type: 'object',
        required: ['bid'],
        properties: {
          bid: { type: 'boolean' },
          response: { type: 'object', description: 'the OpenRTB BidResponse, when bid is true' },
          reason: { type: 'string', description: 'why not, when bid is false' },
          explanations: { type: 'array', items: { type: 'object' }, description: 'with debug=1' },
        },
      },
    },
  },
} as const satisfies Json;

/** docs/openapi.yaml as `npm run schema` writes it. */
export function openApiYaml(): string {
  return `# Generated from src/endpoints/openapi.ts by npm run schema; served as GET :9464/openapi.json.\n${stringify(kOpsOpenApi, { lineWidth: 120 })}`;
}
