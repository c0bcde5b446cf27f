/**
 * The local mailbox: each message as a MIME .eml (parsed back here, part by
 * part) and an .html with the card in its head; listing newest first; one
 * message per key; ids that cannot leave the folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardOf } from '../../src/graph/mail';
import { plainText } from '../../src/domain/text';
import { listMailbox, LocalMailbox, readMailboxMessage } from '../../src/local/mailbox';
import { fakeClock } from '../graph/stand-in';

interface MimePart {
  headers: Map<string, string>;
  body: string;
}

/** A small MIME reader: headers (unfolded, RFC 2047 words decoded), and the parts of a multipart body. */
function parseMime(raw: string): { headers: Map<string, string>; parts: MimePart[] } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of head!.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(
      line.slice(0, colon).toLowerCase(),
      line
        .slice(colon + 1)
        .trim()
        .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b: string) => Buffer.from(b, 'base64').toString('utf8')),
    );
  }
  const body = rest.join('\r\n\r\n');
  const boundary = /boundary="([^"]+)"/.exec(headers.get('content-type') ?? '')?.[1];
  if (!boundary) return { headers, parts: [] };
  const chunks = body.split(`--${boundary}`);
  expect(chunks.at(-1)!.startsWith('--'), 'the closing boundary ends the message').toBe(true);
  const parts = chunks.slice(1, -1).map((chunk) => {
    const [partHead, ...partBody] = chunk.replace(/^\r\n/, '').split('\r\n\r\n');
    const partHeaders = new Map(
      partHead!.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const),
    );
    const encoded = partBody.join('\r\n\r\n').trim();
    expect(partHeaders.get('content-transfer-encoding')).toBe('base64');
    return { headers: partHeaders, body: Buffer.from(encoded.replace(/\r\n/g, ''), 'base64').toString('utf8') };
  });
  return { headers, parts };
}

const card = { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'Three handoffs wait for you' }] };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-mailbox-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('LocalMailbox', () => {
  it('writes a parseable MIME message and the HTML, named by time and subject', async () => {
    const clock = fakeClock(Date.UTC(2026, 2, 24, 9, 0, 0, 123));
    const mailbox = new LocalMailbox(dir, 'baton@contoso.example', { clock });
    const html = '<p>Hello Grace,</p><p>Three handoffs &amp; one question wait for you.</p>';
    const receipt = await mailbox.sendMail({
      to: ['grace@contoso.example', 'alan@contoso.example'],
      subject: 'Résumé: weekly ✔ summary',
      html,
      card,
      key: 'weekly-2026-13',
    });
    const id = '2026-03-24T09-00-00-123Z-resume-weekly-summary';
    expect(receipt).toEqual({ sent: true, key: 'weekly-2026-13', id });
    expect(readdirSync(dir).sort()).toEqual([`${id}.eml`, `${id}.html`]);

    const savedHtml = readFileSync(join(dir, `${id}.html`), 'utf8');
    expect(cardOf(savedHtml)).toEqual(card);
    expect(/<head>[\s\S]*<script type="application\/adaptivecard\+json">[\s\S]*<\/head>/.test(savedHtml)).toBe(true);

    const raw = readFileSync(join(dir, `${id}.eml`), 'utf8');
    // Every line ends in CRLF and is short, as SMTP wants.
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(Math.max(...raw.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998);
    const mime = parseMime(raw);
    expect(mime.headers.get('from')).toBe('Baton <baton@contoso.example>');
    expect(mime.headers.get('to')).toBe('grace@contoso.example, alan@contoso.example');
    expect(mime.headers.get('subject')).toBe('Résumé: weekly ✔ summary');
    expect(new Date(mime.headers.get('date')!).getTime()).toBe(Date.UTC(2026, 2, 24, 9, 0, 0));
    expect(mime.headers.get('mime-version')).toBe('1.0');
    expect(mime.headers.get('message-id')).toBe(`<${id}@baton.local>`);
    expect(mime.headers.get('x-baton-message-key')).toBe('weekly-2026-13');
    expect(mime.headers.get('content-type')).toMatch(/^multipart\/alternative; boundary="[^"]+"$/);
    expect(mime.parts.map((p) => p.headers.get('content-type'))).toEqual(['text/plain; charset=utf-8', 'text/html; charset=utf-8']);
    expect(mime.parts[0]!.body).toBe('Hello Grace,\nThree handoffs & one question wait for you.');
    expect(mime.parts[1]!.body).toBe(savedHtml);
  });

  it('lists messages newest first, with subject, recipients and time', async () => {
    const clock = fakeClock(Date.UTC(2026, 2, 24, 9, 0, 0));
    const mailbox = new LocalMailbox(dir, undefined, { clock });
    await mailbox.sendMail({ to: ['ada@contoso.example'], subject: 'First', html: '<p>1</p>' });
    clock.time += 60_000;
    await mailbox.sendMail({ to: ['grace@contoso.example'], subject: 'Second', html: '<p>2</p>' });
    // A message in the same millisecond still gets its own files.
    await mailbox.sendMail({ to: ['grace@contoso.example'], subject: 'Second', html: '<p>3</p>' });
    writeFileSync(join(dir, 'notes.txt'), 'not a message');
    expect(listMailbox(dir)).toEqual([
      { id: '2026-03-24T09-01-00-001Z-second', subject: 'Second', to: ['grace@contoso.example'], date: '2026-03-24T09:01:00.000Z' },
      { id: '2026-03-24T09-01-00-000Z-second', subject: 'Second', to: ['grace@contoso.example'], date: '2026-03-24T09:01:00.000Z' },
      { id: '2026-03-24T09-00-00-000Z-first', subject: 'First', to: ['ada@contoso.example'], date: '2026-03-24T09:00:00.000Z' },
    ]);
  });

  it('writes a keyed message once', async () => {
    const mailbox = new LocalMailbox(dir);
    const mail = { to: ['ada@contoso.example'], subject: 'Nudge', html: '<p>x</p>', key: 'nudge-1' };
    const first = await mailbox.sendMail(mail);
    const second = await mailbox.sendMail(mail);
    expect(first.sent).toBe(true);
    expect(second).toEqual({ ...first, sent: false });
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('sends from the mailbox a message names, remembers its key and whom it is for, and finds it by key after a restart', async () => {
    const mailbox = new LocalMailbox(dir);
    const actor = { tenantId: 't-1', aadObjectId: 'a-1', name: 'Grace Hopper' };
    await mailbox.sendMail({
      to: ['grace@contoso.example'],
      from: 'summary2@contoso.example',
      subject: 'Your week',
      html: '<p>x</p>',
      key: 'summary:2026-12-07:t-1:a-1',
      actor,
    });
    const [entry] = listMailbox(dir);
    expect(entry).toMatchObject({ key: 'summary:2026-12-07:t-1:a-1', actor });
    expect(readFileSync(join(dir, `${entry!.id}.eml`), 'utf8')).toContain('From: Baton <summary2@contoso.example>');
    // A new process (a restart) knows nothing of the first one's sends; the folder does.
    const restarted = new LocalMailbox(dir);
    expect(await restarted.wasSent('summary:2026-12-07:t-1:a-1')).toBe(true);
    expect(await restarted.wasSent('summary:2026-12-14:t-1:a-1')).toBe(false);
  });

  it('has no messages before the folder exists', () => {
    expect(listMailbox(join(dir, 'not-yet'))).toEqual([]);
    expect(existsSync(join(dir, 'not-yet'))).toBe(false);
  });

  it('reads a message back, and refuses ids that are not outbox names', async () => {
    const mailbox = new LocalMailbox(dir, undefined, { clock: fakeClock(Date.UTC(2026, 2, 24, 9, 0, 0)) });
    const { id } = await mailbox.sendMail({ to: ['ada@contoso.example'], subject: 'Hi', html: '<p>x</p>', card });
    expect(readMailboxMessage(dir, id)).toMatchObject({ card, cardError: undefined });
    for (const bad of ['../outbox', '../../etc/passwd', `${id}/../${id}`, '', 'x']) expect(readMailboxMessage(dir, bad)).toBeUndefined();
    expect(readMailboxMessage(dir, '2026-03-24T09-00-00-000Z-missing')).toBeUndefined();
  });

  it('reports a card that is not JSON instead of failing', async () => {
    const mailbox = new LocalMailbox(dir, undefined, { clock: fakeClock(Date.UTC(2026, 2, 24, 9, 0, 0)) });
    const { id } = await mailbox.sendMail({ to: ['ada@contoso.example'], subject: 'Broken', html: '<p>x</p>', card });
    const file = join(dir, `${id}.html`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"type":"AdaptiveCard"', '"type":AdaptiveCard'));
    expect(readMailboxMessage(dir, id)).toMatchObject({
      card: undefined,
      cardError: expect.stringContaining('The card in this message is not valid JSON'),
    });
  });
});

describe('plainText', () => {
  it('drops tags, head and scripts, and decodes the common entities', () => {
    expect(
      plainText(
        '<html><head><script type="application/adaptivecard+json">{"a":1}</script></head><body><h1>Hi &amp; bye</h1><p>a&lt;b &quot;c&quot;</p>x<br>y</body></html>',
      ),
    ).toBe('Hi & bye\na<b "c"\nx\ny');
  });

  it('puts each list item and table row on a line of its own, cells apart', () => {
    expect(
      plainText(
        '<p>Payments team: 8 active</p><ul><li>“Release to QA”: 6 handoffs</li><li>Design review</li></ul><table><tr><th>This week</th><th>Week ending 16 Nov</th></tr></table>',
      ),
    ).toBe('Payments team: 8 active\n\n- “Release to QA”: 6 handoffs\n- Design review\n\nThis week  Week ending 16 Nov');
  });
});
