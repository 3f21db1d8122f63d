/** One campaign: per channel its day against the target curve, pools, ROI and costs; steps; alerts; editing. */
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import {
  type ArmView,
  api,
  type AuditEntry,
  type CampaignView,
  type ChannelView,
  type ExperimentView,
  type IntervalView,
} from './api.js';
import { align, Chart } from './chart.js';
import { EditForm } from './edit-form.js';
import { money, pct, ratio, time } from './format.js';
import { Fresh } from './freshness.js';
import { AlertsFeed } from './overview.js';

export function CampaignPage({ id, canEdit }: { id: string; canEdit: boolean }) {
  const [data, setData] = useState<CampaignView | undefined>(undefined);
  const [history, setHistory] = useState<readonly AuditEntry[]>([]);
  const [error, setError] = useState('');
  // Bumped after an edit: the form starts again from the file as it now is.
  const [formKey, setFormKey] = useState(0);
  // The outcome of the last save, handed to the remounted form (its own state goes with the old one).
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const load = useCallback(
    () =>
      Promise.all([api.campaign(id), api.history(id)]).then(
        ([d, h]) => {
          setData(d);
          setHistory(h.entries);
          setError('');
        },
        (e: Error) => setError(e.message),
      ),
    [id],
  );
  useEffect(() => {
    void load();
    const t = setInterval(load, 15_000);
    return () => clearInterval(t);
  }, [load]);
  if (data === undefined) return html`<p role="status">${error || 'Loading…'}</p>`;
  const c = data.campaign;
  const cur = data.currency;
  const afterEdit = async (message: string) => {
    setSaved(message);
    await load();
    setFormKey((k) => k + 1);
  };
  return html`
    <h2>Campaign ${id}</h2>
    <${Fresh} asOf=${data.asOf} />
    ${error && html`<p class="notice bad" role="alert">${error}</p>`}
    ${
      c !== undefined &&
      html`<section class="card" aria-labelledby="h-summary">
      <h3 id="h-summary">Summary</h3>
      <dl class="facts">
        <dt>Status</dt>
        <dd class=${c.active ? 'status-active' : 'status-paused'} data-testid="status">${c.active ? 'active' : 'paused'}</dd>
        <dt>Advertiser</dt><dd>${c.advertiser}</dd>
        <dt>Daily budget</dt><dd data-testid="daily-budget">${money(c.dailyBudget, cur)}</dd>
        <dt>Total budget</dt><dd>${money(c.totalBudget, cur)}</dd>
        <dt>Pacing</dt><dd>${c.pacing}</dd>
        <dt>Day</dt><dd>${c.day} (${c.timezone})</dd>
        <dt>Floating share</dt><dd>${pct(c.floating)}</dd>
        <dt>Exploration reserve</dt><dd>${pct(c.exploration)}</dd>
        <dt>Target CPC</dt><dd>${money(c.targets.cpc, cur)}</dd>
        <dt>Target CPA</dt><dd>${money(c.targets.cpa, cur)}</dd>
      </dl>
    </section>`
    }
    ${(data.channels ?? []).map((ch) => html`<${ChannelCard} key=${ch.id} ch=${ch} cur=${cur} targets=${c?.targets} />`)}
    ${data.reach !== undefined && html`<${Audience} reach=${data.reach} />`}
    ${(data.experiments ?? []).map((e) => html`<${Experiment} key=${e.id} e=${e} cur=${cur} />`)}
    <${Steps} steps=${data.steps ?? []} />
    ${data.alerts !== undefined && html`<${AlertsFeed} alerts=${data.alerts} />`}
    ${
      data.file !== null &&
      html`<${EditForm}
      key=${formKey}
      id=${id}
      file=${data.file}
      active=${c?.active ?? true}
      channelIds=${Object.keys(((data.file.campaign.budget ?? {}) as { channels?: object }).channels ?? {})}
      canEdit=${canEdit}
      onSaved=${afterEdit}
      initialMessage=${saved}
    />`
    }
    <section class="card" aria-labelledby="h-history">
      <h3 id="h-history">Changes (audit log)</h3>
      ${
        history.length === 0
          ? html`<p>No change recorded.</p>`
          : html`<ul>
            ${[...history]
              .reverse()
              .map(
                (e) =>
                  html`<li>${e.at} — ${e.who}: ${e.diff.map((d) => `${d.path} ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`).join('; ')}</li>`,
              )}
          </ul>`
      }
    </section>
  `;
}

function ChannelCard({
  ch,
  cur,
  targets,
}: {
  ch: ChannelView;
  cur: string;
  targets?: { cpc: number | null; cpa: number | null };
}) {
  const data = align(
    { t: ch.curve.t, v: ch.curve.target },
    { t: ch.series.t, v: ch.series.spent },
    { t: ch.series.t, v: ch.series.signal },
  );
  return html`<section class="card" aria-labelledby=${`h-ch-${ch.id}`} data-channel=${ch.id}>
    <h3 id=${`h-ch-${ch.id}`}>Channel ${ch.id}</h3>
    <div class="charts">
      <${Chart}
        title=${`${ch.id}: cumulative spend vs target curve, and pacing signal`}
        data=${data}
        series=${[
          { label: 'target curve', stroke: '#8a94a0', dash: [6, 4], scale: 'm', spanGaps: true },
          { label: 'spent', stroke: '#0b5cad', width: 2, scale: 'm', spanGaps: true },
          { label: 'signal', stroke: '#b45309', scale: 's', spanGaps: true },
        ]}
        scales=${{ x: { time: true }, m: {}, s: { range: [0, 2] } }}
        axes=${[{}, { scale: 'm' }, { scale: 's', side: 1, grid: { show: false } }]}
      />
      <table aria-label=${`${ch.id} figures`}>
        <tbody>
          <tr><th scope="row">Spent today (fleet)</th><td data-testid=${`spent-${ch.id}`}>${money(ch.spent, cur)}</td></tr>
          <tr><th scope="row">Target by now</th><td>${money(ch.target, cur)}</td></tr>
          <tr><th scope="row">Cap today</th><td>${money(ch.cap, cur)}</td></tr>
          <tr><th scope="row">Pacing signal</th><td>${ratio(ch.signal)}</td></tr>
          <tr><th scope="row">Base share / floating weight</th><td>${pct(ch.baseShare)} / ${pct(ch.floatingWeight)}</td></tr>
          <tr><th scope="row">Exploration spent / reserve</th><td>${money(ch.exploration.spent, cur)} / ${money(ch.exploration.reserve, cur)}</td></tr>
          <tr><th scope="row">ROI last hour / last 24 clock hours (fleet)</th><td>${ratio(ch.roi.h1)} / ${ratio(ch.roi.h24)}</td></tr>
          <tr><th scope="row">ROI today (fleet)</th><td>${ratio(ch.roi.day)}</td></tr>
          <tr><th scope="row">Clicks / conversions</th><td>${ch.clicks} / ${ch.conversions}</td></tr>
          <tr><th scope="row">People reached today (fleet)</th><td data-testid=${`reach-${ch.id}`}>${ch.reach}</td></tr>
          <tr><th scope="row">eCPC (target)</th><td>${money(ch.ecpc, cur)} (${money(targets?.cpc, cur)})</td></tr>
          <tr><th scope="row">eCPA (target)</th><td>${money(ch.ecpa, cur)} (${money(targets?.cpa, cur)})</td></tr>
        </tbody>
      </table>
    </div>
  </section>`;
}

function interval(i: IntervalView | null | undefined, f: (x: number) => string): string {
  return i == null ? '–' : `${f(i.estimate)} [${f(i.low)}, ${f(i.high)}]`;
}

function Experiment({ e, cur }: { e: ExperimentView; cur: string }) {
  const r = e.report;
  const m = (x: number) => money(x, cur);
  const verdict = (t: ArmView['test']) =>
    t == null
      ? 'collecting'
      : `${t.verdict}: ${interval(t.effect, (x) => `${(x * 100).toFixed(1)}%`)}, p ${t.pAlwaysValid.toFixed(3)}`;
  return html`<section class="card" aria-labelledby=${`h-exp-${e.id}`} data-experiment=${e.id}>
    <h3 id=${`h-exp-${e.id}`}>Experiment ${e.id} (fleet; 95% intervals)</h3>
    ${
      r === null
        ? html`<p>No bids in this experiment yet.</p>`
        : html`<p>
          Arms against the control (${r.control ?? '–'}) on ${r.metric} per dollar by a sequential test, valid however
          often it is read (α ${r.alpha}); ${r.holdouts} held-out requests.
        </p>
        <table>
          <thead><tr>
            <th scope="col">Arm</th><th scope="col">Bids / wins</th><th scope="col">Spend</th>
            <th scope="col">Clicks / conv.</th><th scope="col">eCPC</th><th scope="col">eCPA</th>
            <th scope="col">ROI</th><th scope="col">Versus control</th>
          </tr></thead>
          <tbody>
            ${e.arms.map((id) => {
              const a = r.arms[id];
              if (a === undefined) return html`<tr><th scope="row">${id}</th><td colspan="7">no bids yet</td></tr>`;
              return html`<tr data-arm=${id}>
                <th scope="row">${id}</th>
                <td>${a.bids} / ${a.wins}</td>
                <td>${m(a.spend)}</td>
                <td>${a.clicks} / ${a.conversions}</td>
                <td>${interval(a.ecpc, m)}</td>
                <td>${interval(a.ecpa, m)}</td>
                <td>${interval(a.roi, (x) => x.toFixed(2))}</td>
                <td>${id === r.control ? 'control' : verdict(a.test)}</td>
              </tr>`;
            })}
          </tbody>
        </table>`
    }
  </section>`;
}

function Audience({ reach }: { reach: NonNullable<CampaignView['reach']> }) {
  const caps = reach.frequencyCaps.map((f) => `${f.count} per ${duration(f.windowSeconds)}`).join(', ');
  return html`<section class="card" aria-labelledby="h-audience">
    <h3 id="h-audience">Audience across channels today (fleet, ±1%)</h3>
    ${
      !reach.measured &&
      html`<p>Not measured: this campaign has no frequency cap, segment rule or journey stage, so bids do not look
        people up.</p>`
    }
    <dl class="facts">
      <dt>Unique people reached</dt><dd data-testid="reach-unique">${reach.unique}</dd>
      <dt>Reached on more than one channel</dt>
      <dd data-testid="reach-duplicated">${reach.duplicated} (${pct(reach.duplicatedShare)})</dd>
      <dt>Frequency caps (per person, all channels)</dt><dd>${caps === '' ? 'none' : caps}</dd>
    </dl>
  </section>`;
}

function duration(s: number): string {
  return s % 86_400 === 0 ? `${s / 86_400} d` : s % 3600 === 0 ? `${s / 3600} h` : `${Math.round(s / 60)} min`;
}

function Steps({ steps }: { steps: NonNullable<CampaignView['steps']> }) {
  return html`<section class="card" aria-labelledby="h-steps">
    <h3 id="h-steps">Floating-pool reallocation steps</h3>
    ${
      steps.length === 0
        ? html`<p>No step seen today.</p>`
        : html`<table>
          <thead><tr><th scope="col">When</th><th scope="col">Split before → after</th><th scope="col">ROI per channel it used (day so far)</th></tr></thead>
          <tbody>
            ${steps.map(
              (s) => html`<tr>
                <td>${time(s.atMs)}</td>
                <td>${Object.keys(s.to)
                  .map((k) => `${k} ${pct(s.from[k])} → ${pct(s.to[k])}`)
                  .join(', ')}</td>
                <td>${Object.entries(s.roi)
                  .map(([k, r]) => `${k} ${ratio(r.roi)} (${r.events} events)`)
                  .join(', ')}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
    }
  </section>`;
}
