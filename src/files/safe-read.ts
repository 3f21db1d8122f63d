/**
 * Reading operator-managed directories (config, models) as hostile input. Anyone who can drop a file there
 * can drop anything: a FIFO (opening it blocks a libuv thread for good, and a blocked thread keeps the
 * process from exiting), a device, a socket, a symlink loop, a 3 GB file. So a file is read only when `stat`
 * (which follows symlinks, failing with ELOOP on a loop) says it is a regular file within the size limit; it
 * is then opened with O_NONBLOCK (a FIFO swapped in after the `stat` cannot block the open) and checked again
 * on the open descriptor, and never more than the limit is read.
 */
import { constants, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type ReadOutcome =
  | { readonly ok: true; readonly text: string; readonly bytes: number }
  | { readonly ok: false; readonly reason: string; readonly skipped: boolean };

/** What kind of thing a stat describes, for messages. */
function describeKind(st: Stats): string {
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'special file';
}

function errnoReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'symlink loop (ELOOP)';
  if (code === 'ENOENT') return 'cannot read: ENOENT (missing, or a dangling symlink)';
  return `cannot read: ${code ?? String(e)}`;
}

const kOpenFlags = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);

/**
 * Reads `path` as UTF-8 if it is a regular file of at most `maxBytes`. `skipped: true` marks things that
 * are not files at all (FIFOs, sockets, devices, directories): callers warn and go on rather than refuse.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<ReadOutcome> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    return { ok: false, reason: errnoReason(e), skipped: false };
  }
  if (!st.isFile()) return { ok: false, reason: `not a regular file (${describeKind(st)})`, skipped: true };
  if (st.size > maxBytes) return { ok: false, reason: tooLarge(st.size, maxBytes), skipped: false };
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, kOpenFlags);
  } catch (e) {
    return { ok: false, reason: errnoReason(e), skipped: false };
  }
  try {
    const again = await fh.stat();
    if (!again.isFile()) return { ok: false, reason: `not a regular file (${describeKind(again)})`, skipped: true };
    // Read to EOF, not to the stat size: the file may grow meanwhile. One byte past the limit is enough to refuse.
    const chunks: Buffer[] = [];
    let len = 0;
    while (len <= maxBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(again.size - len, 0) + 1, maxBytes + 1 - len, 1 << 20));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, len);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      len += bytesRead;
    }
    if (len > maxBytes) return { ok: false, reason: tooLarge(len, maxBytes, true), skipped: false };
    return { ok: true, text: Buffer.concat(chunks, len).toString('utf8'), bytes: len };
  } catch (e) {
    return { ok: false, reason: errnoReason(e), skipped: false };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function tooLarge(size: number, max: number, atLeast = false): string {
  return `file too large (${atLeast ? 'over ' : ''}${size} bytes; the limit is ${max})`;
}

/**
 * The names in `dir` that `accept` keeps, sorted. A missing directory is empty; any other failure (ELOOP,
 * EACCES, not a directory) is returned as `error` so the caller can report it.
 */
export async function listNames(
  dir: string,
  accept: (name: string) => boolean,
): Promise<{ readonly paths: readonly string[]; readonly error: string | undefined }> {
  try {
    const names = await readdir(dir);
    return {
      paths: names
        .filter(accept)
        .sort()
        .map((n) => join(dir, n)),
      error: undefined,
    };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { paths: [], error: undefined };
    return { paths: [], error: code === 'ENOTDIR' ? 'not a directory' : errnoReason(e) };
  }
}
