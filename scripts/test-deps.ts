/**
 * Run by `npm test` before vitest: makes sure the two programs the tests need beyond npm are there —
 * `redis-server` (the integration tests start private servers to kill and pause) and Chromium (the Prebid.js
 * browser test). On Debian/Ubuntu as root (or with password-less sudo), a missing one is installed with
 * apt-get; anywhere else the run stops at once with one line saying what to install, rather than failing
 * test by test later.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findChromium, kChromiumEnv } from '../tests/helpers/chromium.js';

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Debian package name → whether the program it ships is missing. */
function missing(): string[] {
  const out: string[] = [];
  if (!onPath('redis-server')) out.push('redis-server');
  if (findChromium() === undefined) out.push('chromium');
  return out;
}

function aptPrefix(): string[] | undefined {
  if (!existsSync('/usr/bin/apt-get')) return undefined;
  if (process.getuid?.() === 0) return [];
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? ['sudo', '-n'] : undefined;
}

const want = missing();
if (want.length > 0) {
  const prefix = aptPrefix();
  if (prefix === undefined) {
    const chromiumHint = want.includes('chromium') ? ` (or set ${kChromiumEnv[0]} to a Chrome/Chromium binary)` : '';
    console.error(
      `npm test needs ${want.join(' and ')}: install with \`sudo apt-get install -y ${want.join(' ')}\`` +
        ` on Debian/Ubuntu, or your system's packages${chromiumHint}`,
    );
    process.exit(1);
  }
  console.log(`npm test: installing Debian packages the tests need: ${want.join(' ')}`);
  const run = (args: string[]): void => {
    const [cmd = '', ...rest] = [...prefix, ...args];
    execFileSync(cmd, rest, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...want]);
  const still = missing();
  if (still.length > 0) {
    console.error(`npm test: apt-get finished but ${still.join(' and ')} is still missing`);
    process.exit(1);
  }
}
