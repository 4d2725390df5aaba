import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { directoryProblem } from '../src/ensure-directory.js';

t.test('directoryProblem creates missing levels, or names what is wrong and leaves nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-ensure-directory-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));

  t.equal(directoryProblem(join(root, 'a', 'b')), undefined);
  t.ok(statSync(join(root, 'a', 'b')).isDirectory(), 'made, parents included');

  // probe: could it be made? Answered, and nothing is left either way.
  t.equal(directoryProblem(join(root, 'p', 'q'), { probe: true }), undefined);
  t.notOk(existsSync(join(root, 'p')), 'a probe leaves no level behind');
  t.equal(directoryProblem(join(root, 'a', 'b'), { probe: true }), undefined);
  t.ok(existsSync(join(root, 'a', 'b')), 'nor removes one that was there');

  writeFileSync(join(root, 'file'), 'x');
  t.equal(directoryProblem(join(root, 'file')), `${join(root, 'file')} is not a directory`);
  t.equal(
    directoryProblem(join(root, 'file', 'x')),
    `${join(root, 'file')}, on its path, is not a directory`,
  );
  if (process.platform === 'linux' && existsSync('/proc/self')) {
    // The kernel answers ENOENT though /proc/self exists: Node's recursive mkdir retries for ever.
    t.match(directoryProblem('/proc/self/timebank/x'), /^cannot create \/proc\/self\/timebank: ENOENT/);
  }
});

t.test('a directory this process cannot write into is named', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'timebank-ensure-directory-'));
  t.teardown(() => {
    chmodSync(root, 0o700);
    rmSync(root, { recursive: true, force: true });
  });
  // Root writes into a mode 0555 directory anyway; /proc/sys refuses even root (EACCES).
  const readOnly = process.getuid?.() === 0 ? '/proc/sys' : root;
  chmodSync(root, 0o555);
  t.match(directoryProblem(readOnly), new RegExp(`^cannot write into ${readOnly}: EACCES`));
});
