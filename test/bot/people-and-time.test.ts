/**
 * Working hours from the directory (here the local one: the Playground's
 * people and dev/working-hours.json) reach the bot: lateness counts the
 * receiver's own working time, and the card shows the receiver's local time
 * when it differs from the viewer's.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BACKGROUND } from '../../src/app/ports';
import { createBaton } from '../../src/baton';
import { workingMinutesUntilDay } from '../../src/domain/lead-time';
import { createLogger } from '../../src/logger';
import { loadConfig } from '../../src/config';
import { handoffIdForForm } from '../../src/app/handoffs';
import { cardAction, FIXTURE_DAY, message } from '../support/activities';
import { findInputs, textsOf } from '../support/cards';
import { type Connector, type Member, startConnector } from '../support/connector';
import { startTestApp, type TestApp, uniquePrefix } from '../support/stack';

/** The Playground's people, as .m365agentsplayground.yml names them (the local directory knows them). */
const ada: Member = { id: '29:ada-lovelace', name: 'Ada Lovelace', aadObjectId: '10000000-0000-0000-0000-0000000000a1' };
const alan: Member = { id: '29:alan-turing', name: 'Alan Turing', aadObjectId: '10000000-0000-0000-0000-0000000000c3' };
const katherine = { aadObjectId: '10000000-0000-0000-0000-0000000000d4', userId: '29:katherine-johnson', name: 'Katherine Johnson' };
/** The Playground's tenant (.m365agentsplayground.yml): the local directory answers for its users only. */
const PLAYGROUND_TENANT = '00000000-0000-0000-0000-0000000b0a70';
const inPlayground = {
  conversation: { id: '19:baton-group@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: PLAYGROUND_TENANT },
};

describe('working time from the directory', () => {
  it("counts the receiver's own working days: Katherine (Sydney, Monday to Thursday) has none on a Friday", async () => {
    const baton = await createBaton(
      loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix() }),
      { log: createLogger({ sink: () => undefined }) },
    );
    const workingMinutesUntil = async (tenantId: string, person: typeof katherine, from: Date, day: string) =>
      workingMinutesUntilDay(await baton.app.workingHours(tenantId, person, BACKGROUND), from, day);
    // Friday 2026-11-27, 00:00 in Sydney (UTC+11) to the end of that day.
    const fridayMidnightSydney = new Date('2026-11-26T13:00:00Z');
    expect(await workingMinutesUntil(PLAYGROUND_TENANT, katherine, fridayMidnightSydney, '2026-11-27')).toBe(0);
    // Thursday is a working day for her: 08:00 to 16:00.
    expect(await workingMinutesUntil(PLAYGROUND_TENANT, katherine, new Date('2026-11-25T13:00:00Z'), '2026-11-26')).toBe(480);
    // Someone the directory does not know gets the default week (Monday to Friday, 09:00-17:00 UTC).
    const stranger = { aadObjectId: '99999999-0000-0000-0000-000000000000', userId: '29:x', name: 'Nobody' };
    expect(await workingMinutesUntil(PLAYGROUND_TENANT, stranger, new Date('2026-11-27T00:00:00Z'), '2026-11-27')).toBe(480);
    // The same person seen from another tenant: the directory is not asked, the default week applies
    // (Thursday 13:00-17:00 UTC and all of Friday, where Katherine's own week has nothing on Friday).
    expect(await workingMinutesUntil('ffffffff-0000-0000-0000-000000000000', katherine, fridayMidnightSydney, '2026-11-27')).toBe(720);
  });
});

// One app per file: the functions build their bot once per process, from the first app's settings.
let app: TestApp;
let connector: Connector;
const katherineMember: Member = { id: '29:katherine-johnson', name: 'Katherine Johnson', aadObjectId: katherine.aadObjectId };

beforeAll(async () => {
  connector = await startConnector([ada, alan]);
  app = await startTestApp({ at: FIXTURE_DAY });
  // Katherine installed Baton in her personal chat, but is not in the group chat.
  await app.post({
    ...cardAction(connector.url, katherineMember, 'x', {}),
    type: 'installationUpdate',
    action: 'add',
    name: undefined,
    value: undefined,
    conversation: { id: 'a:personal-katherine', conversationType: 'personal', tenantId: PLAYGROUND_TENANT },
  });
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
});

/** Ada posts a clean handoff (no quality hints) in the Playground's group chat; returns its id. */
async function createAsAda(summary: string, receiver: string): Promise<string> {
  const formId = crypto.randomUUID();
  await app.post(
    cardAction(
      connector.url,
      ada,
      'handoff.create',
      {
        formId,
        summary,
        whatIsReady: 'The job is scheduled and documented.',
        acceptanceCriteria: 'Totals match the source file for 3 runs',
        links: 'https://jobs.example/runbook',
        effort: '2h',
        workState: 'ready',
        receiver,
      },
      inPlayground,
    ),
  );
  return handoffIdForForm(PLAYGROUND_TENANT, formId);
}

describe("the ball holder's local time on the card", () => {
  it('shows it when the viewer is elsewhere, and not when they share a clock', async () => {
    const id = await createAsAda('Exchange rates feed is ready for review', alan.aadObjectId);
    const asAdaInLondon = await app.post(
      cardAction(connector.url, ada, 'handoff.refresh', { handoffId: id }, { ...inPlayground, localTimezone: 'Europe/London' }),
    );
    expect(textsOf(asAdaInLondon.body.value).find((t) => t.startsWith("Alan Turing's local time"))).toMatch(
      /^Alan Turing's local time: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d Kolkata time$/,
    );
    const asAdaInKolkata = await app.post(
      cardAction(connector.url, ada, 'handoff.refresh', { handoffId: id }, { ...inPlayground, localTimezone: 'Asia/Kolkata' }),
    );
    expect(textsOf(asAdaInKolkata.body.value).some((t) => t.startsWith("Alan Turing's local time"))).toBe(false);
    const asAlan = await app.post(
      cardAction(connector.url, alan, 'handoff.refresh', { handoffId: id }, { ...inPlayground, localTimezone: 'Europe/London' }),
    );
    expect(textsOf(asAlan.body.value).some((t) => t.startsWith("Alan Turing's local time"))).toBe(false);
  });
});

describe('people picked from outside the chat', () => {
  it('are told 1:1 when the handoff is posted, since the chat never shows it to them', async () => {
    const mark = connector.sent.length;
    await createAsAda('Tax tables for 2027 are ready for review', 'katherine@contoso.example');
    const toKatherine = connector.sent.slice(mark).filter((s) => s.conversationId === 'a:personal-katherine');
    expect(toKatherine).toHaveLength(1);
    const texts = textsOf(toKatherine[0]!.activity.attachments?.[0]?.content);
    expect(texts.slice(0, 3)).toEqual([
      'Ada Lovelace handed you a handoff to review.',
      'Handoff: ',
      'Tax tables for 2027 are ready for review',
    ]);
    // Alan, in the chat, is not written to: the card in the chat tags its receiver.
    expect(connector.sent.slice(mark).filter((s) => s.conversationId.startsWith('a:'))).toHaveLength(1);
  });

  it('can be made the receiver by the owner, who picks them in the organisation', async () => {
    const id = await createAsAda('Payroll export is ready for review', alan.aadObjectId);
    const mark = connector.sent.length;
    const reassigned = await app.post(
      cardAction(connector.url, ada, 'handoff.reassign', { handoffId: id, newReceiver: katherine.aadObjectId }, inPlayground),
    );
    expect(textsOf(reassigned.body.value)).toContain('<at>Katherine Johnson</at>, this handoff is for you to review.');
    expect(textsOf(reassigned.body.value)).toContainEqual(expect.stringMatching(/^Due .+, in 1 working day of the receiver's time$/));
    expect((await app.handoff(id))?.receiver).toEqual({ ...katherine, userId: `8:orgid:${katherine.aadObjectId}` });
    const told = connector.sent.slice(mark).filter((s) => s.conversationId === 'a:personal-katherine');
    expect(textsOf(told[0]?.activity.attachments?.[0]?.content)[0]).toBe('Ada Lovelace handed this handoff to you to review.');
    const nobody = await app.post(
      cardAction(connector.url, ada, 'handoff.reassign', { handoffId: id, newReceiver: 'nobody@contoso.example' }, inPlayground),
    );
    expect(textsOf(nobody.body.value)).toContain(
      'No one in the directory matches "nobody@contoso.example". Check the spelling, or use their email address.',
    );
  });
});

describe('the personal chat', () => {
  const inPersonalChat = { conversation: { id: 'a:personal-ada', conversationType: 'personal', tenantId: PLAYGROUND_TENANT } };

  it("resolves the Teams user id some people pickers send (the Playground's does) through the directory", async () => {
    const formId = crypto.randomUUID();
    const response = await app.post(
      cardAction(
        connector.url,
        ada,
        'handoff.create',
        {
          formId,
          summary: 'Quarterly numbers are ready for review',
          whatIsReady: 'The sheet is final.',
          acceptanceCriteria: 'Totals match the ledger for Q3',
          links: 'https://sheets.example/q3',
          effort: '1h',
          receiver: '29:grace-hopper',
          stakeholders: '29:katherine-johnson',
        },
        inPersonalChat,
      ),
    );
    expect(textsOf(response.body.value)).toContain('<at>Grace Hopper</at>, this handoff is for you to review.');
    // A card in Ada's own chat reaches nobody by itself: Grace never installed Baton, and Ada is told so.
    expect(textsOf(response.body.value)).toContain(
      'Grace Hopper is not in this chat and has not installed Baton, so nobody told them: post the handoff in a chat they are in, or ask them to install Baton.',
    );
    // Katherine did install it: her message opens her own view of the handoff, which lives in a chat she cannot see.
    const told = connector.sent.filter((s) => s.conversationId === 'a:personal-katherine').at(-1)?.activity.attachments?.[0]?.content as {
      actions: unknown[];
    };
    expect(told.actions).toEqual([
      {
        type: 'Action.Execute',
        title: 'Show it here',
        verb: 'handoff.refresh',
        data: { handoffId: handoffIdForForm(PLAYGROUND_TENANT, formId) },
      },
    ]);
    const stored = (await app.stores.handoffs.read(handoffIdForForm(PLAYGROUND_TENANT, formId), BACKGROUND))?.handoff;
    expect(stored?.receiver).toEqual({
      aadObjectId: '10000000-0000-0000-0000-0000000000b2',
      userId: '8:orgid:10000000-0000-0000-0000-0000000000b2',
      name: 'Grace Hopper',
    });
    expect(stored?.stakeholders.map((p) => p.name)).toEqual(['Katherine Johnson']);
  });

  it('never shows an internal id in an error, and refuses a handoff to oneself at the field', async () => {
    const base = {
      summary: 'Quarterly numbers are ready for review',
      whatIsReady: 'Final.',
      acceptanceCriteria: 'Totals match the ledger for Q3',
      links: 'https://sheets.example/q3',
      effort: '1h',
    };
    const unknown = await app.post(
      cardAction(
        connector.url,
        ada,
        'handoff.create',
        { formId: crypto.randomUUID(), ...base, receiver: '29:nobody-here' },
        inPersonalChat,
      ),
    );
    expect(textsOf(unknown.body.value)).toContain(
      'That person is not in this conversation, and Baton could not find them in your organisation.',
    );
    expect(JSON.stringify(textsOf(unknown.body.value))).not.toContain('29:nobody-here');
    const self = await app.post(
      cardAction(connector.url, ada, 'handoff.create', { formId: crypto.randomUUID(), ...base, receiver: ada.aadObjectId }, inPersonalChat),
    );
    expect(textsOf(self.body.value)).toContain('You cannot hand work to yourself: choose who takes it over.');
  });

  it('says at the field when the summary is over its limit, rather than cutting it', async () => {
    const formId = crypto.randomUUID();
    const long = await app.post(
      cardAction(
        connector.url,
        ada,
        'handoff.create',
        { formId, summary: 's'.repeat(250), whatIsReady: 'Final.', acceptanceCriteria: 'Totals match', receiver: alan.aadObjectId },
        inPlayground,
      ),
    );
    expect(textsOf(long.body.value)).toContain('Keep the summary to 200 characters (it has 250).');
    const summary = findInputs(long.body.value).find((i) => i.id === 'summary') as unknown as Record<string, unknown>;
    expect([summary.value, summary.maxLength, summary.label]).toEqual([
      's'.repeat(250),
      undefined,
      'Summary, in one sentence (at most 200 characters) *',
    ]);
    expect(await app.stores.handoffs.read(handoffIdForForm(PLAYGROUND_TENANT, formId), BACKGROUND)).toBeUndefined();
  });
});

describe('mine', () => {
  it("asked in a group chat, goes to the person's personal chat and says so in one line where they asked", async () => {
    await createAsAda('Private: payroll export is ready', alan.aadObjectId);
    const mark = connector.sent.length;
    // Katherine installed Baton; she asks in the group chat.
    const asked = await app.post({ ...message(connector.url, katherineMember, '<at>Baton</at> mine'), ...inPlayground });
    expect(asked.status).toBe(200);
    const sent = connector.sent.slice(mark);
    const inGroup = sent.filter((s) => s.conversationId === inPlayground.conversation.id);
    expect(inGroup.map((s) => s.activity.text)).toEqual([
      'Katherine Johnson, I sent your handoffs to your personal chat with me, where only you can see them.',
    ]);
    expect(inGroup.every((s) => s.activity.attachments === undefined)).toBe(true);
    const privately = sent.filter((s) => s.conversationId === 'a:personal-katherine');
    expect(textsOf(privately[0]?.activity.attachments?.[0]?.content)[0]).toBe('Your open handoffs');
  });

  it('asked in a group chat by someone who never installed Baton, says how to see it privately and shows nothing', async () => {
    const mark = connector.sent.length;
    await app.post({ ...message(connector.url, alan, '<at>Baton</at> mine'), ...inPlayground });
    const sent = connector.sent.slice(mark);
    expect(sent.map((s) => [s.conversationId, s.activity.text])).toEqual([
      [
        inPlayground.conversation.id,
        'Alan Turing, your handoffs are yours alone to see: add Baton in your personal chat (Apps, then Baton, then Open) and type "mine" there.',
      ],
    ]);
  });
});
