/** Shared set-up of the interchange tests: a SQLite data directory with its keys, and valid ID numbers. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLedger } from '@timebank/application';
import { nationalIdCheckCharacter } from '@timebank/domain';
import { NATIONAL_ID_KEY_FILE, openEventStore, openPersonalKeys } from '@timebank/ledger-opener';

export const ADMIN = { id: 'admin-1', role: 'administrator' as const };

/** The platform's volunteer row number `index` of an import file, in `community`. */
export function platformVolunteerRow(index: number, community: string): Record<string, string> {
  return {
    record_kind: 'volunteer',
    source_system: 'national_platform',
    source_record_id: `vol-${index}`,
    platform_volunteer_number: `P${String(index).padStart(7, '0')}`,
    name: `志愿者${index}号`,
    national_id_number: nationalIdNumber(index),
    phone: `138${String(index).padStart(8, '0')}`,
    community,
  };
}

/** A valid 18-digit ID number, unique per `index` (birth dates in 1970-1999, sequence 001-899). */
export function nationalIdNumber(index: number): string {
  const year = 1970 + (index % 30);
  const month = 1 + (Math.floor(index / 30) % 12);
  const day = 1 + (Math.floor(index / 360) % 28);
  const sequence = 1 + Math.floor(index / (360 * 28));
  const body = `130102${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(sequence).padStart(3, '0')}`;
  return body + nationalIdCheckCharacter(body);
}

export interface DataDir {
  readonly dataDir: string;
  readonly nationalIdKey: string;
  remove(): void;
}

/** A fresh data directory with its national-ID key; the store and key store are created on first open. */
export function freshDataDir(prefix: string): DataDir {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const nationalIdKey = randomBytes(32).toString('hex');
  writeFileSync(join(dataDir, NATIONAL_ID_KEY_FILE), `${nationalIdKey}\n`, { mode: 0o600 });
  return { dataDir, nationalIdKey, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** The ledger over the directory as the API would open it (sealing on), at a fixed clock. */
export async function openAt(data: DataDir, clockMs: number) {
  const store = await openEventStore({ engine: 'sqlite', dataDir: data.dataDir });
  const keys = await openPersonalKeys({ engine: 'sqlite', dataDir: data.dataDir }, { masterKey: null });
  const ledger = createLedger({
    store,
    clock: () => clockMs,
    nationalIdKey: data.nationalIdKey,
    personalKeys: keys.keys,
  });
  return {
    store,
    keys,
    ledger,
    close: async () => {
      await keys.close();
      await store.close();
    },
  };
}
