/**
 * Sending email: an HTML body, optionally with an Adaptive Card that Outlook
 * shows in place of the body (an actionable message).
 *
 * GraphMailer sends through /users/{sender}/sendMail; LocalMailbox
 * (src/local/mailbox.ts) writes files instead. Both send a keyed message once per
 * process, so a timer that fires twice does not mail twice.
 */
import type { Mailer, OutgoingMail, SendReceipt } from '../app/ports';
import { type Clock, realClock } from '../clock';
import type { GraphApi } from './graph-client';

/** Outlook looks for the card here, in the HTML head. */
export const CARD_SCRIPT_TYPE = 'application/adaptivecard+json';

const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;

/**
 * Checks a message and tidies what would break mail headers.
 * @throws RangeError naming the problem
 */
export function checkMail(mail: OutgoingMail): OutgoingMail {
  const to = mail.to.map((address) => address.trim()).filter(Boolean);
  if (to.length === 0) throw new RangeError('An email needs at least one recipient');
  const bad = to.filter((address) => !ADDRESS.test(address));
  if (bad.length > 0) throw new RangeError(`Not an email address: ${bad.join(', ')}`);
  // A line break in a subject would start a new mail header.
  const subject = mail.subject.replace(/\s+/g, ' ').trim();
  if (subject === '') throw new RangeError('An email needs a subject');
  return { ...mail, to, subject };
}

/**
 * The HTML to send: the body, with the card (if any) in
 * `<script type="application/adaptivecard+json">` in the head, where Outlook
 * reads it. `<` in the JSON is written \u003c, so no text in the card can
 * close the script element.
 */
export function composeEmailHtml(html: string, card?: object): string {
  const meta = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">';
  const script = card === undefined ? '' : `<script type="${CARD_SCRIPT_TYPE}">${JSON.stringify(card).replace(/</g, '\\u003c')}</script>`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return `${html.slice(0, head.index + head[0].length)}${script}${html.slice(head.index + head[0].length)}`;
  const root = /<html(\s[^>]*)?>/i.exec(html);
  if (root) return `${html.slice(0, root.index + root[0].length)}<head>${meta}${script}</head>${html.slice(root.index + root[0].length)}`;
  return `<html><head>${meta}${script}</head><body>${html}</body></html>`;
}

/** The card in an email's HTML, as composeEmailHtml put it there; undefined when there is none. */
export function cardOf(html: string): unknown {
  const match = new RegExp(`<script\\s+type="${CARD_SCRIPT_TYPE.replace(/[+]/g, '\\+')}"\\s*>([\\s\\S]*?)</script>`, 'i').exec(html);
  return match ? (JSON.parse(match[1]!) as unknown) : undefined;
}

/** Exchange Online accepts 30 messages a minute from one mailbox. */
export const MESSAGES_PER_MINUTE = 30;

/**
 * At most `limit` sends in any `windowMs`: a sliding window, served in
 * order. A send over the limit waits for the oldest one to leave the window;
 * nothing is dropped.
 */
export class SendWindow {
  private readonly recent: number[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock = realClock,
    private readonly limit = MESSAGES_PER_MINUTE,
    private readonly windowMs = 60_000,
  ) {}

  /** Resolves when one more message may go, and counts it as gone. */
  acquire(): Promise<void> {
    const turn = this.tail.then(async () => {
      for (;;) {
        const now = this.clock.now();
        while (this.recent.length > 0 && this.recent[0]! <= now - this.windowMs) this.recent.shift();
        if (this.recent.length < this.limit) {
          this.recent.push(now);
          return;
        }
        await this.clock.sleep(this.recent[0]! + this.windowMs - now);
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}

/** Keys remembered per process; older ones are forgotten first. A key is for retries within hours, not forever. */
const KEYS_KEPT = 10_000;

/**
 * Runs a send once per key: a second call with the same key gets the first
 * one's receipt (marked not sent), also while the first is still under way.
 * A failed send forgets its key, so it can be tried again.
 */
export class OncePerKey {
  private readonly sends = new Map<string, Promise<SendReceipt>>();

  async run(key: string | undefined, send: () => Promise<SendReceipt>): Promise<SendReceipt> {
    if (key === undefined) return send();
    const earlier = this.sends.get(key);
    if (earlier) return { ...(await earlier), sent: false };
    const sending = send();
    this.sends.set(key, sending);
    if (this.sends.size > KEYS_KEPT) this.sends.delete(this.sends.keys().next().value!);
    try {
      return await sending;
    } catch (error) {
      this.sends.delete(key);
      throw error;
    }
  }
}

/** sendMail may have delivered when the gateway timed out (504): retrying it could send twice. */
const SAFE_TO_RETRY: ReadonlySet<number> = new Set([429, 503]);

/**
 * A named MAPI property Baton sets on each keyed message, so the message can
 * be found in the sender's Sent Items by its key (Graph filters messages on
 * single-value extended properties).
 */
export const MESSAGE_KEY_PROPERTY = 'String {4b7e3e2a-6f5c-4d1e-9a8b-2c3d4e5f6a7b} Name BatonMessageKey';

/** Mail through Microsoft Graph (Mail.Send application permission), from one or several sending mailboxes. */
export class GraphMailer implements Mailer {
  private readonly windows = new Map<string, SendWindow>();
  private readonly once = new OncePerKey();
  private readonly clock: Clock;

  constructor(
    private readonly graph: GraphApi,
    /** UPN or object id of the default sending mailbox. */
    readonly defaultSender: string,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? realClock;
  }

  /** This process's own guard of a mailbox's 30 a minute (the summary's limit across instances is in Table Storage). */
  private windowOf(sender: string): SendWindow {
    let window = this.windows.get(sender);
    if (!window) this.windows.set(sender, (window = new SendWindow(this.clock)));
    return window;
  }

  async wasSent(key: string, from: string): Promise<boolean> {
    const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${MESSAGE_KEY_PROPERTY}' and ep/value eq '${key.replace(/'/g, "''")}')`;
    const found = await this.graph.get<{ value?: unknown[] }>(
      `/users/${encodeURIComponent(from)}/mailFolders/sentitems/messages?$filter=${encodeURIComponent(filter)}&$select=id&$top=1`,
    );
    return (found.value?.length ?? 0) > 0;
  }

  sendMail(mail: OutgoingMail): Promise<SendReceipt> {
    const message = checkMail(mail);
    const sender = message.from ?? this.defaultSender;
    return this.once.run(message.key, async () => {
      await this.windowOf(sender).acquire();
      const response = await this.graph.post(
        `/users/${encodeURIComponent(sender)}/sendMail`,
        {
          message: {
            subject: message.subject,
            body: { contentType: 'HTML', content: composeEmailHtml(message.html, message.card) },
            toRecipients: message.to.map((address) => ({ emailAddress: { address } })),
            // Lets a reader (and support) tie a message to the send that made it, and Baton find it in Sent Items.
            ...(message.key
              ? {
                  internetMessageHeaders: [{ name: 'X-Baton-Message-Key', value: message.key }],
                  singleValueExtendedProperties: [{ id: MESSAGE_KEY_PROPERTY, value: message.key }],
                }
              : {}),
          },
          saveToSentItems: true,
        },
        { retryOn: SAFE_TO_RETRY },
      );
      // sendMail answers 202 Accepted with no body; another 2xx would mean the API changed under us.
      if (response.status !== 202) throw new Error(`sendMail answered ${response.status}, not 202 Accepted`);
      return { sent: true, key: message.key, id: sender };
    });
  }
}
