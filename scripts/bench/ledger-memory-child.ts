/**
 * Child process of the ledger-memory benchmark: registers `--volunteers` volunteers through one
 * ledger (each registration decides on, appends to and caches a volunteer's folded state) and
 * prints the process's resident memory as JSON. A process of its own, so that RSS measures
 * this ledger and nothing an earlier benchmark left behind.
 */
import { parseArgs } from 'node:util';
import { createWorld, registerVolunteers } from './support/ledger-world.js';

const { values } = parseArgs({
  options: { volunteers: { type: 'string' }, 'cache-entries-max': { type: 'string' } },
  strict: true,
});
const volunteers = Number(values.volunteers);
const cacheEntriesMax = Number(values['cache-entries-max']);
if (!Number.isInteger(volunteers) || !Number.isInteger(cacheEntriesMax))
  throw new Error('usage: ledger-memory-child --volunteers N --cache-entries-max N');

const world = await createWorld({ cacheEntriesMax });
try {
  await registerVolunteers(world.ledger, 0, volunteers, 32);
  // Collect first, so RSS shows what the ledger retains rather than garbage not yet collected.
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  console.log(JSON.stringify({ rssBytes: rss, heapUsedBytes: heapUsed }));
} finally {
  await world.close();
}
