/**
 * A tiny wrapper over tinybench for our micro-benchmarks: each case runs `batch` operations per sample
 * (sub-microsecond work is below timer resolution otherwise) and reports µs per operation.
 */
import { Bench } from 'tinybench';

export interface MicroCase {
  readonly name: string;
  readonly fn: () => void;
  /** Operations per call of `fn`. */
  readonly batch?: number;
}

export interface MicroResult {
  readonly name: string;
  readonly usPerOp: number;
  readonly p99UsPerOp: number;
  readonly samples: number;
}

export async function runMicro(title: string, cases: readonly MicroCase[], timeMs = 1500): Promise<MicroResult[]> {
  const bench = new Bench({ time: timeMs, warmupTime: 300 });
  for (const c of cases) bench.add(c.name, c.fn);
  const tasks = await bench.run();
  const results: MicroResult[] = [];
  for (const t of tasks) {
    const c = cases.find((x) => x.name === t.name)!;
    const r = t.result;
    if (r.state !== 'completed') throw new Error(`${t.name}: ${r.state === 'errored' ? r.error.message : r.state}`);
    const batch = c.batch ?? 1;
    results.push({
      name: t.name,
      usPerOp: (r.latency.mean * 1000) / batch,
      p99UsPerOp: (r.latency.p99 * 1000) / batch,
      samples: r.latency.samplesCount,
    });
  }
  console.log(`\n${title} (node ${process.version})`);
  console.table(
    results.map((r) => ({
      case: r.name,
      'µs/op': r.usPerOp.toFixed(3),
      'p99 µs/op': r.p99UsPerOp.toFixed(3),
      samples: r.samples,
    })),
  );
  return results;
}

export { prng } from '../../tools/train/synthetic.js';
