/**
 * Baton's routes: every activity it answers, registered in one router
 * (src/bot/router.ts). Each handler turns the activity into a Caller (who
 * acts, where and in which time zone: callerOf, below), calls one use case
 * (src/app) and turns its answer into what Teams or Outlook expects.
 * Identity always comes from the activity the platform signed
 * (from.aadObjectId and the tenant), never from data inside a card.
 */
import {
  CardFactory,
  type InvokeResponse,
  type TurnContext,
  MessageFactory,
  type MessagingExtensionActionResponse,
  type MessagingExtensionResponse,
} from 'botbuilder';
import type { CardAction } from '../app/actions';
import { handoffActions } from '../app/handoffs';
import { awayActions, awayPrivately } from '../app/away';
import { settingsActions, settingsPrivately } from '../app/digest';
import { myHandoffsPrivately, privately } from '../app/my-work';
import type { Actor, Answer, App, Budget, Caller } from '../app/ports';
import { conversationRenamed, rememberConversationNames, summaryActions, summaryNow, summaryPreferenceLine } from '../app/summary';
import { listTemplates, newFormWithTemplates, newTemplateForm, templateActions } from '../app/templates';
import { errorText } from '../logger';
import { LruMap } from '../lru';
import { editPreview, openCreateDialog, searchHandoffs, sendPreview, submitCreateDialog, unfurlLink } from './messaging-extension';
import { cardError, Router, type Turn } from './router';
import { displayName } from '../domain/handoff';
import { canonicalTimeZone } from '../domain/time-zones';
import { conversationMembers, isTeamOwner } from './members';

export const HELP_TEXT = [
  '**Baton** hands work to someone without a meeting.',
  '',
  'In a group chat or channel, start with **@Baton**; in your personal chat with Baton, just type the word.',
  '',
  '- **new** (or **handoff**): fill a handoff form; the receiver is tagged when you post it. **new release** starts from the team template whose name is, starts with or contains "release".',
  "- **templates**: this conversation's team templates (Edit, Duplicate, Delete); **template new** makes one.",
  '- **mine**: your open handoffs, grouped by what waits on you (blocked, to review, to answer, to fix, to close).',
  '- **summary**: your week in handoffs (cycle time, first-pass acceptance, what needs attention); **summary stop** or **summary start** for the weekly one.',
  '- **settings**: how Baton reminds you of what waits on you: each reminder as it is due, or one daily digest.',
  '- **away**: your time away (from your automatic replies, or tell Baton) and who takes over your reviews meanwhile.',
  '- **help**: this list.',
  '',
  'On the card, the receiver accepts (checking off the criteria), asks a question or requests changes;',
  'the sender answers, edits and resubmits, updates the work state or cancels; the owner reassigns,',
  'nudges and closes; stakeholders flag priority changes. "Show history" lists every change.',
  "Under the message box, Baton's **Create handoff** starts one from any chat (or from a message's",
  '**...** menu, quoting it), and **Find handoffs** searches yours by summary or person.',
  'Install Baton in your personal chat to be told when a handoff needs you.',
].join('\n');

const SIGNED_IN = 'Baton needs a signed-in user of a Microsoft 365 organisation.';

/** What a person reads when a part Baton depends on fails before anything changed. */
export const UNAVAILABLE =
  'Baton could not complete this just now: its storage or directory did not answer. Nothing was changed; please try again in a minute.';

/** What an unknown word gets: one short line, not the whole help. */
const UNKNOWN = (word: string) =>
  `I don't know "${word}". Try **new** (a handoff form), **mine** (your open handoffs), **summary**, **settings**, **away** or **help**.`;

/** How many personal chats this process remembers having saved, so a chatty user costs one write. */
const SAVED_CHATS_KEPT = 10_000;

const sendCard = (turn: Turn, card: object) => turn.context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));

/** The answer of a card action: the card, or the Universal Actions error envelope. */
function cardAnswer(answer: Answer): InvokeResponse {
  if ('error' in answer) return cardError(answer.error.status, answer.error.code, answer.error.message);
  return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: answer.card } };
}

/** Baton's router over the app's use cases. */
export function batonRouter(app: App): Router {
  const savedChats = new LruMap<string, true>(SAVED_CHATS_KEPT);
  const caller = (turn: Turn) => callerOf(turn.context, app.clock.now(), turn.budget, () => app.settings.tenantId);

  /** Remembers where Baton can write to this person 1:1 (only personal chats qualify). */
  const savePersonalChat = async (turn: Turn, who: Caller, force = false) => {
    const { conversation, from, recipient, serviceUrl } = turn.context.activity;
    if (!who.conversation.personal) return;
    const { tenantId, person } = who.actor;
    const key = `${tenantId}/${person.aadObjectId}/${conversation.id}`;
    if (savedChats.has(key) && !force) return;
    await app.stores.chats.save(
      { tenantId, aadObjectId: person.aadObjectId, userId: from.id, conversationId: conversation.id, serviceUrl, botId: recipient.id },
      turn.budget,
    );
    savedChats.set(key, true);
  };

  /** A chat command: the caller's personal chat remembered first; no signed-in user, no command. */
  const command =
    (run: (turn: Turn, who: Caller, words: string[]) => Promise<unknown>) =>
    async (turn: Turn, words: string[]): Promise<void> => {
      const who = caller(turn);
      if (!who) {
        await turn.context.sendActivity(SIGNED_IN);
        return;
      }
      await savePersonalChat(turn, who);
      await rememberConversationNames(app, who, turn.budget);
      await run(turn, who, words);
    };

  /** A private answer (`mine`, `summary`): the card here in a personal chat, else one line here and the card 1:1. */
  const privateAnswer = async (turn: Turn, answer: { card: object } | { reply: string }) => {
    if ('card' in answer) await sendCard(turn, answer.card);
    else await turn.context.sendActivity(MessageFactory.text(answer.reply));
  };

  /**
   * A messaging-extension step; a missing user or a failure becomes a message
   * where the person is (the dialog, the results pane), not Teams' bare
   * "Unable to reach app".
   */
  const extension =
    <T>(say: (text: string) => T, run: (who: Caller, turn: Turn) => Promise<T>) =>
    async (turn: Turn) => {
      const who = caller(turn);
      if (!who) return { status: 200, body: say(SIGNED_IN) };
      try {
        return { status: 200, body: await run(who, turn) };
      } catch (error) {
        app.log.error('Messaging extension failed', {
          activityId: who.activityId,
          error: error instanceof Error ? (error.stack ?? error.message) : errorText(error),
        });
        return { status: 200, body: say(UNAVAILABLE) };
      }
    };
  const dialog = (run: (who: Caller, turn: Turn) => Promise<MessagingExtensionActionResponse>) =>
    extension((value): MessagingExtensionActionResponse => ({ task: { type: 'message', value } }), run);
  const results = (run: (who: Caller, turn: Turn) => Promise<MessagingExtensionResponse>) =>
    extension((text): MessagingExtensionResponse => ({ composeExtension: { type: 'message', text } }), run);

  /** A card action: its data parsed by the verb's own schema, then its use case; writes are transactional, so a failure changed nothing. */
  const verb = (name: string, action: CardAction) => async (turn: Turn, data: Record<string, unknown>) => {
    const who = caller(turn);
    if (!who) return cardError(403, 'Forbidden', SIGNED_IN);
    const parsed = action.data.safeParse(data);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return cardError(400, 'BadRequest', `The card sent data Baton cannot read (${first?.path.join('.') || 'data'}: ${first?.message}).`);
    }
    try {
      return cardAnswer(await action.run(app, who, parsed.data));
    } catch (error) {
      app.log.error(`${name} failed`, {
        verb: name,
        activityId: who.activityId,
        tenant: who.actor.tenantId,
        error: error instanceof Error ? (error.stack ?? error.message) : errorText(error),
      });
      return cardError(503, 'ServiceUnavailable', UNAVAILABLE);
    }
  };

  const router = new Router({
    // The word is echoed into a markdown message: keep letters, digits and hyphens, so it cannot become a link.
    command: command((turn, _who, words) =>
      turn.context.sendActivity(MessageFactory.text(UNKNOWN((words[0] ?? '').replace(/[^\p{L}\p{N}-]/gu, '').slice(0, 40)))),
    ),
    invoke: (name) => app.log.info('Invoke not implemented', { name: name.slice(0, 100) }),
  })
    .command(
      ['new', 'handoff'],
      // "new release": the form started from the team template named so (issue 26); the words keep their case for the message.
      command(async (turn, who, words) =>
        sendCard(turn, await newFormWithTemplates(app, who, crypto.randomUUID(), words.slice(1).join(' '))),
      ),
    )
    .command(
      ['templates'],
      command(async (turn, who) => sendCard(turn, await listTemplates(app, who))),
    )
    .command(
      ['template'],
      command(async (turn, who, words) =>
        sendCard(turn, words[1] === 'new' ? await newTemplateForm(app, who) : await listTemplates(app, who)),
      ),
    )
    .command(
      ['mine'],
      command(async (turn, who) => privateAnswer(turn, await myHandoffsPrivately(app, who))),
    )
    .command(
      ['summary'],
      command(async (turn, who, words) => {
        // "summary stop" and "summary start" change a setting: one line, not the whole card again.
        if (words[1] === 'stop' || words[1] === 'start')
          return turn.context.sendActivity(MessageFactory.text(await summaryPreferenceLine(app, who, words[1] === 'start')));
        return privateAnswer(turn, await privately(app, who, () => summaryNow(app, who), { label: 'your summary', command: 'summary' }));
      }),
    )
    .command(
      ['settings'],
      command(async (turn, who) => privateAnswer(turn, await settingsPrivately(app, who))),
    )
    .command(
      ['away'],
      command(async (turn, who) => privateAnswer(turn, await awayPrivately(app, who))),
    )
    .command(
      ['help', ''],
      command((turn) => turn.context.sendActivity(MessageFactory.text(HELP_TEXT))),
    )
    .on('install.add', async (turn) => {
      const who = caller(turn);
      if (who) await savePersonalChat(turn, who, true);
      await turn.context.sendActivity(MessageFactory.text(HELP_TEXT));
    })
    .on('conversation.renamed', async (turn) => {
      // The weekly summary names a team by what it is called now.
      const { activity } = turn.context;
      const tenantId = tenantOf(activity);
      const { team, channel } = conversationNames(activity);
      const renamed = (activity.channelData as { eventType?: string }).eventType === 'teamRenamed' ? team : channel;
      if (tenantId && renamed?.name) await conversationRenamed(app, tenantId, renamed.id, renamed.name, turn.budget);
    })
    .on('members.added', async (turn) => {
      const who = caller(turn);
      if (who) await savePersonalChat(turn, who, true);
    })
    .on(
      'message.ext.open',
      dialog((who, turn) => openCreateDialog(app, who, turn.context.activity.value)),
    )
    .on(
      'message.ext.submit',
      dialog((who, turn) => submitCreateDialog(app, who, turn.context.activity.value)),
    )
    .on(
      'message.ext.send',
      dialog((who, turn) => sendPreview(app, who, turn.context.activity.value)),
    )
    .on(
      'message.ext.edit',
      dialog((who, turn) => editPreview(app, who, turn.context.activity.value)),
    )
    .on(
      'message.ext.query',
      results((who, turn) => searchHandoffs(app, who, turn.context.activity.value)),
    )
    .on(
      'message.ext.query-link',
      results((who, turn) => unfurlLink(app, who, turn.context.activity.value)),
    );
  for (const [name, action] of Object.entries({
    ...handoffActions,
    ...summaryActions,
    ...settingsActions,
    ...awayActions,
    ...templateActions,
  }))
    router.verb(name, verb(name, action));
  return router;
}

// What a turn tells the use cases: who acts, where, and in which time zone.

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The acting person and tenant, or undefined when the activity lacks them.
 * Outlook's channel may leave the tenant out (OfficeDev/office-js#3478): a
 * deployment serves one tenant, so an Outlook action without one is taken as
 * that tenant's (docs/outlook-fields.md). Card data never names either.
 * @param deploymentTenant the tenant this deployment serves (its Graph directory's)
 */
export function actorOf(context: TurnContext, deploymentTenant?: () => string): Actor | undefined {
  const { from, channelId } = context.activity;
  const outlook = channelId === 'outlook';
  const tenantId = tenantOf(context.activity) || (outlook ? deploymentTenant?.() : undefined);
  // Outlook's channel may name the user by their Entra object id in from.id alone.
  const aadObjectId = from?.aadObjectId ?? (outlook && GUID.test(from?.id ?? '') ? from.id : undefined);
  if (!aadObjectId || !tenantId) return undefined;
  return { person: { aadObjectId, userId: from.id, name: displayName(from.name) }, tenantId };
}

/** The tenant an activity names (its conversation's, or channelData's), when it names one. */
export function tenantOf(activity: Pick<TurnContext['activity'], 'conversation' | 'channelData'>): string | undefined {
  return activity.conversation?.tenantId || (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id || undefined;
}

/** The viewer's IANA time zone, when the client said it (activity.localTimezone or its clientInfo entity) and Intl knows it. */
export function timeZoneOf(context: TurnContext): string | undefined {
  const { localTimezone, entities } = context.activity;
  const info = entities?.find((e) => e.type === 'clientInfo') as { timezone?: unknown } | undefined;
  return canonicalTimeZone(localTimezone) ?? canonicalTimeZone(info?.timezone);
}

/** The viewer's calendar date (YYYY-MM-DD): from the activity's local timestamp, else in their zone, else UTC. */
export function todayOf(context: TurnContext, now: number, timeZone: string | undefined): string {
  const local = context.activity.localTimestamp as unknown;
  // botbuilder types localTimestamp as Date but passes through the wire string ("2026-11-24T11:40:00.000-08:00").
  if (typeof local === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(local)) return local.slice(0, 10);
  // en-CA formats a date as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone ?? 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * The request as the use cases see it.
 * @returns undefined when the activity names no signed-in user of a tenant
 */
export function callerOf(context: TurnContext, now: number, budget: Budget, deploymentTenant?: () => string): Caller | undefined {
  const actor = actorOf(context, deploymentTenant);
  if (!actor) return undefined;
  const { activity } = context;
  let zone: { value: string | undefined } | undefined;
  let today: string | undefined;
  // Outlook has no conversation with members: an actionable email is between Baton and one person. Its activity
  // may name no conversation at all (the documented samples carry only `value`): it is then the person's own.
  const conversationType = activity.conversation?.conversationType;
  const hasMembers = activity.channelId === 'msteams' && conversationType !== 'personal';
  return {
    actor,
    activityId: activity.id ?? crypto.randomUUID(),
    channel: activity.channelId,
    conversation: {
      id: activity.conversation?.id ?? `${activity.channelId}:${actor.person.aadObjectId}`,
      serviceUrl: activity.serviceUrl,
      personal: conversationType === 'personal',
      ...conversationNames(activity),
    },
    // Team templates (issue 26): a team's owners may change any of its templates.
    teamOwner: () => (conversationType === 'channel' ? isTeamOwner(context) : Promise.resolve(false)),
    replyToId: activity.replyToId || undefined,
    budget,
    // Getters, read once: the first Intl time zone costs a cold start about 20 ms, and a `help` shows no time.
    get timeZone() {
      return (zone ??= { value: timeZoneOf(context) }).value;
    },
    get today() {
      return (today ??= todayOf(context, now, this.timeZone));
    },
    members: () => (hasMembers ? conversationMembers(context) : Promise.resolve(personalMembers(context, actor))),
  };
}

/** In a personal chat the members are the person and the bot. */
function personalMembers(context: TurnContext, actor: Actor) {
  return context.activity.channelId === 'msteams' && context.activity.conversation?.conversationType === 'personal' ? [actor.person] : [];
}

/** Names Baton keeps are cut here: a name is a label, never a message. */
const NAME_MAX = 128;
const named = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, NAME_MAX) : undefined);

/**
 * What kind of conversation an activity comes from, and its names when Teams
 * gave them: a channel's team and channel (channelData), a group chat's topic
 * (conversation.name). Teams leaves them out of most activities; a rename
 * event brings the new ones (src/bot/bot.ts).
 */
export function conversationNames(activity: TurnContext['activity']): Pick<Caller['conversation'], 'kind' | 'name' | 'team' | 'channel'> {
  const type = activity.conversation?.conversationType;
  const data = (activity.channelData ?? {}) as { team?: { id?: unknown; name?: unknown }; channel?: { id?: unknown; name?: unknown } };
  const kind = type === 'channel' ? 'channel' : type === 'groupChat' ? 'groupChat' : type === 'personal' ? 'personal' : undefined;
  const ref = (value: { id?: unknown; name?: unknown } | undefined) =>
    typeof value?.id === 'string' && value.id !== ''
      ? { id: value.id.slice(0, 256), ...(named(value.name) ? { name: named(value.name) } : {}) }
      : undefined;
  const team = ref(data.team);
  const channel = ref(data.channel);
  const name = named(activity.conversation?.name);
  return {
    ...(kind ? { kind } : {}),
    ...(name ? { name } : {}),
    ...(team ? { team } : {}),
    ...(channel ? { channel } : {}),
  };
}
