import { describe, expect, it } from 'vitest';
import {
  choiceOption,
  describeFailure,
  numberOption,
  parseCommand,
  UsageError,
} from '../../../../tools/cli/command.js';

const options = { seed: { type: 'string' }, quiet: { type: 'boolean', default: false } } as const;

function sink() {
  let text = '';
  return { out: { write: (s: string) => (text += s) }, text: () => text };
}

describe('parseCommand', () => {
  it('prints the usage and returns nothing on --help, whatever else is on the line', () => {
    const s = sink();
    expect(parseCommand('usage: x', options, ['--seed', '3', '--help', '--nope'], { out: s.out })).toBeUndefined();
    expect(s.text()).toBe('usage: x\n');
    expect(parseCommand('usage: x\n', options, ['-h'], { out: s.out })).toBeUndefined();
  });

  it('returns the values of a good command line', () => {
    const p = parseCommand('u', options, ['--seed', '9', '--quiet']);
    expect(p?.values).toEqual({ seed: '9', quiet: true });
  });

  it('refuses an unknown option in one short line', () => {
    expect(() => parseCommand('u', options, ['--sede', '9'])).toThrow(new UsageError("Unknown option '--sede'"));
  });

  it('refuses a stray argument unless the command takes positionals', () => {
    expect(() => parseCommand('u', options, ['steady'])).toThrow(/unexpected argument 'steady'/);
    expect(parseCommand('u', options, ['7', '11'], { positionals: true })?.positionals).toEqual(['7', '11']);
  });

  it('refuses a missing option value', () => {
    expect(() => parseCommand('u', options, ['--seed'])).toThrow(UsageError);
  });
});

describe('option values', () => {
  it('accepts numbers in range and refuses the rest with the option name', () => {
    expect(numberOption('rpm', '40', { min: 1, integer: true })).toBe(40);
    expect(() => numberOption('rpm', 'forty', { min: 1 })).toThrow(/--rpm must be a number in 1–…, got 'forty'/);
    expect(() => numberOption('rpm', '', { min: 1 })).toThrow(UsageError);
    expect(() => numberOption('rpm', '0', { min: 1 })).toThrow(UsageError);
    expect(() => numberOption('n', '1.5', { integer: true })).toThrow(/whole number/);
  });

  it('accepts one of the listed words only', () => {
    expect(choiceOption('store', 'redis', ['memory', 'redis'])).toBe('redis');
    expect(() => choiceOption('store', 'mem', ['memory', 'redis'])).toThrow(
      "--store must be one of memory, redis, got 'mem'",
    );
  });
});

describe('describeFailure', () => {
  it('points a usage mistake at --help with exit 2', () => {
    expect(describeFailure('sim:day', new UsageError('--seed must be …'))).toEqual({
      line: 'sim:day: --seed must be … (see --help)',
      code: 2,
    });
  });

  it('names a missing file in one line', () => {
    const err = Object.assign(new Error("ENOENT: no such file or directory, open 'x.csv'"), {
      code: 'ENOENT',
      path: 'x.csv',
    });
    expect(describeFailure('sim:day', err)).toEqual({ line: 'sim:day: no such file: x.csv', code: 2 });
  });

  it('reports anything else by its message, exit 1', () => {
    expect(describeFailure('bench:load', new Error('the bidder exited with 1'))).toEqual({
      line: 'bench:load: the bidder exited with 1',
      code: 1,
    });
  });
});

describe('describeFailure of a parseArgs error thrown outside parseCommand', () => {
  it('is a usage mistake, in one short line', async () => {
    const { parseArgs } = await import('node:util');
    let err: unknown;
    try {
      parseArgs({ args: ['--nope'], options: {}, strict: true });
    } catch (e) {
      err = e;
    }
    expect(describeFailure('bench:load', err)).toEqual({
      line: "bench:load: Unknown option '--nope' (see --help)",
      code: 2,
    });
  });
});
