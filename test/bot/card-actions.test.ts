/**
 * The verb table's dispatch: unknown verbs, non-string verbs and bad data
 * answer 400, and a handler whose storage or directory fails answers a clear
 * 503, not Teams' bare "something went wrong", and logs why.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../../src/app/handoffs';
import type { Caller } from '../../src/app/ports';
import { cardAction, dispatchCardAction, UNAVAILABLE } from '../../src/bot/card-actions';
import { createLogger, formatRecord } from '../../src/logger';

function appWith(logs: string[]): App {
  return { log: createLogger({ sink: (r) => logs.push(formatRecord(r)) }) } as unknown as App;
}

const caller = { activityId: 'f:1', actor: { tenantId: 't', person: { aadObjectId: 'a', userId: '29:a', name: 'A' } } } as Caller;

const table = {
  'thing.ok': cardAction(z.object({ n: z.number() }), async (_app, _caller, data) => ({ card: { type: 'AdaptiveCard', version: '1.5', n: data.n } })),
  'thing.refused': cardAction(z.object({}), async () => ({ error: { status: 404, code: 'NotFound', message: 'No such thing.' } })),
  'thing.fails': cardAction(z.object({}), async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:10002');
  }),
};

const invoke = (verb: unknown, data: unknown = {}) => ({ action: { type: 'Action.Execute', verb, data } });

describe('dispatchCardAction', () => {
  it('runs the verb with its parsed data', async () => {
    expect(await dispatchCardAction(table, appWith([]), caller, invoke('thing.ok', { n: 2 }))).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: { type: 'AdaptiveCard', version: '1.5', n: 2 },
    });
  });

  it('answers a use case\'s refusal as application/vnd.microsoft.error with its status', async () => {
    expect(await dispatchCardAction(table, appWith([]), caller, invoke('thing.refused'))).toEqual({
      statusCode: 404,
      type: 'application/vnd.microsoft.error',
      value: { code: 'NotFound', message: 'No such thing.' },
    });
  });

  it('answers an unknown verb and unreadable data with 400', async () => {
    expect(await dispatchCardAction(table, appWith([]), caller, invoke('thing.nope'))).toMatchObject({ statusCode: 400, value: { code: 'BadRequest' } });
    expect(await dispatchCardAction(table, appWith([]), caller, invoke('thing.ok', { n: 'two' }))).toMatchObject({ statusCode: 400, value: { code: 'BadRequest' } });
    expect(await dispatchCardAction(table, appWith([]), caller, invoke('toString'))).toMatchObject({ statusCode: 400 });
  });

  it('refuses a verb that is not a string instead of coercing it, and data that is not an object', async () => {
    for (const verb of [['thing.ok'], { toString: 'thing.ok' }, 7, null, '']) {
      expect(await dispatchCardAction(table, appWith([]), caller, invoke(verb, { n: 1 }))).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    }
    expect(await dispatchCardAction(table, appWith([]), caller, invoke('thing.ok', [1]))).toMatchObject({ statusCode: 400 });
    expect(await dispatchCardAction(table, appWith([]), caller, { verb: 'thing.ok' })).toMatchObject({ statusCode: 400 });
  });

  it('answers a failing dependency with 503 and a message that says nothing changed, and logs why', async () => {
    const logs: string[] = [];
    expect(await dispatchCardAction(table, appWith(logs), caller, invoke('thing.fails'))).toEqual({
      statusCode: 503,
      type: 'application/vnd.microsoft.error',
      value: { code: 'ServiceUnavailable', message: UNAVAILABLE },
    });
    expect(logs[0]).toMatch(/^\[error\] thing\.fails failed \(verb=thing\.fails, activityId=f:1, tenant=t, error=Error: connect ECONNREFUSED 127\.0\.0\.1:10002/);
  });
});
