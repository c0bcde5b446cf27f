/**
 * The verb table's dispatch: unknown verbs and bad data answer 400, and a
 * handler whose storage or directory fails answers a clear 503, not Teams'
 * bare "something went wrong".
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ActionContext, cardAction, cardResponse, dispatchCardAction, UNAVAILABLE } from '../../src/bot/card-actions';

function contextWith(logs: string[]): ActionContext {
  return { services: { log: (m: string) => logs.push(m) } } as unknown as ActionContext;
}

const table = {
  'thing.ok': cardAction(z.object({ n: z.number() }), async (_c, data) => cardResponse({ type: 'AdaptiveCard', version: '1.5', n: data.n })),
  'thing.fails': cardAction(z.object({}), async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:10002');
  }),
};

describe('dispatchCardAction', () => {
  it('runs the verb with its parsed data', async () => {
    expect(await dispatchCardAction(table, contextWith([]), 'thing.ok', { n: 2 })).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: { type: 'AdaptiveCard', version: '1.5', n: 2 },
    });
  });

  it('answers an unknown verb and unreadable data with 400', async () => {
    expect(await dispatchCardAction(table, contextWith([]), 'thing.nope', {})).toMatchObject({ statusCode: 400, value: { code: 'BadRequest' } });
    expect(await dispatchCardAction(table, contextWith([]), 'thing.ok', { n: 'two' })).toMatchObject({ statusCode: 400, value: { code: 'BadRequest' } });
    expect(await dispatchCardAction(table, contextWith([]), 'toString', {})).toMatchObject({ statusCode: 400 });
  });

  it('answers a failing dependency with 503 and a message that says nothing changed, and logs why', async () => {
    const logs: string[] = [];
    expect(await dispatchCardAction(table, contextWith(logs), 'thing.fails', {})).toEqual({
      statusCode: 503,
      type: 'application/vnd.microsoft.error',
      value: { code: 'ServiceUnavailable', message: UNAVAILABLE },
    });
    expect(logs[0]).toContain('thing.fails failed: Error: connect ECONNREFUSED 127.0.0.1:10002');
  });
});
