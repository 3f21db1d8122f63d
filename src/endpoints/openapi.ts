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

const kCampaignId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } } as const;
const kIfMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'The ETag last read; the change is refused with 412 if the file changed since',
  schema: { type: 'string' },
} as const;
const kEditResponses = {
  200: json('written, audited and reloaded (ETag header: the new version)', 'EditResult'),
  401: kAdmin.responses[401],
  404: json('no such campaign', 'ConsoleError'),
  409: json('the campaign shares its file with others', 'ConsoleError'),
  412: json('the file changed since the given ETag', 'ConsoleError'),
  422: json('the campaign would be invalid: issues by field', 'ConsoleError'),
} as const;

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
    '/admin/experiments': {
      get: {
        operationId: 'experiments',
        summary: 'Per experiment arm: spend, wins, clicks, conversions, CTR, eCPC, eCPA, ROI with 95% intervals',
        description:
          'Each arm against the first (the control) by a mixture sequential probability ratio test on clicks, ' +
          'conversions or value per dollar: a verdict (better, worse) that stays valid however often this is read. ' +
          "This process's counters (each worker of a cluster keeps its own).",
        security: kAdmin.security,
        parameters: [
          {
            name: 'metric',
            in: 'query',
            required: false,
            description: 'the per-dollar rate the verdict compares (default clicks)',
            schema: { enum: ['clicks', 'conversions', 'value'] },
          },
          {
            name: 'alpha',
            in: 'query',
            required: false,
            description: 'false-verdict rate, (0, 0.5] (default 0.05)',
            schema: { type: 'number' },
          },
        ],
        responses: {
          200: json('experiments by id', 'ExperimentsReport'),
          400: error('BAD_PARAM: metric or alpha out of range'),
          401: kAdmin.responses[401],
        },
      },
    },
    '/admin/campaigns/{id}': {
      get: {
        operationId: 'getCampaign',
        summary: "A campaign as written in its file, with the file's ETag (for If-Match)",
        security: kAdmin.security,
        parameters: [kCampaignId],
        responses: {
          200: json('the campaign file', 'CampaignFile'),
          401: kAdmin.responses[401],
          404: json('no such campaign', 'ConsoleError'),
        },
      },
      put: {
        operationId: 'editCampaign',
        summary: 'Change status, budgets, channel split, floating share, bid, flight or frequency caps',
        description:
          'Only the fields given change. The result must pass the campaign file schema; it is written atomically ' +
          'keeping comments and order, appended to the audit log and hot-reloaded.',
        security: kAdmin.security,
        parameters: [kCampaignId, kIfMatch],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/CampaignPatch' } } },
        },
        responses: kEditResponses,
      },
    },
    '/admin/campaigns/{id}/pause': {
      post: {
        operationId: 'pauseCampaign',
        summary: 'Pause a campaign (status: paused in its file)',
        security: kAdmin.security,
        parameters: [kCampaignId, kIfMatch],
        responses: kEditResponses,
      },
    },
    '/admin/campaigns/{id}/resume': {
      post: {
        operationId: 'resumeCampaign',
        summary: 'Resume a campaign (status: active in its file)',
        security: kAdmin.security,
        parameters: [kCampaignId, kIfMatch],
        responses: kEditResponses,
      },
    },
    '/console': {
      get: {
        operationId: 'consoleRedirect',
        summary: 'Redirects to /console/',
        responses: { 302: text('to /console/', '/console/') },
      },
    },
    '/console/': {
      get: {
        operationId: 'consolePage',
        summary: "The media buyer's console (a single page; sign-in, overview, campaigns)",
        responses: {
          200: { description: 'the page', content: { 'text/html': { schema: kString } } },
          503: text('the assets are not built (npm run build)', 'console assets are not built'),
        },
      },
    },
    '/console/assets/{file}': {
      get: {
        operationId: 'consoleAsset',
        summary: "The console's script and stylesheet (built by esbuild into dist/console/ui)",
        parameters: [{ name: 'file', in: 'path', required: true, schema: kString }],
        responses: {
          200: {
            description: 'the file',
            content: { 'text/javascript': { schema: kString }, 'text/css': { schema: kString } },
          },
          404: json('no such asset', 'ConsoleError'),
        },
      },
    },
    '/console/api/session': {
      get: {
        operationId: 'consoleSession',
        summary: 'The signed-in session (role, name, CSRF token), from the pg_console cookie',
        responses: { 200: json('signed in', 'ConsoleSession'), 401: json('not signed in', 'ConsoleError') },
      },
      post: {
        operationId: 'consoleSignIn',
        summary: 'Sign in with the admin or read-only token; sets the HttpOnly SameSite=Strict session cookie',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', required: ['token'], properties: { token: kString, name: kString } },
            },
          },
        },
        responses: {
          200: json('signed in (Set-Cookie)', 'ConsoleSession'),
          401: json('wrong token', 'ConsoleError'),
          429: json('too many failures from this address: wait Retry-After seconds', 'ConsoleError'),
        },
      },
      delete: {
        operationId: 'consoleSignOut',
        summary: 'Sign out (needs x-csrf-token)',
        responses: {
          200: { description: 'signed out', content: { 'application/json': { schema: { type: 'object' } } } },
          401: json('not signed in', 'ConsoleError'),
          403: json('missing or wrong x-csrf-token', 'ConsoleError'),
        },
      },
    },
    '/console/api/overview': {
      get: {
        operationId: 'consoleOverview',
        summary: "Every campaign's day, bids and wins per channel per minute, alerts (session cookie)",
        responses: {
          200: { description: 'the figures', content: { 'application/json': { schema: { type: 'object' } } } },
          401: json('not signed in', 'ConsoleError'),
        },
      },
    },
    '/console/api/campaigns/{id}': {
      get: {
        operationId: 'consoleCampaign',
        summary: "One campaign's figures per channel and its file (session cookie)",
        parameters: [kCampaignId],
        responses: {
          200: { description: 'the figures', content: { 'application/json': { schema: { type: 'object' } } } },
          401: json('not signed in', 'ConsoleError'),
          404: json('no such campaign', 'ConsoleError'),
        },
      },
      put: {
        operationId: 'consoleEditCampaign',
        summary: 'The console edit: as PUT /admin/campaigns/{id}, with the session, x-csrf-token and If-Match',
        parameters: [kCampaignId, kIfMatch],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/CampaignPatch' } } },
        },
        responses: {
          ...kEditResponses,
          401: json('not signed in', 'ConsoleError'),
          403: json('no CSRF header, or read-only', 'ConsoleError'),
          428: json('If-Match missing', 'ConsoleError'),
        },
      },
    },
    '/console/api/campaigns/{id}/history': {
      get: {
        operationId: 'consoleCampaignHistory',
        summary: "The campaign's entries in the audit log (session cookie)",
        parameters: [kCampaignId],
        responses: {
          200: {
            description: 'entries, oldest first',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          401: json('not signed in', 'ConsoleError'),
        },
      },
    },
    '/console/api/campaigns/{id}/pause': {
      post: {
        operationId: 'consolePauseCampaign',
        summary: 'Pause from the console (session, x-csrf-token)',
        parameters: [kCampaignId, kIfMatch],
        responses: {
          ...kEditResponses,
          401: json('not signed in', 'ConsoleError'),
          403: json('no CSRF header, or read-only', 'ConsoleError'),
        },
      },
    },
    '/console/api/campaigns/{id}/resume': {
      post: {
        operationId: 'consoleResumeCampaign',
        summary: 'Resume from the console (session, x-csrf-token)',
        parameters: [kCampaignId, kIfMatch],
        responses: {
          ...kEditResponses,
          401: json('not signed in', 'ConsoleError'),
          403: json('no CSRF header, or read-only', 'ConsoleError'),
        },
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
      ConsoleError: {
        type: 'object',
        required: ['error'],
        properties: {
          error: { type: 'object', required: ['code', 'message'], properties: { code: kString, message: kString } },
          issues: {
            type: 'array',
            description: 'field issues of a refused edit, each with the dotted campaign field path',
            items: { type: 'object', required: ['path', 'message'], properties: { path: kString, message: kString } },
          },
        },
      },
      ConsoleSession: {
        type: 'object',
        required: ['role', 'who', 'csrf'],
        properties: { role: { enum: ['admin', 'read'] }, who: kString, csrf: kString },
      },
      CampaignFile: {
        type: 'object',
        required: ['id', 'file', 'etag', 'campaign'],
        properties: { id: kString, file: kString, etag: { type: ['string', 'null'] }, campaign: { type: 'object' } },
      },
      CampaignPatch: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { enum: ['active', 'paused'] },
          budget: {
            type: 'object',
            additionalProperties: false,
            properties: {
              daily: kNumber,
              total: { type: ['number', 'null'], description: 'null removes the total budget' },
              channels: { type: 'object', additionalProperties: kNumber, description: 'base shares summing to 1' },
              floating: kNumber,
            },
          },
          bid: { type: 'object', description: 'the whole bid strategy, e.g. { strategy: fixed_cpm, cpm: 2.5 }' },
          flight: {
            type: 'object',
            properties: { start: { type: ['string', 'null'] }, end: { type: ['string', 'null'] } },
          },
          frequencyCaps: {
            type: 'array',
            items: { type: 'object', properties: { count: kNumber, window: { type: ['string', 'number'] } } },
          },
        },
      },
      EditResult: {
        type: 'object',
        required: ['etag', 'diff', 'reload'],
        properties: {
          etag: kString,
          diff: { type: 'array', items: { type: 'object', required: ['path'], properties: { path: kString } } },
          reload: { type: ['object', 'null'] },
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
      ExperimentsReport: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          required: ['holdouts', 'metric', 'alpha', 'arms'],
          properties: {
            holdouts: kNumber,
            control: { type: 'string', description: 'the arm the others are compared with (arm 0)' },
            metric: { enum: ['clicks', 'conversions', 'value'] },
            alpha: kNumber,
            arms: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                required: ['bids', 'wins', 'spend', 'clicks', 'conversions', 'value'],
                properties: {
                  bids: kNumber,
                  wins: kNumber,
                  spend: { type: 'number', description: 'account currency' },
                  clicks: kNumber,
                  conversions: kNumber,
                  value: { type: 'number', description: 'conversion value, account currency' },
                  ctr: { oneOf: [{ $ref: '#/components/schemas/Interval' }, { type: 'null' }] },
                  ecpc: { oneOf: [{ $ref: '#/components/schemas/Interval' }, { type: 'null' }] },
                  ecpa: { oneOf: [{ $ref: '#/components/schemas/Interval' }, { type: 'null' }] },
                  roi: { oneOf: [{ $ref: '#/components/schemas/Interval' }, { type: 'null' }] },
                  test: {
                    description: 'against the control; absent for the control, null before both have an action',
                    oneOf: [
                      {
                        type: 'object',
                        required: ['effect', 'lambda', 'pValue', 'pAlwaysValid', 'verdict'],
                        properties: {
                          effect: { $ref: '#/components/schemas/Interval' },
                          lambda: kNumber,
                          pValue: kNumber,
                          pAlwaysValid: kNumber,
                          verdict: { enum: ['collecting', 'no difference yet', 'better', 'worse'] },
                        },
                      },
                      { type: 'null' },
                    ],
                  },
                },
              },
            },
          },
        },
      },
      Interval: {
        type: 'object',
        required: ['estimate', 'low', 'high'],
        properties: { estimate: kNumber, low: kNumber, high: kNumber },
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
