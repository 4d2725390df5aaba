/**
 * Builds the real app over a real SQLite store in a fresh temp dir, with one API key per role and
 * scope the tests need, and every log line captured for assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import type { EventStore } from '@timebank/event-store';
import { wireLedgerApi, type WiredApi } from '../src/wiring.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/http/logging.js';
import type { ApiKeyRole, ApiKeyScope } from '../src/auth/principal.js';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';

export interface Harness extends WiredApi {
  readonly store: EventStore;
  readonly directory: string;
  /** Raw log lines (JSON), in order. */
  readonly logs: string[];
  /** Issues a key and returns the `authorization` header value. */
  keyFor(role: ApiKeyRole, scope: ApiKeyScope, label?: string): Promise<string>;
  /** Headers for a call as `authorization`, plus an idempotency key when given. */
  headers(authorization: string, idempotencyKey?: string): Record<string, string>;
}

export async function startHarness(
  t: Test,
  options: {
    environment?: Record<string, string>;
    clock?: () => number;
    /** Wraps the store the app writes through (the harness's `store` stays the raw one). */
    wrapStore?: (store: EventStore) => EventStore;
  } = {},
): Promise<Harness> {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-api-'));
  const store = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
  const logs: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void logs.push(line) },
  });
  // No sweeps unless a test asks: a test's own clock must not race the scheduler's expiries.
  const config = loadConfig({
    LEDGER_DATA_DIR: directory,
    LEDGER_SWEEP_INTERVAL_MS: '0',
    ...options.environment,
  });
  const built = await wireLedgerApi({
    config,
    store: options.wrapStore === undefined ? store : options.wrapStore(store),
    logger,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  t.teardown(async () => {
    await built.close();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });
  let issued = 0;
  return {
    ...built,
    store,
    directory,
    logs,
    async keyFor(role, scope, label) {
      issued += 1;
      const { key } = await built.context.keys.issue({
        role,
        scope,
        label: label ?? `${role} test key`,
        issuedBy: 'test',
        idempotencyKey: `test-key-${issued}`,
      });
      return `Bearer ${key}`;
    },
    headers(authorization, idempotencyKey) {
      return {
        authorization,
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      };
    },
  };
}

/** Parses a problem+json response and checks its invariants: coded, no stack trace. */
export function problemOf(
  t: Test,
  response: { headers: Record<string, unknown>; body: string; statusCode: number },
) {
  t.match(String(response.headers['content-type']), /^application\/problem\+json/, 'problem content type');
  t.notMatch(response.body, /\bat .+\.(ts|js):\d+/, 'no stack trace in the body');
  const body = JSON.parse(response.body) as {
    code: string;
    status: number;
    detail?: string;
    errors?: { field: string; message?: string }[];
  };
  t.equal(body.status, response.statusCode, 'status in the body matches the response');
  return body;
}
