/**
 * http://localhost:7071/dev/mailbox: the local mailbox as a page, for
 * development only (the local host mounts it; Azure never sees it).
 *
 * Each message shows as Outlook would show it: the card, rendered in the
 * browser by the `adaptivecards` renderer with Outlook desktop's host config
 * (cards/hostconfig/outlook-desktop.json), and the HTML body that mail
 * clients without actionable messages show instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isLoopback } from '../config';
import { ASSETS, PROJECT_ROOT } from '../project';
import { listMailbox, type MailboxEntry, readMailboxMessage } from './mailbox';

export const MAILBOX_PATH = '/dev/mailbox';

export interface MailboxPageOptions {
  /** The folder LocalMailbox writes to. */
  dir: string;
  /** Outlook desktop's host config; the repository's copy, cards/hostconfig/outlook-desktop.json, by default. */
  hostConfigFile?: string;
  /** The renderer's browser bundle; node_modules/adaptivecards/dist/adaptivecards.min.js by default. */
  adaptiveCardsScript?: string;
}

/** Escapes text for HTML content and for attribute values in double or single quotes. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON for a `<script type="application/json">` block: no "</script>" can appear in it. */
function jsonInScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The page's own CSP: scripts from this host only (the renderer and
 * mailbox.js), requests to this host only (the card's actions go to
 * /api/messages, as Outlook's channel would send them), images from anywhere
 * an email may use.
 */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; base-uri 'none'; form-action 'none'";

/**
 * Runs in the browser: renders each card with the adaptivecards renderer and
 * acts as Outlook does with it. The card's `refresh` runs when the message is
 * shown, and each Action.Execute posts the `adaptiveCard/action` invoke to
 * Baton's /api/messages as the bot's Outlook channel would (channel
 * `outlook`, the recipient as the actor); the card the bot answers replaces
 * the one shown. Plain ES5-era JS, no build step.
 */
const CLIENT_SCRIPT = `(function () {
  'use strict';
  var configElement = document.getElementById('host-config');
  var hostConfig = null;
  if (window.AdaptiveCards && configElement) hostConfig = new AdaptiveCards.HostConfig(JSON.parse(configElement.textContent));
  var hosts = document.querySelectorAll('[data-card]');
  for (var i = 0; i < hosts.length; i++) start(hosts[i]);

  function start(host) {
    var json = JSON.parse(document.getElementById(host.getAttribute('data-card')).textContent);
    render(host, json);
    var actor = actorOf(host);
    // Outlook always honours refresh: the card shows the state of now, not of when it was sent.
    if (actor && json.refresh && json.refresh.action && json.refresh.action.verb) {
      invoke(host, actor, json.refresh.action.verb, json.refresh.action.data || {}, 'automatic');
    }
  }

  function actorOf(host) {
    var value = host.getAttribute('data-actor');
    return value ? JSON.parse(value) : null;
  }

  function note(host, text) {
    host.parentNode.querySelector('.action-note').textContent = text;
  }

  function invoke(host, actor, verb, data, trigger) {
    var id = 'outlook-' + Date.now() + '-' + Math.random().toString(16).slice(2);
    var activity = {
      type: 'invoke', name: 'adaptiveCard/action', id: id, channelId: 'outlook',
      serviceUrl: location.origin + '/dev/outlook/',
      timestamp: new Date().toISOString(),
      from: { id: actor.aadObjectId, aadObjectId: actor.aadObjectId, name: actor.name },
      recipient: { id: 'baton', name: 'Baton' },
      conversation: { id: 'outlook-' + actor.aadObjectId, tenantId: actor.tenantId },
      channelData: { tenant: { id: actor.tenantId } },
      value: { action: { type: 'Action.Execute', verb: verb, data: data }, trigger: trigger }
    };
    host.setAttribute('data-busy', 'true');
    return fetch('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer && answer.statusCode === 200 && answer.type === 'application/vnd.microsoft.card.adaptive') {
          render(host, answer.value);
          if (trigger === 'manual') note(host, 'Baton answered "' + verb + '"; its card replaced this one, as in Outlook.');
        } else {
          note(host, 'Baton refused "' + verb + '": ' + (answer && answer.value && answer.value.message ? answer.value.message : JSON.stringify(answer)));
        }
      })
      .catch(function (error) { note(host, 'Could not reach Baton: ' + error.message); })
      .then(function () { host.setAttribute('data-busy', 'false'); });
  }

  function render(host, json) {
    if (!window.AdaptiveCards) {
      host.textContent = 'The adaptivecards renderer did not load, so the card cannot be shown.';
      host.setAttribute('data-rendered', 'error');
      return;
    }
    try {
      var card = new AdaptiveCards.AdaptiveCard();
      if (hostConfig) card.hostConfig = hostConfig;
      card.onExecuteAction = function (action) {
        var actor = actorOf(host);
        if (action.verb !== undefined && actor) {
          invoke(host, actor, action.verb, action.data || {}, 'manual');
          return;
        }
        if (action.url) { window.open(action.url, '_blank', 'noopener'); return; }
        var what = action.verb ? 'verb "' + action.verb + '"' : action.getJsonTypeName();
        note(host, 'In Outlook this action (' + what + ') goes to Baton\\'s bot; this message does not say whom it is for, so the dev mailbox cannot send it.');
      };
      var context = new AdaptiveCards.SerializationContext();
      card.parse(json, context);
      var problems = [];
      for (var e = 0; e < context.eventCount; e++) problems.push(context.getEventAt(e).message);
      var element = card.render();
      if (!element) throw new Error('the renderer returned nothing');
      host.textContent = '';
      host.appendChild(element);
      if (problems.length) {
        var list = document.createElement('ul');
        list.className = 'warnings';
        problems.forEach(function (p) { var li = document.createElement('li'); li.textContent = p; list.appendChild(li); });
        host.appendChild(list);
      }
      host.setAttribute('data-rendered', 'true');
    } catch (error) {
      host.textContent = 'The card could not be rendered: ' + (error && error.message ? error.message : String(error));
      host.setAttribute('data-rendered', 'error');
    }
  }
})();
`;

const STYLE = `
  body { font-family: 'Segoe UI', system-ui, sans-serif; margin: 0; background: #f3f2f1; color: #201f1e; }
  header, main { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
  h1 { margin: 8px 0; font-size: 24px; }
  .note { background: #fff4ce; border-left: 4px solid #c19c00; padding: 8px 12px; }
  nav ol { padding-left: 20px; }
  .message { background: #fff; border-radius: 4px; box-shadow: 0 1px 3px rgba(0,0,0,.15); margin: 16px 0; padding: 16px 20px; }
  .message h2 { margin: 0 0 4px; font-size: 18px; }
  .meta { color: #605e5c; margin: 0 0 12px; }
  .views { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
  .views h3 { font-size: 13px; text-transform: uppercase; color: #605e5c; margin: 0 0 8px; }
  .card-host { border: 1px solid #edebe9; }
  .warnings { color: #a4262c; font-size: 13px; }
  .action-note { color: #605e5c; font-size: 13px; min-height: 1em; }
  iframe { width: 100%; height: 80vh; border: 1px solid #edebe9; background: #fff; }
`;

function when(iso: string): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : 'unknown time';
}

function messageSection(dir: string, entry: MailboxEntry): string {
  const message = readMailboxMessage(dir, entry.id);
  const id = escapeHtml(entry.id);
  const link = (ext: string) => `${MAILBOX_PATH}/messages/${encodeURIComponent(entry.id)}.${ext}`;
  let card: string;
  if (!message) card = '<p class="note">The message files could not be read.</p>';
  else if (message.cardError) card = `<p class="note">${escapeHtml(message.cardError)}</p>`;
  else if (message.card === undefined) card = '<p>No card: Outlook shows the HTML body.</p>';
  else {
    card =
      `<div class="card-host" data-card="card-${id}"${entry.actor ? ` data-actor="${escapeHtml(JSON.stringify(entry.actor))}"` : ''}></div><p class="action-note"></p>` +
      `<script type="application/json" id="card-${id}">${jsonInScript(message.card)}</script>`;
  }
  // sandbox="" runs no script and gives the body no access to this page.
  const body = message
    ? `<iframe sandbox="" title="HTML body of ${escapeHtml(entry.subject)}" srcdoc="${escapeHtml(message.html)}"></iframe>`
    : '';
  return `<article class="message" id="m-${id}">
  <h2>${escapeHtml(entry.subject)}</h2>
  <p class="meta">To ${escapeHtml(entry.to.join(', '))} · <time datetime="${escapeHtml(entry.date)}">${escapeHtml(when(entry.date))}</time> · <a href="${escapeHtml(link('html'))}">HTML</a> · <a href="${escapeHtml(link('eml'))}">.eml</a></p>
  <div class="views">
    <section class="card-view"><h3>Card, as Outlook shows it</h3>${card}</section>
    <section class="body-view"><h3>${
      (message?.card as { hideOriginalBody?: unknown } | undefined)?.hideOriginalBody === true
        ? 'HTML body (Outlook hides it under the card; replies, forwards and mail apps without cards show it)'
        : 'HTML body (where cards are not shown)'
    }</h3>${body}</section>
  </div>
</article>`;
}

/** The whole page: the list, newest first, then each message. */
export function renderMailboxPage(options: {
  dir: string;
  hostConfig: unknown;
  hostConfigNote: string | undefined;
  rendererNote: string | undefined;
}): string {
  const entries = listMailbox(options.dir);
  const notes = [options.hostConfigNote, options.rendererNote].filter((n): n is string => n !== undefined);
  const list = entries.length
    ? `<nav><ol>${entries.map((e) => `<li><a href="#m-${escapeHtml(e.id)}">${escapeHtml(e.subject)}</a> to ${escapeHtml(e.to.join(', '))}, ${escapeHtml(when(e.date))}</li>`).join('')}</ol></nav>`
    : '<p id="empty">No mail yet. Baton writes here what it would send while Microsoft Graph is not configured.</p>';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Baton mailbox (${entries.length})</title><style>${STYLE}</style></head>
<body>
<header>
  <h1>Local mailbox</h1>
  <p>Mail Baton would have sent, newest first, from <code>${escapeHtml(options.dir)}</code>. Cards are rendered by the adaptivecards renderer with Outlook desktop's host config.</p>
  ${notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n  ')}
  ${list}
</header>
<main>
${entries.map((e) => messageSection(options.dir, e)).join('\n')}
</main>
${options.hostConfig === undefined ? '' : `<script type="application/json" id="host-config">${jsonInScript(options.hostConfig)}</script>`}
<script src="${MAILBOX_PATH}/adaptivecards.min.js"></script>
<script src="${MAILBOX_PATH}/mailbox.js"></script>
</body>
</html>`;
}

/**
 * The request handler for everything under /dev/mailbox. It answers only
 * requests addressed to a loopback name, so a web page elsewhere cannot read
 * the mailbox through DNS rebinding.
 */
export function mailboxPage(options: MailboxPageOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const hostConfigFile = options.hostConfigFile ?? ASSETS.hostConfigs.outlookDesktop;
  const scriptFile = options.adaptiveCardsScript ?? join(PROJECT_ROOT, 'node_modules', 'adaptivecards', 'dist', 'adaptivecards.min.js');

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const reply = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!isLoopback(hostname)) return reply(403, 'text/plain; charset=utf-8', 'The dev mailbox answers on localhost only.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain; charset=utf-8', 'GET only.', { allow: 'GET, HEAD' });
    const rest = url.pathname.slice(MAILBOX_PATH.length);

    if (rest === '' || rest === '/') {
      // Read on every request, so a fixed host config shows without a restart.
      let hostConfig: unknown;
      let hostConfigNote: string | undefined;
      try {
        hostConfig = JSON.parse(readFileSync(hostConfigFile, 'utf8'));
      } catch (error) {
        const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `could not be read (${(error as Error).message})`;
        hostConfigNote = `Outlook's host config ${hostConfigFile} ${why}: cards are rendered with the renderer's default host config, so they may not look as they do in Outlook.`;
      }
      const rendererNote = existsSync(scriptFile)
        ? undefined
        : `The adaptivecards renderer (${scriptFile}) is missing: run npm install. Cards cannot be shown until then.`;
      return reply(200, 'text/html; charset=utf-8', renderMailboxPage({ dir: options.dir, hostConfig, hostConfigNote, rendererNote }), {
        'content-security-policy': PAGE_CSP,
      });
    }
    if (rest === '/adaptivecards.min.js') {
      try {
        return reply(200, 'text/javascript; charset=utf-8', readFileSync(scriptFile));
      } catch {
        return reply(404, 'text/plain; charset=utf-8', 'The adaptivecards renderer is not installed (npm install).');
      }
    }
    if (rest === '/mailbox.js') return reply(200, 'text/javascript; charset=utf-8', CLIENT_SCRIPT);
    const file = /^\/messages\/([^/]+)\.(html|eml)$/.exec(rest);
    if (file) {
      let id: string;
      try {
        id = decodeURIComponent(file[1]!);
      } catch {
        return reply(400, 'text/plain; charset=utf-8', 'Malformed message id.');
      }
      const message = readMailboxMessage(options.dir, id);
      if (!message) return reply(404, 'text/plain; charset=utf-8', 'No such message in the mailbox.');
      // The body is shown as the mail client would: no script, no access to this origin.
      if (file[2] === 'html') return reply(200, 'text/html; charset=utf-8', message.html, { 'content-security-policy': 'sandbox' });
      return reply(200, 'message/rfc822', message.eml, { 'content-disposition': `attachment; filename="${id}.eml"` });
    }
    return reply(404, 'text/plain; charset=utf-8', 'Not found.');
  };
}
