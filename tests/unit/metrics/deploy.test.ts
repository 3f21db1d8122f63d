import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../../src/metrics/registry.js';

const root = new URL('../../../', import.meta.url);

describe('dashboards and alerts', () => {
  const metrics = createMetrics();
  const known = new Set((metrics.registry.getMetricsAsArray() as { name: string }[]).map((m) => m.name));
  const base = (n: string) => n.replace(/_(bucket|sum|count)$/, '');

  it('alert rules and the Grafana dashboard only use metrics the bidder exports', () => {
    const alerts = readFileSync(new URL('deploy/prometheus/alerts.yaml', root), 'utf8');
    const dashboard = readFileSync(new URL('deploy/grafana/peregrine.json', root), 'utf8');
    const used = new Set([...`${alerts}\n${dashboard}`.matchAll(/peregrine_[a-z0-9_]+/g)].map((m) => base(m[0])));
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(known, name).toContain(name);
  });

  it('alert rules are well-formed', () => {
    const doc = parse(readFileSync(new URL('deploy/prometheus/alerts.yaml', root), 'utf8')) as {
      groups: { rules: { alert: string; expr: string; labels: { severity: string } }[] }[];
    };
    for (const r of doc.groups.flatMap((g) => g.rules)) {
      expect(r.alert).toMatch(/^Peregrine[A-Z]\w+$/);
      expect(r.expr.length).toBeGreaterThan(5);
      expect(['page', 'ticket']).toContain(r.labels.severity);
    }
  });

  it('every metric follows Prometheus naming: prefix, units in the name, _total on counters only', () => {
    const all = metrics.registry.getMetricsAsArray() as unknown as { name: string; type: string; help: string }[];
    expect(all.length).toBeGreaterThan(40);
    for (const m of all) {
      expect(m.name).toMatch(/^peregrine_[a-z0-9_]+$/);
      // The same rules promtool check metrics applies (tests/e2e/metrics-promtool.e2e.test.ts runs it too).
      if (m.type === 'counter') expect(m.name, m.name).toMatch(/_total$/);
      else expect(m.name, `${m.name} is a ${m.type}`).not.toMatch(/_total$/);
      // Time in seconds, never in ms or µs.
      expect(m.name).not.toMatch(/_(ms|milliseconds|microseconds|us)(_total)?$/);
      if (m.type === 'histogram') expect(m.name, m.name).toMatch(/_(seconds|bytes)$/);
      // Money says its unit: micros of the account currency (the info metric names the currency).
      const money = /currency/.test(m.help) && !m.name.endsWith('_info');
      if (money) expect(m.name, m.name).toMatch(/_micros(_total)?$/);
      if (m.name.includes('_micros')) expect(money, `${m.name}: say "micros of the account currency"`).toBe(true);
    }
  });

  it('the dashboard picks its datasource and filters by instance, channel and campaign', () => {
    const dash = JSON.parse(readFileSync(new URL('deploy/grafana/peregrine.json', root), 'utf8')) as {
      templating: { list: { name: string; type: string; query: unknown }[] };
      panels: {
        title: string;
        datasource: { uid: string };
        targets: { expr: string; datasource: { uid: string } }[];
      }[];
    };
    const vars = dash.templating.list;
    expect(vars.map((v) => v.name)).toEqual(['datasource', 'instance', 'channel', 'campaign']);
    expect(vars[0]).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const labelsOf = new Map(
      (metrics.registry.getMetricsAsArray() as unknown as { name: string; labelNames?: string[] }[]).map((m) => [
        m.name,
        m.labelNames ?? [],
      ]),
    );
    expect(dash.panels.length).toBeGreaterThan(10);
    for (const p of dash.panels) {
      expect(p.datasource.uid, p.title).toBe('${datasource}');
      for (const t of p.targets) {
        expect(t.datasource.uid, p.title).toBe('${datasource}');
        for (const [, name, selector = ''] of t.expr.matchAll(/(peregrine_[a-z0-9_]+)(\{[^}]*\})?/g)) {
          expect(selector, `${p.title}: ${name}`).toContain('instance=~"$instance"');
          const labels = labelsOf.get(base(name!)) ?? [];
          for (const l of ['channel', 'campaign'])
            if (labels.includes(l)) expect(selector, `${p.title}: ${name}`).toContain(`${l}=~"$${l}"`);
        }
      }
    }
  });
});

describe('deploy/compose.yaml', () => {
  const deploy = new URL('deploy/', root);
  const compose = parse(readFileSync(new URL('compose.yaml', deploy), 'utf8')) as {
    services: Record<string, { build?: { context: string }; image?: string; volumes?: string[]; environment?: object }>;
  };
  /** host path (relative to deploy/) → container path, for one service's bind mounts. */
  const mounts = (svc: string) =>
    new Map(
      (compose.services[svc]?.volumes ?? [])
        .filter((v) => v.startsWith('.'))
        .map((v) => v.split(':') as [string, string]),
    );

  it('runs the bidder with Redis, Prometheus and Grafana, every mounted file in the repository', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['bidder', 'grafana', 'prometheus', 'redis']);
    expect(compose.services.bidder!.build!.context).toBe('..');
    expect(compose.services.bidder!.environment).toMatchObject({ REDIS_URL: 'redis://redis:6379' });
    for (const svc of Object.keys(compose.services))
      for (const host of mounts(svc).keys()) expect(existsSync(new URL(host, deploy)), `${svc}: ${host}`).toBe(true);
  });

  it('Prometheus scrapes the ops port as job "peregrine" and loads the alert rules it is given', () => {
    const prom = parse(readFileSync(new URL('prometheus/prometheus.yml', deploy), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const inContainer = [...mounts('prometheus').values()];
    for (const f of prom.rule_files) expect(inContainer).toContain(f);
    expect(mounts('prometheus').get('./prometheus/alerts.yaml')).toBe(prom.rule_files[0]);
    const job = prom.scrape_configs.find((j) => j.job_name === 'peregrine');
    expect(job?.static_configs[0]?.targets).toEqual(['bidder:9464']);
    expect(readFileSync(new URL('prometheus/alerts.yaml', deploy), 'utf8')).toContain('up{job="peregrine"}');
  });

  it('Grafana gets the Prometheus datasource and the dashboard from the paths it mounts', () => {
    const g = mounts('grafana');
    expect(g.get('./grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const ds = parse(readFileSync(new URL('grafana/provisioning/datasources/prometheus.yaml', deploy), 'utf8')) as {
      datasources: { type: string; url: string; isDefault: boolean }[];
    };
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    const dash = parse(readFileSync(new URL('grafana/provisioning/dashboards/peregrine.yaml', deploy), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    const dashboardPath = g.get('./grafana/peregrine.json');
    expect(dashboardPath?.startsWith(`${dash.providers[0]!.options.path}/`)).toBe(true);
  });
});
