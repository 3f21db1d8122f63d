/**
 * The campaign edit form. Pause/resume, budgets, channel split and floating share, bid, flight dates and
 * frequency caps; the server validates with the config schema and each issue is shown beside its field
 * (`aria-describedby`, `aria-invalid`). Every change carries the ETag the page loaded, so an edit made
 * meanwhile by someone else is refused rather than overwritten.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, ApiError, type EditResult, type FieldIssue } from './api.js';

type Raw = Record<string, unknown>;

interface Props {
  readonly id: string;
  readonly file: { path: string; etag: string | null; campaign: Raw };
  readonly active: boolean;
  readonly channelIds: readonly string[];
  readonly canEdit: boolean;
  /** Told the outcome line after a change was written; the page then reloads and remounts the form. */
  readonly onSaved: (message: string) => void;
  /** The last outcome line, shown again by the form the page remounts after a save. */
  readonly initialMessage?: string;
}

const kStrategyFields: Readonly<Record<string, readonly string[]>> = {
  fixed_cpm: ['cpm'],
  max_cpm: ['cpm', 'bidFraction'],
  target_cpc: ['cpc', 'maxCpm'],
  target_cpa: ['cpa', 'maxCpm'],
};
const kBidLabels: Readonly<Record<string, string>> = {
  cpm: 'CPM',
  bidFraction: 'Bid fraction of max CPM (0–1)',
  cpc: 'Target CPC',
  cpa: 'Target CPA',
  maxCpm: 'Max CPM',
};

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
/** Numbers as numbers; anything else goes to the server as typed, so its schema says what is wrong. */
const num = (v: string): unknown => (v.trim() === '' ? null : Number.isFinite(Number(v)) ? Number(v) : v);

export function EditForm(p: Props) {
  const raw = p.file.campaign;
  const budget = (raw.budget ?? {}) as Raw;
  const channels = (budget.channels ?? {}) as Raw;
  const bid = (raw.bid ?? {}) as Raw;
  const flight = (raw.flight ?? {}) as Raw;
  const caps = ((raw.frequencyCaps ?? []) as Raw[]).map((c) => ({ count: str(c.count), window: str(c.window) }));
  const [v, setV] = useState<Record<string, string>>(() => {
    const init: Record<string, string> = {
      'budget.daily': str(budget.daily),
      'budget.total': str(budget.total),
      'budget.floating': str(budget.floating ?? 0),
      'bid.strategy': str(bid.strategy),
      'flight.start': str(flight.start),
      'flight.end': str(flight.end),
    };
    for (const ch of p.channelIds) init[`budget.channels.${ch}`] = str(channels[ch]);
    for (const f of ['cpm', 'bidFraction', 'cpc', 'cpa', 'maxCpm']) init[`bid.${f}`] = str(bid[f]);
    return init;
  });
  const [rows, setRows] = useState(caps);
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>(
    p.initialMessage === undefined ? undefined : { ok: true, text: p.initialMessage },
  );
  const [busy, setBusy] = useState(false);
  const etag = p.file.etag ?? '';

  const set = (k: string) => (e: Event) => setV({ ...v, [k]: (e.currentTarget as HTMLInputElement).value });
  const strategy = v['bid.strategy'] ?? '';

  const [initial] = useState(() => ({ v, rows }));
  /** Only what the buyer changed goes to the server (a field left alone is not rewritten). */
  const patch = () => {
    const now = patchOf(v, rows);
    const was = patchOf(initial.v, initial.rows);
    const out: Record<string, unknown> = {};
    const budget: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(now.budget))
      if (JSON.stringify(x) !== JSON.stringify((was.budget as Record<string, unknown>)[k])) budget[k] = x;
    if (Object.keys(budget).length > 0) out.budget = budget;
    for (const k of ['bid', 'flight', 'frequencyCaps'] as const)
      if (JSON.stringify(now[k]) !== JSON.stringify(was[k])) out[k] = now[k];
    return out;
  };
  const patchOf = (v: Record<string, string>, rows: readonly { count: string; window: string }[]) => {
    const strategy = v['bid.strategy'] ?? '';
    const ch: Record<string, unknown> = {};
    for (const c of p.channelIds) ch[c] = num(v[`budget.channels.${c}`] ?? '');
    const b: Record<string, unknown> = { strategy };
    for (const f of kStrategyFields[strategy] ?? []) {
      const x = v[`bid.${f}`] ?? '';
      if (x !== '' || f !== 'bidFraction') b[f] = num(x);
    }
    return {
      budget: {
        daily: num(v['budget.daily'] ?? ''),
        total: num(v['budget.total'] ?? ''),
        channels: ch,
        floating: num(v['budget.floating'] ?? ''),
      },
      bid: b,
      flight: { start: v['flight.start'] || null, end: v['flight.end'] || null },
      frequencyCaps: rows.map((r) => ({
        count: num(r.count),
        window: /^\d+$/.test(r.window) ? Number(r.window) : r.window,
      })),
    };
  };

  const done = (r: EditResult, what: string) => {
    setIssues([]);
    const changes = r.diff.map((d) => d.path).join(', ');
    const text =
      r.diff.length === 0
        ? 'Nothing changed.'
        : `${what}: ${changes}. ${r.reload?.ok === true ? `Config version ${r.reload.version} is live.` : 'Reload refused: see the bidder log.'}`;
    setMessage({ ok: true, text });
    p.onSaved(text);
  };
  const failed = (e: unknown) => {
    if (e instanceof ApiError) {
      setIssues(e.issues);
      setMessage({
        ok: false,
        text:
          e.status === 422
            ? `Not saved: ${new Set(e.issues.map((i) => i.path)).size} field(s) need fixing.`
            : `Not saved: ${e.message}`,
      });
    } else setMessage({ ok: false, text: `Not saved: ${String(e)}` });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      done(await api.edit(p.id, etag, patch()), 'Saved');
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };
  const toggle = async () => {
    setBusy(true);
    try {
      done(await api.setStatus(p.id, etag, p.active ? 'pause' : 'resume'), p.active ? 'Paused' : 'Resumed');
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  const known = new Set(Object.keys(v));
  rows.forEach((_r, i) => {
    known.add(`frequencyCaps[${i}].count`);
    known.add(`frequencyCaps[${i}].window`);
  });
  known.add('budget.channels');
  known.add('frequencyCaps');
  known.add('flight');
  const placeOf = (path: string): string | undefined => {
    if (known.has(path)) return path;
    // `bid` issues name the strategy's field; others land on the nearest enclosing field.
    const parts = path.split('.');
    while (parts.length > 1) {
      parts.pop();
      if (known.has(parts.join('.'))) return parts.join('.');
    }
    return undefined;
  };
  const errs = new Map<string, string[]>();
  const general: FieldIssue[] = [];
  for (const i of issues) {
    const place = placeOf(i.path);
    if (place === undefined) general.push(i);
    else errs.set(place, [...(errs.get(place) ?? []), i.message]);
  }
  const fid = (k: string) => `f-${k.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const err = (k: string) =>
    errs.has(k)
      ? html`<p class="field-error" id=${`${fid(k)}-err`} data-error-for=${k}>${errs.get(k)!.join('; ')}</p>`
      : html`<span></span>`;
  const field = (
    k: string,
    label: string,
    type = 'text',
    extra: Record<string, unknown> = {},
  ) => html`<div class="field">
    <label for=${fid(k)}>${label}</label>
    <input id=${fid(k)} name=${k} type=${type} value=${v[k] ?? ''} onInput=${set(k)} disabled=${!p.canEdit}
      aria-invalid=${errs.has(k) ? 'true' : 'false'} aria-describedby=${errs.has(k) ? `${fid(k)}-err` : undefined} ...${extra} />
    ${err(k)}
  </div>`;

  return html`<section class="card" aria-labelledby="h-edit">
    <h3 id="h-edit">Edit</h3>
    <p class="fresh">File ${p.file.path}, version ${etag}. ${p.canEdit ? '' : 'Read-only session: sign in with the admin token to edit.'}</p>
    <p>
      <button type="button" onClick=${toggle} disabled=${!p.canEdit || busy} data-testid="toggle-status">
        ${p.active ? 'Pause campaign' : 'Resume campaign'}
      </button>
    </p>
    ${message !== undefined && html`<p class=${`notice ${message.ok ? 'ok' : 'bad'}`} role=${message.ok ? 'status' : 'alert'} data-testid="edit-message">${message.text}</p>`}
    ${general.length > 0 && html`<ul class="field-error" role="alert">${general.map((i) => html`<li>${i.path}: ${i.message}</li>`)}</ul>`}
    <form class="edit" onSubmit=${submit} aria-label=${`Edit campaign ${p.id}`} novalidate>
      <fieldset>
        <legend>Budget</legend>
        ${field('budget.daily', 'Daily budget', 'text', { inputmode: 'decimal' })}
        ${field('budget.total', 'Total budget (empty: none)', 'text', { inputmode: 'decimal' })}
        ${field('budget.floating', 'Floating share (0–1)', 'text', { inputmode: 'decimal' })}
      </fieldset>
      <fieldset aria-describedby=${errs.has('budget.channels') ? `${fid('budget.channels')}-err` : undefined}>
        <legend>Channel split (base shares, sum 1)</legend>
        ${err('budget.channels')}
        ${p.channelIds.map((ch) => field(`budget.channels.${ch}`, `Share on ${ch}`, 'text', { inputmode: 'decimal' }))}
      </fieldset>
      <fieldset>
        <legend>Bid</legend>
        <div class="field">
          <label for="f-bid_strategy">Strategy</label>
          <select id="f-bid_strategy" value=${strategy} onChange=${set('bid.strategy')} disabled=${!p.canEdit}>
            ${Object.keys(kStrategyFields).map((s) => html`<option value=${s}>${s}</option>`)}
          </select>
          ${err('bid.strategy')}
        </div>
        ${(kStrategyFields[strategy] ?? []).map((f) => field(`bid.${f}`, kBidLabels[f] ?? f, 'text', { inputmode: 'decimal' }))}
      </fieldset>
      <fieldset>
        <legend>Flight (ISO date-times with offset, e.g. 2026-03-01T00:00:00Z)</legend>
        ${field('flight.start', 'Start (empty: none)')}
        ${field('flight.end', 'End (empty: none)')}
      </fieldset>
      <fieldset>
        <legend>Frequency caps</legend>
        ${err('frequencyCaps')}
        ${rows.map(
          (r, i) => html`<div class="field" key=${i}>
            <label for=${`f-cap-${i}-count`}>Cap ${i + 1}: impressions</label>
            <input id=${`f-cap-${i}-count`} value=${r.count} disabled=${!p.canEdit}
              aria-invalid=${errs.has(`frequencyCaps[${i}].count`) ? 'true' : 'false'}
              onInput=${(e: Event) => setRows(rows.map((x, j) => (j === i ? { ...x, count: (e.currentTarget as HTMLInputElement).value } : x)))} />
            ${err(`frequencyCaps[${i}].count`)}
            <label for=${`f-cap-${i}-window`}>Cap ${i + 1}: per window (30m, 24h, 7d)</label>
            <input id=${`f-cap-${i}-window`} value=${r.window} disabled=${!p.canEdit}
              aria-invalid=${errs.has(`frequencyCaps[${i}].window`) ? 'true' : 'false'}
              onInput=${(e: Event) => setRows(rows.map((x, j) => (j === i ? { ...x, window: (e.currentTarget as HTMLInputElement).value } : x)))} />
            <button type="button" onClick=${() => setRows(rows.filter((_x, j) => j !== i))} disabled=${!p.canEdit}
              aria-label=${`Remove cap ${i + 1}`}>Remove</button>
            ${err(`frequencyCaps[${i}].window`)}
          </div>`,
        )}
        <button type="button" onClick=${() => setRows([...rows, { count: '', window: '24h' }])} disabled=${!p.canEdit}>
          Add a cap
        </button>
      </fieldset>
      <button type="submit" disabled=${!p.canEdit || busy}>Save changes</button>
    </form>
  </section>`;
}
