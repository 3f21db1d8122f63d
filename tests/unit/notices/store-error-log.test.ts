import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.js';
import { StoreErrorLog } from '../../../src/notices/store-error-log.js';

describe('store error log', () => {
  it('logs the first failure, counts the rest for the interval, then logs one line with the count', () => {
    const clock = new VirtualClock(0);
    const lines: { obj: object; msg: string }[] = [];
    const log = new StoreErrorLog({ warn: (obj, msg) => lines.push({ obj, msg }) }, clock, 10_000);
    for (let i = 0; i < 500; i++) {
      log.report(new Error('Command timed out'));
      clock.advance(10);
    }
    // 5 s of failures: one line, with the message and no stack.
    expect(lines).toHaveLength(1);
    expect(lines[0]!.obj).toEqual({ error: 'Command timed out', suppressed: 0 });
    clock.advance(5_000);
    log.report('connection closed');
    expect(lines).toHaveLength(2);
    expect(lines[1]!.obj).toEqual({ error: 'connection closed', suppressed: 499 });
    expect(JSON.stringify(lines)).not.toContain('stack');
  });
});
