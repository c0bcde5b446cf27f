/**
 * Storage blips for the exactly-once tests: where to cut the Table service
 * (through the storage proxy) as a delivery reaches the Bot Connector
 * stand-in, and the parts each case runs on.
 */
import { inject } from 'vitest';
import { ensureTables } from '../../src/store/table';
import { type Connector, type Member, startConnector } from './connector';
import { uniquePrefix } from './stack';
import { type ProxiedRequest, type StorageProxy, startStorageProxy } from './storage-proxy';

/** What a case cuts storage with, and watches the connector through. */
export interface BlipParts {
  proxy: StorageProxy;
  connector: Connector;
}

/** Where storage is cut, armed before the delivery starts. */
export type Arm = (parts: BlipParts) => void;

type Activity = Parameters<NonNullable<Connector['onActivity']>>[1];

/** Once the connector reaches `phase` for an activity `matches` names (the first such), `then` arms the proxy. */
function onceConnector(phase: 'arrived' | 'answered', matches: (activity: Activity) => boolean, then: (proxy: StorageProxy) => void): Arm {
  return ({ proxy, connector }) => {
    connector.onActivity = (at, activity) => {
      if (at !== phase || !matches(activity)) return;
      connector.onActivity = undefined;
      then(proxy);
    };
  };
}

/** Storage goes away the moment the connector reaches `phase` for an activity `matches` names. */
export function cutAt(phase: 'arrived' | 'answered', matches: (activity: Activity) => boolean): Arm {
  return onceConnector(phase, matches, (proxy) => proxy.cut());
}

/** Once the connector answered such an activity, storage goes away as the next `isWrite` request (the mark) reaches it. */
export function cutAtWriteAfter(matches: (activity: Activity) => boolean, isWrite: (request: ProxiedRequest) => boolean): Arm {
  return onceConnector('answered', matches, (proxy) => {
    proxy.onRequest = (request) => {
      if (!isWrite(request)) return;
      proxy.onRequest = undefined;
      proxy.cut();
    };
  });
}

/** Once the connector answered such an activity, the next `isWrite` request lands but its answer is lost. */
export function loseAnswerAfter(matches: (activity: Activity) => boolean, isWrite: (request: ProxiedRequest) => boolean): Arm {
  return onceConnector('answered', matches, (proxy) => proxy.dropAnswer(isWrite));
}

/** The Table endpoint of the run's Azurite, for the proxy to forward to. */
function azuriteTable(): string {
  const endpoint = /TableEndpoint=(http:\/\/[^/;]+)/.exec(inject('tablesConnectionString'))?.[1];
  if (!endpoint) throw new Error('no TableEndpoint in the run connection string');
  return endpoint;
}

/** A case's own connector, storage proxy and tables (its prefix), closed by `closers` after the file. */
export async function startBlipParts(members: Member[], closers: (() => Promise<unknown>)[]): Promise<BlipParts & { prefix: string }> {
  const connector = await startConnector(members);
  const proxy = await startStorageProxy(azuriteTable());
  closers.push(
    () => connector.close(),
    () => proxy.close(),
  );
  const prefix = uniquePrefix();
  await ensureTables(proxy.connectionString, prefix);
  return { connector, proxy, prefix };
}
