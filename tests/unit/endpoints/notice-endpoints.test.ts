import { describe, expect, it } from 'vitest';
import { createClickEndpoint, createNoticeEndpoint } from '../../../src/endpoints/notice-endpoints.js';
import type { NoticeHandler, NoticeQuery, NoticeResult } from '../../../src/notices/notice-handler.js';
import { jsonOf, requestInfo } from './request-info.js';

/** A handler that records what it was asked and answers `result`: the endpoint's job is the HTTP around it. */
function handlerAnswering(result: NoticeResult) {
  const asked: unknown[] = [];
  const handler = {
    handle: async (type: string, q: NoticeQuery) => {
      asked.push({ type, ...q });
      return result;
    },
    click: async (q: NoticeQuery) => {
      asked.push({ type: 'click', ...q });
      return result;
    },
  } as unknown as NoticeHandler;
  return { handler, asked };
}

describe('notice endpoints', () => {
  it('pass the token, price and loss reason to the handler and answer 200 with an empty body', async () => {
    const { handler, asked } = handlerAnswering({ status: 200, outcome: 'ok', channelId: 'ex' });
    const r = await createNoticeEndpoint(handler, 'loss')(requestInfo({ method: 'get', query: 't=abc&p=1.5&r=102' }));
    expect(asked).toEqual([{ type: 'loss', t: 'abc', p: '1.5', r: '102' }]);
    expect(r).toEqual({ status: 200, body: '', contentType: 'text/plain' });
  });

  it('answer 403 for a bad token and 400 for a bad price, saying which', async () => {
    const forged = await createNoticeEndpoint(
      handlerAnswering({ status: 403, outcome: 'bad_token', channelId: undefined }).handler,
      'win',
    )(requestInfo({ query: 't=x' }));
    expect(forged.status).toBe(403);
    expect(JSON.stringify(jsonOf(forged.body))).toContain('bad token');
    const price = await createNoticeEndpoint(
      handlerAnswering({ status: 400, outcome: 'bad_price', channelId: 'ex' }).handler,
      'bill',
    )(requestInfo({ query: 't=x&p=-1' }));
    expect(price.status).toBe(400);
    expect(JSON.stringify(jsonOf(price.body))).toContain('bad price');
  });

  it('answer a click with a 302 to the landing page that nobody caches', async () => {
    const { handler, asked } = handlerAnswering({
      status: 302,
      outcome: 'ok',
      channelId: 'ex',
      location: 'https://a.example/?pgclid=c1',
    });
    const r = await createClickEndpoint(handler)(requestInfo({ method: 'get', query: 't=abc' }));
    expect(asked).toEqual([{ type: 'click', t: 'abc', p: undefined, r: undefined }]);
    expect(r).toEqual({
      status: 302,
      headers: [
        ['location', 'https://a.example/?pgclid=c1'],
        ['cache-control', 'no-store'],
      ],
    });
  });
});
