import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LocalCounter } from '../../../src/metrics/local-counter.js';

function make() {
  const registry = new Registry();
  const counter = new Counter({
    name: 'test_requests_total',
    help: 'test',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  return { registry, local: new LocalCounter(counter, ['channel', 'outcome']) };
}

describe('LocalCounter', () => {
  it('hands its counts to the prom-client counter on every read, each count once', async () => {
    const { registry, local } = make();
    const bid = local.labels('alpha', 'bid');
    bid.inc();
    bid.inc();
    local.labels('alpha', 'nobid').inc(3);
    local.labels('beta', 'bid').inc();
    expect(await registry.metrics()).toContain('test_requests_total{channel="alpha",outcome="bid"} 2');
    bid.inc();
    const text = await registry.metrics();
    expect(text).toContain('test_requests_total{channel="alpha",outcome="bid"} 3');
    expect(text).toContain('test_requests_total{channel="alpha",outcome="nobid"} 3');
    expect(text).toContain('test_requests_total{channel="beta",outcome="bid"} 1');
  });

  it('returns the same child for the same label values, and shows it at 0 from its first use', async () => {
    const { registry, local } = make();
    expect(local.labels('alpha', 'bid')).toBe(local.labels('alpha', 'bid'));
    expect(local.labels('alpha', 'bid')).not.toBe(local.labels('alpha', 'nobid'));
    expect(await registry.metrics()).toContain('test_requests_total{channel="alpha",outcome="nobid"} 0');
  });
});
