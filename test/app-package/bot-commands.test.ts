/**
 * The bot's command menu in the manifest offers only what the bot answers.
 */
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app/ports';
import { batonRouter } from '../../src/bot/bot';
import { TEMPLATE_JSON } from './support';

/**
 * Menu entries the product defines but the bot does not answer yet (PRODUCT.md
 * "Surfaces": new, mine, summary, help). Take a name out when its handler lands.
 */
const COMING_LATER = ['summary'];

const titles = TEMPLATE_JSON.bots[0]!.commandLists.flatMap((list) => list.commands.map((c) => c.title));

describe('bot command menu', () => {
  it('lists new, mine, summary and help, each with a description', () => {
    expect(titles).toEqual(['new', 'mine', 'summary', 'help']);
    for (const list of TEMPLATE_JSON.bots[0]!.commandLists)
      for (const command of list.commands) expect(command.description.length).toBeGreaterThan(10);
  });

  it('every entry not marked as coming later is a command the bot answers', () => {
    const answered = titles.filter((t) => !COMING_LATER.includes(t));
    expect(answered.length).toBeGreaterThan(0);
    for (const title of answered) expect(batonRouter({} as App).commandNames(), `the bot does not answer "${title}"`).toContain(title);
  });

  it('the coming-later list names only menu entries', () => {
    for (const name of COMING_LATER) expect(titles).toContain(name);
  });
});
