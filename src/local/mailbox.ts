/**
 * The local mailbox: mail written to files instead of sent, for development
 * without a tenant. Each message is `<timestamp>-<slug>.eml` (a MIME message
 * any mail client opens) and `<timestamp>-<slug>.html` (the HTML body, card
 * included), listed and shown at http://localhost:7071/dev/mailbox.
 */
import { plainText } from '../domain/text';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, realClock } from '../clock';
import type { Mailer, OutgoingMail, SendReceipt } from '../app/ports';
import { cardOf, checkMail, composeEmailHtml, OncePerKey } from '../graph/mail';

/** Only names LocalMailbox makes: they are safe to join to the folder. */
const MESSAGE_ID = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[a-z0-9-]+$/;

/** Subject words, for a file name a person can recognise. */
function slug(subject: string): string {
  const words = subject
    .normalize('NFKD')
    // Accents decompose into combining marks; dropping them keeps "résumé" one word.
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return words || 'message';
}

/** An RFC 2047 encoded word when the header is not plain ASCII. */
function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function decodeHeader(value: string): string {
  return value.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

/** Base64 in lines of 76 characters, as MIME requires. */
function base64Lines(text: string): string {
  return (
    Buffer.from(text, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
}

/** RFC 5322 date: "Tue, 24 Mar 2026 10:15:00 +0000". */
function mailDate(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/**
 * A MIME message: multipart/alternative with a text/plain and a text/html
 * part, both UTF-8 in base64 (so no line is too long and no byte is lost).
 */
export function mimeMessage(fields: {
  from: string;
  to: readonly string[];
  subject: string;
  date: number;
  messageId: string;
  key?: string;
  actor?: OutgoingMail['actor'];
  html: string;
}): string {
  const boundary = `baton-${fields.messageId.replace(/[^A-Za-z0-9]/g, '')}`;
  const headers = [
    `From: Baton <${fields.from}>`,
    `To: ${fields.to.join(', ')}`,
    `Subject: ${encodeHeader(fields.subject)}`,
    `Date: ${mailDate(fields.date)}`,
    `Message-ID: <${fields.messageId}@baton.local>`,
    ...(fields.key ? [`X-Baton-Message-Key: ${encodeHeader(fields.key.replace(/[\r\n]+/g, ' '))}`] : []),
    // Local only: who /dev/mailbox acts as when a button of the card is pressed.
    ...(fields.actor ? [`X-Baton-Dev-Actor: ${Buffer.from(JSON.stringify(fields.actor), 'utf8').toString('base64')}`] : []),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  const part = (type: string, text: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', base64Lines(text)].join('\r\n');
  return [...headers, '', part('text/plain', plainText(fields.html)), part('text/html', fields.html), `--${boundary}--`, ''].join('\r\n');
}

/** Writes each message to `dir` as .eml and .html instead of sending it. */
export class LocalMailbox implements Mailer {
  private readonly once = new OncePerKey();
  private readonly clock: Clock;
  private last = 0;

  constructor(
    readonly dir: string,
    readonly defaultSender = 'baton@contoso.example',
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? realClock;
  }

  async wasSent(key: string): Promise<boolean> {
    return listMailbox(this.dir).some((entry) => entry.key === key);
  }

  sendMail(mail: OutgoingMail): Promise<SendReceipt> {
    const message = checkMail(mail);
    return this.once.run(message.key, async () => {
      // Names sort by time; two messages in one millisecond still get two names.
      const at = Math.max(this.clock.now(), this.last + 1);
      this.last = at;
      const id = `${new Date(at).toISOString().replace(/[:.]/g, '-')}-${slug(message.subject)}`;
      const html = composeEmailHtml(message.html, message.card);
      mkdirSync(this.dir, { recursive: true });
      const eml = mimeMessage({
        from: message.from ?? this.defaultSender,
        to: message.to,
        subject: message.subject,
        date: at,
        messageId: id,
        key: message.key,
        actor: message.actor,
        html,
      });
      // "wx": never overwrite a message already in the mailbox.
      writeFileSync(join(this.dir, `${id}.eml`), eml, { flag: 'wx' });
      writeFileSync(join(this.dir, `${id}.html`), html, { flag: 'wx' });
      return { sent: true, key: message.key, id };
    });
  }
}

export interface MailboxEntry {
  id: string;
  subject: string;
  to: string[];
  /** When it was "sent", ISO 8601. */
  date: string;
  /** Its idempotency key, when it had one. */
  key: string | undefined;
  /** Who it was for, as Teams knows them (what /dev/mailbox acts as). */
  actor: OutgoingMail['actor'];
}

function actorOf(header: string | undefined): OutgoingMail['actor'] {
  if (!header) return undefined;
  try {
    const value = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as NonNullable<OutgoingMail['actor']>;
    return typeof value.tenantId === 'string' && typeof value.aadObjectId === 'string'
      ? { tenantId: value.tenantId, aadObjectId: value.aadObjectId, name: String(value.name ?? '') }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The headers of a message LocalMailbox wrote (unfolded, names in lower case). */
function headersOf(eml: string): Map<string, string> {
  const head = eml.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** The messages in a mailbox folder, newest first; an empty list when there is no folder yet. */
export function listMailbox(dir: string): MailboxEntry[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.eml') && MESSAGE_ID.test(f.slice(0, -4)))
    .map((file) => {
      const headers = headersOf(readFileSync(join(dir, file), 'utf8'));
      const date = Date.parse(headers.get('date') ?? '');
      return {
        id: file.slice(0, -4),
        subject: decodeHeader(headers.get('subject') ?? ''),
        to: (headers.get('to') ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
        date: Number.isFinite(date) ? new Date(date).toISOString() : '',
        key: headers.has('x-baton-message-key') ? decodeHeader(headers.get('x-baton-message-key')!) : undefined,
        actor: actorOf(headers.get('x-baton-dev-actor')),
      };
    })
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * One message's files. The id is checked against the names LocalMailbox
 * makes, so no id reaches outside the folder.
 * @returns undefined for an unknown or malformed id
 */
export function readMailboxMessage(
  dir: string,
  id: string,
): { html: string; eml: string; card: unknown; cardError: string | undefined } | undefined {
  if (!MESSAGE_ID.test(id)) return undefined;
  let html: string;
  let eml: string;
  try {
    html = readFileSync(join(dir, `${id}.html`), 'utf8');
    eml = readFileSync(join(dir, `${id}.eml`), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return { html, eml, card: cardOf(html), cardError: undefined };
  } catch (error) {
    return { html, eml, card: undefined, cardError: `The card in this message is not valid JSON: ${(error as Error).message}` };
  }
}
