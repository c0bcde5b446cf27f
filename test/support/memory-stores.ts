/**
 * In-memory twins of Baton's stores (src/app/ports.ts), for the use cases'
 * unit tests: the same keys, order and ETag rules as the Table stores, held
 * to the same contract (test/store/contract.test.ts runs one suite against
 * both). Values go in and come out as copies, as a table's would.
 */
import type {
  AwayRecord,
  AwayRecords,
  Budget,
  DeliveryMark,
  DeliveryMarks,
  DueEntry,
  DueIndex,
  HandoffStore,
  HandoffWrite,
  IndexRow,
  MarkWritten,
  OutboxRow,
  OutboxStore,
  PeopleIndex,
  PersonalChat,
  PersonalChats,
  ConversationNames,
  PreviewDraft,
  PreviewDrafts,
  DigestReader,
  Digests,
  Preference,
  RowUpdate,
  SendRecord,
  StoredHandoff,
  Stores,
  Subscriber,
  Zone,
} from '../../src/app/ports';
import { type Handoff, type HandoffEvent, listingOf, participants } from '../../src/domain/handoff';
import { ConflictError, NotFoundError } from '../../src/errors';
import { MemoryTemplates } from './memory-templates';
import { conversationPartition, dueRowKey, hourPartition, indexRowKey, outboxRowKey, personPartition } from '../../src/store/keys';

const copy = <T>(value: T): T => structuredClone(value);
let etags = 0;
const nextEtag = () => `W/"m${(etags += 1)}"`;
/** The Table stores cut a failure reason to what a property holds. */
const MAX_ERROR_LENGTH = 1000;

interface Partition {
  handoff: Handoff;
  etag: string;
  events: HandoffEvent[];
  markers: Set<string>;
  rows: Map<string, OutboxRow>;
}

/** The handoffs table: a partition per handoff, with its events, markers and outbox rows. */
class MemoryHandoffs implements HandoffStore, OutboxStore {
  readonly partitions = new Map<string, Partition>();

  async read(id: string, _budget: Budget): Promise<StoredHandoff | undefined> {
    const p = this.partitions.get(id);
    return p && { handoff: copy(p.handoff), etag: p.etag };
  }

  async readWithHistory(id: string, _budget: Budget) {
    const p = this.partitions.get(id);
    return p && { handoff: copy(p.handoff), events: copy(p.events) };
  }

  async history(id: string, _budget: Budget): Promise<HandoffEvent[]> {
    return copy(this.partitions.get(id)?.events ?? []);
  }

  async applied(id: string, marker: string, _budget: Budget): Promise<boolean> {
    return this.partitions.get(id)?.markers.has(marker) ?? false;
  }

  async commit(write: HandoffWrite, _budget: Budget): Promise<OutboxRow[]> {
    const { handoff, etag, events, markers, effects, leaseUntil } = write;
    const last = events.at(-1)!;
    const p = this.partitions.get(handoff.id);
    if (etag === undefined && p) throw new ConflictError(`handoff ${handoff.id} exists`);
    if (etag !== undefined && !p) throw new NotFoundError(`handoff ${handoff.id} does not exist`);
    if (p && etag !== p.etag) throw new ConflictError(`handoff ${handoff.id} changed since it was read`);
    if (markers.some((marker) => p?.markers.has(marker))) throw new ConflictError('a marker exists');
    if (events.some((event) => p?.events.some((e) => e.seq === event.seq))) throw new ConflictError('an event exists');
    const rows: OutboxRow[] = effects.map((effect, index) => ({
      handoffId: handoff.id,
      key: outboxRowKey(last.seq, index),
      effect: copy(effect),
      state: 'pending',
      attempts: 0,
      createdAt: last.at,
      leaseUntil,
      nextAttemptAt: effect.kind === 'message' ? (effect.notBefore ?? '') : '',
      lastError: '',
      deliveredAt: '',
      etag: nextEtag(),
    }));
    if (rows.some((r) => p?.rows.has(r.key))) throw new ConflictError('an outbox row exists');
    const next: Partition = p ?? { handoff, etag: '', events: [], markers: new Set(), rows: new Map() };
    next.handoff = copy(handoff);
    next.etag = nextEtag();
    next.events.push(...copy(events));
    for (const marker of markers) next.markers.add(marker);
    for (const row of rows) next.rows.set(row.key, row);
    this.partitions.set(handoff.id, next);
    return copy(rows);
  }

  async rows(handoffId: string, _budget: Budget, options: { all?: boolean } = {}): Promise<OutboxRow[]> {
    const rows = [...(this.partitions.get(handoffId)?.rows.values() ?? [])].sort((a, b) => a.key.localeCompare(b.key));
    return copy(options.all ? rows : rows.filter((r) => r.state === 'pending'));
  }

  /** The stored row a caller read, if its ETag still holds. */
  private current(row: OutboxRow): OutboxRow {
    const stored = this.partitions.get(row.handoffId)?.rows.get(row.key);
    if (!stored) throw new NotFoundError(`outbox row ${row.key} does not exist`);
    if (stored.etag !== row.etag) throw new ConflictError(`outbox row ${row.key} changed since it was read`);
    return stored;
  }

  async update(row: OutboxRow, update: RowUpdate, _budget: Budget): Promise<OutboxRow> {
    this.current(row);
    const next = { ...copy(row), ...update, etag: nextEtag() };
    next.lastError = next.lastError.slice(0, MAX_ERROR_LENGTH);
    this.partitions.get(row.handoffId)!.rows.set(row.key, next);
    return copy(next);
  }

  async markDelivered(rows: readonly OutboxRow[], deliveredAt: string, _budget: Budget): Promise<void> {
    for (const row of rows) this.current(row);
    for (const row of rows)
      this.partitions
        .get(row.handoffId)!
        .rows.set(row.key, { ...copy(row), state: 'delivered', attempts: row.attempts + 1, leaseUntil: '', deliveredAt, etag: nextEtag() });
  }

  async recordPosted(stored: StoredHandoff, messageId: string, row: OutboxRow, deliveredAt: string, _budget: Budget): Promise<void> {
    const p = this.partitions.get(stored.handoff.id);
    if (!p || p.etag !== stored.etag) throw new ConflictError(`handoff ${stored.handoff.id} changed since it was read`);
    this.current(row);
    p.handoff = { ...copy(stored.handoff), conversation: { ...stored.handoff.conversation, messageId } };
    p.etag = nextEtag();
    p.rows.set(row.key, { ...copy(row), state: 'delivered', attempts: row.attempts + 1, leaseUntil: '', deliveredAt, etag: nextEtag() });
  }
}

class MemoryDeliveryMarks implements DeliveryMarks {
  private readonly marks = new Map<string, DeliveryMark>();

  async mark(handoffId: string, notBefore: string, markedAt: string, _budget: Budget): Promise<MarkWritten> {
    const etag = nextEtag();
    const fresh = !this.marks.has(handoffId);
    this.marks.set(handoffId, { handoffId, notBefore, markedAt, etag });
    return { etag, fresh, notBefore };
  }

  async list(_budget: Budget): Promise<DeliveryMark[]> {
    return copy([...this.marks.values()]);
  }

  async reschedule(mark: DeliveryMark, notBefore: string, _budget: Budget): Promise<boolean> {
    const current = this.marks.get(mark.handoffId);
    if (current?.etag !== mark.etag) return false;
    this.marks.set(mark.handoffId, { ...current, notBefore, etag: nextEtag() });
    return true;
  }

  async clear(handoffId: string, etag: string, _budget: Budget): Promise<boolean> {
    if (this.marks.get(handoffId)?.etag !== etag) return false;
    this.marks.delete(handoffId);
    return true;
  }
}

class MemoryPeopleIndex implements PeopleIndex {
  private readonly partitions = new Map<string, Map<string, IndexRow>>();

  async add(handoff: Handoff, former: readonly string[], _budget: Budget): Promise<void> {
    const people = participants(handoff);
    const rowKey = indexRowKey(handoff);
    const row: IndexRow = { handoffId: handoff.id, createdAt: handoff.createdAt, listing: listingOf(handoff) };
    const put = (partition: string) => {
      const rows = this.partitions.get(partition) ?? new Map<string, IndexRow>();
      rows.set(rowKey, copy(row));
      this.partitions.set(partition, rows);
    };
    for (const p of people) put(personPartition(handoff.tenantId, p.aadObjectId));
    put(conversationPartition(handoff.tenantId, handoff.conversation.id));
    const still = new Set(people.map((p) => p.aadObjectId));
    for (const id of former) if (!still.has(id)) this.partitions.get(personPartition(handoff.tenantId, id))?.delete(rowKey);
  }

  async handoffsOf(tenantId: string, aadObjectId: string, limit: number, _budget: Budget): Promise<IndexRow[]> {
    return this.rowsOf(personPartition(tenantId, aadObjectId), limit);
  }

  async handoffsInConversation(tenantId: string, conversationId: string, limit: number, _budget: Budget): Promise<IndexRow[]> {
    return this.rowsOf(conversationPartition(tenantId, conversationId), limit);
  }

  private rowsOf(partition: string, limit: number): IndexRow[] {
    const rows = [...(this.partitions.get(partition)?.entries() ?? [])].sort(([a], [b]) => a.localeCompare(b));
    return copy(rows.slice(0, limit).map(([, row]) => row));
  }
}

const HOUR_MS = 3_600_000;

class MemoryDueIndex implements DueIndex {
  private readonly entries = new Map<string, DueEntry>();
  private cursor: string | undefined;

  async schedule(handoffId: string, at: string, now: number, _budget: Budget): Promise<void> {
    const entry = { handoffId, at, partitionKey: hourPartition(Math.max(Date.parse(at), now)), rowKey: dueRowKey(at, handoffId) };
    this.entries.set(`${entry.partitionKey}|${entry.rowKey}`, entry);
  }

  async remove(entries: readonly Pick<DueEntry, 'partitionKey' | 'rowKey'>[], _budget: Budget): Promise<void> {
    for (const entry of entries) this.entries.delete(`${entry.partitionKey}|${entry.rowKey}`);
  }

  unschedule(handoffId: string, at: string, budget: Budget): Promise<void> {
    return this.remove([{ partitionKey: hourPartition(Date.parse(at)), rowKey: dueRowKey(at, handoffId) }], budget);
  }

  async dueBy(now: number, _budget: Budget): Promise<DueEntry[]> {
    const from = this.cursor ?? hourPartition(now - 48 * HOUR_MS);
    const hours = new Set<string>();
    for (let hour = Date.parse(`${from.slice(1)}:00:00Z`); hour <= now; hour += HOUR_MS) hours.add(hourPartition(hour));
    const until = `${new Date(now).toISOString()}~`;
    return copy(this.sorted().filter((e) => hours.has(e.partitionKey) && e.rowKey <= until));
  }

  async moveCursor(now: number, unsettled: readonly DueEntry[], _budget: Budget): Promise<void> {
    this.cursor = [hourPartition(now - HOUR_MS), ...unsettled.map((e) => e.partitionKey)].sort()[0];
  }

  async next(now: number, _budget: Budget): Promise<DueEntry | undefined> {
    const since = new Date(now).toISOString();
    return copy(this.sorted().find((e) => e.partitionKey >= hourPartition(now) && e.rowKey > since));
  }

  private sorted(): DueEntry[] {
    return [...this.entries.values()].sort((a, b) => a.partitionKey.localeCompare(b.partitionKey) || a.rowKey.localeCompare(b.rowKey));
  }
}

class MemoryPersonalChats implements PersonalChats {
  private readonly chats = new Map<string, PersonalChat>();

  async save(chat: PersonalChat, _budget: Budget): Promise<void> {
    this.chats.set(`${chat.tenantId}/${chat.aadObjectId}`, copy(chat));
  }

  async find(tenantId: string, aadObjectId: string, _budget: Budget): Promise<PersonalChat | undefined> {
    return copy(this.chats.get(`${tenantId}/${aadObjectId}`));
  }

  forget(): void {
    // Nothing is remembered apart from the store itself.
  }
}

class MemoryConversationNames implements ConversationNames {
  private readonly names = new Map<string, Map<string, string>>();

  async rename(tenantId: string, id: string, name: string, _budget: Budget): Promise<void> {
    if (!this.names.has(tenantId)) this.names.set(tenantId, new Map());
    this.names.get(tenantId)!.set(id, name);
  }

  async all(tenantId: string, _budget: Budget): Promise<Map<string, string>> {
    return new Map(this.names.get(tenantId) ?? []);
  }
}

class MemoryDigests implements Digests {
  private readonly rows = new Map<string, DigestReader>();

  async isOn(tenantId: string, aadObjectId: string, _budget: Budget): Promise<boolean> {
    return this.rows.has(`${tenantId}/${aadObjectId}`);
  }

  async set(person: Pick<DigestReader, 'tenantId' | 'aadObjectId' | 'name'>, on: boolean, _budget: Budget): Promise<void> {
    const key = `${person.tenantId}/${person.aadObjectId}`;
    if (!on) this.rows.delete(key);
    else {
      const earlier = this.rows.get(key);
      this.rows.set(key, { lastStart: '', leaseUntil: '', ...earlier, ...copy(person), etag: nextEtag() });
    }
  }

  async *readers(_budget: Budget): AsyncGenerator<DigestReader[]> {
    yield copy([...this.rows.values()]);
  }

  async update(
    reader: DigestReader,
    change: Partial<Pick<DigestReader, 'lastStart' | 'leaseUntil'>>,
    _budget: Budget,
  ): Promise<DigestReader | undefined> {
    const key = `${reader.tenantId}/${reader.aadObjectId}`;
    const current = this.rows.get(key);
    if (!current || current.etag !== reader.etag) return undefined;
    const next = { ...current, ...change, etag: nextEtag() };
    this.rows.set(key, next);
    return copy(next);
  }
}

class MemoryAwayRecords implements AwayRecords {
  private readonly rows = new Map<string, AwayRecord>();

  async get(tenantId: string, aadObjectId: string, _budget: Budget): Promise<AwayRecord | undefined> {
    return copy(this.rows.get(`${tenantId}/${aadObjectId}`));
  }

  async watch(person: Pick<AwayRecord, 'tenantId' | 'aadObjectId' | 'name' | 'userId'>, at: string, _budget: Budget): Promise<void> {
    const key = `${person.tenantId}/${person.aadObjectId}`;
    const earlier = this.rows.get(key) ?? { absences: [], handOver: false, announced: '', handedOn: [], notices: [] };
    this.rows.set(key, { ...earlier, ...copy(person), heldAt: at, etag: nextEtag() });
  }

  async *all(_budget: Budget): AsyncGenerator<AwayRecord[]> {
    yield copy([...this.rows.values()]);
  }

  async save(record: AwayRecord, _budget: Budget): Promise<AwayRecord | undefined> {
    const key = `${record.tenantId}/${record.aadObjectId}`;
    const current = this.rows.get(key);
    if (record.etag === '' ? current !== undefined : current?.etag !== record.etag) return undefined;
    const next = { ...copy(record), etag: nextEtag() };
    this.rows.set(key, next);
    return copy(next);
  }

  async remove(record: AwayRecord, _budget: Budget): Promise<boolean> {
    const key = `${record.tenantId}/${record.aadObjectId}`;
    if (this.rows.get(key)?.etag !== record.etag) return false;
    return this.rows.delete(key);
  }
}

/** The summary's records, in one map per kind as the table has one partition per kind. */
class MemorySummaries {
  private readonly zones = new Map<string, Zone>();
  private readonly subscribers = new Map<string, Map<string, Subscriber>>();
  private readonly preferences = new Map<string, Preference>();
  private readonly records = new Map<string, SendRecord>();
  private readonly sends = new Map<string, { sends: number[]; etag: string }>();

  async list(_budget: Budget): Promise<Zone[]> {
    return copy([...this.zones.values()].sort((a, b) => a.timeZone.localeCompare(b.timeZone)));
  }

  async markEnqueued(zone: Zone, week: string, _budget: Budget): Promise<boolean> {
    if (this.zones.get(zone.timeZone)?.etag !== zone.etag) return false;
    this.zones.set(zone.timeZone, { timeZone: zone.timeZone, lastWeek: week, etag: nextEtag() });
    return true;
  }

  async subscribe(subscriber: Subscriber, _budget: Budget): Promise<void> {
    const people = this.subscribers.get(subscriber.timeZone) ?? new Map<string, Subscriber>();
    people.set(`${subscriber.tenantId}_${subscriber.aadObjectId}`, copy(subscriber));
    this.subscribers.set(subscriber.timeZone, people);
    const zone = this.zones.get(subscriber.timeZone);
    this.zones.set(subscriber.timeZone, { timeZone: subscriber.timeZone, lastWeek: zone?.lastWeek ?? '', etag: nextEtag() });
  }

  async unsubscribe(timeZone: string, tenantId: string, aadObjectId: string, _budget: Budget): Promise<void> {
    this.subscribers.get(timeZone)?.delete(`${tenantId}_${aadObjectId}`);
  }

  async *inZone(timeZone: string, _budget: Budget): AsyncGenerator<Subscriber[]> {
    const people = [...(this.subscribers.get(timeZone)?.entries() ?? [])].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => copy(s));
    if (people.length > 0) yield people;
  }

  async set(tenantId: string, aadObjectId: string, preference: Preference, _at: string, _budget: Budget): Promise<void> {
    this.preferences.set(`${tenantId}/${aadObjectId}`, copy(preference));
  }

  async preference(tenantId: string, aadObjectId: string): Promise<Preference> {
    return copy(this.preferences.get(`${tenantId}/${aadObjectId}`) ?? { stopped: false, optedIn: false });
  }

  async record(week: string, tenantId: string, aadObjectId: string): Promise<SendRecord | undefined> {
    return copy(this.records.get(`${week}/${tenantId}/${aadObjectId}`));
  }

  async claim(
    week: string,
    tenantId: string,
    aadObjectId: string,
    leaseUntil: string,
    earlier: SendRecord | undefined,
    _budget: Budget,
  ): Promise<SendRecord | undefined> {
    const key = `${week}/${tenantId}/${aadObjectId}`;
    const current = this.records.get(key);
    if (earlier ? current?.etag !== earlier.etag : current !== undefined) return undefined;
    const record: SendRecord = {
      state: 'sending',
      leaseUntil,
      done: earlier?.done ?? [],
      reason: earlier?.reason ?? '',
      attempts: (earlier?.attempts ?? 0) + 1,
      etag: nextEtag(),
    };
    this.records.set(key, record);
    return copy(record);
  }

  async update(
    week: string,
    tenantId: string,
    aadObjectId: string,
    record: SendRecord,
    change: Partial<Omit<SendRecord, 'etag'>>,
    _budget: Budget,
  ): Promise<SendRecord> {
    const key = `${week}/${tenantId}/${aadObjectId}`;
    const current = this.records.get(key);
    if (!current) throw new NotFoundError(`no send record ${key}`);
    if (current.etag !== record.etag) throw new ConflictError(`send record ${key} changed since it was read`);
    const next = { ...copy(record), ...copy(change), etag: nextEtag() };
    this.records.set(key, next);
    return copy(next);
  }

  async take(mailbox: string, now: number, limit: number, _budget: Budget, windowMs = 60_000): Promise<number> {
    const key = mailbox.toLowerCase();
    const inWindow = (this.sends.get(key)?.sends ?? []).filter((at) => at > now - windowMs);
    if (inWindow.length >= limit) return Math.max(1, Math.min(...inWindow) + windowMs - now);
    this.sends.set(key, { sends: [...inWindow, now], etag: nextEtag() });
    return 0;
  }

  async went(mailbox: string, taken: number, sent: number, _budget: Budget): Promise<void> {
    const key = mailbox.toLowerCase();
    const current = this.sends.get(key);
    const i = current?.sends.indexOf(taken) ?? -1;
    if (!current || i < 0 || sent === taken) return;
    this.sends.set(key, { sends: current.sends.map((at, j) => (j === i ? sent : at)), etag: nextEtag() });
  }
}

class MemoryPreviewDrafts implements PreviewDrafts {
  private readonly drafts = new Map<string, PreviewDraft>();

  async save(id: string, draft: PreviewDraft, _budget: Budget): Promise<void> {
    this.drafts.set(id, copy(draft));
  }

  async find(id: string, now: number, _budget: Budget): Promise<PreviewDraft | undefined> {
    const draft = this.drafts.get(id);
    return draft && draft.expiresAt > new Date(now).toISOString() ? copy(draft) : undefined;
  }

  async purge(now: number, _budget: Budget): Promise<number> {
    const expired = [...this.drafts].filter(([, d]) => d.expiresAt <= new Date(now).toISOString()).map(([id]) => id);
    for (const id of expired) this.drafts.delete(id);
    return expired.length;
  }
}

/** Every store, in memory: one fresh set per call. */
export function memoryStores(): Stores {
  const handoffs = new MemoryHandoffs();
  const summaries = new MemorySummaries();
  return {
    handoffs,
    outbox: handoffs,
    marks: new MemoryDeliveryMarks(),
    people: new MemoryPeopleIndex(),
    due: new MemoryDueIndex(),
    chats: new MemoryPersonalChats(),
    digests: new MemoryDigests(),
    names: new MemoryConversationNames(),
    zones: { list: (b) => summaries.list(b), markEnqueued: (z, w, b) => summaries.markEnqueued(z, w, b) },
    subscribers: {
      subscribe: (s, b) => summaries.subscribe(s, b),
      unsubscribe: (z, t, p, b) => summaries.unsubscribe(z, t, p, b),
      inZone: (z, b) => summaries.inZone(z, b),
    },
    preferences: { get: (t, p) => summaries.preference(t, p), set: (t, p, v, at, b) => summaries.set(t, p, v, at, b) },
    sendRecords: {
      get: (w, t, p) => summaries.record(w, t, p),
      claim: (...args) => summaries.claim(...args),
      update: (...args) => summaries.update(...args),
    },
    mailboxes: { take: (...args) => summaries.take(...args), went: (...args) => summaries.went(...args) },
    drafts: new MemoryPreviewDrafts(),
    away: new MemoryAwayRecords(),
    templates: new MemoryTemplates(),
  };
}
