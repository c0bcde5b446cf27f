/**
 * The 1:1 message that tells someone a handoff needs them.
 */
import template from '../../cards/notification.json';
import type { Handoff } from '../domain/handoff';
import { type AdaptiveCard, renderCard } from './render';

export interface NotificationData {
  /** "Show it here" replaces the message with the reader's own view of the handoff, its actions included. */
  handoffId: string;
  headline: string;
  summary: string;
  quote: string;
  link: string;
}

/**
 * A Teams deep link to the handoff's message. Only chats and channels
 * (`19:...` ids) have linkable messages; a bot's personal chat does not. Channel
 * conversation ids carry the thread (`19:...;messageid=...`); the link wants the channel alone.
 */
export function handoffLink(handoff: Pick<Handoff, 'conversation'>): string {
  const { id, messageId } = handoff.conversation;
  if (!messageId || !id.startsWith('19:')) return '';
  const [chatOrChannel = id, thread] = id.split(';messageid=');
  const context = thread ? `?parentMessageId=${encodeURIComponent(thread)}` : `?context=${encodeURIComponent('{"contextType":"chat"}')}`;
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(chatOrChannel)}/${encodeURIComponent(messageId)}${context}`;
}

/** Baton's own link to a handoff, <publicBaseUrl>/api/handoffs/<id>: it opens the handoff's message in Teams, and unfurls. */
export function batonLink(publicBaseUrl: string, handoffId: string): string {
  return `${publicBaseUrl}/api/handoffs/${handoffId}`;
}

export function notificationCard(handoff: Handoff, headline: string, quote = ''): AdaptiveCard {
  return renderCard(template, {
    handoffId: handoff.id,
    headline,
    summary: handoff.summary,
    quote,
    link: handoffLink(handoff),
  } satisfies NotificationData);
}
