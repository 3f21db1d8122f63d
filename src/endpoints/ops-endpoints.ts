/**
 * The ops port: `/metrics`, `/healthz`, `/readyz`, and the admin API (`/admin/*`, bearer token required;
 * see admin-auth.ts for the rules and the audit). Never exposed to exchanges.
 */
import type { ConfigHolder } from '../config/config-holder.js';
import type { Channel } from '../config/snapshot.js';
import { errorReply, errors } from '../errors.js';
import { jsonReply, textReply, type HttpReply } from '../http/reply.js';
import type { Metrics } from '../metrics/registry.js';
import { kExperimentMetrics, type ExperimentMetric } from '../scoring/index.js';
import { adminGuard, type AdminAudit } from './admin-auth.js';

export interface Readiness {
  /** Undefined when ready, else why not. */
  notReadyReason(): Promise<string | undefined>;
}

export interface SpendReport {
  spend(): unknown;
}

export interface ExperimentsReporter {
  /** Every experiment's arms and verdicts (`ExperimentStats.report`); each call is a look of the test. */
  report(metric: ExperimentMetric, o: { readonly alpha?: number }): unknown;
}

export interface OpsDeps {
  readonly config: ConfigHolder;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly report: SpendReport;
  /** This process's experiment counters (each worker of a cluster keeps its own). */
  readonly experiments: ExperimentsReporter;
  /** Every admin call, allowed or refused (log it, count it). */
  readonly audit: AdminAudit;
}

export function createOpsEndpoints(deps: OpsDeps) {
  const guard = adminGuard(deps.config, deps.audit);

  return {
    metrics: async (): Promise<HttpReply> => ({
      status: 200,
      body: await deps.metrics.registry.metrics(),
      contentType: deps.metrics.registry.contentType,
    }),
    healthz: (): HttpReply => textReply(200, 'ok'),
    readyz: async (): Promise<HttpReply> => {
      const why = await deps.readiness.notReadyReason();
      return why === undefined ? textReply(200, 'ready') : errorReply(errors.notReady(why));
    },
    /** Wraps another admin handler (replay) in the same guard and audit. */
    guard,
    reload: guard('/admin/reload', async () => {
      const r = await deps.config.reload('admin');
      if (!r.ok && r.outcome === 'error')
        return jsonReply(503, {
          ...errors
            .configLoadFailed(`${r.issues[0]?.message ?? 'config load failed'}; the previous config stays live`)
            .toJSON(),
          issues: r.issues,
        });
      if (!r.ok)
        return jsonReply(422, {
          ...errors.invalidConfig('invalid config; the previous config stays live').toJSON(),
          issues: r.issues,
          totalIssues: r.totalIssues,
        });
      return jsonReply(200, {
        version: r.snapshot.version,
        hash: r.snapshot.hash,
        changed: r.changed,
        campaigns: r.snapshot.campaigns.length,
      });
    }),
    config: guard('/admin/config', () => {
      const s = deps.config.current;
      return jsonReply(200, {
        version: s.version,
        hash: s.hash,
        loadedAt: new Date(s.loadedAtMs).toISOString(),
        channels: [...s.channels.values()].map(channelView),
        campaigns: s.campaigns.map((c) => ({
          id: c.id,
          advertiser: c.advertiser,
          active: c.active,
          dailyBudget: c.dailyBudgetMicros / 1e6,
          channels: Object.fromEntries(c.channelShares),
        })),
        warnings: s.warnings,
      });
    }),
    spend: guard('/admin/spend', () => jsonReply(200, deps.report.spend())),
    /** `?metric=clicks|conversions|value` (the per-dollar rate the verdict compares) and `&alpha=0.05`. */
    experiments: guard('/admin/experiments', (info) => {
      const q = new URLSearchParams(info.query);
      const metric = q.get('metric') ?? 'clicks';
      if (!(kExperimentMetrics as readonly string[]).includes(metric))
        return errorReply(errors.badParam('metric', `metric must be one of ${kExperimentMetrics.join(', ')}`));
      const alphaText = q.get('alpha');
      const alpha = alphaText === null ? undefined : Number(alphaText);
      if (alpha !== undefined && !(alpha > 0 && alpha <= 0.5))
        return errorReply(errors.badParam('alpha', 'alpha must be in (0, 0.5]'));
      return jsonReply(200, deps.experiments.report(metric as ExperimentMetric, alpha === undefined ? {} : { alpha }));
    }),
  };
}

/**
 * A channel as `GET /admin/config` shows it: plain JSON (sets as sorted arrays — JSON.stringify turns a Set
 * into `{}`), and the price keys reduced to whether they are set, so the admin API never hands out secrets.
 */
function channelView(ch: Channel) {
  const { priceKeys, prebid, corsOrigins, ...plain } = ch;
  return {
    ...plain,
    priceKeys: priceKeys === undefined ? 'unset' : 'set',
    prebid: prebid === undefined ? undefined : { ...prebid, bidderCodes: [...prebid.bidderCodes].sort() },
    corsOrigins: corsOrigins === undefined ? undefined : [...corsOrigins].sort(),
  };
}
