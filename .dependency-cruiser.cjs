/**
 * The dependency rules of docs/ARCHITECTURE.md ("Folders (src/)"), checked by `npm run deps` in `npm test`.
 *
 * `kMayImport` is the folder table's arrows: a module of src/ may import its own folder and the folders listed
 * for it, nothing else (any other arrow fails as `not-in-allowed`). The list is a DAG, which is checked below
 * when this file loads, so folders cannot import each other in a circle even through files that do not form a
 * file-level cycle. Offline code (sim/, tools/, scripts/, bench/, tests/) may import the bidder; the bidder never
 * imports it.
 *
 * When the code teaches us a better arrow: change kMayImport and the table in docs/ARCHITECTURE.md together.
 */

/** Folder (or root file) → regular expression of its modules, relative to the repository. */
const kUnits = {
  compositionRoot: '^src/(main|app)\\.ts$|^src/(instance|bidder)/',
  cluster: '^src/cluster/',
  endpoints: '^src/endpoints/',
  http: '^src/http/',
  dialects: '^src/dialects/',
  metrics: '^src/metrics/',
  auction: '^src/auction/',
  notices: '^src/notices/',
  config: '^src/config/',
  tokens: '^src/tokens/',
  files: '^src/files/',
  pacing: '^src/pacing/',
  campaigns: '^src/campaigns/',
  segments: '^src/segments/',
  scoring: '^src/scoring/',
  privacy: '^src/privacy/',
  roi: '^src/roi/',
  openrtb: '^src/openrtb/',
  storeAdapters: '^src/store/(memory|redis)/',
  storePorts: '^src/store/ports\\.ts$',
  clock: '^src/clock\\.ts$',
  // A small helper of the LRU caches (profiles, consent, ids, reach).
  lru: '^src/oldest-key\\.ts$',
  errors: '^src/errors\\.ts$',
  log: '^src/log\\.ts$',
  // Offline code still inside src/ until it moves out (issue 14): the simulator.
  offlineInSrc: '^src/sim/',
};

/** The arrows: what each unit may import besides itself. Inward only; the composition root knows everything. */
const kMayImport = {
  compositionRoot: Object.keys(kUnits).filter((u) => u !== 'compositionRoot' && u !== 'offlineInSrc'),
  // The adapters between http/ and the domain: any inward arrow, never the store adapters or the root.
  endpoints: Object.keys(kUnits).filter(
    (u) => !['compositionRoot', 'offlineInSrc', 'storeAdapters', 'endpoints', 'cluster'].includes(u),
  ),
  // The primary process of a multi-process bidder: forks workers, relays their metrics; knows no domain.
  cluster: [],
  http: ['errors'],
  dialects: ['openrtb'],
  // Metric label sets are the domain's words (no-bid reasons, notice outcomes): metrics imports them.
  metrics: ['auction', 'notices', 'segments', 'pacing', 'roi'],
  auction: [
    'config',
    'tokens',
    'pacing',
    'campaigns',
    'segments',
    'scoring',
    'privacy',
    'openrtb',
    'storePorts',
    'clock',
  ],
  notices: ['config', 'tokens', 'pacing', 'campaigns', 'scoring', 'roi', 'storePorts', 'clock'],
  // The snapshot is the compiled config: config compiles campaigns (and their scoring), never the reverse.
  config: ['campaigns', 'scoring', 'tokens', 'files', 'openrtb', 'clock'],
  // Operator-managed directories read as untrusted input: knows nothing of what the files mean.
  files: [],
  tokens: [],
  pacing: ['campaigns', 'roi', 'storePorts', 'clock'],
  campaigns: ['scoring', 'openrtb', 'storePorts'],
  segments: ['openrtb', 'storePorts', 'clock', 'lru'],
  scoring: ['files', 'openrtb', 'storePorts', 'clock'],
  privacy: ['openrtb', 'lru'],
  // Sliding windows over the caller's clock: no clock, no store.
  roi: [],
  openrtb: [],
  storeAdapters: ['storePorts', 'lru'],
  storePorts: [],
  clock: [],
  lru: [],
  errors: [],
  log: [],
  offlineInSrc: Object.keys(kUnits).filter((u) => u !== 'compositionRoot' && u !== 'offlineInSrc'),
};

assertAcyclic(kMayImport);

function assertAcyclic(graph) {
  const state = new Map();
  const visit = (u, path) => {
    if (state.get(u) === 'done') return;
    if (state.get(u) === 'active') throw new Error(`.dependency-cruiser.cjs: folder arrows form a cycle: ${path}`);
    state.set(u, 'active');
    for (const v of graph[u]) visit(v, `${path} → ${v}`);
    state.set(u, 'done');
  };
  for (const u of Object.keys(graph)) visit(u, u);
}

const either = (units) => units.map((u) => `(?:${kUnits[u]})`).join('|');

/** Only these modules may import these packages (adapters at the edge; the core sees ports). */
const kPackageOwners = [
  { pkg: 'ioredis', owners: ['storeAdapters'] },
  { pkg: 'uWebSockets\\.js', owners: ['http'] },
  { pkg: 'prom-client', owners: ['metrics', 'cluster'] },
  { pkg: 'pino', owners: ['log', 'cluster'] },
  { pkg: 'piscina', owners: ['scoring'] },
];

module.exports = {
  allowed: [
    ...Object.entries(kMayImport).map(([unit, targets]) => ({
      from: { path: kUnits[unit] },
      to: { path: either([unit, ...targets]) },
    })),
    // Node's own modules and npm packages: which ones is decided by the forbidden rules below.
    { from: { path: '^src/' }, to: { dependencyTypes: ['core', 'npm'] } },
    // Offline code and tests may use anything in the repository and any installed package.
    { from: { pathNot: '^src/' }, to: {} },
  ],
  allowedSeverity: 'error',
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'Modules must not depend on themselves through others: break the cycle by moving the shared piece inward.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'bidder-imports-no-offline-code',
      comment: 'The bidder (src/) ships alone: it never imports the simulator, tools, scripts, benchmarks or tests.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(sim|tools|scripts|bench|tests)/' },
    },
    {
      name: 'no-dev-dependencies-in-src',
      comment: 'The production image installs only "dependencies": src/ may not import a devDependency.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    ...kPackageOwners.map(({ pkg, owners }) => ({
      name: `only-${owners.join('-')}-imports-${pkg.replace(/\\/g, '')}`,
      comment: `${pkg.replace(/\\/g, '')} stays behind (${owners.join(', ')}); the rest of src/ sees ports.`,
      severity: 'error',
      from: { path: '^src/', pathNot: either([...owners, 'compositionRoot']) },
      to: { path: `^node_modules/${pkg}/` },
    })),
    {
      name: 'scoring-through-its-barrel',
      comment: 'Outside scoring/, the bidder imports scoring only through scoring/index.ts.',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/scoring/|${kUnits.offlineInSrc}` },
      to: { path: '^src/scoring/', pathNot: '^src/scoring/index\\.ts$' },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript compiler API yet: swc parses the sources (type imports count too).
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/openrtb/proto/generated/' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
