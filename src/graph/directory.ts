/**
 * People: who someone is (Entra object id, name, mail) and when they work.
 *
 * The handoff form's people fields hold what Teams' people picker gives (an
 * Entra object id) or what someone typed (an email, a UPN or a display name).
 * `resolvePeople` turns each into one person, or a message for the field;
 * nothing is stored with a half-resolved person.
 */
import type { AutomaticReplies } from '../domain/away';
import { instantAt, toIanaTimeZone } from '../domain/time-zones';
import { normalizeWorkingHours, type WorkingHours } from '../domain/working-hours';
import { GraphError } from '../errors';
import { type Clock, realClock } from '../clock';
import { ExpiringCache } from '../lru';
import type { Directory, DirectoryPerson, Resolution } from '../app/ports';
import type { BatchAnswer, BatchStep, GraphApi } from './graph-client';

/** A directory entry as both directories see it: a person and whether their account is enabled. */
export interface Candidate extends DirectoryPerson {
  accountEnabled: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What kind of query a field holds: decides how it is looked up. A Teams
 * user id (29:..., as some clients' people pickers send) means nothing to
 * Graph; only a directory that knows Teams ids (the local one) resolves it.
 */
export function queryKind(query: string): 'id' | 'teamsId' | 'address' | 'name' {
  if (GUID.test(query)) return 'id';
  if (query.startsWith('29:')) return 'teamsId';
  if (/^[^\s@]+@[^\s@]+$/.test(query)) return 'address';
  return 'name';
}

const squash = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

const label = (c: DirectoryPerson) => (c.mail ? `${c.name} (${c.mail})` : c.name);

/**
 * Decides a query from the people that matched it. For display names an
 * exact match beats prefix matches, and disabled accounts step aside when
 * exactly one enabled person is left.
 */
export function decide(query: string, matches: readonly Candidate[]): Resolution {
  let pool = [...new Map(matches.map((c) => [c.aadObjectId, c])).values()];
  if (queryKind(query) === 'name') {
    const exact = pool.filter((c) => squash(c.name) === squash(query));
    if (exact.length > 0) pool = exact;
  }
  if (pool.length === 0) {
    return {
      ok: false,
      query,
      reason: 'unknown',
      message: `No one in the directory matches "${query}". Check the spelling, or use their email address.`,
    };
  }
  const enabled = pool.filter((c) => c.accountEnabled);
  if (enabled.length === 1) {
    const { accountEnabled: _enabled, ...person } = enabled[0]!;
    return { ok: true, query, person };
  }
  if (enabled.length === 0) {
    const who = pool.length === 1 ? label(pool[0]!) : `Everyone matching "${query}"`;
    return { ok: false, query, reason: 'disabled', message: `${who}: the account is disabled, so they cannot take part in a handoff.` };
  }
  const shown = enabled.slice(0, 5).map(label).join(', ');
  const more = enabled.length > 5 ? ` and ${enabled.length - 5} more` : '';
  return {
    ok: false,
    query,
    reason: 'ambiguous',
    message: `"${query}" matches ${enabled.length} people: ${shown}${more}. Use an email address to pick one.`,
  };
}

/** Entries expire after this long: one card render (and one form submit) never asks twice; a renamed person shows up within a minute. */
export const CACHE_TTL_MS = 60_000;

/** How many answers a directory keeps: every key comes from a request, so the cache must not grow with them. */
export const CACHE_CAPACITY = 5000;

/** The fields Baton reads of a Graph user. */
const USER_FIELDS = 'id,displayName,mail,userPrincipalName,accountEnabled';
/** Enough to say "ambiguous" and name a few; more candidates than this are not read. */
const MAX_NAME_MATCHES = 25;

interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  accountEnabled?: boolean | null;
}

function candidate(user: GraphUser): Candidate {
  const upn = user.userPrincipalName ?? '';
  return {
    aadObjectId: user.id,
    name: user.displayName ?? upn,
    mail: user.mail || upn,
    userPrincipalName: upn,
    // Graph leaves it out when not selected; treat only an explicit false as disabled.
    accountEnabled: user.accountEnabled !== false,
  };
}

/** OData string literal: single quotes doubled. */
const odataString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Graph's dateTimeTimeZone: a zone-less local time ("2026-12-11T06:30:00.0000000") and the zone it is in (Windows or IANA). */
interface DateTimeTimeZone {
  dateTime?: string | null;
  timeZone?: string | null;
}

interface MailboxSettings {
  automaticRepliesSetting?: {
    status?: string | null;
    scheduledStartDateTime?: DateTimeTimeZone | null;
    scheduledEndDateTime?: DateTimeTimeZone | null;
  } | null;
  timeZone?: string;
  workingHours?: {
    daysOfWeek?: string[];
    startTime?: string;
    endTime?: string;
    timeZone?: { name?: string };
  } | null;
}

/** What Graph's mailboxSettings say, as WorkingHours. Outlook's defaults fill gaps (Mon-Fri 08:00-17:00). */
export function workingHoursFromMailbox(settings: MailboxSettings): WorkingHours {
  const hours = settings.workingHours ?? {};
  const week = {
    days: hours.daysOfWeek?.length ? hours.daysOfWeek : ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
    start: hours.startTime ?? '08:00',
    end: hours.endTime ?? '17:00',
  };
  // workingHours.timeZone may be a custom zone that Intl cannot know; the mailbox's own zone is the next best, then UTC.
  const zones = [hours.timeZone?.name, settings.timeZone].filter((z): z is string => typeof z === 'string' && z.trim() !== '');
  const timeZone = zones.map(toIanaTimeZone).find((z) => z !== undefined) ?? 'Etc/UTC';
  return normalizeWorkingHours({ ...week, timeZone });
}

/** The instant a dateTimeTimeZone names (seconds kept, fractions dropped), or undefined when it is not one. */
export function instantOfDateTimeTimeZone(value: DateTimeTimeZone | null | undefined): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value?.dateTime?.trim() ?? '');
  const zone = toIanaTimeZone(value?.timeZone ?? 'UTC');
  if (!match || !zone) return undefined;
  const [, year, month, day, hour, minute, second = '0'] = match.map(Number) as number[];
  const ms = instantAt({ year: year!, month: month!, day: day!, minutes: hour! * 60 + minute! }, zone) + Number(second) * 1000;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * A mailbox's automatic replies, from its settings. The status is compared
 * without case (Graph's own samples say both "Scheduled" and "alwaysEnabled");
 * the schedule counts only when the status is `scheduled` (Graph keeps the
 * last dates when it is not); a schedule Baton cannot read, or that ends
 * before it starts, is read as off.
 */
export function automaticRepliesFromMailbox(settings: MailboxSettings): AutomaticReplies {
  const replies = settings.automaticRepliesSetting;
  const status = (replies?.status ?? '').trim().toLowerCase();
  if (status === 'alwaysenabled') return { status: 'alwaysEnabled' };
  if (status !== 'scheduled') return { status: 'disabled' };
  const start = instantOfDateTimeTimeZone(replies?.scheduledStartDateTime);
  const end = instantOfDateTimeTimeZone(replies?.scheduledEndDateTime);
  return start && end && end > start ? { status: 'scheduled', start, end } : { status: 'disabled' };
}

/**
 * People from Microsoft Graph: ids, emails and UPNs and display names looked
 * up together through $batch; working hours from mailboxSettings. Answers
 * are cached per instance for CACHE_TTL_MS.
 */
export class GraphDirectory implements Directory {
  private readonly resolutions: ExpiringCache<Resolution>;
  /** One mailboxSettings read gives both the working hours and the automatic replies. */
  private readonly hours: ExpiringCache<WorkingHours>;
  private readonly replies: ExpiringCache<AutomaticReplies>;

  constructor(
    private readonly graph: GraphApi,
    options: { clock?: Clock; ttlMs?: number } = {},
  ) {
    const clock = options.clock ?? realClock;
    this.resolutions = new ExpiringCache(options.ttlMs ?? CACHE_TTL_MS, clock, CACHE_CAPACITY);
    this.hours = new ExpiringCache(options.ttlMs ?? CACHE_TTL_MS, clock, CACHE_CAPACITY);
    this.replies = new ExpiringCache(options.ttlMs ?? CACHE_TTL_MS, clock, CACHE_CAPACITY);
  }

  async resolvePeople(queries: readonly string[]): Promise<Resolution[]> {
    const trimmed = queries.map((q) => q.trim());
    const answers = new Map<string, Promise<Resolution>>();
    const missing = new Map<string, string>();
    for (const query of trimmed) {
      const key = squash(query);
      if (key === '' || answers.has(key) || missing.has(key)) continue;
      const cached = this.resolutions.get(key);
      if (cached) answers.set(key, cached);
      else missing.set(key, query);
    }
    if (missing.size > 0) {
      const looked = this.lookUp([...missing.values()]);
      for (const [i, key] of [...missing.keys()].entries())
        answers.set(
          key,
          this.resolutions.set(
            key,
            looked.then((all) => all[i]!),
          ),
        );
      // Once known, a person is also cached under their other names (id, mail, UPN).
      looked.then(
        (all) => {
          for (const resolution of all) {
            if (!resolution.ok) continue;
            for (const alias of [resolution.person.aadObjectId, resolution.person.mail, resolution.person.userPrincipalName]) {
              const key = squash(alias);
              if (key && !this.resolutions.get(key)) void this.resolutions.set(key, Promise.resolve({ ...resolution, query: alias }));
            }
          }
        },
        () => undefined,
      );
    }
    return Promise.all(
      trimmed.map(async (query): Promise<Resolution> => {
        const answer = answers.get(squash(query));
        if (!answer) return { ok: false, query, reason: 'unknown', message: 'Enter a name or an email address.' };
        return { ...(await answer), query };
      }),
    );
  }

  getWorkingHours(aadObjectId: string): Promise<WorkingHours> {
    return this.mailbox(aadObjectId).hours;
  }

  getAutomaticReplies(aadObjectId: string): Promise<AutomaticReplies> {
    return this.mailbox(aadObjectId).replies;
  }

  /**
   * The person's working hours and automatic replies, read together from
   * their mailbox settings (MailboxSettings.Read, the permission working hours
   * already need) and cached as read, so a card action parses nothing again.
   * A failure is not cached: malformed hours are asked for again, the replies
   * read with them stay.
   */
  private mailbox(aadObjectId: string): { hours: Promise<WorkingHours>; replies: Promise<AutomaticReplies> } {
    const key = aadObjectId.toLowerCase();
    const hours = this.hours.get(key);
    const replies = this.replies.get(key);
    if (hours && replies) return { hours, replies };
    const settings = this.graph.get<MailboxSettings>(`/users/${encodeURIComponent(aadObjectId)}/mailboxSettings`);
    return {
      hours: hours ?? this.hours.set(key, settings.then(workingHoursFromMailbox)),
      replies: replies ?? this.replies.set(key, settings.then(automaticRepliesFromMailbox)),
    };
  }

  /**
   * A group chat's topic (GET /chats/{id}): what a weekly summary calls a chat
   * whose activities never named it. It needs Chat.ReadBasic.WhereInstalled
   * (or the chat's consent, ChatSettings.Read.Chat): a 403 says which. A chat
   * without a topic, or gone: undefined, and the summary names it by its people.
   */
  async chatTopic(chatId: string): Promise<string | undefined> {
    try {
      const chat = await this.graph.get<{ topic?: string | null }>(`/chats/${encodeURIComponent(chatId)}`);
      return typeof chat.topic === 'string' && chat.topic.trim() !== '' ? chat.topic.trim() : undefined;
    } catch (error) {
      if (error instanceof GraphError && error.status === 404) return undefined;
      if (error instanceof GraphError && error.status === 403)
        throw new GraphError(
          'Microsoft Graph denied reading a chat (403): grant the application permission Chat.ReadBasic.WhereInstalled, with admin consent, for the weekly summary to name group chats by their topic.',
          403,
          error.code,
          error.requestId,
        );
      throw error;
    }
  }

  /** One $batch round (or a few, 20 to a batch) for all queries, then any further pages of name searches. */
  private async lookUp(all: readonly string[]): Promise<Resolution[]> {
    const teamsIds = all.filter((q) => queryKind(q) === 'teamsId');
    const queries = all.filter((q) => queryKind(q) !== 'teamsId');
    const found = new Map(queries.length === 0 ? [] : (await this.lookUpInGraph(queries)).map((r) => [r.query, r]));
    return all.map((q) => (teamsIds.includes(q) ? decide(q, []) : found.get(q)!));
  }

  private async lookUpInGraph(queries: readonly string[]): Promise<Resolution[]> {
    const kinds = queries.map(queryKind);
    const steps: BatchStep[] = queries.map((query, i) => {
      const id = String(i + 1);
      switch (kinds[i]!) {
        case 'teamsId':
        case 'id':
          return { id, method: 'GET', url: `/users/${encodeURIComponent(query)}?$select=${USER_FIELDS}` };
        case 'address': {
          const value = odataString(query);
          const filter = encodeURIComponent(`mail eq ${value} or userPrincipalName eq ${value}`);
          return { id, method: 'GET', url: `/users?$filter=${filter}&$select=${USER_FIELDS}` };
        }
        case 'name': {
          // $search tokenizes displayName, so "Turing" finds "Alan Turing"; it needs ConsistencyLevel: eventual.
          const search = encodeURIComponent(`"displayName:${query.replace(/["\\]/g, '\\$&')}"`);
          return {
            id,
            method: 'GET',
            url: `/users?$search=${search}&$select=${USER_FIELDS}&$top=${MAX_NAME_MATCHES}`,
            headers: { ConsistencyLevel: 'eventual' },
          };
        }
      }
    });
    const answers = await this.graph.batch(steps);
    return Promise.all(
      steps.map(async (step, i) => {
        const query = queries[i]!;
        const answer = answers.get(step.id)!;
        // A missing user by id is an answer ("unknown"), not a failure.
        if (kinds[i] === 'id' && answer.status === 404) return decide(query, []);
        return decide(query, await this.candidates(step, answer));
      }),
    );
  }

  private async candidates(step: BatchStep, answer: BatchAnswer): Promise<Candidate[]> {
    if (answer.status < 200 || answer.status >= 300) throw this.graph.batchError(answer, `GET ${step.url}`);
    const body = answer.body as GraphUser & { value?: GraphUser[]; '@odata.nextLink'?: string };
    if (!Array.isArray(body.value)) return [candidate(body)];
    const users = [...body.value];
    const next = body['@odata.nextLink'];
    if (next && users.length < MAX_NAME_MATCHES) {
      users.push(...(await this.graph.getAll<GraphUser>(next, { headers: step.headers, maxItems: MAX_NAME_MATCHES - users.length })));
    }
    return users.map(candidate);
  }
}

/** The error a directory gives for a person it does not know (the shape Graph gives). */
export function unknownPersonError(aadObjectId: string): GraphError {
  return new GraphError(`No person with the object id ${aadObjectId} in the directory`, 404, 'Request_ResourceNotFound', undefined);
}
