/**
 * `npm run as -- <person> <action> [handoff] [text]`: act as another of the
 * Agents Playground's people on a handoff, while `npm run dev` runs. The
 * Playground acts as one user (Ada); this posts the very card action the
 * other person's click would send, through the Playground's connector, so
 * the card in the Playground updates as it would in Teams.
 *
 *   npm run as -- grace accept             accept the newest handoff Grace is on, every criterion checked
 *   npm run as -- grace ask last "Which flag name?"
 *   npm run as -- grace changes last "Add the rollback steps."
 *   npm run as -- alan nudge 3f2a...       (a handoff id; "last" or nothing: the newest one)
 */
import { loadConfig } from '../src/config';
import { cardActionFrom, playgroundConnectorUrl, playgroundPerson, readPlaygroundConfig } from '../src/host/playground';
import { BACKGROUND } from '../src/app/ports';
import { plainCardTimes } from '../src/cards/card-time';
import { TableHandoffStore } from '../src/store/handoff-store';
import { TablePeopleIndex } from '../src/store/people-index';

/** What each action sends, given the handoff and the text typed after it. */
const ACTIONS: Record<string, { verb: string; data: (criteria: number, text: string) => Record<string, unknown>; needsText?: string }> = {
  accept: {
    verb: 'handoff.accept',
    data: (criteria, text) => ({
      comment: text,
      ...Object.fromEntries(Array.from({ length: criteria }, (_, i) => [`criterion${i}`, 'true'])),
    }),
  },
  ask: { verb: 'handoff.ask', data: (_, text) => ({ comment: text }), needsText: 'the question' },
  changes: { verb: 'handoff.requestChanges', data: (_, text) => ({ comment: text }), needsText: 'what needs to change' },
  answer: { verb: 'handoff.answer', data: (_, text) => ({ answer: text }), needsText: 'the answer' },
  nudge: { verb: 'handoff.nudge', data: () => ({}) },
  close: { verb: 'handoff.close', data: (_, text) => ({ comment: text }) },
  cancel: { verb: 'handoff.cancel', data: (_, text) => ({ reason: text }), needsText: 'why' },
  priority: {
    verb: 'handoff.flagPriority',
    data: (_, text) => ({ priority: 'urgent', priorityReason: text }),
    needsText: 'why it is urgent',
  },
  refresh: { verb: 'handoff.refresh', data: () => ({}) },
};

const USAGE = `Usage: npm run as -- <person> <action> [handoff id | last] [text]
  person: a Playground person's first or full name (grace, alan, katherine, ...)
  action: ${Object.keys(ACTIONS).join(', ')}`;

/** Every text of a card element, for the report. */
function texts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(texts);
  if (!node || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const own = typeof record.text === 'string' && (record.type === 'TextBlock' || record.type === 'TextRun') ? [record.text] : [];
  return [...own, ...Object.values(record).flatMap(texts)];
}

/** The card's element with this id (the template names its turn line and notice). */
function element(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((n) => element(n, id)).find((n) => n !== undefined);
  if (!node || typeof node !== 'object') return undefined;
  const record = node as Record<string, unknown>;
  return record.id === id
    ? record
    : Object.values(record)
        .map((n) => element(n, id))
        .find((n) => n !== undefined);
}

async function main(argv: string[]): Promise<void> {
  const [name, actionName, handoffArg = 'last', ...words] = argv;
  const action = actionName ? ACTIONS[actionName] : undefined;
  if (!name || !action) throw new Error(USAGE);
  const text = words.join(' ');
  if (action.needsText && text.trim() === '')
    throw new Error(`"${actionName}" needs ${action.needsText} after the handoff, e.g. npm run as -- ${name} ${actionName} last "..."`);
  const config = loadConfig();
  const playground = readPlaygroundConfig();
  const person = playgroundPerson(playground, name);
  const [store, people] = [
    TableHandoffStore.open(config.tables.account, config.tables.prefix),
    TablePeopleIndex.open(config.tables.account, config.tables.prefix),
  ];
  const id =
    handoffArg === 'last' ? (await people.handoffsOf(playground.tenantId, person.aadObjectId, 1, BACKGROUND))[0]?.handoffId : handoffArg;
  if (!id) throw new Error(`${person.name} takes part in no handoff yet: post one in the Playground first.`);
  const stored = await store.read(id, BACKGROUND);
  if (!stored) throw new Error(`No handoff ${id}.`);
  const activity = cardActionFrom(playground, person, playgroundConnectorUrl(config.ports.playground), {
    verb: action.verb,
    data: { handoffId: id, ...action.data(stored.handoff.acceptanceCriteria.length, text) },
    replyToId: stored.handoff.conversation.messageId,
  });
  const response = await fetch(`http://localhost:${config.ports.host}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  const body = (await response.json().catch(() => undefined)) as { statusCode?: number; value?: unknown } | undefined;
  if (!response.ok || !body || (body.statusCode ?? 200) >= 400)
    throw new Error(`Baton answered ${response.status}: ${JSON.stringify(body?.value ?? body).slice(0, 300)}`);
  const turn = texts(element(body.value, 'turn'))
    .join('')
    .replace(/<\/?at>/g, '');
  // The due time, as a client would show it to someone in this terminal's zone.
  const when = plainCardTimes(texts(element(body.value, 'turnWhen')).join(''), Intl.DateTimeFormat().resolvedOptions().timeZone);
  console.log(`${person.name}: ${actionName} on "${stored.handoff.summary}". Now: ${turn}${when ? ` ${when}.` : ''}`);
  const notice = texts(element(body.value, 'notice')).join(' ');
  if (notice) console.log(`Baton says: ${notice}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(/ECONNREFUSED|fetch failed/.test(message) ? 'Baton is not running here: start it with npm run dev first.' : message);
  process.exit(1);
});
