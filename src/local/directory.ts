/**
 * The directory for development without a tenant: the Agents Playground's
 * mock users (.m365agentsplayground.yml: same ids, names and emails as the
 * chats the Playground sends), with working hours and time zones from
 * dev/working-hours.json. It answers like GraphDirectory, messages included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
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
function readFiles(options: { playgroundFile?: string; workingHoursFile?: string }): Contents {
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

export class LocalDirectory implements Directory {
  private readonly contents: () => Contents;

  /** @param read reads the directory's people and tenant (once, on first use) */
  constructor(read: () => Contents) {
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
  static fromFiles(options: { playgroundFile?: string; workingHoursFile?: string } = {}): LocalDirectory {
    return new LocalDirectory(() => readFiles(options));
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
}
