/**
 * The deliverer and its handoff's mark: a pending outbox row always has a
 * mark, which is how the sweep finds it (README, How it is built: Storage).
 */
import { describe, expect, it } from 'vitest';
import { BACKGROUND, type Effect } from '../../../src/app/ports';
import { posted } from '../../support/builders';
import { memoryApp } from '../../support/memory-app';

const AT = '2026-11-24T10:00:00.000Z';

/** A handoff, its mark, and the reminder a change of it holds for its reader's morning. */
async function commitWithHeldReminder(m: ReturnType<typeof memoryApp>, id = 'h1') {
  const { handoff, event } = posted({ id });
  const held: Effect = {
    kind: 'message',
    to: handoff.owner,
    headline: 'Grace Hopper has not answered yet.',
    quote: '',
    about: handoff.summary,
    notBefore: '2026-11-25T09:00:00.000Z',
    inHours: true,
  };
  const mark = await m.app.deliveries.mark(handoff.id, BACKGROUND);
  return { handoff, event, held, mark };
}

const marked = async (m: ReturnType<typeof memoryApp>, id: string) =>
  (await m.stores.marks.list(BACKGROUND)).filter((mark) => mark.handoffId === id).length;

describe("the deliverer and the handoff's mark", () => {
  it('marks the handoff again when its commit came near the end of the mark’s grace, after the sweep cleared it', async () => {
    const m = memoryApp({ at: AT });
    const { handoff, event, held, mark } = await commitWithHeldReminder(m);
    // 20 s later (10 s of the 30 s grace left) the commit lands; meanwhile the sweep found nothing behind the mark.
    m.at('2026-11-24T10:00:20.000Z');
    expect(await m.stores.marks.clear(handoff.id, mark.etag, BACKGROUND)).toBe(true);
    const rows = await m.stores.handoffs.commit(
      { handoff, etag: undefined, events: [event], markers: ['a1'], effects: [{ kind: 'card' }, held], leaseUntil: '' },
      BACKGROUND,
    );
    await m.app.deliveries.afterCommit(handoff.id, rows, mark, handoff);
    await m.app.deliveries.idle();
    // The reminder waits for the morning, and the sweep can find it.
    expect(await m.stores.outbox.rows(handoff.id, BACKGROUND)).toHaveLength(1);
    expect(await marked(m, handoff.id)).toBe(1);
  });

  it('clears a mark its change made once every row is sent, and keeps it while a row is held', async () => {
    const m = memoryApp({ at: AT });
    const sent = await commitWithHeldReminder(m);
    const rows = await m.stores.handoffs.commit(
      { handoff: sent.handoff, etag: undefined, events: [sent.event], markers: ['a1'], effects: [{ kind: 'card' }], leaseUntil: '' },
      BACKGROUND,
    );
    await m.app.deliveries.afterCommit(sent.handoff.id, rows, sent.mark, sent.handoff);
    await m.app.deliveries.idle();
    expect(await marked(m, sent.handoff.id)).toBe(0);

    const kept = await commitWithHeldReminder(m, 'h2');
    const heldRows = await m.stores.handoffs.commit(
      {
        handoff: kept.handoff,
        etag: undefined,
        events: [kept.event],
        markers: ['a2'],
        effects: [{ kind: 'card' }, kept.held],
        leaseUntil: '',
      },
      BACKGROUND,
    );
    await m.app.deliveries.afterCommit(kept.handoff.id, heldRows, kept.mark, kept.handoff);
    await m.app.deliveries.idle();
    expect(await marked(m, kept.handoff.id)).toBe(1);
  });

  it('marks the handoff again once dead rows are revived, after a sweep cleared the first mark meanwhile', async () => {
    const m = memoryApp({ at: AT });
    const { handoff, event, held, mark } = await commitWithHeldReminder(m);
    const [row] = await m.stores.handoffs.commit(
      { handoff, etag: undefined, events: [event], markers: ['a1'], effects: [held], leaseUntil: '' },
      BACKGROUND,
    );
    // The row died (eight failed tries); its mark went with the last sweep.
    await m.stores.outbox.update(row!, { state: 'dead' }, BACKGROUND);
    await m.stores.marks.clear(handoff.id, mark.etag, BACKGROUND);
    // A sweep reads the handoff just after the replay's first mark, before the row is pending: nothing behind it, so it clears it.
    const update = m.stores.outbox.update.bind(m.stores.outbox);
    m.stores.outbox.update = async (...args) => {
      const [first] = await m.stores.marks.list(BACKGROUND);
      if (first) await m.stores.marks.clear(first.handoffId, first.etag, BACKGROUND);
      m.stores.outbox.update = update;
      return update(...args);
    };
    expect(await m.app.deliveries.replayDead(handoff.id)).toHaveLength(1);
    expect(await m.stores.outbox.rows(handoff.id, BACKGROUND)).toHaveLength(1);
    expect(await marked(m, handoff.id)).toBe(1);
  });
});
