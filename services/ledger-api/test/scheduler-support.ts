/**
 * For the process tests (several server processes over one PostgreSQL schema): a fresh schema,
 * two processes that know each other's keys, a partner with a one-centipoint offer and volunteers
 * with points, then many short holds placed over HTTP on a running server.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { computeBalances, type DomainEvent, type EventType } from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import { freshPostgresSchema, nationalIdNumber, hoursAgo } from './fixtures.js';
import { bootstrapAdminKey, type ServerProcess, startServer, stopServer } from './server-process.js';

let requests = 0;

export async function call(
  server: ServerProcess,
  key: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  requests += 1;
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined
        ? {}
        : { 'content-type': 'application/json', 'idempotency-key': `sched-${process.pid}-${requests}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Registers volunteer `sequence` of community c1 with `key`; the reply as `call` answers it. */
export function registerVolunteer(
  server: ServerProcess,
  key: string,
  sequence: number,
  name = `Volunteer ${sequence}`,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return call(server, key, '/v1/volunteers', {
    name,
    nationalIdNumber: nationalIdNumber(sequence),
    phone: '+86-311-5550000',
    community: 'c1',
  });
}

async function ok(response: Promise<{ status: number; body: Record<string, unknown> }>) {
  const { status, body } = await response;
  if (status >= 300) throw new Error(`HTTP ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** Organisation, partner `p1` with a 1-centipoint offer, and `volunteers` volunteers with 12 h (1,200 centipoints) each. */
export async function seedWorld(server: ServerProcess, admin: string, volunteers: number): Promise<string[]> {
  await ok(
    call(server, admin, '/v1/admin/organisations', {
      organisationId: 'org1',
      name: 'Station',
      community: 'c1',
    }),
  );
  await ok(call(server, admin, '/v1/admin/partners', { partnerId: 'p1', name: 'Canteen', community: 'c1' }));
  await ok(
    call(server, admin, '/v1/partners/p1/offers', { offerId: 'tea', title: 'Tea', priceCentipoints: 1 }),
  );
  const ids: string[] = [];
  for (let index = 0; index < volunteers; index += 1) {
    const { volunteerId } = (await ok(
      call(server, admin, '/v1/volunteers', {
        name: `Volunteer ${index}`,
        nationalIdNumber: nationalIdNumber(8100 + index),
        phone: '+86-311-5550000',
        community: 'c1',
      }),
    )) as { volunteerId: string };
    const { recordId } = (await ok(
      call(server, admin, `/v1/volunteers/${volunteerId}/service-records`, {
        activity: 'Reading to elders',
        organisationId: 'org1',
        startAt: hoursAgo(42),
        endAt: hoursAgo(30),
      }),
    )) as { recordId: string };
    await ok(call(server, admin, `/v1/volunteers/${volunteerId}/service-records/${recordId}/confirm`, {}));
    // The volunteer consents to p1's holds (docs/api.md, spend consent), with a cap no test reaches.
    await ok(
      call(server, admin, `/v1/volunteers/${volunteerId}/mandates`, {
        partnerId: 'p1',
        monthlyCapCentipoints: 1_000_000,
      }),
    );
    ids.push(volunteerId);
  }
  return ids;
}

/**
 * A fresh schema (`<schemaPrefix>_<random>`) and temp directory for server processes. On teardown
 * the processes the caller pushed to `servers` are stopped, then the directory removed and the
 * schema dropped (even when stopping a process fails). `environment` is the configuration every
 * process on the schema shares.
 */
export function processesSchema(t: Test, postgresUrl: string, schemaPrefix: string) {
  const servers: ServerProcess[] = [];
  const directory = mkdtempSync(join(tmpdir(), `${schemaPrefix}-`));
  const schema = freshPostgresSchema(t, postgresUrl, schemaPrefix, async () => {
    try {
      for (const server of servers) await stopServer(server.child);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
  // What every process on the schema shares: the engine, the schema and the national-ID key.
  const environment = {
    LEDGER_STORE: 'postgres',
    POSTGRES_URL: postgresUrl,
    POSTGRES_SCHEMA: schema,
    LEDGER_NATIONAL_ID_KEY: randomBytes(32).toString('hex'),
  };
  return { schema, directory, servers, environment };
}

/**
 * Starts process `a` and then `b` (each pushed to `servers`), seeds `volunteers` volunteers
 * through `a` with its bootstrap admin key, issues partner p1's key through `a` and waits for `b`
 * to accept it: a key counts in another process only within API_KEY_REFRESH_MS.
 */
export async function startTwoProcesses(
  t: Test,
  servers: ServerProcess[],
  environments: { readonly a: Record<string, string>; readonly b: Record<string, string> },
  volunteers: number,
) {
  const a = await startServer(environments.a);
  servers.push(a);
  const admin = bootstrapAdminKey(environments.a.LEDGER_DATA_DIR!);
  const b = await startServer(environments.b);
  servers.push(b);
  const volunteerIds = await seedWorld(a, admin, volunteers);
  const partner = (
    await call(a, admin, '/v1/admin/api-keys', {
      role: 'partner',
      scope: { kind: 'partner', id: 'p1' },
      label: 'canteen',
    })
  ).body.key as string;
  // Wait for b to learn of the key rather than race it.
  t.ok(
    await waitFor(async () => (await call(b, partner, '/v1/partners/p1/offers')).status === 200, 30_000),
    'process b accepts the partner key issued through a',
  );
  return { a, b, admin, partner, volunteerIds };
}

/** Places `count` one-centipoint holds with a 1 s timeout, spread over `volunteerIds` and `servers`, 16 at a time. */
export async function placeHolds(
  servers: readonly ServerProcess[],
  partnerKey: string,
  volunteerIds: readonly string[],
  count: number,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      const place = () =>
        call(servers[index % servers.length]!, partnerKey, '/v1/partners/p1/holds', {
          volunteerId: volunteerIds[index % volunteerIds.length],
          offerId: 'tea',
          centipoints: 1,
          holdTimeoutSeconds: 1,
        });
      // Processes racing on one stream may lose more often than the handler retries; 409 wrote nothing.
      let response = await place();
      for (let attempt = 0; response.body.code === 'CONCURRENCY_CONFLICT' && attempt < 20; attempt += 1)
        response = await place();
      await ok(Promise.resolve(response));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Sum of held centipoints over the volunteers, from the read models of `server`. */
export async function heldTotal(
  server: ServerProcess,
  key: string,
  volunteerIds: readonly string[],
): Promise<number> {
  let total = 0;
  for (const id of volunteerIds)
    total += Number((await ok(call(server, key, `/v1/volunteers/${id}`))).heldCentipoints);
  return total;
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** Every event of the store, in order. */
export async function allEvents(
  store: EventStore,
): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const events: { type: string; data: Record<string, unknown> }[] = [];
  let position = 0n;
  for (;;) {
    const page = await store.readAll({ fromPosition: position });
    if (page.length === 0) return events;
    for (const event of page) events.push({ type: event.type, data: event.data });
    position = page.at(-1)!.position;
  }
}

/** What the history says about holds: how many were placed, and expiries per hold. */
export function holdOutcomes(events: readonly { type: string; data: Record<string, unknown> }[]) {
  const placed = events.filter((event) => event.type === 'PointsHeld').length;
  const expiries = new Map<string, number>();
  for (const event of events) {
    if (event.type !== 'PointsHoldExpired') continue;
    const holdId = String(event.data.holdId);
    expiries.set(holdId, (expiries.get(holdId) ?? 0) + 1);
  }
  const balances = computeBalances(
    events.map((event) => ({ type: event.type as EventType, data: event.data }) as unknown as DomainEvent),
  );
  const balanceSum = [...balances.values()].reduce((sum, value) => sum + value, 0);
  return { placed, expiries, balanceSum };
}
