/**
 * The projector's failures, logged per outage (projector-error-log.ts): the first at `error` with
 * its reason, the retries at `debug` with a `warn` summary at most once a minute, one `info` line
 * when a batch commits again. The PostgreSQL lock that causes such an outage is in
 * postgres-timeouts.test.ts; this drives the clock through a long one.
 */
import { pino } from 'pino';
import t from 'tap';
import { projectorErrorLog } from '../src/projector-error-log.js';

function captured() {
  type Line = { level: number; msg: string; [field: string]: unknown };
  const lines: Line[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
  );
  let nowMs = 0;
  const log = projectorErrorLog(logger, () => nowMs);
  return { lines, log, advance: (ms: number) => (nowMs += ms) };
}

const timeout = new Error('canceling statement due to statement timeout\nmore detail');

t.test('a ten-minute outage: one error, a warn a minute, one info on recovery', async (t) => {
  const { lines, log, advance } = captured();
  // A failure every 35 s (a 30 s statement timeout and the 5 s retry delay), for ten minutes.
  for (let failure = 0; failure < 18; failure += 1) {
    log.onError(timeout);
    advance(35_000);
  }
  log.onCommitted();
  const levels = (level: number) => lines.filter((line) => line.level === level);
  t.equal(levels(50).length, 1, 'one error line');
  t.match(levels(50)[0], { reason: 'canceling statement due to statement timeout' }, 'naming the reason');
  t.equal(levels(20).length, 17, 'every retry at debug');
  t.equal(levels(40).length, 8, 'a warn summary at most once a minute');
  t.match(levels(40)[0], { msg: 'projector still failing; it retries', failures: 3, outageSeconds: 70 });
  t.equal(levels(30).length, 1, 'one info line');
  t.match(levels(30)[0], { failures: 18, outageSeconds: 630 });

  lines.length = 0;
  log.onCommitted();
  t.same(lines, [], 'a commit outside an outage logs nothing');
  log.onError(timeout);
  t.equal(lines[0]?.level, 50, 'the next outage starts with an error line again');
});

t.test('a failure long after the last one starts a new outage, commit or not', async (t) => {
  const { lines, log, advance } = captured();
  log.onError(timeout);
  advance(10 * 60_000);
  log.onError(timeout);
  t.same(
    lines.map((line) => line.level),
    [50, 50],
  );
});
