import { describe, expect, it } from 'vitest';
import { decodeJsonRequest } from '../../../src/openrtb/decode-json.js';
import { loadFixtures } from '../../helpers/openrtb-fixtures.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const kReplacements: unknown[] = [null, 'str', -1, 1.5, 1e308, true, [], {}, [1, 'a'], { __proto__: null }, '9'.repeat(400)];

/** Replaces one random node of a JSON tree with a value of another type. */
function swapRandomNode(value: unknown, r: () => number): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || r() < 0.15) return kReplacements[Math.floor(r() * kReplacements.length)];
    const i = Math.floor(r() * value.length);
    return value.map((v, j) => (j === i ? swapRandomNode(v, r) : v));
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0 || r() < 0.15) return kReplacements[Math.floor(r() * kReplacements.length)];
    const k = keys[Math.floor(r() * keys.length)]!;
    return { ...(value as Record<string, unknown>), [k]: swapRandomNode((value as Record<string, unknown>)[k], r) };
  }
  return kReplacements[Math.floor(r() * kReplacements.length)];
}

describe('JSON decoder under fuzzing', () => {
  it('never throws on 6,000 random, truncated and type-swapped inputs, and every refusal says why', () => {
    const r = rng(7);
    const valid = loadFixtures('valid').map((f) => f.request);
    let refused = 0;
    for (let i = 0; i < 6000; i++) {
      const base = valid[i % valid.length]!;
      let body: string | Uint8Array;
      switch (i % 3) {
        case 0:
          body = Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
          break;
        case 1: {
          const text = JSON.stringify(base);
          body = text.slice(0, Math.floor(r() * text.length));
          break;
        }
        default:
          body = JSON.stringify(swapRandomNode(base, r));
      }
      const out = decodeJsonRequest(body);
      if (!out.ok) {
        refused++;
        expect(out.message.length).toBeGreaterThan(0);
      }
    }
    expect(refused).toBeGreaterThan(3000);
  });
  it('survives pathological nesting', () => {
    expect(decodeJsonRequest(`{"id":"a","imp":[{"id":"1","banner":{"w":1,"h":1},"ext":${'['.repeat(50_000)}${']'.repeat(50_000)}}]}`).ok).toBe(false);
  });
});
