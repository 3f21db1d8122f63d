import { readFileSync } from 'node:fs';
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

  it('every metric follows Prometheus naming: prefix, base units, _total counters', () => {
    for (const m of metrics.registry.getMetricsAsArray() as unknown as { name: string; type: string }[]) {
      expect(m.name).toMatch(/^peregrine_[a-z0-9_]+$/);
      if (m.type === 'counter') expect(m.name, m.name).toMatch(/_total$/);
      expect(m.name).not.toMatch(/_(ms|milliseconds|micros)$/);
    }
  });
});
