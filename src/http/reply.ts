/**
 * What handlers return to the HTTP layer: a status, a body and a few headers. Status lines are
 * precomputed once so writing a reply builds no strings.
 */

export interface HttpReply {
  readonly status: number;
  readonly body?: string | Uint8Array;
  readonly contentType?: string;
  readonly headers?: readonly (readonly [string, string])[];
}

const kReasons: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const kStatusLines = new Map<number, string>(
  Object.entries(kReasons).map(([code, reason]) => [Number(code), `${code} ${reason}`]),
);

export function statusLine(status: number): string {
  return kStatusLines.get(status) ?? `${status} Status`;
}

export const kNoContent: HttpReply = Object.freeze({ status: 204 });

export function jsonReply(status: number, value: unknown): HttpReply {
  return { status, body: JSON.stringify(value), contentType: 'application/json' };
}

export function textReply(status: number, text: string): HttpReply {
  return { status, body: text, contentType: 'text/plain; charset=utf-8' };
}
