/**
 * Child process of the ledger-memory benchmark: registers `--volunteers` volunteers through one
 * ledger (each registration decides on, appends to and caches a volunteer's folded state) and
 * prints as JSON its peak RSS, its retained heap after a full GC, and its RSS once idle. A process of its own, so that RSS measures
 * this ledger and nothing an earlier benchmark left behind.
 */
import { parseArgs } from 'node:util';
import { createWorld, registerVolunteers } from './support/ledger-world.js';

const { values } = parseArgs({
  options: {
    volunteers: { type: 'string' },
    'cache-entries-max': { type: 'string' },
    'settle-ms': { type: 'string' },
  },
  strict: true,
});
const volunteers = Number(values.volunteers);
const cacheEntriesMax = Number(values['cache-entries-max']);
/** Idle time before the settled RSS is read, in milliseconds. */
const settleMs = Number(values['settle-ms']);
if (!Number.isInteger(volunteers) || !Number.isInteger(cacheEntriesMax) || !Number.isInteger(settleMs))
  throw new Error('usage: ledger-memory-child --volunteers N --cache-entries-max N --settle-ms N');

const world = await createWorld({ cacheEntriesMax });
try {
  // In a function of its own, and a turn of the event loop later, so that the ids it returns are
  // garbage by the collection below: the harness must not count as what the ledger retains.
  await (async () => {
    await registerVolunteers(world.ledger, 0, volunteers, 32);
  })();
  await new Promise((resolve) => setImmediate(resolve));
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  // Collect first, so the heap shows what the ledger retains rather than garbage not yet collected;
  // then idle, so V8's memory reducer returns the pages the load grew (as it does on a quiet server).
  globalThis.gc?.();
  const { heapUsed } = process.memoryUsage();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  globalThis.gc?.();
  const { rss } = process.memoryUsage();
  console.log(JSON.stringify({ peakRssBytes, settledRssBytes: rss, heapUsedBytes: heapUsed }));
} finally {
  await world.close();
}
