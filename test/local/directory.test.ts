/**
 * The local directory from the real .m365agentsplayground.yml and
 * dev/working-hours.json: the Playground's people with their ids, names and
 * emails, varied working hours and zones, and Graph's resolution messages.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LocalDirectory, writeLocalAutomaticReplies } from '../../src/local/directory';
import { PROJECT_ROOT } from '../../src/project';

const ROOT = PROJECT_ROOT;
const playground = parse(readFileSync(join(ROOT, '.m365agentsplayground.yml'), 'utf8')) as {
  currentUser: { id: string; name: string; aadObjectId: string; email: string; userPrincipleName: string };
  users: { id: string; name: string; aadObjectId: string; email: string; userPrincipleName: string }[];
};
const everyone = [playground.currentUser, ...playground.users];
const byName = (name: string) => everyone.find((u) => u.name === name)!;

describe('LocalDirectory.fromFiles', () => {
  const directory = LocalDirectory.fromFiles();

  it("holds exactly the Playground's people, current user included, with their ids, names and emails", () => {
    expect(
      directory.people.map((p) => ({
        teamsUserId: p.teamsUserId,
        aadObjectId: p.aadObjectId,
        name: p.name,
        mail: p.mail,
        userPrincipalName: p.userPrincipalName,
      })),
    ).toEqual(
      everyone.map((u) => ({
        teamsUserId: u.id,
        aadObjectId: u.aadObjectId,
        name: u.name,
        mail: u.email,
        userPrincipalName: u.userPrincipleName,
      })),
    );
    expect(directory.people.map((p) => p.name)).toContain(playground.currentUser.name);
    expect(directory.people.every((p) => p.accountEnabled)).toBe(true);
  });

  it('gives everyone working hours from dev/working-hours.json, across varied zones', async () => {
    const hours = Object.fromEntries(
      await Promise.all(everyone.map(async (u) => [u.name, await directory.getWorkingHours(u.aadObjectId)] as const)),
    );
    expect(hours).toEqual({
      'Ada Lovelace': {
        days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        start: '09:00',
        end: '17:30',
        timeZone: 'Europe/London',
      },
      'Grace Hopper': {
        days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        start: '08:30',
        end: '17:00',
        timeZone: 'America/New_York',
      },
      'Alan Turing': {
        days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        start: '09:30',
        end: '18:00',
        timeZone: 'Asia/Kolkata',
      },
      'Katherine Johnson': {
        days: ['monday', 'tuesday', 'wednesday', 'thursday'],
        start: '08:00',
        end: '16:00',
        timeZone: 'Australia/Sydney',
      },
      // Written in the file the Windows way, as Exchange often gives it.
      'Margaret Hamilton': {
        days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        start: '09:00',
        end: '17:00',
        timeZone: 'America/Los_Angeles',
      },
      'Edsger Dijkstra': {
        days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        start: '07:00',
        end: '15:00',
        timeZone: 'Europe/Amsterdam',
      },
    });
    const file = JSON.parse(readFileSync(join(ROOT, 'dev', 'working-hours.json'), 'utf8')) as {
      people: Record<string, { timeZone: string }>;
    };
    expect(file.people[byName('Margaret Hamilton').aadObjectId]!.timeZone).toBe('Pacific Standard Time');
    expect(Object.keys(file.people).sort()).toEqual(everyone.map((u) => u.aadObjectId).sort());
  });

  it('resolves ids, emails and names, and answers like Graph for the rest', async () => {
    const grace = byName('Grace Hopper');
    const katherine = byName('Katherine Johnson');
    const answers = await directory.resolvePeople([
      'Grace Hopper',
      'ALAN@contoso.example',
      katherine.aadObjectId,
      'hamilton',
      'A',
      'Linus',
      '10000000-0000-0000-0000-000000000999',
      '',
    ]);
    expect(answers).toEqual([
      {
        ok: true,
        query: 'Grace Hopper',
        person: {
          aadObjectId: grace.aadObjectId,
          name: 'Grace Hopper',
          mail: 'grace@contoso.example',
          userPrincipalName: 'grace@contoso.example',
        },
      },
      { ok: true, query: 'ALAN@contoso.example', person: expect.objectContaining({ name: 'Alan Turing' }) },
      {
        ok: true,
        query: katherine.aadObjectId,
        person: expect.objectContaining({ name: 'Katherine Johnson', mail: 'katherine@contoso.example' }),
      },
      { ok: true, query: 'hamilton', person: expect.objectContaining({ name: 'Margaret Hamilton' }) },
      {
        ok: false,
        query: 'A',
        reason: 'ambiguous',
        message:
          '"A" matches 2 people: Ada Lovelace (ada@contoso.example), Alan Turing (alan@contoso.example). Use an email address to pick one.',
      },
      {
        ok: false,
        query: 'Linus',
        reason: 'unknown',
        message: 'No one in the directory matches "Linus". Check the spelling, or use their email address.',
      },
      {
        ok: false,
        query: '10000000-0000-0000-0000-000000000999',
        reason: 'unknown',
        message: 'No one in the directory matches "10000000-0000-0000-0000-000000000999". Check the spelling, or use their email address.',
      },
      { ok: false, query: '', reason: 'unknown', message: 'Enter a name or an email address.' },
    ]);
    // Answers carry the same fields as Graph's: no Teams id, no hours.
    expect(Object.keys((answers[0] as { person: object }).person).sort()).toEqual(['aadObjectId', 'mail', 'name', 'userPrincipalName']);
  });

  it('throws GraphError 404 for working hours of someone unknown', async () => {
    await expect(directory.getWorkingHours('10000000-0000-0000-0000-000000000999')).rejects.toMatchObject({
      name: 'GraphError',
      status: 404,
      code: 'Request_ResourceNotFound',
    });
  });
});

describe('LocalDirectory with other files', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const write = (people: Record<string, unknown>) => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-hours-'));
    dirs.push(dir);
    const file = join(dir, 'working-hours.json');
    writeFileSync(file, JSON.stringify({ people }));
    return file;
  };
  const edsger = byName('Edsger Dijkstra');
  const week = { timeZone: 'Europe/Amsterdam', days: ['monday'], start: '09:00', end: '17:00' };

  it('says when an account is disabled', async () => {
    const directory = LocalDirectory.fromFiles({ workingHoursFile: write({ [edsger.aadObjectId]: { ...week, accountEnabled: false } }) });
    expect(await directory.resolvePeople(['Edsger'])).toEqual([
      {
        ok: false,
        query: 'Edsger',
        reason: 'disabled',
        message: 'Edsger Dijkstra (edsger@contoso.example): the account is disabled, so they cannot take part in a handoff.',
      },
    ]);
  });

  it('gives people the file leaves out a plain UTC office week', async () => {
    const directory = LocalDirectory.fromFiles({ workingHoursFile: write({}) });
    expect(await directory.getWorkingHours(edsger.aadObjectId)).toEqual({
      days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start: '09:00',
      end: '17:00',
      timeZone: 'Etc/UTC',
    });
  });

  it('reads its files on first use, not when it is made (a cold start answering `help` needs nobody)', async () => {
    const missing = join(tmpdir(), `baton-missing-${process.pid}.json`);
    const directory = LocalDirectory.fromFiles({ workingHoursFile: missing });
    await expect(directory.resolvePeople(['Edsger'])).rejects.toThrow(missing);
    const file = write({});
    const fine = LocalDirectory.fromFiles({ workingHoursFile: file });
    writeFileSync(file, JSON.stringify({ people: { [edsger.aadObjectId]: week } }));
    // Read now, after the change: the change shows.
    expect(await fine.getWorkingHours(edsger.aadObjectId)).toMatchObject({ timeZone: 'Europe/Amsterdam' });
  });

  it('refuses hours for someone the Playground does not know, and a zone that does not exist', () => {
    const stranger = write({ '99999999-0000-0000-0000-000000000000': week });
    expect(() => LocalDirectory.fromFiles({ workingHoursFile: stranger }).people).toThrow(
      `${stranger} has working hours for people not in`,
    );
    const badZone = write({ [edsger.aadObjectId]: { ...week, timeZone: 'Mars/Olympus_Mons' } });
    expect(() => LocalDirectory.fromFiles({ workingHoursFile: badZone }).tenantId).toThrow(
      `${badZone}, Edsger Dijkstra: "Mars/Olympus_Mons" is neither an IANA nor a Windows time zone name`,
    );
  });
});

describe("the local people's automatic replies (dev/away.json, which npm run as -- grace away 3d writes)", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const grace = byName('Grace Hopper');
  const alan = byName('Alan Turing');

  it('says nobody is away without the file, and reads each change of it while running', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-away-'));
    const file = join(dir, 'away.json');
    const directory = LocalDirectory.fromFiles({ awayFile: file });
    expect(await directory.getAutomaticReplies(grace.aadObjectId)).toEqual({ status: 'disabled' });

    const away = { status: 'scheduled' as const, start: '2026-12-11T17:00:00.000Z', end: '2026-12-16T16:00:00.000Z' };
    writeLocalAutomaticReplies(file, { aadObjectId: grace.aadObjectId, name: grace.name }, away);
    writeLocalAutomaticReplies(file, { aadObjectId: alan.aadObjectId, name: alan.name }, { status: 'alwaysEnabled' });
    expect(await directory.getAutomaticReplies(grace.aadObjectId)).toEqual(away);
    expect(await directory.getAutomaticReplies(alan.aadObjectId)).toEqual({ status: 'alwaysEnabled' });
    expect(JSON.parse(readFileSync(file, 'utf8')).people[grace.aadObjectId]).toEqual({ who: 'Grace Hopper', ...away });

    // Back: her entry goes, Alan's stays.
    writeLocalAutomaticReplies(file, { aadObjectId: grace.aadObjectId, name: grace.name }, undefined);
    expect(await directory.getAutomaticReplies(grace.aadObjectId)).toEqual({ status: 'disabled' });
    expect(await directory.getAutomaticReplies(alan.aadObjectId)).toEqual({ status: 'alwaysEnabled' });
  });

  it('answers like Graph for someone it does not know, and names a file it cannot read', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-away-'));
    const file = join(dir, 'away.json');
    writeFileSync(file, JSON.stringify({ people: { [grace.aadObjectId]: { status: 'scheduled', start: 'soon' } } }));
    const directory = LocalDirectory.fromFiles({ awayFile: file });
    await expect(directory.getAutomaticReplies('99999999-0000-0000-0000-000000000000')).rejects.toMatchObject({ status: 404 });
    await expect(directory.getAutomaticReplies(grace.aadObjectId)).rejects.toThrow(file);
  });
});
