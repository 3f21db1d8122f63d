/**
 * OpenRTB request fixtures as JSON files: `tests/fixtures/openrtb/{valid,invalid}/*.json`, each
 * `{ description, request, expectedStatus?, expectedError? }`. One loader for the decoder's unit tests and
 * the server's end-to-end tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Fixture {
  readonly name: string;
  readonly description: string;
  readonly request: unknown;
  readonly expectedStatus?: number;
  readonly expectedError?: string;
}

const kRoot = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'openrtb');

export function loadFixtures(kind: 'valid' | 'invalid'): Fixture[] {
  const dir = join(kRoot, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<Fixture, 'name'>;
      return { name: f.replace(/\.json$/, ''), ...raw };
    });
}
