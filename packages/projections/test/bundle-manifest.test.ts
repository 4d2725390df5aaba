/**
 * The manifest's stream heads are what an auditor compares with a published root hash, so an
 * export whose events file was cut short or re-hashed at a stream's end must fail `verify
 * --bundle`, even when the forger also fixed the file's sha-256, event count and last position
 * in the manifest (everything the manifest says except the heads it was published with).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { eventHash } from '@timebank/event-store';
import { verifyBundle } from '../src/audit/bundle.js';
import { EVENTS_FILE, exportLedger, MANIFEST_FILE } from '../src/audit/export.js';
import { sqliteHarness } from './harness.js';
import { ALICE, seedScenario } from './scenario.js';

interface Line {
  position: string;
  streamName: string;
  revision: string;
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: { schemaVersion: number };
  recordedAt: string;
  hash: string;
}

const STREAM = `volunteer-${ALICE}`;

/** Writes `lines` as a bundle beside `manifest`, with the sha-256, count and last position fixed up. */
function forgeBundle(t: Test, manifest: Record<string, unknown>, lines: readonly Line[]): string {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-forged-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const text = lines.map((line) => JSON.stringify(line) + '\n').join('');
  writeFileSync(join(directory, EVENTS_FILE), text);
  const forged = {
    ...manifest,
    eventsSha256: createHash('sha256').update(text).digest('hex'),
    eventCount: lines.length,
    lastPosition: lines.at(-1)?.position ?? '0',
  };
  writeFileSync(join(directory, MANIFEST_FILE), JSON.stringify(forged, null, 2) + '\n');
  return directory;
}

t.test('a bundle cut short or re-hashed at a stream’s end fails on the manifest’s head', async (t) => {
  const engine = await sqliteHarness.create();
  t.teardown(() => engine.close());
  await seedScenario(engine.store);
  const bundle = mkdtempSync(join(tmpdir(), 'timebank-bundle-'));
  t.teardown(() => rmSync(bundle, { recursive: true, force: true }));
  await exportLedger({ store: engine.store, directory: bundle });
  const manifest = JSON.parse(readFileSync(join(bundle, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
  const lines = readFileSync(join(bundle, EVENTS_FILE), 'utf8')
    .trimEnd()
    .split('\n')
    .map((text) => JSON.parse(text) as Line);
  const ofStream = lines.filter((line) => line.streamName === STREAM);
  const last = ofStream.at(-1)!;
  const beforeLast = ofStream.at(-2)!;
  t.ok(
    (await verifyBundle(forgeBundle(t, manifest, lines))).ok,
    'the forging itself leaves an intact bundle intact',
  );

  await t.test('the stream’s last event removed', async (t) => {
    const cut = await verifyBundle(
      forgeBundle(
        t,
        manifest,
        lines.filter((line) => line !== last),
      ),
    );
    t.equal(cut.ok, false);
    t.match(cut.findings, [
      {
        streamName: STREAM,
        message: `stream ${STREAM} ends at ${beforeLast.revision} ${beforeLast.hash}, manifest says ${last.revision} ${last.hash}`,
      },
    ]);
    t.equal(cut.findings.length, 1, 'the chain itself is intact: only the head gives it away');
  });

  await t.test('the stream’s last event changed and re-hashed', async (t) => {
    const data = { ...last.data, idempotencyKey: `${String(last.data.idempotencyKey)}-forged` };
    const event = {
      ...last,
      revision: BigInt(last.revision),
      data: data as never,
      metadata: last.metadata as never,
    };
    const rehashed = { ...last, data, hash: eventHash(beforeLast.hash, event) };
    const changed = await verifyBundle(
      forgeBundle(
        t,
        manifest,
        lines.map((line) => (line === last ? rehashed : line)),
      ),
    );
    t.equal(changed.ok, false);
    t.match(changed.findings, [
      {
        streamName: STREAM,
        message: `stream ${STREAM} ends at ${last.revision} ${rehashed.hash}, manifest says ${last.revision} ${last.hash}`,
      },
    ]);
    t.equal(changed.findings.length, 1, 'the chain itself is intact: only the head gives it away');
  });
});
