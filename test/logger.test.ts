import { describe, expect, it } from 'vitest';
import { formatRecord } from '../src/logger';

describe('formatRecord', () => {
  it('writes a record on one line, a stack in a field included, so a query reads it whole', () => {
    const error = 'StorageError: timed out\n    at Table.read (table.ts:10:5)\n    at async load (store.ts:3:1)';
    expect(formatRecord({ level: 'error', message: 'handoff.refresh failed', fields: { handoffId: 'h1', error } })).toBe(
      '[error] handoff.refresh failed (handoffId=h1, error=StorageError: timed out | at Table.read (table.ts:10:5) | at async load (store.ts:3:1))',
    );
  });

  it('leaves out empty fields', () => {
    expect(formatRecord({ level: 'info', message: 'ok', fields: { a: undefined, b: '', c: 0 } })).toBe('[info] ok (c=0)');
  });
});
