/**
 * autocannon builds every request of its list once per connection, up front, with its client timers already
 * running (and deep-clones a `requests` option per connection too, which run.ts avoids by handing each client
 * the list in `setupClient`): 64 connections × 5,000 requests stalled the load generator for 20–30 s at the
 * start of each phase, and its own timers then reported "timeouts" the server never caused. The requests have
 * no per-request setup (no `setupRequest`, no id replacement), so one build per request is the same bytes:
 * this makes the iterator reuse a request's buffer when another connection already built it.
 */
import { createRequire } from 'node:module';

interface IteratorLike {
  resetted: boolean;
  requests: { requestBuffer?: Buffer }[];
  currentRequestIndex: number;
  currentRequest: { requestBuffer?: Buffer } | undefined;
  rebuildRequest(): unknown;
  setRequests(next: IteratorLike['requests'] | undefined): void;
}

let patched = false;

export function shareRequestBuffers(): void {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  const RequestIterator = require('autocannon/lib/requestIterator.js') as { prototype: IteratorLike };
  RequestIterator.prototype.setRequests = function (this: IteratorLike, next) {
    this.resetted = false;
    this.requests = next ?? [{}];
    this.currentRequestIndex = 0;
    for (const request of this.requests) {
      this.currentRequest = request;
      if (request.requestBuffer === undefined) this.rebuildRequest();
    }
    this.currentRequest = this.requests[0];
  };
}
