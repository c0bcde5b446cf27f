/**
 * The bot's command menus in the manifest offer only what the bot answers:
 * the personal chat's adds `settings` and `away`, which are about the person alone.
 */
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app/ports';
import { batonRouter } from '../../src/bot/bot';
import { TEMPLATE_JSON } from './support';

const lists = TEMPLATE_JSON.bots[0]!.commandLists;
const titlesIn = (scope: string) => lists.filter((l) => l.scopes.includes(scope)).flatMap((l) => l.commands.map((c) => c.title));

describe('bot command menus', () => {
  it('the personal chat lists new, mine, summary, settings, away and help; group chats and teams the same without settings and away', () => {
    expect(titlesIn('personal')).toEqual(['new', 'mine', 'summary', 'settings', 'away', 'help']);
    expect(titlesIn('groupChat')).toEqual(['new', 'mine', 'summary', 'help']);
    expect(titlesIn('team')).toEqual(['new', 'mine', 'summary', 'help']);
    for (const list of lists) for (const command of list.commands) expect(command.description.length).toBeGreaterThan(10);
  });

  it('every entry is a command the bot answers', () => {
    const answered = batonRouter({} as App).commandNames();
    for (const title of lists.flatMap((l) => l.commands.map((c) => c.title)))
      expect(answered, `the bot does not answer "${title}"`).toContain(title);
  });
});
