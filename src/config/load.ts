/**
 * Reads and validates a config directory: `bidder.yaml`, `channels.yaml`, `campaigns/*.yaml` (one campaign
 * per file, or `campaigns: [...]`). Every error of every stage (YAML, schema, whole-campaign rules, references
 * across files) in every file is reported at once with its file and field path, and nothing is applied unless
 * everything is valid.
 *
 * The directory is hostile input (`files/safe-read.ts`): only regular `.yaml`/`.yml` files are read, each
 * within `maxFileBytes` and all together within `maxTotalBytes`; FIFOs, sockets and devices are skipped with
 * a warning, never opened; a symlink loop is an error, not a crash. The report keeps the first `maxIssues`
 * issues (each clipped) and counts the rest, so a file of 200,000 bad entries yields a short answer.
 * This module is pure work on a directory: `off-thread.ts` runs it in a worker so the event loop stays free.
 */
import { join, relative } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { listNames, readRegularFile } from '../files/safe-read.js';
import {
  bidderSchema,
  campaignSchema,
  channelsSchema,
  type BidderConfig,
  type CampaignConfig,
  type ChannelConfig,
} from './schema.js';

export interface ConfigIssue {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

export interface RawConfig {
  readonly dir: string;
  readonly bidder: BidderConfig;
  readonly channels: readonly ChannelConfig[];
  readonly campaigns: readonly CampaignConfig[];
  /** file → text, for the snapshot hash (what changed, and fleet-wide version agreement). */
  readonly texts: ReadonlyMap<string, string>;
}

export interface LoadLimits {
  /** Largest config file read, in bytes (default 1 MiB). */
  readonly maxFileBytes: number;
  /** Largest sum of all config files, in bytes (default 16 MiB). */
  readonly maxTotalBytes: number;
  /** Issues kept in the report; the rest are counted (default 50). */
  readonly maxIssues: number;
}

export const kDefaultLoadLimits: LoadLimits = Object.freeze({
  maxFileBytes: 1 << 20,
  maxTotalBytes: 16 << 20,
  maxIssues: 50,
});

export type LoadResult =
  | { readonly ok: true; readonly config: RawConfig; readonly warnings: readonly string[] }
  | {
      readonly ok: false;
      /** The first `maxIssues` issues, then one line saying how many more there were. */
      readonly issues: readonly ConfigIssue[];
      readonly totalIssues: number;
      readonly warnings: readonly string[];
    };

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((i) => (i.file === '' ? i.message : `${i.file}${i.path === '' ? '' : ` ${i.path}`}: ${i.message}`))
    .join('\n');
}

const kMaxMessage = 300;
const kMaxPath = 200;
const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * Keeps the first `max` issues (clipped) and counts the rest. Past 20 × `max` issues more detail is useless
 * and checking costs (zod takes tens of µs per bad entry), so callers stop checking entries (`saturated`) and
 * count what they skipped.
 */
class IssueList {
  readonly kept: ConfigIssue[] = [];
  total = 0;
  /** Entries not checked because the list was saturated. */
  unchecked = 0;
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  get saturated(): boolean {
    return this.total >= this.#max * 20;
  }
  push(file: string, path: string, message: string): void {
    this.total++;
    if (this.kept.length < this.#max)
      this.kept.push({ file, path: clip(path, kMaxPath), message: clip(message, kMaxMessage) });
  }
  report(): ConfigIssue[] {
    const more = this.total - this.kept.length;
    if (more <= 0) return this.kept;
    const stopped =
      this.unchecked > 0 ? `; checking stopped there, ${this.unchecked} more files or entries not checked` : '';
    return [
      ...this.kept,
      { file: '', path: '', message: `… and ${more} more issues (the first ${this.kept.length} shown${stopped})` },
    ];
  }
}

const isConfigName = (n: string) => n.endsWith('.yaml') || n.endsWith('.yml');

/** What a campaign refers to, read from the raw value so that references are checked even when it is invalid. */
interface CampaignRefs {
  readonly file: string;
  readonly prefix: string;
  readonly id: string | undefined;
  readonly budgetChannels: readonly string[];
  readonly targetingChannels: readonly string[];
}

export async function loadConfigDir(dir: string, limits: LoadLimits = kDefaultLoadLimits): Promise<LoadResult> {
  const issues = new IssueList(limits.maxIssues);
  const warnings: string[] = [];
  const texts = new Map<string, string>();
  let totalBytes = 0;
  let overTotal = false;
  const read = async (file: string, required = false): Promise<unknown> => {
    const rel = relative(dir, file) || file;
    if (overTotal) return undefined;
    const r = await readRegularFile(file, limits.maxFileBytes);
    if (!r.ok) {
      // A stray FIFO among the campaigns is skipped; one in place of bidder.yaml leaves no config to load.
      if (r.skipped && !required) warnings.push(`${rel}: skipped, ${r.reason}`);
      else issues.push(rel, '', r.reason);
      return undefined;
    }
    totalBytes += r.bytes;
    if (totalBytes > limits.maxTotalBytes) {
      overTotal = true;
      issues.push(
        rel,
        '',
        `the config files exceed the total limit of ${limits.maxTotalBytes} bytes; not read further`,
      );
      return undefined;
    }
    texts.set(rel, r.text);
    try {
      return parseYaml(r.text) ?? {};
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos?.[0] !== undefined ? ` (line ${e.linePos[0].line})` : '';
      issues.push(rel, '', `invalid YAML${where}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      return undefined;
    }
  };
  const check = <S extends z.ZodType>(schema: S, value: unknown, file: string, prefix = ''): z.infer<S> | undefined => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    for (const issue of r.error.issues)
      issues.push(file, (prefix + formatPath(issue.path)).replace(/\.$/, ''), issue.message);
    return undefined;
  };

  const bidderRaw = await read(join(dir, 'bidder.yaml'), true);
  const bidder = bidderRaw === undefined ? undefined : check(bidderSchema, bidderRaw, 'bidder.yaml');
  const channelsRaw = await read(join(dir, 'channels.yaml'), true);
  const channels =
    channelsRaw === undefined ? undefined : check(channelsSchema, channelsRaw, 'channels.yaml')?.channels;

  const campaigns: CampaignConfig[] = [];
  const refs: CampaignRefs[] = [];
  const listed = await listNames(join(dir, 'campaigns'), isConfigName);
  if (listed.error !== undefined) issues.push('campaigns', '', listed.error);
  for (const file of listed.paths) {
    const rel = relative(dir, file);
    if (issues.saturated) {
      issues.unchecked++;
      continue;
    }
    const raw = await read(file);
    if (raw === undefined) continue;
    const list = isRecord(raw) && Array.isArray(raw.campaigns) ? raw.campaigns : [raw];
    list.forEach((item: unknown, i: number) => {
      if (issues.saturated) {
        issues.unchecked++;
        return;
      }
      const prefix = raw !== item ? `campaigns[${i}].` : '';
      const c = check(campaignSchema, item, rel, prefix);
      if (c !== undefined) campaigns.push(c);
      refs.push(campaignRefs(c ?? item, rel, prefix));
    });
  }

  const where = new Map<string, string>();
  for (const r of refs) {
    if (r.id === undefined) continue;
    const prev = where.get(r.id);
    if (prev !== undefined) issues.push(r.file, `${r.prefix}id`, `duplicate campaign id ${r.id} (also in ${prev})`);
    where.set(r.id, r.file);
  }
  // Channel ids from the valid channels, or (when channels.yaml is invalid) from whatever entries name one,
  // so a campaign's bad references are reported in the same pass as the channel file's own errors.
  const channelIds = channels?.map((c) => c.id) ?? rawChannelIds(channelsRaw);
  if (channelIds !== undefined) {
    const ids = new Set<string>();
    channelIds.forEach((id, i) => {
      if (channels !== undefined && ids.has(id))
        issues.push('channels.yaml', `channels[${i}].id`, `duplicate channel id ${id}`);
      ids.add(id);
    });
    for (const r of refs) {
      for (const ch of r.budgetChannels)
        if (!ids.has(ch)) issues.push(r.file, `${r.prefix}budget.channels.${ch}`, `unknown channel ${ch}`);
      for (const ch of r.targetingChannels)
        if (!ids.has(ch)) issues.push(r.file, `${r.prefix}targeting.channels`, `unknown channel ${ch}`);
    }
  }
  if (issues.total > 0 || bidder === undefined || channels === undefined)
    return { ok: false, issues: issues.report(), totalIssues: issues.total, warnings };
  return { ok: true, config: { dir, bidder, channels, campaigns, texts }, warnings };
}

function campaignRefs(value: unknown, file: string, prefix: string): CampaignRefs {
  const v = isRecord(value) ? value : {};
  const budget = isRecord(v.budget) ? v.budget : {};
  const targeting = isRecord(v.targeting) ? v.targeting : {};
  return {
    file,
    prefix,
    id: typeof v.id === 'string' ? v.id : undefined,
    budgetChannels: isRecord(budget.channels) ? Object.keys(budget.channels) : [],
    targetingChannels: Array.isArray(targeting.channels)
      ? targeting.channels.filter((c): c is string => typeof c === 'string')
      : [],
  };
}

function rawChannelIds(raw: unknown): string[] | undefined {
  if (!isRecord(raw) || !Array.isArray(raw.channels)) return undefined;
  return raw.channels.flatMap((c: unknown) => (isRecord(c) && typeof c.id === 'string' ? [c.id] : []));
}

/** A zod issue path as people write it: `budget.channels[0].share`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
