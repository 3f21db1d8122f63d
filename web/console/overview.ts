/** The overview: every campaign's day so far, bids and wins per channel per minute, and the alerts feed. */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Alerts, type Overview } from './api.js';
import { Chart } from './chart.js';
import { money, pct, time } from './format.js';
import { Fresh } from './freshness.js';

export function OverviewPage() {
  const [data, setData] = useState<Overview | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    const load = () =>
      api.overview().then(
        (d) => {
          if (!live) return;
          setData(d);
          setError('');
        },
        (e: Error) => live && setError(e.message),
      );
    void load();
    const t = setInterval(load, 15_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  if (data === undefined) return html`<p role="status">${error || 'Loading…'}</p>`;
  const cur = data.currency;
  return html`
    <h2>Overview</h2>
    <${Fresh} asOf=${data.asOf} />
    ${error && html`<p class="notice bad" role="alert">${error}</p>`}
    <section class="card" aria-labelledby="h-campaigns">
      <h3 id="h-campaigns">Campaigns today</h3>
      <table>
        <caption class="fresh">Spend today against the target curve and the daily budget (fleet)</caption>
        <thead>
          <tr>
            <th scope="col">Campaign</th><th scope="col">Status</th><th scope="col">Spent</th>
            <th scope="col">Target now</th><th scope="col">Daily budget</th><th scope="col">Forecast for the day</th>
            <th scope="col">Progress</th>
          </tr>
        </thead>
        <tbody>
          ${data.campaigns.map(
            (c) => html`<tr data-campaign=${c.id}>
              <td><a href=${`#/campaigns/${c.id}`}>${c.id}</a> <span class="fresh">${c.advertiser}</span></td>
              <td class=${c.active ? 'status-active' : 'status-paused'}>${c.active ? 'active' : 'paused'}</td>
              <td>${money(c.spent, cur)}</td>
              <td>${money(c.target, cur)}</td>
              <td>${money(c.dailyBudget, cur)}</td>
              <td>${money(c.forecast, cur)}</td>
              <td>
                <div class="bar" role="progressbar" aria-label=${`${c.id} spent of daily budget`}
                  aria-valuemin="0" aria-valuemax=${c.dailyBudget} aria-valuenow=${c.spent}>
                  <span style=${{ width: `${Math.min(100, (100 * c.spent) / c.dailyBudget)}%` }}></span>
                  ${c.target !== null && html`<i style=${{ left: `${Math.min(100, (100 * c.target) / c.dailyBudget)}%` }}></i>`}
                </div>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section class="card" aria-labelledby="h-channels">
      <h3 id="h-channels">Bids, wins and win rate per channel per minute (fleet, last hour)</h3>
      <div class="charts">
        ${data.channels.map(
          (ch) => html`<div key=${ch.id}>
            <${Chart}
              title=${`${ch.id}: bids and wins per minute`}
              data=${[ch.t, ch.bids, ch.wins, ch.winRate]}
              width=${400}
              height=${200}
              series=${[
                { label: 'bids', stroke: '#0b5cad', scale: 'n' },
                { label: 'wins', stroke: '#0a7a3d', scale: 'n' },
                { label: 'win rate', stroke: '#b45309', scale: 'r', value: (_u: unknown, v: number | null) => pct(v) },
              ]}
              scales=${{ x: { time: true }, n: {}, r: { range: [0, 1] } }}
              axes=${[{}, { scale: 'n' }, { scale: 'r', side: 1, grid: { show: false } }]}
            />
          </div>`,
        )}
      </div>
    </section>
    <${AlertsFeed} alerts=${data.alerts} />
  `;
}

export function AlertsFeed({ alerts }: { alerts: Alerts }) {
  return html`<section class="card alerts" aria-labelledby="h-alerts">
    <h3 id="h-alerts">Alerts</h3>
    ${
      alerts.active.length === 0
        ? html`<p>No anomaly alert in force.</p>`
        : html`<p role="alert">${alerts.active.length} in force:
          ${alerts.active.map((a) => `${a.campaignId}/${a.channelId} ${a.signal}`).join(', ')}</p>`
    }
    <ul>
      ${alerts.feed.map(
        (e) => html`<li class=${e.kind}>
          ${time(e.atMs)} ${e.kind}: ${e.campaignId} on ${e.channelId}, ${e.signal} = ${e.value?.toPrecision(3)}
          (expected ${e.expected?.toPrecision(3)})
        </li>`,
      )}
    </ul>
  </section>`;
}
