/**
 * Real Teams activities (test/fixtures), re-addressed to the test's connector
 * and acted by the test's people.
 */
import invokeFixture from '../fixtures/teams-invoke-action.json';
import messageFixture from '../fixtures/teams-message-groupchat.json';
import fetchTaskFixture from '../fixtures/teams-me-fetchtask-message.json';
import type { Member } from './connector';

export const TENANT = invokeFixture.conversation.tenantId;

/**
 * The morning the fixtures were recorded (their localTimestamp is
 * 2026-11-24, a Tuesday): where the tests that post them start Baton's
 * clock, so the form's "today" and Baton's now are the same day.
 */
export const FIXTURE_DAY = '2026-11-24T09:00:00.000Z';

export const people = {
  ada: { id: '29:1ada-lovelace', name: 'Ada Lovelace', aadObjectId: '00000000-0000-0000-0000-0000000000a1' },
  grace: { id: '29:1grace-hopper', name: 'Grace Hopper', aadObjectId: '00000000-0000-0000-0000-0000000000b2' },
  alan: { id: '29:1alan-turing', name: 'Alan Turing', aadObjectId: '00000000-0000-0000-0000-0000000000c3' },
} satisfies Record<string, Member>;

let counter = 0;
const nextId = (prefix: string) => `${prefix}:${Date.now()}${(counter++).toString().padStart(4, '0')}`;

export function message(serviceUrl: string, from: Member, text: string, overrides: Record<string, unknown> = {}) {
  return { ...structuredClone(messageFixture), id: nextId('m'), serviceUrl, from, text, ...overrides };
}

export function cardAction(
  serviceUrl: string,
  from: Member,
  verb: string,
  data: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
) {
  const activity = structuredClone(invokeFixture) as typeof invokeFixture & Record<string, unknown>;
  activity.value.action = { ...activity.value.action, verb, data };
  return { ...activity, id: nextId('f'), serviceUrl, from, ...overrides };
}

/** A messaging-extension invoke (composeExtension/...), built from the real fetchTask activity. */
export function extensionInvoke(
  serviceUrl: string,
  from: Member,
  name: string,
  value: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
) {
  return { ...structuredClone(fetchTaskFixture), id: nextId('f'), name, serviceUrl, from, value, ...overrides };
}

/** The fetchTask activity exactly as captured, re-addressed: opened from Grace's message. */
export function fetchTaskFromMessage(serviceUrl: string, from: Member) {
  return { ...structuredClone(fetchTaskFixture), id: nextId('f'), serviceUrl, from };
}

/** The handoff form most tests post: Ada hands the payments retry work to Grace, Alan owns it. */
export function paymentsForm(formId: string, overrides: Record<string, unknown> = {}) {
  return {
    formId,
    summary: 'Payments retry logic is ready for QA',
    whatIsReady: 'Retry worker merged behind the payments-retry flag.',
    acceptanceCriteria: 'All retry tests pass in CI',
    links: 'https://github.com/contoso/payments/pull/42',
    effort: '4h',
    receiver: people.grace.aadObjectId,
    owner: people.alan.aadObjectId,
    ...overrides,
  };
}
