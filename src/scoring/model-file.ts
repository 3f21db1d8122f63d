/**
 * The model file format (`config/models/<name>-v<version>.json`) and its validation. Runs at load and reload
 * only, never per request, which is why zod may appear under `scoring/` here (STYLE keeps it off the hot
 * path; nothing the workers or the request path import reaches this file).
 *
 *   { "name": "pctr", "version": 3, "kind": "logistic", "target": "ctr", "hashBits": 18,
 *     "features": ["channel", "domain", …], "bias": -4.2,
 *     "weights": { "<index>": w, … }                              ← sparse, or
 *     "weights": { "encoding": "f32-base64", "data": "…" } }     ← dense little-endian Float32Array
 *
 * A file is refused — with the file, the field and the reason — when it is not JSON, misses a field, names an
 * unknown feature, has an index or a length that does not fit 2^hashBits (wrong dimension), or holds a
 * non-finite weight. Refusal never touches the models already live (see `model-registry.ts`).
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { kFeatureNames, slotsOf, type FeatureName } from './features.js';
import type { CompiledModel } from './model.js';

const kKnown = new Set<string>(kFeatureNames);

const denseSchema = z.strictObject({ encoding: z.literal('f32-base64'), data: z.string() });
const sparseSchema = z.record(z.string(), z.number());

export const modelFileSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected a lower-case name like "pctr"'),
    version: z.number().int().positive(),
    kind: z.literal('logistic'),
    target: z.enum(['ctr', 'cvr']),
    hashBits: z.number().int().min(8).max(24),
    features: z.array(z.string()).min(1),
    bias: z.number(),
    weights: z.union([denseSchema, sparseSchema], {
      error: 'expected sparse {"<index>": weight} or {"encoding": "f32-base64", "data": "…"}',
    }),
    trainedAt: z.string().optional(),
    description: z.string().optional(),
    metrics: z.record(z.string(), z.number()).optional(),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.features.forEach((f, i) => {
      if (!kKnown.has(f))
        ctx.addIssue({
          code: 'custom',
          path: ['features', i],
          message: `unknown feature "${f}" (known: ${kFeatureNames.join(', ')})`,
        });
      else if (seen.has(f))
        ctx.addIssue({ code: 'custom', path: ['features', i], message: `duplicate feature "${f}"` });
      seen.add(f);
    });
  });

export type ModelFile = z.infer<typeof modelFileSchema>;

export class ModelFileError extends Error {
  readonly file: string;
  readonly field: string;

  constructor(file: string, field: string, message: string) {
    super(`${file}: ${field === '' ? '' : `${field}: `}${message}`);
    this.name = 'ModelFileError';
    this.file = file;
    this.field = field;
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

const kFileName = /^(.+)-v(\d+)\.json$/;

/** Validates a model file's text and compiles it; throws `ModelFileError` naming the file and the field. */
export function parseModelFile(file: string, text: string, id: number): CompiledModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(file, '', `not valid JSON (${(e as Error).message})`);
  }
  const parsed = modelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const more =
      parsed.error.issues.length > 1
        ? ` (+${parsed.error.issues.length - 1} more: ${parsed.error.issues
            .slice(1, 4)
            .map((i) => fieldPath(i.path))
            .join(', ')})`
        : '';
    throw new ModelFileError(file, fieldPath(first.path), first.message + more);
  }
  const m = parsed.data;
  const named = kFileName.exec(basename(file));
  if (named !== null && named[1] !== m.name)
    throw new ModelFileError(file, 'name', `"${m.name}" does not match the file name (expected "${named[1]}")`);
  if (named !== null && Number(named[2]) !== m.version)
    throw new ModelFileError(file, 'version', `${m.version} does not match the file name (expected ${named[2]})`);
  const size = 2 ** m.hashBits;
  const weights = new Float32Array(new SharedArrayBuffer(size * 4));
  if ('encoding' in m.weights && typeof m.weights.encoding === 'string') {
    const bytes = Buffer.from(m.weights.data as string, 'base64');
    if (bytes.length !== size * 4) {
      throw new ModelFileError(
        file,
        'weights.data',
        `wrong dimension: ${bytes.length / 4} floats, expected 2^hashBits = ${size}`,
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < size; i++) {
      const w = view.getFloat32(i * 4, true);
      if (!Number.isFinite(w))
        throw new ModelFileError(file, `weights.data[${i}]`, `weight is ${w}, expected a finite number`);
      weights[i] = w;
    }
  } else {
    for (const [k, w] of Object.entries(m.weights as Record<string, number>)) {
      const idx = /^\d+$/.test(k) ? Number(k) : NaN;
      if (!(idx < size))
        throw new ModelFileError(
          file,
          `weights.${k}`,
          `wrong dimension: index ${k} is not an integer below 2^hashBits = ${size}`,
        );
      weights[idx] = w;
    }
  }
  const features = Object.freeze([...m.features]) as readonly FeatureName[];
  return Object.freeze({
    id,
    key: `${m.name}@${m.version}`,
    name: m.name,
    version: m.version,
    target: m.target,
    hashBits: m.hashBits,
    mask: size - 1,
    bias: m.bias,
    features,
    slots: slotsOf(features),
    weights,
    file,
  });
}

/** Serialises weights for a model file: sparse when under a quarter of the slots are non-zero. */
export function encodeWeights(weights: Float32Array | Float64Array): ModelFile['weights'] {
  let nonZero = 0;
  for (let i = 0; i < weights.length; i++) if (weights[i] !== 0) nonZero++;
  if (nonZero * 4 < weights.length) {
    const sparse: Record<string, number> = {};
    for (let i = 0; i < weights.length; i++) if (weights[i] !== 0) sparse[i] = Number(weights[i]!.toPrecision(7));
    return sparse;
  }
  const f32 = weights instanceof Float32Array ? weights : Float32Array.from(weights);
  return { encoding: 'f32-base64', data: Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString('base64') };
}
