/**
 * The dev mailbox page at /dev/mailbox on the local host: what it serves and
 * refuses over HTTP, and, end to end in headless Chromium, that the
 * adaptivecards renderer draws each card with Outlook's host config.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { chromiumAvailable, chromiumExecutable } from '../support/chromium';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMailbox } from '../../src/local/mailbox';
import { MAILBOX_PATH, mailboxPage } from '../../src/local/mailbox-page';
import { type FunctionsHost, startFunctionsHost } from '../../src/host/functions-host';
import { ASSETS, PROJECT_ROOT } from '../../src/project';
import { fakeClock } from '../graph/stand-in';

const HOST_CONFIG = ASSETS.hostConfigs.outlookDesktop;

const summaryCard = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.4',
  originator: '00000000-0000-0000-0000-00000000b070',
  body: [
    { type: 'TextBlock', text: 'Three handoffs wait for your review', size: 'Large', weight: 'Bolder', wrap: true },
    { type: 'FactSet', facts: [{ title: 'Oldest', value: 'Payments retry (2 days)' }] },
  ],
  actions: [{ type: 'Action.Execute', title: 'Open my handoffs', verb: 'mine', data: {} }],
};

/** GET with a chosen Host header (fetch does not let a test set it). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
let host: FunctionsHost;
let ids: { withCard: string; plain: string; nasty: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-mailbox-page-'));
  const clock = fakeClock(Date.UTC(2026, 2, 23, 8, 0, 0));
  const mailbox = new LocalMailbox(dir, 'baton@contoso.example', { clock });
  const nasty = await mailbox.sendMail({
    to: ['ada@contoso.example'],
    subject: '<img src=x onerror=alert(1)> & "quoted"',
    html: '<p>x</p>',
  });
  clock.time += 3_600_000;
  const plain = await mailbox.sendMail({
    to: ['ada@contoso.example'],
    subject: 'Handoff accepted',
    html: '<p>Grace accepted <b>Payments retry</b>.</p>',
  });
  clock.time += 3_600_000;
  const withCard = await mailbox.sendMail({
    to: ['grace@contoso.example', 'alan@contoso.example'],
    subject: 'Your weekly handoff summary',
    html: '<html><head><title>Summary</title></head><body><h1>Weekly summary</h1><p>Three handoffs wait for you (HTML fallback).</p></body></html>',
    card: summaryCard,
  });
  ids = { withCard: withCard.id, plain: plain.id, nasty: nasty.id };
  host = await startFunctionsHost({
    registrations: [],
    port: 0,
    log: () => undefined,
    devRoutes: { [MAILBOX_PATH]: mailboxPage({ dir }) },
  });
});

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/dev/mailbox over HTTP', () => {
  it('serves the page with every message, escaped', async () => {
    const response = await fetch(`${host.url}${MAILBOX_PATH}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    // The card's actions go to this host's /api/messages, as Outlook's channel would send them; nowhere else.
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await response.text();
    // No message here says whom it is for, so the page acts as nobody (test/e2e/summary.e2e.test.ts acts as the recipient).
    expect(html).not.toContain('data-actor=');
    expect(html).toContain('<title>Baton mailbox (3)</title>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;');
    expect(html).not.toContain('<img src=x');
    // Newest first: the card message, then the plain one, then the oldest.
    const order = [ids.withCard, ids.plain, ids.nasty].map((id) => html.indexOf(`id="m-${id}"`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The card travels as JSON data, never as markup.
    expect(html).toContain(`<script type="application/json" id="card-${ids.withCard}">`);
    expect(html).toContain('<script src="/dev/mailbox/adaptivecards.min.js"></script>');
    // Outlook's host config, the repository's copy, goes to the renderer as it is.
    const hostConfig = /<script type="application\/json" id="host-config">(.*?)<\/script>/s.exec(html)?.[1];
    expect(JSON.parse(hostConfig ?? 'null')).toEqual(JSON.parse(readFileSync(HOST_CONFIG, 'utf8')));
  });

  it("says so when Outlook's host config is missing, and still renders", async () => {
    const other = await startFunctionsHost({
      registrations: [],
      port: 0,
      log: () => undefined,
      devRoutes: { [MAILBOX_PATH]: mailboxPage({ dir, hostConfigFile: join(dir, 'no-such-hostconfig.json') }) },
    });
    try {
      const html = await (await fetch(`${other.url}${MAILBOX_PATH}`)).text();
      expect(html).toContain(
        `Outlook&#39;s host config ${join(dir, 'no-such-hostconfig.json')} is missing: cards are rendered with the renderer&#39;s default host config`,
      );
      expect(html).not.toContain('id="host-config"');
      expect(html).toContain(`id="card-${ids.withCard}"`);
    } finally {
      await other.close();
    }
  });

  it('serves the renderer, the page script and each message file', async () => {
    const renderer = await fetch(`${host.url}${MAILBOX_PATH}/adaptivecards.min.js`);
    expect(renderer.status).toBe(200);
    expect(renderer.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await renderer.text()).toContain('AdaptiveCards');
    const eml = await fetch(`${host.url}${MAILBOX_PATH}/messages/${ids.withCard}.eml`);
    expect(eml.status).toBe(200);
    expect(eml.headers.get('content-type')).toBe('message/rfc822');
    expect(await eml.text()).toContain('Subject: Your weekly handoff summary');
    const body = await fetch(`${host.url}${MAILBOX_PATH}/messages/${ids.withCard}.html`);
    expect(body.headers.get('content-security-policy')).toBe('sandbox');
    expect(await body.text()).toContain('<script type="application/adaptivecard+json">');
  });

  it('refuses what it does not serve', async () => {
    expect((await fetch(`${host.url}${MAILBOX_PATH}/messages/..%2F..%2Fpackage.json.html`)).status).toBe(404);
    expect((await fetch(`${host.url}${MAILBOX_PATH}/messages/%E0%A4%A.html`)).status).toBe(400);
    expect((await fetch(`${host.url}${MAILBOX_PATH}/nothing`)).status).toBe(404);
    expect((await fetch(`${host.url}${MAILBOX_PATH}`, { method: 'POST' })).status).toBe(405);
    // Other paths still reach the Functions routes (none here).
    expect((await fetch(`${host.url}/dev/mailboxes`)).status).toBe(404);
  });

  it('answers only requests addressed to localhost', async () => {
    const url = `http://127.0.0.1:${host.port}${MAILBOX_PATH}`;
    expect((await getWithHost(url, `localhost:${host.port}`)).status).toBe(200);
    expect((await getWithHost(url, `127.0.0.1:${host.port}`)).status).toBe(200);
    expect(await getWithHost(url, 'attacker.example')).toEqual({ status: 403, body: 'The dev mailbox answers on localhost only.' });
  });
});

describe.runIf(chromiumAvailable('the mailbox page check'))('/dev/mailbox in headless Chromium', () => {
  it('renders the card with the adaptivecards renderer and the HTML body beside it', { timeout: 60_000 }, async () => {
    const profile = mkdtempSync(join(tmpdir(), 'baton-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumExecutable(),
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      // Nothing leaves this machine.
      await context.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => route.abort());
      const page = context.pages()[0] ?? (await context.newPage());
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      await page.goto(`${host.url}${MAILBOX_PATH}`);

      const cardHost = page.locator(`[data-card="card-${ids.withCard}"]`);
      await cardHost.and(page.locator('[data-rendered="true"]')).waitFor();
      const rendered = cardHost.locator('.ac-adaptiveCard');
      await expect(rendered.count()).resolves.toBe(1);
      expect(await rendered.getByText('Three handoffs wait for your review').isVisible()).toBe(true);
      expect(await rendered.getByText('Payments retry (2 days)').isVisible()).toBe(true);
      // Outlook's host config puts its font on the card.
      expect(await rendered.evaluate((el) => getComputedStyle(el).fontFamily)).toContain('Segoe UI');

      await rendered.getByRole('button', { name: 'Open my handoffs' }).click();
      await page.getByText('In Outlook this action (verb "mine") goes to Baton\'s bot').waitFor();

      // The HTML body, in its sandboxed frame.
      const frame = page.frameLocator(`#m-${ids.withCard} iframe`);
      await frame.getByText('Three handoffs wait for you (HTML fallback).').waitFor();
      // The message without a card says so.
      await page.locator(`#m-${ids.plain}`).getByText('No card: Outlook shows the HTML body.').waitFor();
      // The list is newest first.
      expect(await page.locator('nav li a').allTextContents()).toEqual([
        'Your weekly handoff summary',
        'Handoff accepted',
        '<img src=x onerror=alert(1)> & "quoted"',
      ]);
      expect(problems).toEqual([]);

      const shots = join(PROJECT_ROOT, 'test-results', 'mailbox');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'mailbox.png'), fullPage: true });
      expect(existsSync(join(shots, 'mailbox.png'))).toBe(true);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
