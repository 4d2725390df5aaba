/**
 * The console's QR encoder: sizes by payload, and — with zbarimg (Debian's zbar-tools) on the
 * machine — every code decodes back to its payload, across versions with one and several
 * error-correction blocks. Without zbarimg the decoding half skips, saying why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { qrModules } from '../src/web/lib/qr.js';

const ZBARIMG = '/usr/bin/zbarimg';

/** The modules as a plain PBM image, 8 pixels a module, with the 4-module quiet zone. */
function pbm(grid: readonly (readonly boolean[])[]): string {
  const scale = 8;
  const quiet = 4;
  const side = (grid.length + 2 * quiet) * scale;
  const rows: string[] = [];
  for (let y = 0; y < side; y++) {
    const row: string[] = [];
    for (let x = 0; x < side; x++) {
      const dark = grid[Math.floor(y / scale) - quiet]?.[Math.floor(x / scale) - quiet] === true;
      row.push(dark ? '1' : '0');
    }
    rows.push(row.join(' '));
  }
  return `P1\n${side} ${side}\n${rows.join('\n')}\n`;
}

const PAYLOADS = ['hello', 'timebank-spend:1234567890123456', 'x'.repeat(90)];

t.test('the symbol grows with the payload: 21 modules for version 1, 29 for a spend code', async (t) => {
  t.equal(qrModules('hello').length, 21);
  t.equal(qrModules('timebank-spend:1234567890123456').length, 29);
  t.throws(() => qrModules('x'.repeat(200)), /too long/);
});

t.test(
  'zbarimg reads every code back',
  // Under CI a missing decoder fails the test (CI installs zbar-tools); elsewhere it skips, saying why.
  {
    skip:
      existsSync(ZBARIMG) || process.env.CI === 'true'
        ? false
        : `${ZBARIMG} is missing; apt-get install zbar-tools to decode`,
  },
  async (t) => {
    const directory = mkdtempSync(join(tmpdir(), 'console-qr-'));
    t.teardown(() => rmSync(directory, { recursive: true, force: true }));
    for (const [index, payload] of PAYLOADS.entries()) {
      const file = join(directory, `code-${index}.pbm`);
      writeFileSync(file, pbm(qrModules(payload)));
      const decoded = execFileSync(ZBARIMG, ['--raw', '-q', file], { encoding: 'utf8' }).trim();
      t.equal(decoded, payload, `${payload.length} bytes decode`);
    }
  },
);
