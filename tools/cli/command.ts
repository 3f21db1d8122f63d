/**
 * What every operator command (simulators, benchmarks) does the same way at its edge: `--help` prints the
 * usage and exits 0 before any work starts, an unknown option or a bad value is one line on stderr and exit 2,
 * a missing input file is one line naming it, and anything else fails with its message in one line (the stack
 * only with DEBUG set). Commands read their options through here so a typo never starts an hour-long run.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A mistake in how the command was called: reported with a pointer to `--help`, exit 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

interface Parsed<O extends Options> {
  readonly values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  readonly positionals: readonly string[];
}

/**
 * Parses `argv` strictly against `options` (plus `--help`/`-h`). Returns undefined when help was asked for,
 * after printing `usage` to `out`; throws UsageError on anything parseArgs refuses.
 */
export function parseCommand<O extends Options>(
  usage: string,
  options: O,
  argv: readonly string[],
  { positionals = false, out = process.stdout }: { positionals?: boolean; out?: { write(s: string): unknown } } = {},
): Parsed<O> | undefined {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    return undefined;
  }
  try {
    const { values, positionals: rest } = parseArgs({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
    if (!positionals && rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    return { values, positionals: rest };
  } catch (err) {
    throw isParseArgsError(err) ? new UsageError(shortParseArgsMessage(err)) : err;
  }
}

function isParseArgsError(err: unknown): err is Error {
  return err instanceof Error && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_');
}

/** parseArgs' messages are clear but long ("… To specify a positional argument starting with a '-' …"). */
function shortParseArgsMessage(err: Error): string {
  return err.message.split('. ')[0]!.replace(/\.$/, '');
}

/** A numeric option: finite, within [min, max], and whole when `integer`. */
export function numberOption(
  name: string,
  value: string,
  { min = -Infinity, max = Infinity, integer = false }: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const range = `${Number.isFinite(min) ? min : '…'}–${Number.isFinite(max) ? max : '…'}`;
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} in ${range}, got '${value}'`);
  }
  return n;
}

/** One of a fixed set of words. */
export function choiceOption<C extends string>(name: string, value: string, choices: readonly C[]): C {
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${value}'`);
  return value as C;
}

/** The one line a failure is reported as; exit code 2 for the caller's mistakes, 1 for everything else. */
export function describeFailure(name: string, err: unknown): { line: string; code: number } {
  if (err instanceof UsageError) return { line: `${name}: ${err.message} (see --help)`, code: 2 };
  if (isParseArgsError(err)) return { line: `${name}: ${shortParseArgsMessage(err)} (see --help)`, code: 2 };
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' && typeof e.path === 'string') return { line: `${name}: no such file: ${e.path}`, code: 2 };
  return { line: `${name}: ${err instanceof Error ? err.message : String(err)}`, code: 1 };
}

/** Runs a command's main function and turns its outcome into an exit code and, on failure, one line. */
export async function runCommand(name: string, main: () => Promise<number | undefined>): Promise<void> {
  try {
    process.exitCode = (await main()) ?? 0;
  } catch (err) {
    const { line, code } = describeFailure(name, err);
    process.stderr.write(`${line}\n`);
    if (process.env.DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = code;
  }
}

/**
 * `parseCommand` for a script's top level: prints the usage and exits 0 on `--help`, prints the one line and
 * exits 2 on a usage mistake, else returns what was parsed.
 */
export function parseOrExit<O extends Options>(
  name: string,
  usage: string,
  options: O,
  o: { positionals?: boolean } = {},
): Parsed<O> {
  try {
    const p = parseCommand(usage, options, process.argv.slice(2), o);
    if (p === undefined) process.exit(0);
    return p;
  } catch (err) {
    const { line, code } = describeFailure(name, err);
    process.stderr.write(`${line}\n`);
    process.exit(code);
  }
}
