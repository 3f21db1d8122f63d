/**
 * `npm run sim:anomalies [-- seed ...]` (default 7 11 23): how fast the console's anomaly detector catches three injected
 * faults (sim/anomaly-faults.ts) and how many false alerts it raises, on a clean day and on the faulty one,
 * per seed. Results on stdout, one progress line per seed on stderr.
 */
import { numberOption, parseCommand, runCommand, UsageError } from '../tools/cli/command.js';
import { ProgressLine } from '../tools/cli/progress.js';
import { faultScenario, runFaultDay } from './anomaly-faults.js';

const kUsage = `usage: npm run sim:anomalies -- [seed ...] [--history-days N] [--quiet]   (default seeds: 7 11 23)

For each seed, a clean simulated day and the same day with three faults injected (a channel's win rate
collapses at 10:00, a creative's CTR drops to zero at 13:00, a mispriced bid doubles spend at 16:00):
prints each fault's detection delay and every alert no fault explains. --history-days N (default 2) runs N
clean days before each day through the same detector, so it judges the day against the same quarter hour of
previous days; 0 leaves it the rolling baseline alone (two warm-up hours).`;

const options = {
  'history-days': { type: 'string', default: '2' },
  quiet: { type: 'boolean', default: false },
} as const;

await runCommand('sim:anomalies', async () => {
  const parsed = parseCommand(kUsage, options, process.argv.slice(2), { positionals: true });
  if (parsed === undefined) return 0;
  const given = parsed.positionals.map((x) => {
    const n = Number(x);
    if (x.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`'${x}' is not a seed`);
    return n;
  });
  const seeds = given.length > 0 ? given : [7, 11, 23];
  const historyDays = numberOption('history-days', parsed.values['history-days'], { min: 0, max: 7, integer: true });
  const warmupMinutes = historyDays * 1440 + 120;
  const progress = new ProgressLine('sim:anomalies', seeds.length * 2, 'seed runs', {
    quiet: parsed.values.quiet,
    everyMs: 0,
  });
  for (const [i, seed] of seeds.entries()) {
    progress.update(2 * i, `seed ${seed}`);
    report(seed, warmupMinutes);
  }
  progress.finish();
  return 0;
});

function report(seed: number, warmupMinutes: number): void {
  const clean = runFaultDay({ ...faultScenario(seed, false), warmupMinutes });
  const faulty = runFaultDay({ ...faultScenario(seed, true), warmupMinutes });
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  console.log(`seed ${seed}: clean day ${clean.falseAlerts.length} false alert(s)`);
  for (const e of clean.falseAlerts) console.log(`  clean ${hhmm(e.atMs)} ${e.campaignId}/${e.channelId} ${e.signal}`);
  for (const o of faulty.outcomes)
    console.log(
      `  ${o.fault.kind} at minute ${o.fault.atMinute}: ${o.expect.campaign}/${o.expect.channel} ${o.expect.signal} ` +
        (o.delayMinutes === undefined ? 'NOT DETECTED' : `detected after ${o.delayMinutes} min`),
    );
  console.log(`  faulty day: ${faulty.falseAlerts.length} alert(s) no fault explains`);
  for (const e of faulty.falseAlerts)
    console.log(`  unexplained ${hhmm(e.atMs)} ${e.campaignId}/${e.channelId} ${e.signal}`);
}
