/**
 * The bot's command menus in the manifest offer only what the bot answers:
 * the personal chat's adds `settings` and `away`, which are about the person
 * alone; every scope that lists `new` lists the team templates' commands too.
 */
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app/ports';
import { batonRouter } from '../../src/bot/bot';
import { commandWords } from '../../src/bot/router';
import { TEMPLATE_JSON } from './support';

const lists = TEMPLATE_JSON.bots[0]!.commandLists;
const titlesIn = (scope: string) => lists.filter((l) => l.scopes.includes(scope)).flatMap((l) => l.commands.map((c) => c.title));

describe('bot command menus', () => {
  it('the personal chat lists new, templates, template new, mine, summary, settings, away and help; group chats and teams the same without settings and away', () => {
    expect(titlesIn('personal')).toEqual(['new', 'templates', 'template new', 'mine', 'summary', 'settings', 'away', 'help']);
    expect(titlesIn('groupChat')).toEqual(['new', 'templates', 'template new', 'mine', 'summary', 'help']);
    expect(titlesIn('team')).toEqual(['new', 'templates', 'template new', 'mine', 'summary', 'help']);
    for (const list of lists) for (const command of list.commands) expect(command.description.length).toBeGreaterThan(10);
  });

  it('each scope where new is listed lists templates and template new', () => {
    const withNew = ['personal', 'groupChat', 'team'].filter((scope) => titlesIn(scope).includes('new'));
    expect(withNew).toEqual(['personal', 'groupChat', 'team']);
    for (const scope of withNew) expect(titlesIn(scope)).toEqual(expect.arrayContaining(['templates', 'template new']));
  });

  it('stays within what Teams shows: 10 commands a menu, a title of 32 characters and a description of 128', () => {
    // msteams-docs bots/how-to/create-a-bot-commands-menu.md: "Each menu supports up to 10 commands"; the manifest
    // reference (root.bots.commandLists.commands) caps the title at 32 and, in earlier versions, the description at 128.
    for (const list of lists) {
      expect(list.commands.length, list.scopes.join()).toBeLessThanOrEqual(10);
      for (const { title, description } of list.commands) {
        expect(title.length, title).toBeLessThanOrEqual(32);
        expect(description.length, title).toBeLessThanOrEqual(128);
      }
    }
  });

  it('every entry is a command the bot answers', () => {
    // The router dispatches on a message's first word ("template new" is the template command with "new").
    const answered = batonRouter({} as App).commandNames();
    for (const title of lists.flatMap((l) => l.commands.map((c) => c.title))) {
      const [first, ...rest] = commandWords(title);
      expect(answered, `the bot does not answer "${title}"`).toContain(first);
      if (rest.length > 0) expect(`${first} ${rest.join(' ')}`, 'a command with words after the first').toBe('template new');
    }
  });
});
