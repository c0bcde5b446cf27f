/**
 * GraphDirectory through the real Graph client against the stand-in:
 * resolution by id, email, UPN and display name in $batch, the messages for
 * unknown, ambiguous and disabled people, paging, caching, and working hours
 * and automatic replies (who is away) from mailboxSettings, with Windows and
 * IANA zone names.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/errors';
import { GraphDirectory } from '../../src/graph/directory';
import { GraphApi } from '../../src/graph/graph-client';
import { fakeClock, type GraphStandIn, graphError, startGraphStandIn, type StandInUser, TOKEN } from './stand-in';

const id = (n: number) => `30000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const user = (n: number, displayName: string, login: string, extra: Partial<StandInUser> = {}): StandInUser => ({
  id: id(n),
  displayName,
  mail: `${login}@contoso.example`,
  userPrincipalName: `${login}@contoso.example`,
  accountEnabled: true,
  ...extra,
});

const ada = user(1, 'Ada Lovelace', 'ada', { userPrincipalName: 'ada.lovelace@contoso.onmicrosoft.com' });
/** Graph's automaticRepliesSetting as its samples give it: HTML messages, dateTimeTimeZone pairs, the status in either case. */
const replies = (status: string, start: [string, string], end: [string, string]) => ({
  status,
  externalAudience: 'All',
  scheduledStartDateTime: { dateTime: start[0], timeZone: start[1] },
  scheduledEndDateTime: { dateTime: end[0], timeZone: end[1] },
  internalReplyMessage: '<html>\n<body>\n<p>I am away and will answer when I am back.<br>\n</p></body>\n</html>\n',
  externalReplyMessage: '<html>\n<body>\n<p>I am away.<br>\n</p></body>\n</html>\n',
});
const grace = user(2, 'Grace Hopper', 'grace', {
  mailboxSettings: {
    // Graph's own sample spells it "Scheduled", in UTC with seven fractional digits.
    automaticRepliesSetting: replies('Scheduled', ['2026-12-11T17:00:00.0000000', 'UTC'], ['2026-12-16T16:00:00.0000000', 'UTC']),
    timeZone: 'Pacific Standard Time',
    workingHours: {
      daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      startTime: '08:00:00.0000000',
      endTime: '17:00:00.0000000',
      timeZone: { name: 'Pacific Standard Time' },
    },
  },
});
const alan = user(3, 'Alan Turing', 'alan', {
  mailboxSettings: {
    // Friday 12:00 to Wednesday 09:00 in his own zone, by its Windows name.
    automaticRepliesSetting: replies(
      'scheduled',
      ['2026-12-11T12:00:00.0000000', 'India Standard Time'],
      ['2026-12-16T09:00:00.0000000', 'India Standard Time'],
    ),
    timeZone: 'Asia/Kolkata',
    workingHours: {
      daysOfWeek: ['Monday', 'Tuesday', 'Wednesday', 'Thursday'],
      startTime: '09:30:00.0000000',
      endTime: '18:00:00.0000000',
      timeZone: { name: 'India Standard Time' },
    },
  },
});
const alana = user(4, 'Alana Smith', 'alana', {
  // A custom zone Intl cannot know: the mailbox's own zone takes over.
  mailboxSettings: {
    timeZone: 'Australia/Sydney',
    workingHours: {
      daysOfWeek: ['monday'],
      startTime: '10:00:00.0000000',
      endTime: '12:00:00.0000000',
      timeZone: { '@odata.type': '#microsoft.graph.customTimeZone', name: 'Customized Time Zone' },
    },
  },
});
const kal = user(5, 'Kal Almond', 'kal', { mailboxSettings: { timeZone: 'Europe/London' } });
// Always on: Graph still returns the last schedule (its Example 2), which says nothing then.
const hedy = user(10, 'Hedy Lamarr', 'hedy', {
  mailboxSettings: {
    automaticRepliesSetting: replies('alwaysEnabled', ['2026-01-05T08:00:00.0000000', 'UTC'], ['2026-01-06T08:00:00.0000000', 'UTC']),
    timeZone: 'UTC',
  },
});
// Across New York's change to daylight saving (Sunday 8 March 2026): from Friday 12:00 EST to Wednesday 09:00 EDT.
const barbara = user(11, 'Barbara Liskov', 'barbara', {
  mailboxSettings: {
    automaticRepliesSetting: replies(
      'SCHEDULED',
      ['2026-03-06T12:00:00.0000000', 'Eastern Standard Time'],
      ['2026-03-11T09:00:00.0000000', 'America/New_York'],
    ),
    timeZone: 'Eastern Standard Time',
  },
});
// A schedule that ends before it starts says nothing.
const ken = user(12, 'Ken Thompson', 'ken', {
  mailboxSettings: {
    automaticRepliesSetting: replies('scheduled', ['2026-12-16T09:00:00.0000000', 'UTC'], ['2026-12-11T09:00:00.0000000', 'UTC']),
  },
});
const dennis = user(6, 'Dennis Ritchie', 'dennis', { accountEnabled: false });
const chrisOld = user(7, 'Chris Evans', 'chris.old', { accountEnabled: false });
const chrisNew = user(8, 'Chris Evans', 'chris', {});
const robot = user(9, 'Build Robot', 'robot', { mail: null });
const everyone = [ada, grace, alan, alana, kal, dennis, chrisOld, chrisNew, robot, hedy, barbara, ken];

let standIn: GraphStandIn;
const logs: string[] = [];

function directory(clock = fakeClock()) {
  const api = new GraphApi({ baseUrl: standIn.url, authProvider: { getAccessToken: async () => TOKEN }, log: (m) => logs.push(m) });
  return { directory: new GraphDirectory(api, { clock }), clock };
}

beforeAll(async () => {
  standIn = await startGraphStandIn(everyone);
});
afterAll(async () => {
  await standIn.close();
});
afterEach(() => {
  standIn.requests.length = 0;
  standIn.batchSteps.length = 0;
  standIn.batchSizes.length = 0;
  logs.length = 0;
});

const person = (u: StandInUser) => ({
  aadObjectId: u.id,
  name: u.displayName,
  mail: u.mail ?? u.userPrincipalName,
  userPrincipalName: u.userPrincipalName,
});

describe('resolvePeople', () => {
  it('resolves an object id, an email, a UPN and a display name in one $batch, in order', async () => {
    const { directory: d } = directory();
    const answers = await d.resolvePeople([grace.id, 'ADA@contoso.example', 'alan@contoso.example', '  Chris Evans ', 'Build Robot']);
    expect(answers).toEqual([
      { ok: true, query: grace.id, person: person(grace) },
      { ok: true, query: 'ADA@contoso.example', person: person(ada) },
      { ok: true, query: 'alan@contoso.example', person: person(alan) },
      // Two accounts are called Chris Evans; only one is enabled.
      { ok: true, query: 'Chris Evans', person: person(chrisNew) },
      // No mail address: the UPN is where mail goes.
      {
        ok: true,
        query: 'Build Robot',
        person: { aadObjectId: robot.id, name: 'Build Robot', mail: 'robot@contoso.example', userPrincipalName: 'robot@contoso.example' },
      },
    ]);
    expect(standIn.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /$batch']);
    expect(standIn.batchSizes).toEqual([5]);
    const [byId, byMail, , byName] = standIn.batchSteps;
    expect(byId!.url).toBe(`/users/${grace.id}?$select=id,displayName,mail,userPrincipalName,accountEnabled`);
    expect(decodeURIComponent(byMail!.url)).toBe(
      "/users?$filter=mail eq 'ADA@contoso.example' or userPrincipalName eq 'ADA@contoso.example'&$select=id,displayName,mail,userPrincipalName,accountEnabled",
    );
    expect(decodeURIComponent(byName!.url)).toContain('/users?$search="displayName:Chris Evans"');
    expect(byName!.headers.consistencylevel).toBe('eventual');
  });

  it('resolves a UPN that differs from the mail address', async () => {
    const { directory: d } = directory();
    expect(await d.resolvePeople(['ada.lovelace@contoso.onmicrosoft.com'])).toEqual([
      { ok: true, query: 'ada.lovelace@contoso.onmicrosoft.com', person: person(ada) },
    ]);
  });

  it('says clearly who is unknown', async () => {
    const { directory: d } = directory();
    const missingId = id(999);
    expect(await d.resolvePeople([missingId, 'nobody@contoso.example', 'Linus Torvalds', '  '])).toEqual([
      {
        ok: false,
        query: missingId,
        reason: 'unknown',
        message: `No one in the directory matches "${missingId}". Check the spelling, or use their email address.`,
      },
      {
        ok: false,
        query: 'nobody@contoso.example',
        reason: 'unknown',
        message: 'No one in the directory matches "nobody@contoso.example". Check the spelling, or use their email address.',
      },
      {
        ok: false,
        query: 'Linus Torvalds',
        reason: 'unknown',
        message: 'No one in the directory matches "Linus Torvalds". Check the spelling, or use their email address.',
      },
      { ok: false, query: '', reason: 'unknown', message: 'Enter a name or an email address.' },
    ]);
    // The blank query asks nothing.
    expect(standIn.batchSizes).toEqual([3]);
  });

  it('says which people an ambiguous name matches', async () => {
    const { directory: d } = directory();
    expect(await d.resolvePeople(['Alan'])).toEqual([
      {
        ok: false,
        query: 'Alan',
        reason: 'ambiguous',
        message:
          '"Alan" matches 2 people: Alan Turing (alan@contoso.example), Alana Smith (alana@contoso.example). Use an email address to pick one.',
      },
    ]);
  });

  it('prefers the one exact display name over prefix matches', async () => {
    const { directory: d } = directory();
    expect(await d.resolvePeople(['alan turing'])).toEqual([{ ok: true, query: 'alan turing', person: person(alan) }]);
  });

  it('reads further pages of a name search (@odata.nextLink) with the same ConsistencyLevel', async () => {
    const { directory: d } = directory();
    const [answer] = await d.resolvePeople(['Al']);
    expect(answer).toMatchObject({ ok: false, reason: 'ambiguous' });
    expect(answer!.ok === false && answer!.message).toBe(
      '"Al" matches 3 people: Alan Turing (alan@contoso.example), Alana Smith (alana@contoso.example), Kal Almond (kal@contoso.example). Use an email address to pick one.',
    );
    // Page one came in the batch (2 of 3, the stand-in's page size); page two by its nextLink.
    expect(standIn.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /$batch', 'GET /users']);
    expect(standIn.requests[1]!.query.get('$skiptoken')).toBe('2');
    expect(standIn.requests[1]!.headers.consistencylevel).toBe('eventual');
  });

  it('says when the account is disabled', async () => {
    const { directory: d } = directory();
    expect(await d.resolvePeople(['dennis@contoso.example', dennis.id])).toEqual([
      {
        ok: false,
        query: 'dennis@contoso.example',
        reason: 'disabled',
        message: 'Dennis Ritchie (dennis@contoso.example): the account is disabled, so they cannot take part in a handoff.',
      },
      {
        ok: false,
        query: dennis.id,
        reason: 'disabled',
        message: 'Dennis Ritchie (dennis@contoso.example): the account is disabled, so they cannot take part in a handoff.',
      },
    ]);
  });

  it('asks at most 20 per batch', async () => {
    const many = Array.from({ length: 45 }, (_, i) => id(1000 + i));
    const { directory: d } = directory();
    const answers = await d.resolvePeople(many);
    expect(standIn.batchSizes).toEqual([20, 20, 5]);
    expect(answers.every((a) => !a.ok && a.reason === 'unknown')).toBe(true);
    expect(answers.map((a) => a.query)).toEqual(many);
  });

  it('never asks twice for the same person while the cache holds, by any of their names', async () => {
    const { directory: d, clock } = directory();
    await d.resolvePeople(['grace@contoso.example', 'Grace@Contoso.example']);
    expect(standIn.batchSizes).toEqual([1]);
    const before = standIn.requests.length;
    const again = await d.resolvePeople([grace.id, 'grace@contoso.example', 'GRACE@contoso.example']);
    expect(again.every((a) => a.ok && a.person.aadObjectId === grace.id)).toBe(true);
    expect(again.map((a) => a.query)).toEqual([grace.id, 'grace@contoso.example', 'GRACE@contoso.example']);
    expect(standIn.requests.length).toBe(before);
    // After a minute the cache lets go.
    clock.time += 60_001;
    await d.resolvePeople(['grace@contoso.example']);
    expect(standIn.requests.length).toBe(before + 1);
  });

  it('shares one lookup between concurrent asks', async () => {
    const { directory: d } = directory();
    const [first, second] = await Promise.all([d.resolvePeople(['Grace Hopper']), d.resolvePeople(['grace hopper'])]);
    expect(first[0]).toEqual({ ok: true, query: 'Grace Hopper', person: person(grace) });
    expect(second[0]).toEqual({ ok: true, query: 'grace hopper', person: person(grace) });
    expect(standIn.requests).toHaveLength(1);
  });

  it('throws a typed error when Graph fails a step, and does not cache the failure', async () => {
    standIn.script(
      (_m, p) => p === `/users/${ada.id}`,
      graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', 'req-403'),
    );
    const { directory: d } = directory();
    const error = await d.resolvePeople([ada.id]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ status: 403, code: 'Authorization_RequestDenied', requestId: 'req-403' });
    expect(logs.some((l) => l.includes('403 Authorization_RequestDenied') && l.includes('request-id req-403'))).toBe(true);
    expect(await d.resolvePeople([ada.id])).toEqual([{ ok: true, query: ada.id, person: person(ada) }]);
  });
});

describe('getWorkingHours', () => {
  it('reads mailboxSettings and translates a Windows zone name', async () => {
    const { directory: d } = directory();
    expect(await d.getWorkingHours(grace.id)).toEqual({
      days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start: '08:00',
      end: '17:00',
      timeZone: 'America/Los_Angeles',
    });
    expect(standIn.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /users/${grace.id}/mailboxSettings`]);
  });

  it('takes capitalised day names and half hours', async () => {
    const { directory: d } = directory();
    expect(await d.getWorkingHours(alan.id)).toEqual({
      days: ['monday', 'tuesday', 'wednesday', 'thursday'],
      start: '09:30',
      end: '18:00',
      timeZone: 'Asia/Kolkata',
    });
  });

  it('falls back to the mailbox time zone when the working-hours zone is custom', async () => {
    const { directory: d } = directory();
    expect(await d.getWorkingHours(alana.id)).toEqual({ days: ['monday'], start: '10:00', end: '12:00', timeZone: 'Australia/Sydney' });
  });

  it("uses Outlook's default week when the mailbox has no working hours", async () => {
    const { directory: d } = directory();
    expect(await d.getWorkingHours(kal.id)).toEqual({
      days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start: '08:00',
      end: '17:00',
      timeZone: 'Europe/London',
    });
  });

  it('asks once per person while cached', async () => {
    const { directory: d } = directory();
    await d.getWorkingHours(grace.id);
    await d.getWorkingHours(grace.id.toUpperCase());
    expect(standIn.requests).toHaveLength(1);
  });

  it('throws GraphError 404 for an unknown person', async () => {
    const { directory: d } = directory();
    await expect(d.getWorkingHours(id(404))).rejects.toMatchObject({ name: 'GraphError', status: 404, code: 'Request_ResourceNotFound' });
  });
});

describe('chatTopic', () => {
  const chatId = '19:2da4c29f6d7041eca70b638b43d45437@thread.v2';
  const chatPath = `/chats/${encodeURIComponent(chatId)}`;

  it("reads a group chat's topic, and says nothing of a chat without one or gone", async () => {
    standIn.script(
      (m, p) => m === 'GET' && p === chatPath,
      { status: 200, body: { id: chatId, topic: ' Launch crew ', chatType: 'group' } },
      { status: 200, body: { id: chatId, topic: null, chatType: 'group' } },
      graphError(404, 'NotFound', 'Chat not found'),
    );
    const { directory: d } = directory();
    expect(await d.chatTopic(chatId)).toBe('Launch crew');
    expect(await d.chatTopic(chatId)).toBeUndefined();
    expect(await d.chatTopic(chatId)).toBeUndefined();
    expect(standIn.requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', chatPath],
      ['GET', chatPath],
      ['GET', chatPath],
    ]);
  });

  it('names the permission it lacks when Graph denies the chat', async () => {
    standIn.script((_m, p) => p === chatPath, graphError(403, 'Forbidden', 'Missing role permissions on the request.', 'req-chat'));
    const { directory: d } = directory();
    await expect(d.chatTopic(chatId)).rejects.toMatchObject({
      name: 'GraphError',
      status: 403,
      requestId: 'req-chat',
      message: expect.stringContaining('Chat.ReadBasic.WhereInstalled'),
    });
  });
});

describe('getAutomaticReplies', () => {
  it('reads a schedule in UTC with seven fractional digits, whatever the case of its status', async () => {
    const { directory: d } = directory();
    expect(await d.getAutomaticReplies(grace.id)).toEqual({
      status: 'scheduled',
      start: '2026-12-11T17:00:00.000Z',
      end: '2026-12-16T16:00:00.000Z',
    });
  });

  it('reads a schedule in a Windows zone name as the instants it names', async () => {
    const { directory: d } = directory();
    // 12:00 and 09:00 India Standard Time (UTC+5:30).
    expect(await d.getAutomaticReplies(alan.id)).toEqual({
      status: 'scheduled',
      start: '2026-12-11T06:30:00.000Z',
      end: '2026-12-16T03:30:00.000Z',
    });
  });

  it('reads each end of a schedule across a daylight-saving change in its own offset, Windows or IANA', async () => {
    const { directory: d } = directory();
    expect(await d.getAutomaticReplies(barbara.id)).toEqual({
      status: 'scheduled',
      start: '2026-03-06T17:00:00.000Z',
      end: '2026-03-11T13:00:00.000Z',
    });
  });

  it('reads always-on replies as away with no end, whatever schedule Graph kept', async () => {
    const { directory: d } = directory();
    expect(await d.getAutomaticReplies(hedy.id)).toEqual({ status: 'alwaysEnabled' });
  });

  it('reads replies that are off, or a schedule that ends before it starts, as not away', async () => {
    const { directory: d } = directory();
    expect(await d.getAutomaticReplies(kal.id)).toEqual({ status: 'disabled' });
    expect(await d.getAutomaticReplies(ada.id)).toEqual({ status: 'disabled' });
    expect(await d.getAutomaticReplies(ken.id)).toEqual({ status: 'disabled' });
  });

  it('asks Graph once for the working hours and the replies together, with the permission working hours already need', async () => {
    const { directory: d } = directory();
    await d.getWorkingHours(alan.id);
    await d.getAutomaticReplies(alan.id);
    expect(standIn.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /users/${alan.id}/mailboxSettings`]);
  });

  it('asks again once the cache has expired: replies turned on are seen within the minute', async () => {
    const { directory: d, clock } = directory();
    await d.getAutomaticReplies(hedy.id);
    clock.time += 60_000;
    await d.getAutomaticReplies(hedy.id);
    expect(standIn.requests).toHaveLength(2);
  });
});
