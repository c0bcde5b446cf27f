/**
 * Registers Azure Functions and remembers them, so the local host can serve
 * the very same registrations that Azure Functions runs.
 */
import { app, type HttpFunctionOptions, type StorageQueueFunctionOptions, type TimerFunctionOptions } from '@azure/functions';

export type Registration =
  | { kind: 'http'; name: string; options: HttpFunctionOptions }
  | { kind: 'timer'; name: string; options: TimerFunctionOptions }
  | { kind: 'queue'; name: string; options: StorageQueueFunctionOptions };

export const registrations: Registration[] = [];

/** app.http, remembered for the local host. */
export function registerHttp(name: string, options: HttpFunctionOptions): void {
  registrations.push({ kind: 'http', name, options });
  app.http(name, options);
}

/** app.timer, remembered for the local host. */
export function registerTimer(name: string, options: TimerFunctionOptions): void {
  registrations.push({ kind: 'timer', name, options });
  app.timer(name, options);
}

/** app.storageQueue, remembered for the local host. */
export function registerQueue(name: string, options: StorageQueueFunctionOptions): void {
  registrations.push({ kind: 'queue', name, options });
  app.storageQueue(name, options);
}
