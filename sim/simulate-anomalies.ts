/**
 * Reports how fast the console's anomaly detector catches three injected faults (sim/anomaly-faults.ts)
 * and how many false alerts it raises, on a clean day and on the faulty one. Usage:
 *   npm run sim:anomalies -- [seed ...]
 */
import { faultScenario, runFaultDay } from './anomaly-faults.js';

const seeds = process.argv.slice(2).map(Number).filter(Number.isFinite);
for (const seed of seeds.length > 0 ? seeds : [7, 11, 23]) {
  const clean = runFaultDay(faultScenario(seed, false));
  const faulty = runFaultDay(faultScenario(seed, true));
  console.log(`seed ${seed}: clean day ${clean.falseAlerts.length} false alert(s)`);
  for (const e of clean.falseAlerts)
    console.log(`  clean ${new Date(e.atMs).toISOString().slice(11, 16)} ${e.campaignId}/${e.channelId} ${e.signal}`);
  for (const o of faulty.outcomes)
    console.log(
      `  ${o.fault.kind} at minute ${o.fault.atMinute}: ${o.expect.campaign}/${o.expect.channel} ${o.expect.signal} ` +
        (o.delayMinutes === undefined ? 'NOT DETECTED' : `detected after ${o.delayMinutes} min`),
    );
  console.log(`  faulty day: ${faulty.falseAlerts.length} alert(s) no fault explains`);
  for (const e of faulty.falseAlerts)
    console.log(
      `  unexplained ${new Date(e.atMs).toISOString().slice(11, 16)} ${e.campaignId}/${e.channelId} ${e.signal}`,
    );
}
