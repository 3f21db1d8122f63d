/**
 * OpenRTB request fixtures as JSON files: `tests/fixtures/openrtb/{valid,invalid}/*.json`, each
 * `{ description, request, expectedStatus?, expectedError? }` (the prebid-server layout). One loader for the
 * decoder's unit tests and the server's end-to-end tests, which post every `request` as is.
 *
 * - valid: decoding must succeed; `expectedStatus` (200 or 204) only when a test pins the HTTP outcome.
 * - invalid: `expectedStatus` 400 and `expectedError` as the API reports it: `path: message`, or just
 *   `message` when the error is about the whole body (`path` empty).
 *
 * A malformed fixture file fails loudly here, naming the file, rather than passing vacuously.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type FixtureKind = 'valid' | 'invalid';

export interface Fixture {
  /** File name without `.json`. */
  readonly name: string;
  readonly description: string;
  /** The bid request as parsed JSON: post it with `JSON.stringify`. */
  readonly request: unknown;
  readonly expectedStatus?: number;
  readonly expectedError?: string;
}

export const kFixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'openrtb');

export function loadFixtures(kind: FixtureKind): Fixture[] {
  const dir = join(kFixturesDir, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => parseFixture(kind, file, readFileSync(join(dir, file), 'utf8')));
}

function parseFixture(kind: FixtureKind, file: string, text: string): Fixture {
  const where = `tests/fixtures/openrtb/${kind}/${file}`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where}: expected an object`);
  const o = raw as Record<string, unknown>;
  if (typeof o.description !== 'string' || o.description === '')
    throw new Error(`${where}: description must be a non-empty string`);
  if (!('request' in o)) throw new Error(`${where}: request is missing`);
  const { expectedStatus, expectedError } = o;
  if (expectedStatus !== undefined && expectedStatus !== 200 && expectedStatus !== 204 && expectedStatus !== 400) {
    throw new Error(`${where}: expectedStatus must be 200, 204 or 400`);
  }
  if (expectedError !== undefined && (typeof expectedError !== 'string' || expectedError === ''))
    throw new Error(`${where}: expectedError must be a non-empty string`);
  if (kind === 'invalid' && (expectedStatus !== 400 || expectedError === undefined))
    throw new Error(`${where}: an invalid fixture needs expectedStatus 400 and expectedError`);
  if (kind === 'valid' && (expectedStatus === 400 || expectedError !== undefined))
    throw new Error(`${where}: a valid fixture cannot expect a 400 or an error`);
  const fixture: { -readonly [K in keyof Fixture]: Fixture[K] } = {
    name: file.slice(0, -'.json'.length),
    description: o.description,
    request: o.request,
  };
  if (expectedStatus !== undefined) fixture.expectedStatus = expectedStatus as number;
  if (expectedError !== undefined) fixture.expectedError = expectedError as string;
  return fixture;
}
