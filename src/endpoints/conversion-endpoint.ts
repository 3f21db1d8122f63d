/**
 * `GET /conv?…` and `POST /conv` (JSON object or form body, plus the query string): parameter parsing and
 * replies around `ConversionHandler`. A parameter given twice (in the query, or in both query and body) is
 * refused: the signature must cover exactly the values we act on. Replies: 204 accepted, 200 duplicate,
 * 400/401/403/404 through the error registry, 503 when the store cannot answer (retry later).
 */
import { errorReply, errors } from '../errors.js';
import { jsonReply, kNoContent, type HttpReply } from '../http/reply.js';
import type { RequestInfo } from '../http/server.js';
import type { ConversionHandler, ConversionResult } from '../notices/conversion-handler.js';

const kMaxParams = 32;
const kDuplicate: HttpReply = jsonReply(200, { outcome: 'duplicate' });

type Parsed =
  | { readonly ok: true; readonly params: Map<string, string> }
  | { readonly ok: false; readonly reply: HttpReply };

export function createConversionEndpoint(handler: ConversionHandler) {
  return (info: RequestInfo, body: Buffer | undefined): HttpReply | Promise<HttpReply> => {
    const parsed = parseParams(info, body);
    return parsed.ok ? handler.handle(parsed.params).then(reply) : parsed.reply;
  };
}

function reply(r: ConversionResult): HttpReply {
  switch (r.status) {
    case 204:
      return kNoContent;
    case 200:
      return kDuplicate;
    case 400:
      return errorReply(errors.badParam(r.param ?? '', r.why ?? 'bad parameter'));
    case 401:
      return errorReply(errors.noCredentials());
    case 403:
      return errorReply(errors.badCredentials());
    case 404:
      return errorReply(errors.unknownClick());
    case 503:
      return errorReply(errors.notReady('store unavailable; retry later'));
  }
}

export function parseParams(info: RequestInfo, body: Buffer | undefined): Parsed {
  const params = new Map<string, string>();
  const put = (name: string, value: string): HttpReply | undefined => {
    if (params.has(name)) return errorReply(errors.badParam(name, 'repeated parameter'));
    if (params.size >= kMaxParams) return errorReply(errors.badParam(name, `more than ${kMaxParams} parameters`));
    params.set(name, value);
    return undefined;
  };
  for (const [name, value] of new URLSearchParams(info.query)) {
    const bad = put(name, value);
    if (bad !== undefined) return { ok: false, reply: bad };
  }
  if (body === undefined || body.length === 0) return { ok: true, params };
  const type = info.contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      return { ok: false, reply: errorReply(errors.badParam('', 'body is not valid JSON')) };
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      return { ok: false, reply: errorReply(errors.badParam('', 'expected a JSON object of parameters')) };
    for (const [name, value] of Object.entries(doc)) {
      // Numbers are accepted as their JavaScript text (`12.5`); that text is what `sig` covers.
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value)))
        return { ok: false, reply: errorReply(errors.badParam(name, 'expected a string or a number')) };
      const bad = put(name, String(value));
      if (bad !== undefined) return { ok: false, reply: bad };
    }
    return { ok: true, params };
  }
  if (type === 'application/x-www-form-urlencoded' || type === 'text/plain' || type === '') {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
      const bad = put(name, value);
      if (bad !== undefined) return { ok: false, reply: bad };
    }
    return { ok: true, params };
  }
  return {
    ok: false,
    reply: errorReply(errors.unsupportedMediaType('expected application/json or application/x-www-form-urlencoded')),
  };
}
