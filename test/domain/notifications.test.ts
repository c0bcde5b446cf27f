/**
 * Who a person's action tells, and what each reads: the people it concerns,
 * each once, never the actor, each with what they must do.
 */
import { describe, expect, it } from 'vitest';
import type { Handoff, Person } from '../../src/domain/handoff';
import { noticesFor } from '../../src/domain/notifications';
import { apply, type Command } from '../../src/domain/process';
import { ada, grace, posted } from '../support/builders';

function told(before: Handoff, command: Command, actor: Person) {
  const outcome = apply(before, command, actor, '2026-05-04T10:00:00.000Z');
  if (!outcome.ok) throw new Error(outcome.refusal.message);
  return noticesFor(outcome.handoff, outcome.event).map((n) => [n.to.name, n.headline, n.buttons]);
}

const accept: Command = { type: 'accept', checked: [true, true, true], note: '' };

describe('an Accept', () => {
  it('tells the sender, and the owner to close it, with Close', () => {
    expect(told(posted().handoff, accept, grace)).toEqual([
      ['Alan Turing', 'Grace Hopper accepted the handoff you own: close it once its work is done.', ['close']],
      ['Ada Lovelace', 'Grace Hopper accepted your handoff.', []],
    ]);
  });

  it("tells a sender who also owns it once, with the owner's job and its button", () => {
    expect(told(posted({ owner: ada }).handoff, accept, grace)).toEqual([
      ['Ada Lovelace', 'Grace Hopper accepted the handoff you own: close it once its work is done.', ['close']],
    ]);
  });
});
