/** The log line format docs/logging.md promises: JSON, numeric level, ISO UTC time, svc, msg, err serialised. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

describe('log format', () => {
  it('writes one JSON object per line with level, time, svc and msg, and errors under err', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l));
        done();
      },
    });
    const log = createLogger('info', sink);
    log.debug('not at info');
    log.info({ version: 3, hash: 'abc' }, 'config reloaded');
    log.error({ err: new Error('boom') }, 'handler failed');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    expect(Object.keys(lines[0]!).sort()).toEqual(['hash', 'level', 'msg', 'svc', 'time', 'version']);
    expect(lines[0]).toMatchObject({ level: 30, svc: 'peregrine', msg: 'config reloaded', version: 3 });
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines[1]).toMatchObject({ level: 50, msg: 'handler failed', err: { type: 'Error', message: 'boom' } });
    expect((lines[1]!.err as { stack: string }).stack).toContain('log.test.ts');
  });
});
