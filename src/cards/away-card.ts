/**
 * The cards of time away: a person's own (`away` in the personal chat: their
 * absence, their successor), and the message Baton sends about an absence
 * (to an owner when someone their handoffs wait on goes away, with Reassign
 * and Keep waiting; to the person on their return, with what was handed on).
 */
import awayTemplate from '../../cards/away.json';
import noticeTemplate from '../../cards/away-notice.json';
import type { Person } from '../domain/handoff';
import { type AdaptiveCard, renderCard } from './render';

export interface AwayCardData {
  /** What Baton knows now: "Your automatic replies say you are away from ... until ...", "You are not away." */
  status: string;
  /** The form's dates (YYYY-MM-DD, '' for none). */
  from: string;
  until: string;
  successorId: string;
  /** The successor as a choice, so the picker shows their name before anyone types. */
  successors: { name: string; aadObjectId: string }[];
  handOver: 'true' | 'false';
  /** They told Baton an absence (which "I am back" clears). */
  declared: boolean;
  notice: string;
}

export function awayCard(data: AwayCardData): AdaptiveCard {
  return renderCard(awayTemplate, data);
}

export interface AwayNoticeItem {
  handoffId: string;
  summary: string;
  /** Where it stands: "Review · due Wed 16 Dec, 12:00", "Handed to Alan Turing, as Grace Hopper asked". */
  detail: string;
  /** What the reader chose from this message ('' until then). */
  answer: string;
  reassign: boolean;
  keep: boolean;
  /** The Reassign picker's input id, one per item. */
  input: string;
  /** The absent person's successor, offered as "Reassign to <name>" in one click ('' for none). */
  successorId: string;
  successorName: string;
  /** "Reassign to someone else" beside the successor's button, or "Reassign". */
  reassignTitle: string;
  /** Whose absence, and which message: the buttons' answer re-reads them. */
  away: string;
  notice: string;
}

export interface AwayNoticeData {
  headline: string;
  note: string;
  items: AwayNoticeItem[];
}

export function awayNoticeCard(data: AwayNoticeData): AdaptiveCard {
  return renderCard(noticeTemplate, data);
}

/** A person as a picker's choice. */
export const choiceOf = (person: Person | undefined): { name: string; aadObjectId: string }[] =>
  person ? [{ name: person.name, aadObjectId: person.aadObjectId }] : [];

/** An item's Reassign buttons: one click to the successor, when there is one, and a picker for anyone. */
export function reassignOf(successor: Person | undefined): Pick<AwayNoticeItem, 'successorId' | 'successorName' | 'reassignTitle'> {
  return successor
    ? { successorId: successor.aadObjectId, successorName: successor.name, reassignTitle: 'Reassign to someone else' }
    : { successorId: '', successorName: '', reassignTitle: 'Reassign' };
}
