/**
 * Team templates through the real endpoint (issue 26): Teams activity JSON
 * posted to /api/messages on the local Functions host, replies captured at a
 * local connector, records read back from Azurite. `template new` and its
 * Save, `templates`, `new release` started from the template, a post with an
 * unticked checklist item refused with nothing stored, and a posted handoff
 * keeping its template's version after an edit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKGROUND } from '../../src/app/ports';
import { handoffIdForForm } from '../../src/app/handoffs';
import { cardAction, FIXTURE_DAY, message, people, TENANT } from '../support/activities';
import { findInputs, textsOf } from '../support/cards';
import { type Connector, startConnector } from '../support/connector';
import { startTestApp, type TestApp } from '../support/stack';

let app: TestApp;
let connector: Connector;
/** The fixtures' group chat: where the templates live. */
const CHAT = '19:baton-group@thread.v2';

beforeAll(async () => {
  connector = await startConnector([people.ada, people.grace, people.alan, { id: '28:baton-bot', name: 'Baton', aadObjectId: '' }]);
  app = await startTestApp({ at: FIXTURE_DAY });
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
});

type Node = Record<string, unknown>;
const executes = (card: unknown): Node[] => {
  const found: Node[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      if ((n as Node).type === 'Action.Execute') found.push(n as Node);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return found;
};

async function lastCard(text: string): Promise<unknown> {
  const before = connector.sent.length;
  expect((await app.post(message(connector.url, people.ada, text))).status).toBe(200);
  const sent = connector.sent.slice(before);
  expect(sent).toHaveLength(1);
  return sent[0]!.activity.attachments![0]!.content;
}

async function invoke(verb: string, data: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  const response = await app.post(cardAction(connector.url, people.ada, verb, data, overrides));
  expect(response.status).toBe(200);
  return response.body.value as unknown;
}

describe('team templates in a group chat', () => {
  it('are made with template new, listed by templates, and start a handoff with new <name>; the checklist is a hard rule', async () => {
    const form = await lastCard('<at>Baton</at> template new');
    const save = executes(form).find((a) => a.title === 'Save template')!;
    const saved = await invoke(save.verb as string, {
      ...(save.data as object),
      name: 'Release to QA',
      whatIsReady: 'The build is on staging.',
      acceptanceCriteria: 'All smoke tests pass on staging',
      receiver: people.grace.aadObjectId,
      checklist: 'Release notes written\nFeature flag off by default',
    });
    expect(textsOf(saved)).toContain('Saved: version 1.');
    const list = await lastCard('<at>Baton</at> templates');
    expect(textsOf(list)).toContain('Release to QA');

    const newForm = await lastCard('<at>Baton</at> new release');
    const inputs = Object.fromEntries(findInputs(newForm).map((i) => [i.id, i.value]));
    expect(inputs).toMatchObject({
      whatIsReady: 'The build is on staging.',
      receiver: people.grace.aadObjectId,
      check0: 'false',
      check1: 'false',
    });
    const post = executes(newForm).find((a) => a.title === 'Post handoff')!;
    const submit = (formId: string, ticks: Record<string, string>) =>
      invoke(
        post.verb as string,
        {
          ...inputs,
          ...(post.data as object),
          formId,
          summary: 'Build 42 is ready for QA',
          links: 'https://example.com/b/42',
          effort: '2h',
          ...ticks,
          confirmed: true,
        },
        { replyToId: `form-${formId}` },
      );

    const refusedId = crypto.randomUUID();
    const refused = await submit(refusedId, { check0: 'true', check1: 'false' });
    expect(textsOf(refused)).toContain('Nothing was posted: one checklist item is not ticked.');
    expect(textsOf(refused)).toContain('Tick this once it is done: this template asks for it before posting.');
    expect(await app.stores.handoffs.read(handoffIdForForm(TENANT, refusedId), BACKGROUND)).toBeUndefined();

    const formId = crypto.randomUUID();
    const card = await submit(formId, { check0: 'true', check1: 'true' });
    expect(textsOf(card)).toContain('You confirmed the checklist of the team template “Release to QA” (version 1).');
    expect(textsOf(card)).toContain('☑ Feature flag off by default');

    // The template changes; the handoff read back from Azurite keeps version 1.
    const { templates } = await app.stores.templates.shelf(TENANT, CHAT, BACKGROUND);
    const edit = await invoke('template.edit', { templateId: templates[0]!.id });
    const editSave = executes(edit).find((a) => a.title === 'Save template')!;
    const editValues = Object.fromEntries(findInputs(edit).map((i) => [i.id, i.value]));
    expect(
      textsOf(await invoke('template.save', { ...editValues, checklist: 'Release notes written', ...(editSave.data as object) })),
    ).toContain('Saved: version 2.');
    const stored = (await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND))!.handoff;
    expect(stored.template).toEqual({
      id: templates[0]!.id,
      name: 'Release to QA',
      version: 1,
      checklist: ['Release notes written', 'Feature flag off by default'],
    });
  });
});
