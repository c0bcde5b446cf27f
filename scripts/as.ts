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
 *
 * And time away, in local mode (dev/away.json, the local people's automatic replies):
 *
 *   npm run as -- grace away 3d            her automatic replies on from now, back after 3 calendar days (2026-12-16: until that day;
 *                                          nothing: no return date); the away check runs at once
 *   npm run as -- grace away 3d alan       ... and Alan Turing is her successor (her `away` card's Save); --hand-over: hers at once
 *   npm run as -- grace back               her replies off (and the absence she told Baton over)
 */
import { loadConfig } from '../src/config';
import { awayText, localDay } from '../src/domain/away';
import { formatWhen } from '../src/domain/time-format';
import { instantAt } from '../src/domain/time-zones';
import { DEFAULT_AWAY_FILE, LocalDirectory, writeLocalAutomaticReplies } from '../src/local/directory';
import { cardActionFrom, playgroundConnectorUrl, playgroundPerson, readPlaygroundConfig } from '../src/host/playground';
import { BACKGROUND } from '../src/app/ports';
import { effectiveStatus } from '../src/bot/endpoint';
import { plainCardTimes } from '../src/cards/card-time';
import { type ActionType, check } from '../src/domain/process';
import { TableHandoffStore } from '../src/store/handoff-store';
import { TablePeopleIndex } from '../src/store/indexes';

/** What each action sends, given the handoff and the text typed after it; `type` is the rule `last` picks a handoff by. */
const ACTIONS: Record<
  string,
  { verb: string; type?: ActionType; data: (criteria: number, text: string) => Record<string, unknown>; needsText?: string }
> = {
  accept: {
    verb: 'handoff.accept',
    type: 'accept',
    data: (criteria, text) => ({
      comment: text,
      ...Object.fromEntries(Array.from({ length: criteria }, (_, i) => [`criterion${i}`, 'true'])),
    }),
  },
  ask: { verb: 'handoff.ask', type: 'ask', data: (_, text) => ({ comment: text }), needsText: 'the question' },
  changes: {
    verb: 'handoff.requestChanges',
    type: 'requestChanges',
    data: (_, text) => ({ comment: text }),
    needsText: 'what needs to change',
  },
  answer: { verb: 'handoff.answer', type: 'answer', data: (_, text) => ({ answer: text }), needsText: 'the answer' },
  nudge: { verb: 'handoff.nudge', type: 'nudge', data: () => ({}) },
  close: { verb: 'handoff.close', type: 'close', data: (_, text) => ({ comment: text }) },
  cancel: { verb: 'handoff.cancel', type: 'cancel', data: (_, text) => ({ reason: text }), needsText: 'why' },
  priority: {
    verb: 'handoff.flagPriority',
    type: 'flagPriority',
    data: (_, text) => ({ priority: 'urgent', priorityReason: text }),
    needsText: 'why it is urgent',
  },
  refresh: { verb: 'handoff.refresh', data: () => ({}) },
};

const USAGE = `Usage: npm run as -- <person> <action> [handoff id | last] [text]
       npm run as -- <person> away [3d | YYYY-MM-DD] [successor] [--hand-over]
       npm run as -- <person> back
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

/** Posts a card action as a Playground person to the running host; the answer's card. */
async function post(
  person: ReturnType<typeof playgroundPerson>,
  action: { verb: string; data: Record<string, unknown>; replyToId?: string },
): Promise<unknown> {
  const config = loadConfig();
  const playground = readPlaygroundConfig();
  const activity = cardActionFrom(playground, person, playgroundConnectorUrl(config.ports.playground), action);
  const response = await fetch(`http://localhost:${config.ports.host}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  const body = (await response.json().catch(() => undefined)) as { value?: unknown } | undefined;
  const status = effectiveStatus({ status: response.status, body });
  if (!body || status >= 400) throw new Error(`Baton answered ${status}: ${JSON.stringify(body?.value ?? body).slice(0, 300)}`);
  return body.value;
}

/** Runs the away check (and the other timers) now, through the local host's dev clock; its report. */
async function checkNow(): Promise<{ announced: number; handedOver: number; returned: number; sent: number; moved: number }> {
  const response = await fetch(`http://localhost:${loadConfig().ports.host}/dev/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ check: true }),
  });
  if (!response.ok) throw new Error(`The dev clock answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { away: { announced: number; handedOver: number; returned: number; sent: number; moved: number } })
    .away;
}

/** `away [3d | YYYY-MM-DD] [successor] [--hand-over]` and `back`: a local person's automatic replies, and their successor. */
async function timeAway(name: string, action: 'away' | 'back', args: string[]): Promise<void> {
  const config = loadConfig();
  if (!config.localMode)
    throw new Error('npm run as -- <person> away is for local mode: with BOT_ID set, people turn on their automatic replies in Outlook.');
  const playground = readPlaygroundConfig();
  const person = playgroundPerson(playground, name);
  const file = config.awayFile ?? DEFAULT_AWAY_FILE;
  const clock = (await (await fetch(`http://localhost:${config.ports.host}/dev/clock`)).json()) as { now: string };
  const now = new Date(clock.now);
  if (action === 'back') {
    writeLocalAutomaticReplies(file, person, undefined);
    await post(person, { verb: 'away.back', data: {} });
    const report = await checkNow();
    console.log(`${person.name} is back: automatic replies off in ${file}.${report.returned ? ' Baton saw the return.' : ''}`);
    return;
  }
  const handOver = args.includes('--hand-over');
  const [span, successorName] = args.filter((a) => a !== '--hand-over');
  const hours = await LocalDirectory.fromFiles({ awayFile: file }).getWorkingHours(person.aadObjectId);
  const { timeZone } = hours;
  // Back at midnight, her time, N calendar days after today (or on the date given): she is away from now until then.
  const days = /^(\d+)d$/.exec(span ?? '');
  let backDay: string | undefined;
  if (days) {
    const today = localDay(now, timeZone);
    const date = new Date(`${today}T12:00:00Z`);
    date.setUTCDate(date.getUTCDate() + Number(days[1]));
    backDay = date.toISOString().slice(0, 10);
  } else if (span && /^\d{4}-\d{2}-\d{2}$/.test(span)) backDay = span;
  else if (span && span !== '-')
    throw new Error(`"${span}" is not a time away: say 3d (days), a date such as 2026-12-16, or - for no return date.`);
  const end = backDay
    ? new Date(
        instantAt(
          { year: Number(backDay.slice(0, 4)), month: Number(backDay.slice(5, 7)), day: Number(backDay.slice(8, 10)), minutes: 0 },
          timeZone,
        ),
      )
    : undefined;
  writeLocalAutomaticReplies(
    file,
    person,
    end ? { status: 'scheduled', start: now.toISOString(), end: end.toISOString() } : { status: 'alwaysEnabled' },
  );
  if (successorName) {
    const successor = playgroundPerson(playground, successorName);
    await post(person, {
      verb: 'away.save',
      data: { awayFrom: '', awayUntil: '', successor: successor.aadObjectId, handOver: handOver ? 'true' : 'false' },
    });
  }
  const report = await checkNow();
  // The day she is back at work, as the card, the form and the owner's message say it (a weekend is not a return).
  const until = end
    ? awayText(hours, { start: now.toISOString(), end: end.toISOString() }, now).replace(/^away /, '')
    : 'with no return date';
  console.log(
    `${person.name}'s automatic replies are on from ${formatWhen(now, timeZone, now)} (${timeZone}) ${until}${successorName ? `; successor ${playgroundPerson(playground, successorName).name}${handOver ? ', reviews handed over at once' : ''}` : ''}.`,
  );
  console.log(
    `Baton's away check: ${report.moved} due time${report.moved === 1 ? '' : 's'} moved, ${report.announced ? 'the absence began' : 'no absence began'}, ${report.handedOver} handed over, ${report.sent} message${report.sent === 1 ? '' : 's'} sent (an owner outside their working hours is told when theirs begin).`,
  );
}

/** The person's newest handoff on which the action is allowed now (of their newest 50); else their newest. */
async function newestActionable(
  store: TableHandoffStore,
  people: TablePeopleIndex,
  tenantId: string,
  person: { aadObjectId: string },
  type: ActionType | undefined,
): Promise<string | undefined> {
  const listed = await people.handoffsOf(tenantId, person.aadObjectId, 50, BACKGROUND);
  if (type)
    for (const { handoffId } of listed) {
      const stored = await store.read(handoffId, BACKGROUND);
      if (stored && check(stored.handoff, person.aadObjectId, type).ok) return handoffId;
    }
  return listed[0]?.handoffId;
}

async function main(argv: string[]): Promise<void> {
  const [name, actionName, handoffArg = 'last', ...words] = argv;
  if (name && (actionName === 'away' || actionName === 'back')) return timeAway(name, actionName, argv.slice(2));
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
  const id = handoffArg === 'last' ? await newestActionable(store, people, playground.tenantId, person, action.type) : handoffArg;
  if (!id) throw new Error(`${person.name} takes part in no handoff yet: post one in the Playground first.`);
  const stored = await store.read(id, BACKGROUND);
  if (!stored) throw new Error(`No handoff ${id}.`);
  const answer = await post(person, {
    verb: action.verb,
    data: { handoffId: id, ...action.data(stored.handoff.acceptanceCriteria.length, text) },
    replyToId: stored.handoff.conversation.messageId,
  });
  const turn = texts(element(answer, 'turn'))
    .join('')
    .replace(/<\/?at>/g, '');
  // The due time, as a client would show it to someone in this terminal's zone, which it names.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const when = plainCardTimes(texts(element(answer, 'turnWhen')).join(''), zone);
  console.log(`${person.name}: ${actionName} on "${stored.handoff.summary}". Now: ${turn}${when ? ` ${when} (${zone}).` : ''}`);
  const notice = texts(element(answer, 'notice')).join(' ');
  if (notice) console.log(`Baton says: ${notice}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(/ECONNREFUSED|fetch failed/.test(message) ? 'Baton is not running here: start it with npm run dev first.' : message);
  process.exit(1);
});
