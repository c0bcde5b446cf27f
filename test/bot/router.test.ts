/**
 * The router: each activity takes its route; a card action's verb must be a
 * string and its value an object, or it answers 400 and runs nothing; an
 * invoke Baton does not implement answers 501; Baton's own verbs answer a
 * failing dependency with a clear 503 and log why. A card action's answer is
 * always HTTP 200, its status inside the Universal Actions envelope.
 */
import { type Activity, TestAdapter, TurnContext } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app/ports';
import { requestBudget } from '../../src/app/ports';
import { batonRouter, UNAVAILABLE } from '../../src/bot/bot';
import { Router, routeOf } from '../../src/bot/router';
import { conversationNames } from '../../src/bot/bot';
import { createLogger, formatRecord } from '../../src/logger';
import invokeFixture from '../fixtures/teams-invoke-action.json';

/** Runs one activity through a router; resolves to the invoke response it sent, if any. */
async function run(router: Router, activity: Partial<Activity>): Promise<{ status: number; body?: unknown } | undefined> {
  const adapter = new TestAdapter();
  const context = new TurnContext(adapter, { ...(invokeFixture as unknown as Activity), ...activity } as Activity);
  let answer: { status: number; body?: unknown } | undefined;
  context.onSendActivities(async (_context, activities, next) => {
    for (const a of activities) if (a.type === 'invokeResponse') answer = a.value as typeof answer;
    return next();
  });
  await router.run({ context, budget: requestBudget(4000) });
  return answer;
}

const cardAction = (verb: unknown, data: unknown = {}): Partial<Activity> => ({
  type: 'invoke',
  name: 'adaptiveCard/action',
  value: { action: { type: 'Action.Execute', verb, data } },
});

describe('routeOf', () => {
  it('names each activity Baton answers by its route, invokes by their aliases', () => {
    expect(routeOf({ type: 'message' })).toBe('message');
    expect(routeOf({ type: 'installationUpdate', action: 'add' })).toBe('install.add');
    expect(routeOf({ type: 'installationUpdate', action: 'add-upgrade' })).toBe('install.add');
    expect(routeOf({ type: 'installationUpdate', action: 'remove' })).toBeUndefined();
    expect(routeOf({ type: 'conversationUpdate', membersAdded: [{ id: '29:a', name: 'A' }] })).toBe('members.added');
    expect(routeOf({ type: 'conversationUpdate', membersAdded: [] })).toBeUndefined();
    expect(routeOf({ type: 'conversationUpdate', channelData: { eventType: 'teamRenamed' } })).toBe('conversation.renamed');
    expect(routeOf({ type: 'conversationUpdate', channelData: { eventType: 'channelRenamed' } })).toBe('conversation.renamed');
    expect(routeOf({ type: 'conversationUpdate', channelData: { eventType: 'channelDeleted' } })).toBeUndefined();
    expect(routeOf({ type: 'invoke', name: 'adaptiveCard/action' })).toBe('card.action');
    expect(routeOf({ type: 'invoke', name: 'composeExtension/fetchTask' })).toBe('message.ext.open');
    expect(routeOf({ type: 'invoke', name: 'composeExtension/submitAction', value: {} })).toBe('message.ext.submit');
    expect(routeOf({ type: 'invoke', name: 'composeExtension/submitAction', value: { botMessagePreviewAction: 'send' } })).toBe(
      'message.ext.send',
    );
    expect(routeOf({ type: 'invoke', name: 'composeExtension/submitAction', value: { botMessagePreviewAction: 'edit' } })).toBe(
      'message.ext.edit',
    );
    expect(routeOf({ type: 'invoke', name: 'composeExtension/query' })).toBe('message.ext.query');
    expect(routeOf({ type: 'invoke', name: 'composeExtension/queryLink' })).toBe('message.ext.query-link');
    expect(routeOf({ type: 'invoke', name: 'task/fetch' })).toBeUndefined();
    expect(routeOf({ type: 'invoke', name: 'toString' })).toBeUndefined();
    expect(routeOf({ type: 'typing' })).toBeUndefined();
  });
});

describe('conversationNames', () => {
  const activity = (conversation: Record<string, unknown>, channelData: Record<string, unknown> = {}) =>
    ({ ...invokeFixture, conversation: { ...conversation }, channelData }) as unknown as Activity;

  it("keeps a channel's team and channel, a group chat's topic, and the kind of conversation", () => {
    expect(
      conversationNames(
        activity(
          { id: '19:c@thread.tacv2;messageid=1', conversationType: 'channel' },
          { team: { id: '19:t@thread.tacv2', name: ' Payments ' }, channel: { id: '19:c@thread.tacv2', name: 'Handoffs' } },
        ),
      ),
    ).toEqual({
      kind: 'channel',
      team: { id: '19:t@thread.tacv2', name: 'Payments' },
      channel: { id: '19:c@thread.tacv2', name: 'Handoffs' },
    });
    expect(conversationNames(activity({ id: '19:g@thread.v2', conversationType: 'groupChat', name: 'Launch' }))).toEqual({
      kind: 'groupChat',
      name: 'Launch',
    });
    expect(conversationNames(activity({ id: 'a:1', conversationType: 'personal' }))).toEqual({ kind: 'personal' });
  });

  it('leaves out what Teams did not say or said wrongly, and cuts a long name', () => {
    expect(
      conversationNames(
        activity({ id: '19:c', conversationType: 'channel', name: '' }, { team: { id: 7, name: 'x' }, channel: { name: 'No id' } }),
      ),
    ).toEqual({ kind: 'channel' });
    expect(conversationNames(activity({ id: '19:g', conversationType: 'groupChat', name: 'x'.repeat(500) })).name).toHaveLength(128);
    expect(conversationNames(activity({ id: '19:g' }))).toEqual({});
  });
});

describe('a card action', () => {
  const router = () =>
    new Router({ command: async () => undefined, invoke: () => undefined }).verb('thing.ok', async (_turn, data) => ({
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: data },
    }));

  it('runs its verb with the action data', async () => {
    expect(await run(router(), cardAction('thing.ok', { n: 2 }))).toEqual({
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: { n: 2 } },
    });
  });

  it('answers an unknown verb, a verb that is not a string, and data that is not an object with 400 in the body, running nothing', async () => {
    const badRequest = { status: 200, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest' } } };
    expect(await run(router(), cardAction('thing.nope'))).toMatchObject(badRequest);
    expect(await run(router(), cardAction('toString'))).toMatchObject(badRequest);
    for (const verb of [['thing.ok'], { toString: 'thing.ok' }, 7, null, ''])
      expect(await run(router(), cardAction(verb, { n: 1 }))).toMatchObject(badRequest);
    expect(await run(router(), cardAction('thing.ok', [1]))).toMatchObject(badRequest);
    expect(await run(router(), { type: 'invoke', name: 'adaptiveCard/action', value: { verb: 'thing.ok' } })).toMatchObject(badRequest);
  });

  it('answers a value.action that is missing, null or not an object as a bad request, HTTP 200 with 400 in the body (never 501)', async () => {
    for (const value of [undefined, {}, { action: null }, { action: 'thing.ok' }, { action: ['thing.ok'] }, { action: 7 }])
      expect(await run(router(), { type: 'invoke', name: 'adaptiveCard/action', value })).toEqual({
        status: 200,
        body: {
          statusCode: 400,
          type: 'application/vnd.microsoft.error',
          value: { code: 'BadRequest', message: 'The card sent an action Baton cannot read (it needs a verb and an object of data).' },
        },
      });
  });
});

describe('an invoke Baton does not implement', () => {
  it('answers 501 and says so in the log at info, not as an error', async () => {
    const names: string[] = [];
    const router = new Router({ command: async () => undefined, invoke: (name) => names.push(name) });
    expect(await run(router, { type: 'invoke', name: 'task/fetch', value: {} })).toEqual({ status: 501 });
    expect(names).toEqual(['task/fetch']);
  });
});

describe("Baton's routes", () => {
  it('answer every chat command of the menu, and every verb the cards use', () => {
    const router = batonRouter({ log: createLogger({ sink: () => undefined }) } as unknown as App);
    expect(router.commandNames().sort()).toEqual([
      '',
      'away',
      'handoff',
      'help',
      'mine',
      'new',
      'settings',
      'summary',
      'template',
      'templates',
    ]);
  });

  it('answer a failing dependency with 503 and a message that says nothing changed, and log why', async () => {
    const logs: string[] = [];
    const failing = new Proxy({}, { get: () => () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:10002')) });
    const app = {
      log: createLogger({ sink: (r) => logs.push(formatRecord(r)) }),
      clock: { now: () => Date.parse('2026-11-24T10:00:00Z') },
      stores: { handoffs: failing },
      deliveries: failing,
    } as unknown as App;
    const answer = await run(batonRouter(app), cardAction('handoff.refresh', { handoffId: '0123456789abcdef0123' }));
    expect(answer).toEqual({
      status: 200,
      body: { statusCode: 503, type: 'application/vnd.microsoft.error', value: { code: 'ServiceUnavailable', message: UNAVAILABLE } },
    });
    expect(logs[0]).toMatch(
      /^\[error\] handoff\.refresh failed \(verb=handoff\.refresh, activityId=[^,]+, tenant=[^,]+, error=Error: connect ECONNREFUSED 127\.0\.0\.1:10002/,
    );
  });
});
