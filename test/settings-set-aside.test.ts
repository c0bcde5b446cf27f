/**
 * A wrong optional setting, set aside: Baton says so in one line when it is
 * built (at start), and in one more when the feature that needs it is first
 * used, never again; and the weekly summary, when one of its settings is
 * wrong, is off (its hourly run enqueues nothing, its queue's messages are
 * dropped) while everything else works.
 */
import { describe, expect, it } from 'vitest';
import { enqueueDueSummaries, sendSummary } from '../src/app/summary';
import { createBaton } from '../src/baton';
import { loadConfig } from '../src/config';
import { createLogger, formatRecord } from '../src/logger';
import { memoryStores } from './support/memory-stores';

function baton(env: Record<string, string>) {
  const logs: string[] = [];
  const queued: unknown[] = [];
  const built = createBaton(loadConfig(env), {
    stores: memoryStores(),
    log: createLogger({ sink: (r) => logs.push(formatRecord(r)) }),
    summaryQueue: { send: async (message) => void queued.push(message) },
  });
  return { ...built, logs, queued };
}

describe('a wrong optional setting', () => {
  it('is said once at start and once at its first use, with what Baton does without it', () => {
    const b = baton({ OUTLOOK_ORIGINATOR: 'pending', BATON_PUBLIC_HOSTNAME: 'https://baton.contoso.com/' });
    expect(b.logs).toEqual([
      '[warn] Setting set aside: OUTLOOK_ORIGINATOR must be the originator id (a GUID) from the Actionable Email Developer Dashboard, so the summary email goes without its actionable card (Outlook shows its HTML body) (setting=OUTLOOK_ORIGINATOR)',
      "[warn] Setting set aside: BATON_PUBLIC_HOSTNAME must be a host name such as baton.contoso.com (no scheme, no path), so Baton's links point at the local host (Go to the card and shared links do not open) (setting=BATON_PUBLIC_HOSTNAME)",
    ]);
    b.logs.length = 0;
    void b.app.settings.due;
    expect(b.logs).toEqual([]);
    expect(b.app.settings.summary.originator).toBeUndefined();
    void b.app.settings.summary;
    expect(b.logs).toEqual([
      '[warn] The summary email goes without its actionable card (Outlook shows its HTML body): OUTLOOK_ORIGINATOR must be the originator id (a GUID) from the Actionable Email Developer Dashboard (setting=OUTLOOK_ORIGINATOR)',
    ]);
    expect(b.app.settings.publicBaseUrl).toBe('http://localhost:7071');
    void b.app.settings.publicBaseUrl;
    expect(b.logs).toHaveLength(2);
    expect(b.logs[1]).toMatch(/^\[warn\] Baton's links point at the local host .*: BATON_PUBLIC_HOSTNAME must be a host name/);
  });

  it('of the weekly summary turns the summary off, and nothing else', async () => {
    const b = baton({ BATON_SUMMARY_DAY: 'Mon' });
    await b.app.stores.subscribers.subscribe(
      { tenantId: 't1', aadObjectId: '00000000-0000-0000-0000-0000000000a1', name: 'Ada Lovelace', timeZone: 'UTC' },
      { kind: 'background' },
    );
    expect(await enqueueDueSummaries(b.app)).toEqual({ zones: 0, zonesDue: 0, enqueued: 0 });
    expect(
      await sendSummary(b.app, {
        tenantId: 't1',
        aadObjectId: '00000000-0000-0000-0000-0000000000a1',
        name: 'Ada Lovelace',
        week: '2026-12-07',
        timeZone: 'UTC',
      }),
    ).toEqual({
      outcome: 'skipped',
      reason: 'the weekly summary is off: one of its settings is wrong',
    });
    expect(b.queued).toEqual([]);
    expect(b.logs.filter((l) => l.includes('setting=BATON_SUMMARY_DAY'))).toEqual([
      expect.stringMatching(/^\[warn\] Setting set aside: BATON_SUMMARY_DAY must be a weekday .*, so the weekly summary is off/),
      expect.stringMatching(/^\[warn\] The weekly summary is off: BATON_SUMMARY_DAY must be a weekday/),
    ]);
    // The same Baton with the setting right enqueues the zone's week.
    const right = baton({});
    await right.app.stores.subscribers.subscribe(
      { tenantId: 't1', aadObjectId: '00000000-0000-0000-0000-0000000000a1', name: 'Ada Lovelace', timeZone: 'UTC' },
      { kind: 'background' },
    );
    expect((await enqueueDueSummaries(right.app)).zones).toBe(1);
  });
});
