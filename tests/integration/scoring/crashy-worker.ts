/**
 * The real scoring worker with failures on demand, keyed on the first candidate's floor (tests only):
 * 666 µ → the task throws, 777 µ → the worker process.exit()s, 555 µ → the task busy-waits 60 ms.
 */
import { kP, viewsOf } from '../../../src/scoring/task-buffer.js';
import score, { type WorkerTask } from '../../../src/scoring/worker.js';

export default function crashy(task: WorkerTask): unknown {
  const buf = task instanceof ArrayBuffer ? task : task.buf;
  const floor = viewsOf(buf).params[kP.floor];
  if (floor === 666) throw new Error('boom');
  if (floor === 777) process.exit(7);
  if (floor === 555) {
    const until = performance.now() + 60;
    while (performance.now() < until);
  }
  return score(task);
}
