/**
 * The 1:1 message that tells someone a handoff needs them.
 */
import template from '../../cards/notification.json';
import { ballHolder, type Handoff } from '../domain/handoff';
import type { NoticeButton } from '../domain/notifications';
import { type AdaptiveCard, renderCard } from './render';

export interface NotificationData {
  /** "Show it here" replaces the message with the reader's own view of the handoff, its actions included. */
  handoffId: string;
  headline: string;
  summary: string;
  quote: string;
  link: string;
  /** The actions the message offers at once, besides opening the handoff here. */
  close: boolean;
  nudge: string;
  reassign: boolean;
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

/**
 * A 1:1 message: what the reader must do, and its buttons. "Show it here"
 * replaces the message with the reader's own view (every action of their
 * role); Close, Nudge and Reassign act at once, with the same verbs as the card.
 */
export function notificationCard(handoff: Handoff, headline: string, quote = '', buttons: readonly NoticeButton[] = []): AdaptiveCard {
  const holder = ballHolder(handoff);
  return renderCard(template, {
    handoffId: handoff.id,
    headline,
    summary: handoff.summary,
    quote,
    link: handoffLink(handoff),
    close: buttons.includes('close'),
    nudge: buttons.includes('nudge') && holder ? `Nudge ${holder.name}` : '',
    reassign: buttons.includes('reassign'),
  } satisfies NotificationData);
}
