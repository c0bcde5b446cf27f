/**
 * Which storage account Baton's tables and queues live in, and how Baton
 * signs in to it: a connection string (Azurite, or an account with keys), or
 * the Function App's managed identity, the way the Functions host itself
 * reads `AzureWebJobsStorage__accountName` and `__clientId`
 * (https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity).
 */
import type { TokenCredential } from '@azure/identity';
import { lazy } from '../lazy';

// Only an account reached with an identity needs it; a connection string does not.
const identity = lazy(() => require('@azure/identity') as typeof import('@azure/identity'));

/**
 * A connection string, or an account name reached with an Entra identity: the
 * user-assigned managed identity `clientId` names, or without one the default
 * chain (a system-assigned identity on Azure, `az login` on an operator's machine).
 */
export type StorageAccount = string | { accountName: string; clientId?: string };

/** The account's endpoint for a service, e.g. https://batonstore.table.core.windows.net. */
export function storageEndpoint(account: Exclude<StorageAccount, string>, service: 'table' | 'queue'): string {
  return `https://${account.accountName}.${service}.core.windows.net`;
}

const credentials = new Map<string, TokenCredential>();

/** One credential per identity, so every client shares its token cache. */
export function storageCredential(account: Exclude<StorageAccount, string>): TokenCredential {
  const key = account.clientId ?? '';
  let credential = credentials.get(key);
  if (!credential) {
    const { DefaultAzureCredential, ManagedIdentityCredential } = identity();
    credential = account.clientId ? new ManagedIdentityCredential({ clientId: account.clientId }) : new DefaultAzureCredential();
    credentials.set(key, credential);
  }
  return credential;
}
