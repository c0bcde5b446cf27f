/**
 * Who is away, as Microsoft Graph says it (issue 25): Baton over the real
 * Graph client and the stand-in, whose mailboxSettings carry
 * automaticRepliesSetting in Graph's own shapes (a dateTimeTimeZone pair in a
 * Windows zone name, seven fractional digits). Grace turns her automatic
 * replies on; the next away check sees it, moves her review past the
 * absence, and tells its owner once, inside his working hours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awayCheck } from '../../src/app/away';
import { createHandoff, handoffIdForForm } from '../../src/app/handoffs';
import { BACKGROUND, type Messenger } from '../../src/app/ports';
import { createBaton } from '../../src/baton';
import type { AdaptiveCard } from '../../src/cards/render';
import { loadConfig } from '../../src/config';
import { GraphDirectory } from '../../src/graph/directory';
import { GraphApi } from '../../src/graph/graph-client';
import { createLogger } from '../../src/logger';
import { textsOf } from '../support/cards';
import { callerFor } from '../support/memory-app';
import { memoryStores } from '../support/memory-stores';
import { type GraphStandIn, startGraphStandIn, type StandInUser, TOKEN } from './stand-in';

const id = (n: number) => `40000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const week = (zone: string) => ({
  daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
  startTime: '09:00:00.0000000',
  endTime: '17:00:00.0000000',
  timeZone: { name: zone },
});
const graphUser = (n: number, name: string, zone: string): StandInUser => ({
  id: id(n),
  displayName: name,
  mail: `${name.split(' ')[0]!.toLowerCase()}@contoso.example`,
  userPrincipalName: `${name.split(' ')[0]!.toLowerCase()}@contoso.example`,
  accountEnabled: true,
  mailboxSettings: { timeZone: zone, workingHours: week(zone) },
});
const ada = graphUser(1, 'Ada Lovelace', 'GMT Standard Time');
const grace = graphUser(2, 'Grace Hopper', 'India Standard Time');
const alan = graphUser(3, 'Alan Turing', 'Eastern Standard Time');
const person = (u: StandInUser) => ({ aadObjectId: u.id, userId: `29:${u.id}`, name: u.displayName });

let standIn: GraphStandIn;
beforeAll(async () => {
  standIn = await startGraphStandIn([ada, grace, alan]);
});
afterAll(async () => {
  await standIn.close();
});

describe('automatic replies from Graph', () => {
  it('are seen by the next away check, move the review past the absence, and tell the owner once in his hours', async () => {
    let now = Date.parse('2026-12-10T09:30:00.000Z'); // Thursday 15:00 in Kolkata
    const clock = { now: () => now, sleep: async () => undefined };
    const sent: { to: string; card: AdaptiveCard }[] = [];
    const messenger: Messenger = {
      post: async (to, card) => {
        sent.push({ to: to.conversationId, card });
        return `m${sent.length}`;
      },
      update: async () => undefined,
    };
    const api = new GraphApi({ baseUrl: standIn.url, authProvider: { getAccessToken: async () => TOKEN }, clock });
    const stores = memoryStores();
    const { app } = createBaton(loadConfig({}), {
      graph: { directory: new GraphDirectory(api, { clock }), tenantId: 't1' },
      stores,
      clock,
      messenger,
      log: createLogger({ sink: () => undefined }),
    });
    await stores.chats.save(
      {
        tenantId: 't1',
        aadObjectId: alan.id,
        userId: `29:${alan.id}`,
        conversationId: 'a:alan',
        serviceUrl: 'https://smba.example/',
        botId: '28:b',
      },
      BACKGROUND,
    );
    const members = [person(ada), person(grace), person(alan)];
    const formId = crypto.randomUUID();
    const created = await createHandoff(
      app,
      callerFor(person(ada), { members, replyToId: `form-${formId}` }),
      {
        formId,
        summary: 'Payments retry logic is ready for QA',
        whatIsReady: 'Merged behind a flag.',
        acceptanceCriteria: 'All retry tests pass in CI',
        assumptions: '',
        links: 'https://github.com/contoso/payments/pull/42',
        effort: '',
        workState: 'ready',
        blocker: '',
        neededBy: '',
        receiver: grace.id,
        owner: alan.id,
        stakeholders: '',
        priority: 'normal',
        confirmed: true,
      },
      'replaceForm',
    );
    expect(created.outcome).toBe('created');
    await app.deliveries.idle();
    const handoffId = handoffIdForForm('t1', formId);
    const stored = async () => (await stores.handoffs.read(handoffId, BACKGROUND))!.handoff;
    // Her hours from her mailbox, India Standard Time: due Friday 15:00 there.
    expect((await stored()).clock?.dueAt).toBe('2026-12-11T09:30:00.000Z');
    await awayCheck(app);

    // Friday 12:10 in Kolkata she turns them on, scheduled from 12:00 to Wednesday 09:00, in her Windows zone.
    now = Date.parse('2026-12-11T06:40:00.000Z');
    grace.mailboxSettings = {
      ...grace.mailboxSettings,
      automaticRepliesSetting: {
        status: 'Scheduled',
        externalAudience: 'All',
        scheduledStartDateTime: { dateTime: '2026-12-11T12:00:00.0000000', timeZone: 'India Standard Time' },
        scheduledEndDateTime: { dateTime: '2026-12-16T09:00:00.0000000', timeZone: 'India Standard Time' },
        internalReplyMessage: '<html>\n<body>\n<p>Away until Wednesday.</p></body>\n</html>\n',
        externalReplyMessage: '',
      },
    };
    // The next check, 15 minutes later (Graph's answers are kept a minute): seen, and the review moved.
    now = Date.parse('2026-12-11T06:45:00.000Z');
    expect(await awayCheck(app)).toMatchObject({ changed: 1, moved: 1, announced: 1, sent: 0 });
    expect((await stored()).clock?.dueAt).toBe('2026-12-16T06:30:00.000Z');
    expect(await stores.away.get('t1', grace.id, BACKGROUND)).toMatchObject({
      absences: [{ start: '2026-12-11T06:30:00.000Z', end: '2026-12-16T03:30:00.000Z' }],
    });
    // 01:45 in New York: Alan is told at 09:00 there, once.
    expect(sent.filter((s) => s.to === 'a:alan')).toEqual([]);
    now = Date.parse('2026-12-11T14:00:00.000Z');
    await awayCheck(app);
    now = Date.parse('2026-12-11T14:15:00.000Z');
    await awayCheck(app);
    expect(sent.filter((s) => s.to === 'a:alan').map((s) => textsOf(s.card)[0])).toEqual([
      'Grace Hopper is away until Wed 16 Dec: a handoff you own waits on Grace.',
    ]);
    // Every read of her absence was the mailboxSettings request Baton already makes for working hours.
    expect(new Set(standIn.requests.map((r) => `${r.method} ${r.path.replace(/^\/v1\.0/, '')}`))).toEqual(
      new Set([`GET /users/${grace.id}/mailboxSettings`, `GET /users/${alan.id}/mailboxSettings`]),
    );
  });
});
