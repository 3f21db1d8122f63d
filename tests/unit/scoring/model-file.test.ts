import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kSlot } from '../../../src/scoring/features.js';
import { encodeWeights, ModelFileError, parseModelFile } from '../../../src/scoring/model-file.js';
import { ModelRegistry } from '../../../src/scoring/model-registry.js';
import { modelJson, tempDir, writeModel } from './fixtures.js';

function refuse(text: string, file = 'config/models/pctr-v1.json'): ModelFileError {
  try {
    parseModelFile(file, text, 0);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as ModelFileError;
  }
  throw new Error('expected a refusal');
}

const dense = (values: number[]): { encoding: string; data: string } => ({
  encoding: 'f32-base64',
  data: Buffer.from(Float32Array.from(values).buffer).toString('base64'),
});

describe('model files', () => {
  it('compiles a sparse model onto shared memory with its slots', () => {
    const m = parseModelFile(
      'pctr-v3.json',
      JSON.stringify(
        modelJson({ version: 3, hashBits: 8, features: ['channel', 'segment'], weights: { '5': 0.5, '255': -1 } }),
      ),
      9,
    );
    expect(m).toMatchObject({ id: 9, key: 'pctr@3', mask: 255, target: 'ctr' });
    expect(m.weights.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([m.weights[5], m.weights[255], m.weights[6]]).toEqual([0.5, -1, 0]);
    expect(m.slots[0]).toBe(kSlot.channel);
    expect(m.slots).toHaveLength(9);
  });
  it('loads dense base64 weights, and encodeWeights picks sparse or dense by density', () => {
    const values = Array.from({ length: 256 }, (_, i) => i / 256);
    const m = parseModelFile('x.json', JSON.stringify({ ...modelJson({ hashBits: 8 }), weights: dense(values) }), 0);
    expect(m.weights[128]).toBe(0.5);
    expect(encodeWeights(Float32Array.from(values))).toHaveProperty('encoding', 'f32-base64');
    expect(encodeWeights(new Float32Array(256).fill(0).map((_, i) => (i === 3 ? 0.25 : 0)))).toEqual({ '3': 0.25 });
  });
  it('refuses malformed JSON, naming the file', () => {
    const e = refuse('{"name": "pctr",');
    expect(e.message).toMatch(/^config\/models\/pctr-v1\.json: not valid JSON/);
  });
  it('refuses a missing field, naming it', () => {
    const { bias: _bias, ...noBias } = modelJson();
    expect(refuse(JSON.stringify(noBias)).field).toBe('bias');
  });
  it('refuses an unknown feature, naming its index', () => {
    const e = refuse(JSON.stringify(modelJson({ features: ['channel', 'shoe_size' as never] })));
    expect(e.field).toBe('features[1]');
    expect(e.message).toContain('unknown feature "shoe_size"');
  });
  it('refuses the wrong dimension: a sparse index or a dense length that does not fit hashBits', () => {
    expect(refuse(JSON.stringify(modelJson({ hashBits: 8, weights: { '256': 1 } }))).message).toContain(
      'weights.256: wrong dimension',
    );
    expect(refuse(JSON.stringify({ ...modelJson({ hashBits: 8 }), weights: dense([1, 2, 3]) })).message).toContain(
      'weights.data: wrong dimension: 3 floats, expected 2^hashBits = 256',
    );
  });
  it('refuses NaN and infinite weights', () => {
    const values = new Array<number>(256).fill(0);
    values[7] = NaN;
    expect(refuse(JSON.stringify({ ...modelJson({ hashBits: 8 }), weights: dense(values) })).field).toBe(
      'weights.data[7]',
    );
    expect(refuse(JSON.stringify(modelJson()).replace('"weights":{}', '"weights":{"1":"NaN"}')).field).toMatch(
      /^weights/,
    );
    expect(refuse(JSON.stringify(modelJson()).replace('"bias":-4', '"bias":1e999')).field).toBe('bias');
  });
  it('refuses a file whose name disagrees with its name or version', () => {
    expect(refuse(JSON.stringify(modelJson({ version: 2 }))).field).toBe('version');
  });
});

describe('model registry', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('serves the highest version of each name, resolves pinned versions, and bumps the generation', async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeModel(dir, { version: 1 });
    writeModel(dir, { version: 2 });
    writeModel(dir, { name: 'pcvr', target: 'cvr' });
    const reg = new ModelRegistry({ dir });
    const r = await reg.reload();
    expect([...r.loaded].sort()).toEqual(['pctr@1', 'pctr@2', 'pcvr@1']);
    expect(reg.live('ctr')?.key).toBe('pctr@2');
    expect(reg.resolve('pctr@1')?.version).toBe(1);
    expect(reg.live('cvr')?.key).toBe('pcvr@1');
    expect(reg.table.gen).toBe(1);
    expect((await reg.reload()).loaded).toEqual([]); // unchanged files are not re-parsed
    expect(reg.table.gen).toBe(1);
  });
  it('keeps the previous model live when a file turns bad, and reports the refusal once', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = writeModel(dir, { version: 1, bias: -3 });
    const reg = new ModelRegistry({ dir });
    await reg.reload();
    const before = reg.live('ctr');
    writeFileSync(file, JSON.stringify({ ...modelJson({ version: 1 }), weights: { '999999': 1 } }));
    const r = await reg.reload();
    expect(r.refused).toHaveLength(1);
    expect(r.refused[0]!.message).toContain(`${file}: weights.999999: wrong dimension`);
    expect(reg.live('ctr')).toBe(before);
    // A new bad version does not displace the good one either.
    writeFileSync(join(dir, 'pctr-v2.json'), '{"oops":');
    expect((await reg.reload()).refused[0]!.file).toBe(join(dir, 'pctr-v2.json'));
    expect(reg.live('ctr')?.bias).toBe(-3);
    expect((await reg.reload()).refused).toEqual([]);
  });
  it('drops a model whose file was removed and falls back to the next version', async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeModel(dir, { version: 1 });
    const v2 = writeModel(dir, { version: 2 });
    const reg = new ModelRegistry({ dir });
    await reg.reload();
    rmSync(v2);
    expect((await reg.reload()).removed).toEqual(['pctr@2']);
    expect(reg.live('ctr')?.key).toBe('pctr@1');
    expect(reg.table.byId.filter((m) => m !== null)).toHaveLength(1);
  });
  it('hot-reloads on file changes and tells listeners', async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeModel(dir, { version: 1 });
    const reg = new ModelRegistry({ dir });
    await reg.reload();
    const gens: number[] = [];
    reg.onChange((t) => gens.push(t.gen));
    let reportedNow: () => void = () => undefined;
    const reported = new Promise<void>((resolve) => {
      reportedNow = resolve;
    });
    await reg.watch(() => reportedNow(), { debounceMs: 20, pollMs: 0 });
    writeModel(dir, { version: 2 });
    await reported;
    reg.close();
    expect(reg.live('ctr')?.version).toBe(2);
    expect(gens).toEqual([2]);
  });
});
