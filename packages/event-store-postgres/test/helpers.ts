import { randomBytes, randomUUID } from 'node:crypto';
import type { NewEvent } from '@timebank/event-store';
import {
  createPostgresEventStore,
  type PostgresEventStore,
  type PostgresEventStoreOptions,
} from '../src/index.js';
import { dropSchema } from '../src/testing/index.js';

export { dropSchema };

type Test = { teardown(fn: () => unknown): void };

/** A fresh, randomly named schema, dropped when the test ends (tap runs files in parallel). */
export function freshSchemaName(): string {
  return `es_test_${randomBytes(6).toString('hex')}`;
}

/** Opens a store in a fresh schema; closes it and drops the schema at teardown. */
export async function openStore(
  t: Test,
  url: string,
  overrides: Partial<Omit<PostgresEventStoreOptions, 'connectionString' | 'pool'>> = {},
): Promise<PostgresEventStore> {
  const schema = overrides.schema ?? freshSchemaName();
  const store = await createPostgresEventStore({ connectionString: url, ...overrides, schema });
  t.teardown(async () => {
    await store.close();
    if (overrides.schema === undefined) await dropSchema(url, schema);
  });
  return store;
}

export function newEvent(type = 'ThingHappened', data: NewEvent['data'] = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata: { schemaVersion: 1 } };
}

/** Resolves after `milliseconds` with `'pending'`, for racing against a promise that must not settle. */
export function pendingAfter(milliseconds: number): Promise<'pending'> {
  return new Promise((resolve) => setTimeout(() => resolve('pending'), milliseconds));
}
