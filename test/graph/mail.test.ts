/**
 * Mail: the card in the HTML head where Outlook looks for it, GraphMailer
 * through the real client to the stand-in's sendMail (202), Exchange's
 * 30-a-minute limit with a fake clock, and sending once per key.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GraphThrottledError } from '../../src/errors';
import { GraphApi } from '../../src/graph/graph-client';
import {
  CARD_SCRIPT_TYPE,
  cardOf,
  composeEmailHtml,
  GraphMailer,
  MESSAGE_KEY_PROPERTY,
  OncePerKey,
  SendWindow,
} from '../../src/graph/mail';
import { fakeClock, type GraphStandIn, graphError, startGraphStandIn, TOKEN } from './stand-in';

const SENDER = 'baton@contoso.example';
const OTHER_SENDER = 'baton2@contoso.example';
const card = {
  type: 'AdaptiveCard',
  version: '1.4',
  originator: '00000000-0000-0000-0000-00000000b070',
  body: [{ type: 'TextBlock', text: 'Weekly summary </script><b>not markup</b>' }],
};

let standIn: GraphStandIn;
const logs: string[] = [];

function mailer(clock = fakeClock()) {
  const api = new GraphApi({ baseUrl: standIn.url, authProvider: { getAccessToken: async () => TOKEN }, log: (m) => logs.push(m), clock });
  return { mailer: new GraphMailer(api, SENDER, { clock }), clock };
}

beforeAll(async () => {
  // The sending mailbox is a user like any other; Graph answers 404 for a sender it does not know.
  standIn = await startGraphStandIn([
    { id: '40000000-0000-0000-0000-000000000001', displayName: 'Baton', mail: SENDER, userPrincipalName: SENDER, accountEnabled: true },
    {
      id: '40000000-0000-0000-0000-000000000002',
      displayName: 'Baton 2',
      mail: OTHER_SENDER,
      userPrincipalName: OTHER_SENDER,
      accountEnabled: true,
    },
  ]);
});
afterAll(async () => {
  await standIn.close();
});
afterEach(() => {
  standIn.requests.length = 0;
  standIn.sent.length = 0;
  logs.length = 0;
});

describe('composeEmailHtml', () => {
  it('puts the card in a script element of the right type inside the head of a fragment', () => {
    const html = composeEmailHtml('<p>Hello</p>', card);
    const head = /<head>([\s\S]*)<\/head>/.exec(html)![1]!;
    expect(head).toContain(`<script type="${CARD_SCRIPT_TYPE}">`);
    expect(html).toMatch(
      /^<html><head><meta [^>]+><script type="application\/adaptivecard\+json">\{.*\}<\/script><\/head><body><p>Hello<\/p><\/body><\/html>$/,
    );
    expect(cardOf(html)).toEqual(card);
  });

  it('keeps a closing tag in the card text from ending the script', () => {
    const html = composeEmailHtml('<p>x</p>', card);
    // Exactly one </script>: the one composeEmailHtml wrote.
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).toContain('\\u003c/script>\\u003cb>not markup\\u003c/b>');
  });

  it('adds to an existing head, or adds a head to an html element', () => {
    const withHead = composeEmailHtml('<!doctype html><html lang="en"><HEAD><title>t</title></HEAD><body>b</body></html>', card);
    expect(withHead.indexOf(`<script type="${CARD_SCRIPT_TYPE}">`)).toBeGreaterThan(withHead.indexOf('<HEAD>'));
    expect(withHead.indexOf(`<script type="${CARD_SCRIPT_TYPE}">`)).toBeLessThan(withHead.indexOf('<title>'));
    const noHead = composeEmailHtml('<html><body>b</body></html>', card);
    expect(noHead).toMatch(
      /^<html><head><meta [^>]+><script type="application\/adaptivecard\+json">.*<\/script><\/head><body>b<\/body><\/html>$/,
    );
    expect(cardOf(noHead)).toEqual(card);
  });

  it('adds no script without a card', () => {
    const html = composeEmailHtml('<p>Hello</p>');
    expect(html).not.toContain('<script');
    expect(cardOf(html)).toBeUndefined();
  });
});

describe('GraphMailer', () => {
  it('posts the message to /users/{sender}/sendMail and takes the 202', async () => {
    const { mailer: m } = mailer();
    const receipt = await m.sendMail({
      to: ['grace@contoso.example', ' alan@contoso.example '],
      subject: 'Weekly\r\nBcc: evil@example.com summary',
      html: '<p>Hi</p>',
      card,
      key: 'summary-2026-W13-grace',
    });
    expect(receipt).toEqual({ sent: true, key: 'summary-2026-W13-grace', id: SENDER });
    expect(standIn.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual([`POST /users/${SENDER}/sendMail`]);
    expect(standIn.requests[0]!.headers['content-type']).toContain('application/json');
    const { message } = standIn.sent[0]!;
    // A line break in the subject would have started a header; it is a space now.
    expect(message.subject).toBe('Weekly Bcc: evil@example.com summary');
    expect(message.toRecipients).toEqual([
      { emailAddress: { address: 'grace@contoso.example' } },
      { emailAddress: { address: 'alan@contoso.example' } },
    ]);
    expect(message.body.contentType).toBe('HTML');
    const head = /<head>([\s\S]*?)<\/head>/.exec(message.body.content)![1]!;
    expect(head).toContain(`<script type="application/adaptivecard+json">`);
    expect(cardOf(message.body.content)).toEqual(card);
    expect(message.internetMessageHeaders).toEqual([{ name: 'X-Baton-Message-Key', value: 'summary-2026-W13-grace' }]);
    expect(message.singleValueExtendedProperties).toEqual([{ id: MESSAGE_KEY_PROPERTY, value: 'summary-2026-W13-grace' }]);
  });

  it("sends from the mailbox a message names, and finds a keyed message in that mailbox's Sent Items", async () => {
    const { mailer: m } = mailer();
    await m.sendMail({
      to: ['grace@contoso.example'],
      from: OTHER_SENDER,
      subject: 'Your week',
      html: '<p>x</p>',
      key: "summary:2026-12-07:t:o'brien",
    });
    expect(standIn.sent.map((s) => s.sender)).toEqual([OTHER_SENDER]);
    expect(await m.wasSent("summary:2026-12-07:t:o'brien", OTHER_SENDER)).toBe(true);
    expect(await m.wasSent("summary:2026-12-07:t:o'brien", SENDER)).toBe(false);
    expect(await m.wasSent('summary:2026-12-14:t:someone-else', OTHER_SENDER)).toBe(false);
  });

  it('sends a keyed message once, also when asked twice at the same time', async () => {
    const { mailer: m } = mailer();
    const mail = { to: ['grace@contoso.example'], subject: 'Nudge', html: '<p>Your review is due</p>', key: 'nudge-h1-v1-receiver-1' };
    const [a, b] = await Promise.all([m.sendMail(mail), m.sendMail(mail)]);
    const c = await m.sendMail(mail);
    expect([a.sent, b.sent, c.sent]).toEqual([true, false, false]);
    expect(standIn.sent).toHaveLength(1);
    await m.sendMail({ ...mail, key: 'nudge-h1-v1-receiver-2' });
    await m.sendMail({ ...mail, key: undefined });
    expect(standIn.sent).toHaveLength(3);
  });

  it('lets a key be tried again after a failed send', async () => {
    standIn.script(
      (m, p) => m === 'POST' && p.endsWith('/sendMail'),
      graphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.'),
    );
    const { mailer: m } = mailer();
    const mail = { to: ['grace@contoso.example'], subject: 'Retry me', html: '<p>x</p>', key: 'k-retry' };
    await expect(m.sendMail(mail)).rejects.toMatchObject({ status: 400, code: 'ErrorInvalidRecipients' });
    expect(await m.sendMail(mail)).toMatchObject({ sent: true });
    expect(standIn.sent).toHaveLength(1);
  });

  it('holds the 31st message of a minute until the first leaves the window, and drops none', async () => {
    // A clock whose sleep waits until the test lets it go, so the held message can be seen held.
    const clock = fakeClock();
    let wake: (() => void) | undefined;
    clock.sleep = (ms: number) => {
      clock.sleeps.push(ms);
      return new Promise<void>((resolve) => {
        wake = () => {
          clock.time += ms;
          resolve();
        };
      });
    };
    const { mailer: m } = mailer(clock);
    const sends = Array.from({ length: 31 }, (_, i) =>
      m.sendMail({ to: ['grace@contoso.example'], subject: `Message ${i + 1}`, html: '<p>x</p>', key: `burst-${i}` }),
    );
    await vi.waitFor(() => expect(standIn.sent).toHaveLength(30));
    await vi.waitFor(() => expect(clock.sleeps).toEqual([60_000]));
    expect(standIn.requests).toHaveLength(30);
    expect(standIn.sent.map((s) => s.message.subject)).toEqual(Array.from({ length: 30 }, (_, i) => `Message ${i + 1}`));

    wake!();
    const receipts = await Promise.all(sends);
    expect(receipts.every((r) => r.sent)).toBe(true);
    expect(standIn.sent).toHaveLength(31);
    expect(standIn.sent[30]!.message.subject).toBe('Message 31');
    expect(clock.sleeps).toEqual([60_000]);
  });

  it('retries a 429 from Exchange and a 503, but not a 504 that may have been delivered', async () => {
    const isSend = (m: string, p: string) => m === 'POST' && p.endsWith('/sendMail');
    standIn.script(
      isSend,
      graphError(429, 'ApplicationThrottled', 'Mailbox concurrency limit', 'r1', { 'Retry-After': '2' }),
      graphError(503, 'ServiceUnavailable', 'Down'),
    );
    const { mailer: m, clock } = mailer();
    await m.sendMail({ to: ['grace@contoso.example'], subject: 'Throttled', html: '<p>x</p>' });
    expect(standIn.requests).toHaveLength(3);
    expect(clock.sleeps[0]).toBe(2000);
    expect(standIn.sent).toHaveLength(1);

    standIn.requests.length = 0;
    standIn.script(isSend, graphError(504, 'GatewayTimeout', 'Gateway timeout'));
    const error = await m.sendMail({ to: ['grace@contoso.example'], subject: 'Maybe sent', html: '<p>x</p>' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphThrottledError);
    expect(standIn.requests).toHaveLength(1);
  });

  it('refuses a message without recipients, with a bad address, or without a subject, before asking Graph', async () => {
    const { mailer: m } = mailer();
    expect(() => m.sendMail({ to: [], subject: 's', html: '' })).toThrow(new RangeError('An email needs at least one recipient'));
    expect(() => m.sendMail({ to: ['grace'], subject: 's', html: '' })).toThrow(new RangeError('Not an email address: grace'));
    expect(() => m.sendMail({ to: ['a@b.example', 'x@y.example>, evil@z.example'], subject: 's', html: '' })).toThrow(RangeError);
    expect(() => m.sendMail({ to: ['a@b.example'], subject: ' \n ', html: '' })).toThrow(new RangeError('An email needs a subject'));
    expect(standIn.requests).toHaveLength(0);
  });
});

describe('SendWindow and OncePerKey', () => {
  it('lets 30 through a minute, in order, however the sends are spread', async () => {
    const clock = fakeClock(0);
    const window = new SendWindow(clock);
    const times: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      await window.acquire();
      times.push(clock.time);
      clock.time += 1000;
    }
    // The 31st comes at 30 s: the first left the window at 60 s.
    await window.acquire();
    expect(clock.time).toBe(60_000);
    await window.acquire();
    expect(clock.time).toBe(61_000);
    expect(times[29]).toBe(29_000);
  });

  it('forgets a failed key and remembers a sent one', async () => {
    const once = new OncePerKey();
    let calls = 0;
    const ok = () => {
      calls += 1;
      return Promise.resolve({ sent: true, key: 'k', id: 'x' });
    };
    await expect(once.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await once.run('k', ok)).toEqual({ sent: true, key: 'k', id: 'x' });
    expect(await once.run('k', ok)).toEqual({ sent: false, key: 'k', id: 'x' });
    expect(calls).toBe(1);
  });
});
