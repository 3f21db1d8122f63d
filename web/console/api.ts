/**
 * The console's calls to its own API on the ops port. The session is the HttpOnly cookie the browser sends
 * by itself; every write also carries the session's CSRF token in `x-csrf-token`.
 */

export interface SessionInfo {
  readonly role: 'admin' | 'read';
  readonly who: string;
  readonly csrf: string;
}

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: readonly FieldIssue[];
  constructor(status: number, code: string, message: string, issues: readonly FieldIssue[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

let csrf = '';
/** Called when the server says the session is gone (expired, signed out elsewhere). */
let onSignedOut: () => void = () => undefined;

export function setSession(s: SessionInfo | undefined, signedOut?: () => void): void {
  csrf = s?.csrf ?? '';
  if (signedOut !== undefined) onSignedOut = signedOut;
}

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`/console/api/${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as {
    error?: { code: string; message: string };
    issues?: FieldIssue[];
  };
  if (!res.ok) {
    if (res.status === 401 && path !== 'session') onSignedOut();
    throw new ApiError(
      res.status,
      data.error?.code ?? 'error',
      data.error?.message ?? res.statusText,
      data.issues ?? [],
    );
  }
  return data as T;
}

export const api = {
  session: () => call<SessionInfo>('GET', 'session'),
  signIn: (token: string, name: string) => call<SessionInfo>('POST', 'session', { token, name }),
  signOut: () => call<unknown>('DELETE', 'session'),
  overview: () => call<Overview>('GET', 'overview'),
  campaign: (id: string) => call<CampaignView>('GET', `campaigns/${encodeURIComponent(id)}`),
  history: (id: string) => call<{ entries: AuditEntry[] }>('GET', `campaigns/${encodeURIComponent(id)}/history`),
  edit: (id: string, etag: string, patch: unknown) =>
    call<EditResult>('PUT', `campaigns/${encodeURIComponent(id)}`, patch, { 'if-match': etag }),
  setStatus: (id: string, etag: string, action: 'pause' | 'resume') =>
    call<EditResult>('POST', `campaigns/${encodeURIComponent(id)}/${action}`, undefined, { 'if-match': etag }),
};

export interface Freshness {
  readonly at: string | null;
  readonly ageSeconds: number | null;
}

export interface AlertEvent {
  readonly kind?: 'raised' | 'cleared';
  readonly campaignId: string;
  readonly channelId: string;
  readonly signal: string;
  readonly atMs?: number;
  readonly sinceMs?: number;
  readonly value?: number;
  readonly expected?: number;
}

export interface Alerts {
  readonly active: readonly AlertEvent[];
  readonly feed: readonly AlertEvent[];
}

export interface Overview {
  readonly asOf: Freshness;
  readonly currency: string;
  readonly campaigns: readonly {
    id: string;
    advertiser: string;
    active: boolean;
    pacing: string;
    dailyBudget: number;
    spent: number;
    target: number | null;
    forecast: number | null;
  }[];
  readonly channels: readonly {
    id: string;
    t: number[];
    bids: number[];
    wins: number[];
    winRate: (number | null)[];
  }[];
  readonly alerts: Alerts;
}

export interface ChannelView {
  readonly id: string;
  readonly baseShare: number;
  readonly floatingWeight: number | null;
  readonly cap: number;
  readonly spent: number;
  readonly target: number | null;
  readonly signal: number | null;
  readonly exploration: { spent: number; reserve: number };
  readonly clicks: number;
  readonly conversions: number;
  readonly conversionValue: number;
  readonly roi: { h1: number | null; h24: number | null; day: number | null };
  /** People reached today on this channel (fleet). */
  readonly reach: number;
  readonly ecpc: number | null;
  readonly ecpa: number | null;
  readonly series: { t: number[]; spent: number[]; target: (number | null)[]; signal: (number | null)[] };
  readonly curve: { t: number[]; target: number[] };
}

export interface IntervalView {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

export interface ArmView {
  readonly bids: number;
  readonly wins: number;
  readonly spend: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly ctr: IntervalView | null;
  readonly ecpc: IntervalView | null;
  readonly ecpa: IntervalView | null;
  readonly roi: IntervalView | null;
  readonly test?: { effect: IntervalView; pAlwaysValid: number; verdict: string } | null;
}

export interface ExperimentView {
  readonly id: string;
  readonly arms: readonly string[];
  readonly report: {
    holdouts: number;
    control: string | undefined;
    metric: string;
    alpha: number;
    arms: Record<string, ArmView>;
  } | null;
}

export interface CampaignView {
  readonly asOf: Freshness;
  readonly currency: string;
  readonly campaign?: {
    id: string;
    advertiser: string;
    active: boolean;
    pacing: string;
    timezone: string;
    day: string;
    dailyBudget: number;
    totalBudget: number | null;
    floating: number;
    exploration: number;
    targets: { cpc: number | null; cpa: number | null };
  };
  readonly channels?: readonly ChannelView[];
  readonly reach?: {
    measured: boolean;
    unique: number;
    duplicated: number;
    duplicatedShare: number | null;
    frequencyCaps: readonly { count: number; windowSeconds: number }[];
  };
  readonly experiments?: readonly ExperimentView[];
  readonly steps?: readonly {
    atMs: number;
    from: Record<string, number>;
    to: Record<string, number>;
    roi: Record<string, { spent: number; value: number; roi: number | null; events: number }>;
  }[];
  readonly alerts?: Alerts;
  readonly file: { path: string; etag: string | null; campaign: Record<string, unknown> } | null;
}

export interface EditResult {
  readonly etag: string;
  readonly diff: readonly { path: string; before: unknown; after: unknown }[];
  readonly reload: { ok: boolean; version?: number } | null;
}

export interface AuditEntry {
  readonly at: string;
  readonly who: string;
  readonly via: string;
  readonly diff: readonly { path: string; before: unknown; after: unknown }[];
}
