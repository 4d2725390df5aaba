/**
 * `pnpm ledger verify` on EventStoreDB, as a process: the flags are accepted and the command gets
 * as far as connecting. No KurrentDB server runs in this test; port 1 on the loopback interface
 * refuses at once, so the command ends in a one-line connection error after the adapter's
 * bounded retries instead of a usage error or a stack. Both schemes the flag accepts get that far
 * (the client itself parses only esdb://).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

for (const scheme of ['esdb', 'kurrentdb']) {
  const UNREACHABLE = `${scheme}://127.0.0.1:1?tls=false`;
  t.test(`pnpm ledger verify --store esdb --esdb-url ${scheme}:// reaches the connection step`, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'timebank-auditor-esdb-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const result = spawnSync(
      'pnpm',
      [
        '--silent',
        'ledger',
        'verify',
        '--quiet',
        '--store',
        'esdb',
        '--esdb-url',
        UNREACHABLE,
        '--data-dir',
        dataDir,
      ],
      { encoding: 'utf8', env: { ...process.env, LEDGER_STORE: '', ESDB_URL: '' }, timeout: 120_000 },
    );
    t.equal(result.status, 3, 'the command failed (exit 3), it was not refused as usage (exit 2)');
    t.match(result.stderr, `ledger verify: cannot reach the event store (esdb at ${UNREACHABLE})`);
    t.ok(result.stderr.startsWith('ledger verify: '), 'one line from the command, first');
    t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
    t.equal(result.stdout, '');
  });
}
