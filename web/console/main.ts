/**
 * The media buyer's console in the browser: sign-in, then the overview and one page per campaign, routed by
 * the URL hash (`#/`, `#/campaigns/<id>`). Preact + htm (no build-time JSX) and uPlot, bundled by esbuild
 * into one script served by the bidder's ops port.
 */
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setSession, type SessionInfo } from './api.js';
import { CampaignPage } from './campaign.js';
import { OverviewPage } from './overview.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function SignIn({ onSignedIn }: { onSignedIn: (s: SessionInfo) => void }) {
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      onSignedIn(await api.signIn(token, name));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return html`<main id="main" class="signin">
    <section class="card">
      <h2>Sign in to the Peregrine console</h2>
      <form onSubmit=${submit} aria-label="Sign in">
        <div class="field">
          <label for="token">Access token (admin or read-only)</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required value=${token}
            onInput=${(e: Event) => setToken((e.currentTarget as HTMLInputElement).value)}
            aria-describedby=${error ? 'signin-error' : undefined} aria-invalid=${error ? 'true' : 'false'} />
        </div>
        <div class="field">
          <label for="name">Your name (for the audit log)</label>
          <input id="name" name="name" type="text" autocomplete="name" value=${name}
            onInput=${(e: Event) => setName((e.currentTarget as HTMLInputElement).value)} />
        </div>
        ${error && html`<p id="signin-error" class="field-error" role="alert">${error}</p>`}
        <button type="submit">Sign in</button>
      </form>
    </section>
  </main>`;
}

function App() {
  const [session, setS] = useState<SessionInfo | null | undefined>(undefined);
  const hash = useHash();
  const signedOut = () => {
    setSession(undefined);
    setS(null);
  };
  const signedIn = (s: SessionInfo) => {
    setSession(s, signedOut);
    setS(s);
  };
  useEffect(() => {
    api.session().then(signedIn, signedOut);
  }, []);
  if (session === undefined) return html`<p role="status">Loading…</p>`;
  if (session === null) return html`<${SignIn} onSignedIn=${signedIn} />`;
  const m = /^#\/campaigns\/([^/]+)$/.exec(hash);
  const campaignId = m === null ? undefined : decodeURIComponent(m[1]!);
  const signOut = async () => {
    await api.signOut().catch(() => undefined);
    signedOut();
  };
  return html`
    <header class="top">
      <h1>Peregrine console</h1>
      <nav aria-label="Main">
        <a href="#/" aria-current=${campaignId === undefined ? 'page' : undefined}>Overview</a>
        ${campaignId !== undefined && html`<a href=${hash} aria-current="page">${campaignId}</a>`}
      </nav>
      <span>${session.who} (${session.role === 'admin' ? 'admin' : 'read-only'})</span>
      <button type="button" class="link" onClick=${signOut}>Sign out</button>
    </header>
    <main id="main" tabindex="-1">
      ${
        campaignId === undefined
          ? html`<${OverviewPage} />`
          : html`<${CampaignPage} key=${campaignId} id=${campaignId} canEdit=${session.role === 'admin'} />`
      }
    </main>
  `;
}

render(html`<${App} />`, document.getElementById('root')!);
