/**
 * The directory for development without a tenant: the Agents Playground's
 * mock users (.m365agentsplayground.yml: same ids, names and emails as the
 * chats the Playground sends), with working hours and time zones from
 * dev/working-hours.json, and their automatic replies (who is away) from
 * dev/away.json beside it, which `npm run as -- grace away 3d` writes. It
 * answers like GraphDirectory, messages included.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import type { AutomaticReplies } from '../domain/away';
import { DEFAULT_WORKING_HOURS, normalizeWorkingHours, type WorkingHours } from '../domain/working-hours';
import { lazy } from '../lazy';
import { PROJECT_ROOT } from '../project';
import type { Directory, Resolution } from '../app/ports';
import { type Candidate, decide, queryKind, unknownPersonError } from '../graph/directory';

export interface LocalPerson extends Candidate {
  /** Teams user id (29:...), as the Playground puts it in activities. */
  teamsUserId: string;
  workingHours: WorkingHours;
}

// The Playground's file spells it "userPrincipleName".
const playgroundUser = z.object({
  id: z.string(),
  name: z.string(),
  aadObjectId: z.string(),
  email: z.string().optional(),
  userPrincipleName: z.string().optional(),
});
const playgroundFile = z.object({ tenantId: z.string(), currentUser: playgroundUser, users: z.array(playgroundUser).default([]) });

const hoursFile = z.object({
  people: z.record(
    z.string(),
    z.object({
      who: z.string().optional(),
      timeZone: z.string(),
      days: z.array(z.string()),
      start: z.string(),
      end: z.string(),
      accountEnabled: z.boolean().default(true),
    }),
  ),
});

/** The local people's automatic replies, by aadObjectId: what Graph's automaticRepliesSetting says, with instants. */
const awayFile = z.object({
  people: z.record(
    z.string(),
    z.discriminatedUnion('status', [
      z.object({ who: z.string().optional(), status: z.literal('disabled') }),
      z.object({ who: z.string().optional(), status: z.literal('alwaysEnabled') }),
      z.object({ who: z.string().optional(), status: z.literal('scheduled'), start: z.iso.datetime(), end: z.iso.datetime() }),
    ]),
  ),
});
type AwayFile = z.infer<typeof awayFile>;

/** Where the local people's automatic replies are kept when no setting names a file. */
export const DEFAULT_AWAY_FILE = join(PROJECT_ROOT, 'dev', 'away.json');

/** The away file's people; none when there is no file. */
function readAwayFile(path: string): AwayFile['people'] {
  try {
    return awayFile.parse(JSON.parse(readFileSync(path, 'utf8'))).people;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/**
 * Sets (or, with undefined, turns off) a local person's automatic replies in
 * the away file: what `npm run as -- grace away 3d` and `back` do. The file is
 * replaced whole, so a directory reading it never sees half of it.
 */
export function writeLocalAutomaticReplies(
  path: string,
  person: { aadObjectId: string; name: string },
  replies: AutomaticReplies | undefined,
): void {
  const people = readAwayFile(path);
  if (replies && replies.status !== 'disabled') people[person.aadObjectId] = { who: person.name, ...replies };
  else delete people[person.aadObjectId];
  const text = JSON.stringify(
    {
      $comment:
        "The local people's automatic replies (who is away), keyed by aadObjectId, as Graph's automaticRepliesSetting says them: scheduled with start and end instants, or alwaysEnabled (no return date). npm run as -- <person> away 3d writes it; back removes the person.",
      people,
    },
    null,
    2,
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${text}\n`);
  renameSync(`${path}.tmp`, path);
}

const lower = (s: string) => s.trim().toLowerCase();

/** Words of a display name that start with each word of the query, as Graph's $search on displayName matches. */
function nameMatches(name: string, query: string): boolean {
  const words = lower(name).split(/\s+/);
  return lower(query)
    .split(/\s+/)
    .every((part) => words.some((word) => word.startsWith(part)));
}

const yaml = lazy(() => require('yaml') as typeof import('yaml'));

interface Contents {
  people: readonly LocalPerson[];
  tenantId: string;
}

/** Reads the Playground's users and their working hours; see {@link LocalDirectory.fromFiles}. */
function readFiles(options: LocalFiles): Contents {
  const playgroundPath = options.playgroundFile ?? join(PROJECT_ROOT, '.m365agentsplayground.yml');
  const hoursPath = options.workingHoursFile ?? join(PROJECT_ROOT, 'dev', 'working-hours.json');
  const playground = playgroundFile.parse(yaml().parse(readFileSync(playgroundPath, 'utf8')));
  const hours = hoursFile.parse(JSON.parse(readFileSync(hoursPath, 'utf8')));
  const users = [playground.currentUser, ...playground.users];
  const strangers = Object.keys(hours.people).filter((id) => !users.some((u) => lower(u.aadObjectId) === lower(id)));
  if (strangers.length > 0) throw new Error(`${hoursPath} has working hours for people not in ${playgroundPath}: ${strangers.join(', ')}`);
  const people = users.map((user) => {
    const entry = Object.entries(hours.people).find(([id]) => lower(id) === lower(user.aadObjectId))?.[1];
    let workingHours = DEFAULT_WORKING_HOURS;
    if (entry) {
      try {
        workingHours = normalizeWorkingHours(entry);
      } catch (error) {
        throw new Error(`${hoursPath}, ${user.name}: ${(error as Error).message}`);
      }
    }
    const upn = user.userPrincipleName ?? user.email ?? '';
    return {
      aadObjectId: user.aadObjectId,
      name: user.name,
      mail: user.email ?? upn,
      userPrincipalName: upn,
      accountEnabled: entry?.accountEnabled ?? true,
      teamsUserId: user.id,
      workingHours,
    };
  });
  return { people, tenantId: playground.tenantId };
}

/** The files the local directory reads. */
export interface LocalFiles {
  playgroundFile?: string;
  workingHoursFile?: string;
  /** The people's automatic replies; dev/away.json by default. */
  awayFile?: string;
}

export class LocalDirectory implements Directory {
  private readonly contents: () => Contents;
  /** The away file as last read, and its modification time: it is read again when it changes. */
  private away: { version: string; people: AwayFile['people'] } = { version: '', people: {} };

  /**
   * @param read reads the directory's people and tenant (once, on first use)
   * @param awayPath the people's automatic replies, read again whenever the file changes
   */
  constructor(
    read: () => Contents,
    private readonly awayPath: string = DEFAULT_AWAY_FILE,
  ) {
    this.contents = lazy(read);
  }

  /**
   * The Playground's users and their working hours, read from the files on
   * first use: a cold start whose first activity needs nobody (a `help`)
   * parses no YAML and builds no time zones. `npm run dev` reads them at
   * start-up (its description), so a bad file still stops it there.
   * Reading throws when a file is missing or malformed, or the hours file
   * names someone the Playground does not know.
   */
  static fromFiles(options: LocalFiles = {}): LocalDirectory {
    return new LocalDirectory(() => readFiles(options), options.awayFile);
  }

  get people(): readonly LocalPerson[] {
    return this.contents().people;
  }

  /** The Playground's tenant: the only tenant whose users this directory answers for. */
  get tenantId(): string {
    return this.contents().tenantId;
  }

  async resolvePeople(queries: readonly string[]): Promise<Resolution[]> {
    return queries.map((raw) => {
      const query = raw.trim();
      if (query === '') return { ok: false, query, reason: 'unknown', message: 'Enter a name or an email address.' };
      const q = lower(query);
      const matches = this.people.filter((p) => {
        switch (queryKind(query)) {
          case 'id':
            return lower(p.aadObjectId) === q;
          case 'teamsId':
            return lower(p.teamsUserId) === q;
          case 'address':
            return lower(p.mail) === q || lower(p.userPrincipalName) === q;
          case 'name':
            return nameMatches(p.name, query);
        }
      });
      // Answer with the same fields as Graph: no Teams id, no hours.
      return decide(
        query,
        matches.map(({ teamsUserId: _id, workingHours: _hours, ...candidate }) => candidate),
      );
    });
  }

  async getWorkingHours(aadObjectId: string): Promise<WorkingHours> {
    const person = this.people.find((p) => lower(p.aadObjectId) === lower(aadObjectId));
    if (!person) throw unknownPersonError(aadObjectId);
    return person.workingHours;
  }

  /** The Playground's chats have no topic to look up: a chat it names says so in its activities. */
  async chatTopic(): Promise<string | undefined> {
    return undefined;
  }

  async getAutomaticReplies(aadObjectId: string): Promise<AutomaticReplies> {
    const person = this.people.find((p) => lower(p.aadObjectId) === lower(aadObjectId));
    if (!person) throw unknownPersonError(aadObjectId);
    const entry = Object.entries(this.awayPeople()).find(([id]) => lower(id) === lower(aadObjectId))?.[1];
    if (!entry || entry.status === 'disabled') return { status: 'disabled' };
    return entry.status === 'alwaysEnabled' ? { status: 'alwaysEnabled' } : { status: 'scheduled', start: entry.start, end: entry.end };
  }

  /** The away file's people, read again when the file changed (`npm run as` writes it beside a running host). */
  private awayPeople(): AwayFile['people'] {
    let version: string;
    try {
      // A rewrite replaces the file: a new inode, whatever the clock's resolution.
      const stat = statSync(this.awayPath);
      version = `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    } catch {
      return {};
    }
    if (version !== this.away.version) this.away = { version, people: readAwayFile(this.awayPath) };
    return this.away.people;
  }
}
