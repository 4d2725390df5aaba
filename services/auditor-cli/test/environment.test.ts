/**
 * `pnpm ledger` reads some of the server's variables. A bad value set in the environment (not as a
 * flag) is named as that variable, and the national-ID key is read exactly as the server reads
 * it: a command that trimmed a key the server uses untrimmed would file volunteers under other ids.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseCommand } from '../src/args.js';
import { configuredNationalIdKey, nationalIdKeyOf } from '../src/privacy-commands.js';

t.test('a bad engine or schema from the environment names the variable', async (t) => {
  t.throws(() => parseCommand(['verify'], { LEDGER_STORE: 'mysql' }), {
    code: 'PROJECTION_INVALID_ARGUMENT',
    message: /LEDGER_STORE/,
  });
  t.throws(
    () =>
      parseCommand(['verify'], {
        LEDGER_STORE: 'postgres',
        POSTGRES_URL: 'postgres://h/db',
        POSTGRES_SCHEMA: 'Not-A-Schema',
      }),
    { code: 'PROJECTION_INVALID_ARGUMENT', message: /POSTGRES_SCHEMA/ },
  );
});

t.test('the national-ID key: the server’s rule, never trimmed', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'ledger-cli-env-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const key = 'k'.repeat(40);
  t.equal(nationalIdKeyOf({ LEDGER_NATIONAL_ID_KEY: key }, directory), key);
  // The server hashes with the key as given; a trimmed one here would derive other volunteer ids.
  t.equal(nationalIdKeyOf({ LEDGER_NATIONAL_ID_KEY: `${key}\n` }, directory), `${key}\n`);
  t.equal(configuredNationalIdKey({ LEDGER_NATIONAL_ID_KEY: '  ' }), null, 'blank counts as unset');
  // The server refuses a short key; so does every command (tick used to put a placeholder in its place).
  t.throws(() => configuredNationalIdKey({ LEDGER_NATIONAL_ID_KEY: 'short' }), {
    code: 'PROJECTION_INVALID_ARGUMENT',
    message: /^LEDGER_NATIONAL_ID_KEY must be at least 32 characters/,
  });
});
