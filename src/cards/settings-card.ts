/**
 * A person's settings (the `settings` command, in the personal chat): how
 * Baton reminds them of what waits on them.
 */
import template from '../../cards/settings.json';
import { type AdaptiveCard, renderCard } from './render';

export type ReminderChoice = 'each' | 'daily';

export interface SettingsData {
  reminders: ReminderChoice;
  /** When their working day starts, as they read it: "09:00 Europe/London". */
  startsAt: string;
  /** What the last Save did; '' before one. */
  notice: string;
}

export function settingsCard(data: SettingsData): AdaptiveCard {
  return renderCard(template, data);
}
