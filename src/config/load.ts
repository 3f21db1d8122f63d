/**
 * Reads and validates a config directory: `bidder.yaml`, `channels.yaml`, `campaigns/*.yaml` (one campaign
 * per file, or `campaigns: [...]`). Every error in every file is reported at once with its file and field
 * path, and nothing is applied unless everything is valid.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
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

export type LoadResult =
  | { readonly ok: true; readonly config: RawConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `${i.file}${i.path === '' ? '' : ` ${i.path}`}: ${i.message}`).join('\n');
}

export async function loadConfigDir(dir: string): Promise<LoadResult> {
  const issues: ConfigIssue[] = [];
  const texts = new Map<string, string>();
  const read = async (file: string): Promise<unknown> => {
    const rel = relative(dir, file) || file;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      issues.push({ file: rel, path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
      return undefined;
    }
    texts.set(rel, text);
    try {
      return parseYaml(text) ?? {};
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos?.[0] !== undefined ? ` (line ${e.linePos[0].line})` : '';
      issues.push({
        file: rel,
        path: '',
        message: `invalid YAML${where}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      });
      return undefined;
    }
  };
  const check = <S extends z.ZodType>(schema: S, value: unknown, file: string, prefix = ''): z.infer<S> | undefined => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    for (const issue of r.error.issues)
      issues.push({ file, path: (prefix + formatPath(issue.path)).replace(/\.$/, ''), message: issue.message });
    return undefined;
  };

  const bidderRaw = await read(join(dir, 'bidder.yaml'));
  const bidder = bidderRaw === undefined ? undefined : check(bidderSchema, bidderRaw, 'bidder.yaml');
  const channelsRaw = await read(join(dir, 'channels.yaml'));
  const channels =
    channelsRaw === undefined ? undefined : check(channelsSchema, channelsRaw, 'channels.yaml')?.channels;

  const campaigns: CampaignConfig[] = [];
  const campaignFiles = await listYaml(join(dir, 'campaigns'));
  const where = new Map<string, string>();
  const files: string[] = [];
  for (const file of campaignFiles) {
    const rel = relative(dir, file);
    const raw = await read(file);
    if (raw === undefined) continue;
    const list = isRecord(raw) && Array.isArray(raw.campaigns) ? raw.campaigns : [raw];
    list.forEach((item: unknown, i: number) => {
      const c = check(campaignSchema, item, rel, raw !== item ? `campaigns[${i}].` : '');
      if (c === undefined) return;
      const prev = where.get(c.id);
      if (prev !== undefined)
        issues.push({ file: rel, path: 'id', message: `duplicate campaign id ${c.id} (also in ${prev})` });
      where.set(c.id, rel);
      campaigns.push(c);
      files.push(rel);
    });
  }

  if (channels !== undefined) {
    const ids = new Set<string>();
    channels.forEach((ch, i) => {
      if (ids.has(ch.id))
        issues.push({ file: 'channels.yaml', path: `channels[${i}].id`, message: `duplicate channel id ${ch.id}` });
      ids.add(ch.id);
    });
    for (const [i, c] of campaigns.entries()) {
      const file = files[i] ?? 'campaigns';
      for (const ch of Object.keys(c.budget.channels))
        if (!ids.has(ch)) issues.push({ file, path: `budget.channels.${ch}`, message: `unknown channel ${ch}` });
      for (const ch of c.targeting.channels ?? [])
        if (!ids.has(ch)) issues.push({ file, path: 'targeting.channels', message: `unknown channel ${ch}` });
    }
  }
  if (issues.length > 0 || bidder === undefined || channels === undefined) return { ok: false, issues };
  return { ok: true, config: { dir, bidder, channels, campaigns, texts } };
}

async function listYaml(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names
      .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

function formatPath(path: readonly PropertyKey[]): string {
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
