import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  EVENT_TYPES,
  LEDGER_EVENT_CATALOGUE,
  isLedgerEventType,
  ledgerEventSchemaVersion,
  parseLedgerEvent,
} from '../src/index.js';

const CATALOGUE_MARKDOWN = readFileSync(new URL('../../../docs/event-catalogue.md', import.meta.url), 'utf8');

interface Row {
  readonly type: string;
  readonly stream: string;
  readonly schemaVersion: number;
  readonly writer: string;
}

/** Rows of the table `| \`Type\` | \`stream\` | version | writer |` in docs/event-catalogue.md. */
function documentedRows(markdown: string): Row[] {
  return [...markdown.matchAll(/^\| `([A-Za-z]+)` +\| `([^`]+)` +\| (\d+) +\| (.+?) +\|$/gm)].map(
    (match) => ({
      type: match[1] ?? '',
      stream: match[2] ?? '',
      schemaVersion: Number(match[3]),
      writer: match[4] ?? '',
    }),
  );
}

t.test('every domain event type is in the ledger catalogue, each type once', async (t) => {
  const types = LEDGER_EVENT_CATALOGUE.map((entry) => entry.type);
  t.same(
    EVENT_TYPES.filter((type) => !types.includes(type)),
    [],
    'no domain event type is missing',
  );
  t.equal(new Set(types).size, types.length, 'no type is listed twice');
  for (const type of [
    'ApiKeyIssued',
    'ApiKeyRevoked',
    'IdempotencyKeyClaimed',
    'IdempotentResponseRecorded',
  ]) {
    t.ok(isLedgerEventType(type), `${type}, which the API writes, is catalogued`);
  }
});

t.test('docs/event-catalogue.md lists exactly the catalogue', async (t) => {
  const documented = documentedRows(CATALOGUE_MARKDOWN);
  const catalogued = LEDGER_EVENT_CATALOGUE.map(({ type, stream, schemaVersion, writer }) => ({
    type,
    stream,
    schemaVersion,
    writer,
  }));
  t.same(documented, catalogued, 'same rows, same order (regenerate the table from the catalogue)');
  const withoutOne = CATALOGUE_MARKDOWN.replace(/^\| `ApiKeyRevoked`.*\n/m, '');
  t.equal(documentedRows(withoutOne).length, catalogued.length - 1, 'the parser notices a missing row');
});

t.test('parseLedgerEvent validates the API’s own events like domain events', async (t) => {
  const issued = {
    keyId: '6f1c1d0e-4b7a-4a37-9a55-0d2b8f0e7c11',
    keyHash: 'a'.repeat(64),
    role: 'desk',
    scope: { kind: 'community', id: 'c1' },
    label: 'Desk',
    issuedBy: 'system:bootstrap',
  };
  t.match(parseLedgerEvent('ApiKeyIssued', issued, 1), { type: 'ApiKeyIssued', data: issued });
  t.throws(
    () => parseLedgerEvent('ApiKeyIssued', { ...issued, role: 'root' }, 1),
    /ApiKeyIssued data is invalid/,
  );
  t.throws(() => parseLedgerEvent('ApiKeyIssued', issued, 2), /schema version 2; this build reads 1/);
  t.throws(() => parseLedgerEvent('ApiKeyForged', issued, 1), /unknown event type "ApiKeyForged"/);
  t.throws(
    () => parseLedgerEvent('IdempotentResponseRecorded', { requestHash: 'x', statusCode: 201, body: {} }, 1),
    /IdempotentResponseRecorded data is invalid/,
  );
  t.throws(() => parseLedgerEvent('PointsHeld', {}, 1), /PointsHeld data is invalid/, 'domain types too');
  t.equal(ledgerEventSchemaVersion('IdempotencyKeyClaimed'), 1);
});
