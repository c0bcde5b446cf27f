/**
 * Azure Storage queues: the one place the product imports @azure/storage-queue.
 *
 * Messages are written the way an Azure Functions queue trigger reads them by
 * default (host.json `extensions.queues.messageEncoding` is "base64"): the
 * message text is the base64 of the UTF-8 JSON. The trigger decodes it, and the
 * Node.js worker hands the handler the parsed JSON.
 */
import type { QueueClient } from '@azure/storage-queue';
import { lazy } from '../lazy';
import { type StorageAccount, storageCredential, storageEndpoint } from './account';

export type { QueueClient };
export type { ReceivedMessageItem } from '@azure/storage-queue';

// Only the weekly summary's functions open a queue.
const queueSdk = lazy(() => require('@azure/storage-queue') as typeof import('@azure/storage-queue'));

/** The Queue service refuses a message whose text is longer than 64 KiB. */
export const MAX_MESSAGE_TEXT_BYTES = 64 * 1024;

/** The message text the queue trigger decodes to `text` under the default base64 encoding. */
export function encodeMessageText(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * Opens a queue, creating it when it is missing.
 *
 * The account is a connection string (AzureWebJobsStorage's shape, or
 * `UseDevelopmentStorage=true`; it must have a queue endpoint, and the SDK
 * allows the plain http Azurite needs) or an account reached with the
 * Function App's managed identity.
 * @throws RestError when the account refuses (bad key, bad queue name)
 */
export async function openQueue(account: StorageAccount, name: string): Promise<QueueClient> {
  const { QueueClient } = queueSdk();
  const queue =
    typeof account === 'string'
      ? new QueueClient(account, name)
      : new QueueClient(`${storageEndpoint(account, 'queue')}/${name}`, storageCredential(account));
  await queue.createIfNotExists();
  return queue;
}

/**
 * Sends one message: `message` as JSON, base64-encoded for the queue trigger.
 * @param options.visibilityTimeoutSeconds hides the message this long before
 *   any receiver sees it (0 by default)
 * @throws TypeError when `message` has no JSON form, RangeError when it is too large for one message
 */
export async function enqueue(queue: QueueClient, message: unknown, options: { visibilityTimeoutSeconds?: number } = {}): Promise<void> {
  const json: string | undefined = JSON.stringify(message);
  if (json === undefined) throw new TypeError('The message has no JSON form (undefined, a function or a symbol).');
  const text = encodeMessageText(json);
  if (text.length > MAX_MESSAGE_TEXT_BYTES) {
    throw new RangeError(
      `The message is ${text.length} bytes once base64-encoded; a queue message holds at most ${MAX_MESSAGE_TEXT_BYTES}.`,
    );
  }
  await queue.sendMessage(
    text,
    options.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeout: options.visibilityTimeoutSeconds },
  );
}
