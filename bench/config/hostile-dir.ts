/**
 * What a hostile file in the config directory costs a running bidder: a copy of the sample config gets one
 * big campaign file (default: 3 MB of 200,000 invalid entries, issue 15 item 5), and one reload is measured
 * through the real `ConfigHolder`: wall time, the longest event-loop block while it runs, the process's peak
 * RSS, and the size of the error report (what `/admin/reload` answers and what the log line would carry).
 * Run: npx tsx bench/config/hostile-dir.ts [--entries 200000] [--mb 50] [--max-file-bytes N] [--timeout-ms N]
 *   --mb N writes an N MB file holding one campaign with a huge string instead;
 *   --max-file-bytes raises the per-file limit (default 1 MiB) so that the file is parsed, not refused.
 * A first reload with nothing changed warms the loader (its figures are printed as `warmup`).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { systemClock } from '../../src/clock.js';
import { ConfigHolder } from '../../src/config/config-holder.js';
import { formatIssues } from '../../src/config/load.js';

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : Number(process.argv[i + 1]);
}

const sample = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config');
const dir = mkdtempSync(join(tmpdir(), 'peregrine-hostile-'));
cpSync(sample, dir, { recursive: true });
const mb = arg('mb');
let text: string;
if (mb === undefined) {
  const n = arg('entries') ?? 200_000;
  const lines = ['campaigns:'];
  for (let i = 0; i < n; i++) lines.push(`  - id: e${i}`);
  text = `${lines.join('\n')}\n`;
} else {
  text = `id: big\nadvertiser: X\nadomain: [x.example]\nmarkup: "${'x'.repeat(mb * 1024 * 1024)}"\n`;
}

try {
  const maxFileBytes = arg('max-file-bytes');
  const holder = await ConfigHolder.open(
    dir,
    systemClock,
    {},
    {
      ...(maxFileBytes === undefined ? {} : { limits: { maxFileBytes, maxTotalBytes: maxFileBytes * 2 } }),
      ...(arg('timeout-ms') === undefined ? {} : { timeoutMs: arg('timeout-ms') }),
    },
  );
  const w0 = performance.now();
  const warm = await holder.reload();
  const warmup = { reloadMs: Math.round(performance.now() - w0), outcome: warm.outcome };
  const rssBefore = process.memoryUsage().rss;
  writeFileSync(join(dir, 'campaigns', 'hostile.yaml'), text);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  // A ticker as a second witness: the longest gap between 5 ms ticks is the longest block a request saw.
  let last = performance.now();
  let maxGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  loop.enable();
  const t0 = performance.now();
  const r = await holder.reload();
  const ms = performance.now() - t0;
  loop.disable();
  clearInterval(ticker);
  const issues = r.ok ? [] : r.issues;
  const report = JSON.stringify({ issues });
  const logLine = formatIssues(issues);
  const out = {
    warmup,
    outcome: r.outcome,
    file: { bytes: text.length, kind: mb === undefined ? 'invalid entries' : 'one big value' },
    reloadMs: Math.round(ms),
    eventLoopMaxBlockMs: Math.round(loop.max / 1e6),
    tickerMaxGapMs: Math.round(maxGap),
    rssBeforeMB: Math.round(rssBefore / 2 ** 20),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    rssAfterMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    ok: r.ok,
    issues: issues.length,
    reportBytes: report.length,
    logLineBytes: logLine.length,
    firstIssues: issues.slice(0, 2),
    lastIssue: issues.at(-1),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  holder.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
