import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { errors, kErrors, PeregrineError } from '../../src/errors.js';

describe('error registry', () => {
  it('every code has a status, a metric label and a doc line, and labels are unique', () => {
    const labels = new Set<string>();
    for (const [code, e] of Object.entries(kErrors)) {
      expect(e.status, code).toBeGreaterThanOrEqual(400);
      expect(e.doc.length, code).toBeGreaterThan(10);
      expect(labels.has(e.label), code).toBe(false);
      labels.add(e.label);
    }
  });
  it('every code is documented in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const code of Object.keys(kErrors)) expect(readme, code).toContain(code);
  });
  it('bad request errors name the field path', () => {
    const e = errors.badRequest('imp[0].banner.w', 'expected integer');
    expect(e).toBeInstanceOf(PeregrineError);
    expect(e.status).toBe(400);
    expect(e.message).toBe('imp[0].banner.w: expected integer');
    expect(e.toJSON()).toEqual({
      error: 'imp[0].banner.w: expected integer',
      code: 'BAD_REQUEST',
      path: 'imp[0].banner.w',
    });
  });
});
