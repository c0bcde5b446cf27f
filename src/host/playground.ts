/**
 * The Agents Playground's mock tenant (.m365agentsplayground.yml) and the
 * activities its other people would send. The Playground acts as one user;
 * `npm run as` and the end-to-end tests post these to act as anyone else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';
import { PROJECT_ROOT } from '../project';

const user = z.object({ id: z.string(), name: z.string(), aadObjectId: z.string() });
const configFile = z.object({
  tenantId: z.string(),
  bot: z.object({ id: z.string(), name: z.string() }),
  currentUser: user,
  users: z.array(user).default([]),
  groupChat: z.object({ id: z.string(), name: z.string() }),
  personalChat: z.object({ id: z.string() }),
});

export type PlaygroundUser = z.infer<typeof user>;
export type PlaygroundConfig = z.infer<typeof configFile>;

/** The checked-in Playground config. */
export function readPlaygroundConfig(file = join(PROJECT_ROOT, '.m365agentsplayground.yml')): PlaygroundConfig {
  return configFile.parse(parse(readFileSync(file, 'utf8')));
}

/**
 * A Playground person by full name or first name, case-insensitive ("grace", "Grace Hopper").
 * @throws naming the people there are
 */
export function playgroundPerson(config: PlaygroundConfig, name: string): PlaygroundUser {
  const people = [config.currentUser, ...config.users];
  const wanted = name.trim().toLowerCase();
  const found = people.find((p) => p.name.toLowerCase() === wanted || p.name.split(' ')[0]?.toLowerCase() === wanted);
  if (!found) throw new Error(`No one called "${name}" in the Playground. Its people: ${people.map((p) => p.name).join(', ')}.`);
  return found;
}

/**
 * The card action a Playground person sends from the group chat's card, as
 * Teams would: an `adaptiveCard/action` invoke through the Playground's connector.
 */
export function cardActionFrom(
  config: PlaygroundConfig,
  person: PlaygroundUser,
  connectorUrl: string,
  action: { verb: string; data: Record<string, unknown>; replyToId?: string },
) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: crypto.randomUUID(),
    channelId: 'msteams',
    serviceUrl: connectorUrl,
    timestamp: new Date().toISOString(),
    from: { id: person.id, name: person.name, aadObjectId: person.aadObjectId },
    recipient: { id: config.bot.id, name: config.bot.name },
    conversation: { id: config.groupChat.id, conversationType: 'groupChat', isGroup: true, tenantId: config.tenantId },
    channelData: { tenant: { id: config.tenantId }, source: { name: 'message' } },
    ...(action.replyToId ? { replyToId: action.replyToId } : {}),
    value: { action: { type: 'Action.Execute', verb: action.verb, data: action.data } },
  };
}

/** The Playground's connector, the serviceUrl of every activity it sends. */
export function playgroundConnectorUrl(playgroundPort: number): string {
  return `http://localhost:${playgroundPort}/_connector`;
}
