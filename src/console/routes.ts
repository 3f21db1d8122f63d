/**
 * The media buyer's console on the ops port (never the public one): the page and its assets under
 * `/console/`, its JSON API under `/console/api/` (cookie session, CSRF header on every write), and the same
 * campaign edits for scripts in the bearer-token admin API (`/admin/campaigns/:id`). `registerConsole` is
 * the one call the composition root makes; it also starts the minute sampler behind the figures.
 */
import { isAbsolute, join } from 'node:path';
import type { Clock } from '../clock.js';
import type { ConfigHolder } from '../config/config-holder.js';
import type { adminGuard } from '../endpoints/admin-auth.js';
import type { HttpServer, RequestInfo } from '../http/server.js';
import { jsonReply, type HttpReply } from '../http/reply.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/registry.js';
import type { PacingGate } from '../pacing/gate.js';
import type { RoiTracker } from '../roi/roi-tracker.js';
import type { ExperimentStats } from '../scoring/index.js';
import type { BudgetStore, FleetCounterStore, ReachStore } from '../store/ports.js';
import { AnomalyDetector, type AnomalyOptions } from './anomaly.js';
import { ConsoleAssets, kSecurityHeaders } from './assets.js';
import { CampaignEditor, type EditResult } from './campaign-edit.js';
import { ConsoleFigures } from './figures.js';
import { sameSecret, SessionStore, SignInThrottle, type Role, type Session } from './sessions.js';

/** Request headers the ops server must capture for the console (`ServerOptions.headers`). */
export const kConsoleHeaders: readonly string[] = ['cookie', 'x-csrf-token', 'if-match'];

const kCookie = 'pg_console';

export interface ConsoleDeps {
  readonly clock: Clock;
  readonly config: ConfigHolder;
  readonly budgets: BudgetStore;
  readonly fleet: FleetCounterStore;
  readonly reach: ReachStore;
  /** This instance's experiment counters (the scorer's). */
  readonly experiments?: ExperimentStats;
  readonly gate: PacingGate;
  readonly roi: RoiTracker;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The admin API's guard (token policy and audit), for the campaign-edit routes of the admin API. */
  readonly guard: ReturnType<typeof adminGuard>;
  /** Where the built page is (default: dist/console/ui). */
  readonly assetsDir?: string;
  /** How often figures are sampled (default: every minute). */
  readonly sampleIntervalMs?: number;
  readonly anomaly?: Partial<AnomalyOptions>;
}

export interface ConsoleHandle {
  readonly figures: ConsoleFigures;
  readonly anomalies: AnomalyDetector;
  readonly editor: CampaignEditor;
  close(): void;
}

type ConsoleHandler = (info: RequestInfo, body: Buffer | undefined) => HttpReply | Promise<HttpReply>;

const noStore: readonly (readonly [string, string])[] = [...kSecurityHeaders, ['cache-control', 'no-store']];

function reply(status: number, value: unknown, headers: readonly (readonly [string, string])[] = []): HttpReply {
  const r = jsonReply(status, value);
  return { ...r, headers: [...noStore, ...headers] };
}

function fail(status: number, code: string, message: string, more: Record<string, unknown> = {}): HttpReply {
  return reply(status, { error: { code, message }, ...more });
}

export function registerConsole(ops: HttpServer, deps: ConsoleDeps): ConsoleHandle {
  const { clock, config, metrics } = deps;
  const bidder = () => config.current.bidder;
  const sessions = new SessionStore(clock, {
    idleMs: bidder().admin.sessionIdle * 1000,
    maxMs: bidder().admin.sessionMax * 1000,
  });
  const throttle = new SignInThrottle(clock, { baseDelayMs: 1000, maxDelayMs: 60_000, forgetMs: 15 * 60_000 });
  const assets = new ConsoleAssets(deps.assetsDir);
  const anomalies = new AnomalyDetector(deps.anomaly);
  metrics.setAnomalySource(() => anomalies.gauges());
  const figures = new ConsoleFigures({
    clock,
    config,
    budgets: deps.budgets,
    fleet: deps.fleet,
    reach: deps.reach,
    ...(deps.experiments === undefined ? {} : { experiments: deps.experiments }),
    gate: deps.gate,
    roi: deps.roi,
    metrics,
    anomalies,
    onAnomaly: (e) => deps.logger.warn({ anomaly: e }, `anomaly ${e.kind}: ${e.campaignId} ${e.channelId} ${e.signal}`),
    onError: (err) => deps.logger.warn({ err }, 'console figures not sampled'),
  });
  figures.start(deps.sampleIntervalMs);
  const auditPath = () => {
    const p = bidder().admin.auditLog;
    return isAbsolute(p) ? p : join(config.current.dir, p);
  };
  const editor = new CampaignEditor({
    configDir: config.current.dir,
    channelIds: () => new Set(config.current.channels.keys()),
    get auditLog() {
      return auditPath();
    },
    now: () => clock.now(),
  });

  const sessionOf = (info: RequestInfo): Session | undefined => sessions.get(cookie(info, kCookie));

  /** A console API handler that needs a session; writes also need admin rights and the CSRF header. */
  const api =
    (
      kind: 'read' | 'write',
      handler: (info: RequestInfo, body: Buffer | undefined, s: Session) => Promise<HttpReply> | HttpReply,
    ): ConsoleHandler =>
    (info, body) => {
      const s = sessionOf(info);
      if (s === undefined) return fail(401, 'signed_out', 'not signed in, or the session expired');
      if (kind === 'write') {
        if (!sameSecret(info.headers?.['x-csrf-token'] ?? '', s.csrf))
          return fail(403, 'csrf', 'missing or wrong x-csrf-token header');
        if (s.role !== 'admin')
          return fail(403, 'read_only', 'this session is read-only: sign in with the admin token');
      }
      return handler(info, body, s);
    };

  const editReply = async (r: EditResult): Promise<HttpReply> => {
    if (!r.ok)
      return fail(r.status, r.status === 412 ? 'changed' : r.status === 422 ? 'invalid' : 'refused', r.message, {
        issues: r.issues ?? [],
      });
    // Pick the change up now here; the other instances' file watches do the same within a second.
    const reload = r.diff.length === 0 ? undefined : await config.reload();
    return reply(
      200,
      {
        etag: r.file.etag,
        diff: r.diff,
        reload:
          reload === undefined
            ? null
            : reload.ok
              ? { ok: true, version: reload.snapshot.version }
              : { ok: false, issues: reload.issues },
      },
      [['etag', r.file.etag]],
    );
  };

  const edit = async (
    id: string,
    patch: unknown,
    ifMatch: string | undefined,
    who: string,
    via: 'console' | 'admin',
  ): Promise<HttpReply> => editReply(await editor.edit(id, patch, ifMatch, who, via));

  const campaignFile = async (id: string): Promise<HttpReply> => {
    const f = await editor.read(id);
    if (f === undefined) return fail(404, 'not_found', `no campaign ${id}`);
    return reply(200, { id, file: f.file, etag: f.etag || null, campaign: f.raw }, f.etag ? [['etag', f.etag]] : []);
  };

  const page: ConsoleHandler = () => {
    const index = assets.get('index.html');
    if (index === undefined)
      return {
        status: 503,
        contentType: 'text/plain; charset=utf-8',
        body: 'console assets are not built: run `npm run build` (they go to dist/console/ui)',
      };
    return index;
  };

  ops
    .route('/console', {
      get: {
        handler: () => ({
          status: 302,
          body: '/console/',
          contentType: 'text/plain; charset=utf-8',
          headers: [['location', '/console/']],
        }),
      },
    })
    .route('/console/', { get: { handler: page } })
    .route('/console/assets/:file', {
      get: { handler: (info) => assets.get(info.param) ?? fail(404, 'not_found', `no asset ${info.param}`) },
    })
    .route('/console/api/session', {
      get: {
        handler: (info) => {
          const s = sessionOf(info);
          if (s === undefined) return fail(401, 'signed_out', 'not signed in, or the session expired');
          return reply(200, { role: s.role, who: s.who, csrf: s.csrf });
        },
      },
      post: {
        body: true,
        handler: (info, body) => {
          const remote = info.remoteAddress;
          const wait = throttle.waitMs(remote);
          if (wait > 0) {
            metrics.consoleSignIns.labels('throttled').inc();
            return {
              ...fail(429, 'slow_down', `too many failed sign-ins: try again in ${Math.ceil(wait / 1000)} s`),
              headers: [...noStore, ['retry-after', String(Math.ceil(wait / 1000))]],
            };
          }
          const input = parseJson(body);
          const token = isRecord(input) && typeof input.token === 'string' ? input.token : '';
          const name = isRecord(input) && typeof input.name === 'string' ? cleanName(input.name) : '';
          const role = roleFor(token, config.current.adminToken, config.current.readToken);
          if (role === undefined) {
            throttle.failed(remote);
            metrics.consoleSignIns.labels('bad_token').inc();
            const none = config.current.adminToken === undefined && config.current.readToken === undefined;
            return fail(
              401,
              'bad_token',
              none ? 'no console token is configured (admin.token, admin.readToken)' : 'wrong token',
            );
          }
          throttle.succeeded(remote);
          metrics.consoleSignIns.labels('ok').inc();
          const s = sessions.create(role, name === '' ? role : name);
          return reply(200, { role: s.role, who: s.who, csrf: s.csrf }, [
            [
              'set-cookie',
              `${kCookie}=${s.id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${sessions.maxAgeSeconds(s)}`,
            ],
          ]);
        },
      },
      del: {
        handler: api('read', (info, _body, s) => {
          if (!sameSecret(info.headers?.['x-csrf-token'] ?? '', s.csrf))
            return fail(403, 'csrf', 'missing or wrong x-csrf-token header');
          sessions.delete(s.id);
          return reply(200, { signedOut: true }, [
            ['set-cookie', `${kCookie}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`],
          ]);
        }),
      },
    })
    .route('/console/api/overview', {
      get: {
        handler: api('read', async () => {
          await figures.ready();
          return reply(200, figures.overview());
        }),
      },
    })
    .route('/console/api/campaigns/:id', {
      get: {
        handler: api('read', async (info) => {
          await figures.ready();
          const view = figures.campaign(info.param);
          const f = await editor.read(info.param);
          if (view === undefined && f === undefined) return fail(404, 'not_found', `no campaign ${info.param}`);
          return reply(200, {
            ...(view as object),
            file: f === undefined ? null : { path: f.file, etag: f.etag || null, campaign: f.raw },
          });
        }),
      },
      put: {
        body: true,
        handler: api('write', (info, body, s) => {
          const ifMatch = info.headers?.['if-match'] ?? '';
          if (ifMatch === '') return fail(428, 'if_match', 'send If-Match with the ETag the page loaded');
          const patch = parseJson(body);
          if (patch === kBadJson) return fail(400, 'bad_json', 'the body is not JSON');
          return edit(info.param, patch, ifMatch, `${s.who} (console, ${info.remoteAddress})`, 'console');
        }),
      },
    })
    .route('/console/api/campaigns/:id/history', {
      get: { handler: api('read', async (info) => reply(200, { entries: await editor.history(info.param) })) },
    });
  for (const [action, status] of [
    ['pause', 'paused'],
    ['resume', 'active'],
  ] as const) {
    ops.route(`/console/api/campaigns/:id/${action}`, {
      post: {
        handler: api('write', (info, _body, s) => {
          const ifMatch = info.headers?.['if-match'] ?? '';
          return edit(
            info.param,
            { status },
            ifMatch === '' ? undefined : ifMatch,
            `${s.who} (console, ${info.remoteAddress})`,
            'console',
          );
        }),
      },
    });
    ops.route(`/admin/campaigns/:id/${action}`, {
      post: {
        handler: deps.guard(`/admin/campaigns/:id/${action}`, (info: RequestInfo) =>
          edit(info.param, { status }, ifMatchOf(info), `admin-api (${info.remoteAddress})`, 'admin'),
        ),
      },
    });
  }
  ops.route('/admin/campaigns/:id', {
    get: { handler: deps.guard('/admin/campaigns/:id', (info: RequestInfo) => campaignFile(info.param)) },
    put: {
      body: true,
      handler: deps.guard('/admin/campaigns/:id', (info: RequestInfo, body: Buffer | undefined) => {
        const patch = parseJson(body);
        if (patch === kBadJson) return fail(400, 'bad_json', 'the body is not JSON');
        return edit(info.param, patch, ifMatchOf(info), `admin-api (${info.remoteAddress})`, 'admin');
      }),
    },
  });

  return {
    figures,
    anomalies,
    editor,
    close: () => figures.stop(),
  };
}

function ifMatchOf(info: RequestInfo): string | undefined {
  const v = info.headers?.['if-match'] ?? '';
  return v === '' ? undefined : v;
}

function roleFor(token: string, admin: string | undefined, read: string | undefined): Role | undefined {
  if (token === '') return undefined;
  // Both compared every time, so timing does not tell which token a guess was close to.
  const isAdmin = admin !== undefined && sameSecret(token, admin);
  const isRead = read !== undefined && sameSecret(token, read);
  return isAdmin ? 'admin' : isRead ? 'read' : undefined;
}

function cookie(info: RequestInfo, name: string): string {
  const header = info.headers?.cookie ?? '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return '';
}

function cleanName(name: string): string {
  let out = '';
  for (const ch of name) if (ch.charCodeAt(0) >= 0x20 && ch !== '\u007f') out += ch;
  return out.trim().slice(0, 64);
}

const kBadJson = Symbol('bad json');

function parseJson(body: Buffer | undefined): unknown {
  if (body === undefined || body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return kBadJson;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
