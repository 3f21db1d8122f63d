import { html } from 'htm/preact';
import type { Freshness } from './api.js';

/** "Figures as of 12:03:04 UTC (5 s old)": every page says how fresh its data is. */
export function Fresh({ asOf }: { asOf: Freshness }) {
  if (asOf.at === null) return html`<p class="fresh" role="status">No figures sampled yet.</p>`;
  return html`<p class="fresh" role="status" data-testid="freshness">
    Figures as of ${asOf.at.slice(11, 19)} UTC (${asOf.ageSeconds} s old; sampled every minute; the whole fleet's,
    from the store; the newest minute may still be filling).
  </p>`;
}
