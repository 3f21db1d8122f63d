/**
 * The error registry: every error that reaches a client or an operator, with its HTTP status and the
 * metric label it is counted under. Factories, not ad-hoc strings, so codes stay a closed set.
 */

export const kErrors = {
  BAD_REQUEST: {
    status: 400,
    label: 'bad_request',
    doc: 'The body is not a valid OpenRTB bid request; `path` names the field.',
  },
  BODY_TOO_LARGE: {
    status: 413,
    label: 'body_too_large',
    doc: 'The body (or its inflated form) is over the configured limit.',
  },
  UNKNOWN_CHANNEL: { status: 404, label: 'unknown_channel', doc: 'No channel with this id is configured.' },
  NOT_FOUND: { status: 404, label: 'not_found', doc: 'No such route.' },
  METHOD_NOT_ALLOWED: { status: 405, label: 'method_not_allowed', doc: 'The route exists but not for this method.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    label: 'unsupported_media_type',
    doc: 'The channel does not accept this content type or encoding.',
  },
  BAD_TOKEN: { status: 403, label: 'bad_token', doc: 'A notice or click token is missing, forged, or expired.' },
  BAD_PRICE: {
    status: 400,
    label: 'bad_price',
    doc: 'A notice price is missing, not a number, negative, above our bid, or the unreplaced macro.',
  },
  UNAUTHORIZED: { status: 401, label: 'unauthorized', doc: 'The admin API needs a valid bearer token.' },
  BAD_PARAM: {
    status: 400,
    label: 'bad_param',
    doc: 'A conversion postback parameter is missing, repeated or malformed; `path` names it.',
  },
  NO_CREDENTIALS: {
    status: 401,
    label: 'no_credentials',
    doc: 'A conversion postback carries neither `sig` nor `token`.',
  },
  BAD_CREDENTIALS: {
    status: 403,
    label: 'bad_credentials',
    doc: "A conversion postback's signature or token does not match the advertiser's secret, or the advertiser is unknown.",
  },
  UNKNOWN_CLICK: {
    status: 404,
    label: 'unknown_click',
    doc: "A conversion postback names a click id that is unknown, past its attribution window, or another advertiser's.",
  },
  INVALID_CONFIG: {
    status: 422,
    label: 'invalid_config',
    doc: 'A config file failed validation; every error is listed with file and path.',
  },
  CONFIG_LOAD_FAILED: {
    status: 503,
    label: 'config_load_failed',
    doc: 'The config directory could not be loaded (loader timeout or out of memory, or shutting down); the previous config stays live.',
  },
  NOT_READY: { status: 503, label: 'not_ready', doc: 'The bidder is starting, draining, or cannot reach its store.' },
  INTERNAL: { status: 500, label: 'internal', doc: 'A broken invariant; logged with its stack.' },
} as const;

export type ErrorCode = keyof typeof kErrors;

export class PeregrineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly path: string | undefined;

  constructor(code: ErrorCode, message: string, path?: string) {
    super(path === undefined || path === '' ? message : `${path}: ${message}`);
    this.name = 'PeregrineError';
    this.code = code;
    this.status = kErrors[code].status;
    this.path = path;
  }

  /** The JSON body sent to the client: short, names the field, never a stack. */
  toJSON(): { error: string; code: ErrorCode; path?: string } {
    return this.path === undefined
      ? { error: this.message, code: this.code }
      : { error: this.message, code: this.code, path: this.path };
  }
}

/** The HTTP reply for an error: its status and the short JSON body (`error`, `code`, `path` when known). */
export function errorReply(
  e: PeregrineError,
  headers?: readonly (readonly [string, string])[],
): {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly headers?: readonly (readonly [string, string])[];
} {
  return { status: e.status, body: JSON.stringify(e.toJSON()), contentType: 'application/json', headers };
}

export const errors = {
  badRequest: (path: string, message: string) => new PeregrineError('BAD_REQUEST', message, path),
  bodyTooLarge: (limit: number, what = 'body') =>
    new PeregrineError('BODY_TOO_LARGE', `${what} larger than ${limit} bytes`),
  unknownChannel: (id: string) => new PeregrineError('UNKNOWN_CHANNEL', `unknown channel ${JSON.stringify(id)}`),
  notFound: () => new PeregrineError('NOT_FOUND', 'not found'),
  methodNotAllowed: (allowed: string) =>
    new PeregrineError('METHOD_NOT_ALLOWED', `method not allowed (allowed: ${allowed})`),
  unsupportedMediaType: (what: string) => new PeregrineError('UNSUPPORTED_MEDIA_TYPE', what),
  badToken: (why: string) => new PeregrineError('BAD_TOKEN', why),
  badPrice: (why: string) => new PeregrineError('BAD_PRICE', why),
  unauthorized: () => new PeregrineError('UNAUTHORIZED', 'missing or wrong bearer token'),
  badParam: (name: string, message: string) => new PeregrineError('BAD_PARAM', message, name),
  noCredentials: () => new PeregrineError('NO_CREDENTIALS', 'sig or token required'),
  badCredentials: () => new PeregrineError('BAD_CREDENTIALS', 'bad signature or token'),
  unknownClick: () => new PeregrineError('UNKNOWN_CLICK', 'unknown click id'),
  invalidConfig: (summary: string) => new PeregrineError('INVALID_CONFIG', summary),
  configLoadFailed: (why: string) => new PeregrineError('CONFIG_LOAD_FAILED', why),
  notReady: (why: string) => new PeregrineError('NOT_READY', why),
  internal: () => new PeregrineError('INTERNAL', 'internal error'),
} as const;
