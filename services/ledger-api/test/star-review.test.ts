/**
 * The administrator's star transitions over HTTP: a star award flagged for review (after a void
 * dropped the hours below its threshold) is kept or revoked with a reason, and the stars follow;
 * a bar after fraudulent hours refuses star applications until it ends. Finally `pnpm ledger
 * verify` passes on the ledger these wrote.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');
const UNLIMITED = { RATE_LIMIT_REQUESTS_MAX: '1000000' };
const DAY_MS = 86_400_000;

/** 9 × 12 h on separate days: 108 confirmed hours, eligible for one star (100 h). */
async function earn108Hours(w: World, volunteerId: string): Promise<string[]> {
  const recordIds: string[] = [];
  for (let day = 0; day < 9; day += 1) recordIds.push(await w.earn(volunteerId, 12, 24 * day + 1));
  return recordIds;
}

/** One star awarded, then the first record voided: 96 h, below the threshold, so the award is flagged. */
async function flaggedStar(t: Test, w: World, volunteerId: string): Promise<void> {
  const recordIds = await earn108Hours(w, volunteerId);
  const applied = await w.post(`/v1/volunteers/${volunteerId}/star-applications`, w.desk, {});
  t.equal(applied.statusCode, 201, applied.body);
  const voided = await w.post(`/v1/volunteers/${volunteerId}/service-records/${recordIds[0]}/void`, w.admin, {
    reasonCode: 'fraudulent_record',
  });
  t.equal(voided.statusCode, 200, voided.body);
  t.match(
    await summary(w, volunteerId),
    { confirmedMinutes: 96 * 60, eligibleStars: 0, awardedStars: 1, effectiveStars: 1, starReviewFlag: true },
    'flagged: the star still counts until reviewed',
  );
}

async function summary(w: World, volunteerId: string): Promise<Record<string, unknown>> {
  return (await w.get(`/v1/volunteers/${volunteerId}`, w.admin)).json<Record<string, unknown>>();
}

t.test(
  'a flagged star award is kept or revoked, and the bar refuses star applications until it ends',
  async (t) => {
    let offsetMs = 0;
    const w = await startWorld(t, UNLIMITED, { clock: () => Date.now() + offsetMs });

    // Keep: the flag clears, the star stays.
    const kept = await w.registerVolunteer(9101);
    const nothingFlagged = await w.post(`/v1/admin/volunteers/${kept}/star-review`, w.admin, {
      decision: 'keep',
      reason: 'checked',
    });
    t.equal(problemOf(t, nothingFlagged).code, 'STAR_AWARD_NOT_FLAGGED', 'nothing to review yet');
    await flaggedStar(t, w, kept);
    const byDesk = await w.post(`/v1/admin/volunteers/${kept}/star-review`, w.desk, {
      decision: 'keep',
      reason: 'checked',
    });
    t.equal(byDesk.statusCode, 403, 'only an administrator reviews');
    const keep = await w.post(`/v1/admin/volunteers/${kept}/star-review`, w.admin, {
      decision: 'keep',
      reason: 'the paper sign-in sheets show the hours',
    });
    t.equal(keep.statusCode, 200, keep.body);
    t.match(keep.json(), { volunteerId: kept, decision: 'keep', levels: [1], awardedStars: 1 });
    t.match(await summary(w, kept), { awardedStars: 1, effectiveStars: 1, starReviewFlag: false });
    const again = await w.post(`/v1/admin/volunteers/${kept}/star-review`, w.admin, {
      decision: 'revoke',
      reason: 'second thoughts',
    });
    t.equal(problemOf(t, again).code, 'STAR_AWARD_NOT_FLAGGED', 'a resolved review is not reopened');

    // Revoke: the star is withdrawn.
    const revoked = await w.registerVolunteer(9102);
    await flaggedStar(t, w, revoked);
    const revoke = await w.post(`/v1/admin/volunteers/${revoked}/star-review`, w.admin, {
      decision: 'revoke',
      reason: 'the voided hours were fraudulent',
    });
    t.equal(revoke.statusCode, 200, revoke.body);
    t.match(revoke.json(), { decision: 'revoke', levels: [1], awardedStars: 0 });
    t.match(await summary(w, revoked), { awardedStars: 0, effectiveStars: 0, starReviewFlag: false });
    const history = await w.get(`/v1/volunteers/${revoked}/history`, w.admin);
    t.match(history.body, /StarAwardReviewResolved/, 'the review is in the history');

    // Bar: 108 hours, but no star until the bar ends.
    const barred = await w.registerVolunteer(9103);
    await earn108Hours(w, barred);
    const past = await w.post(`/v1/admin/volunteers/${barred}/star-bar`, w.admin, {
      until: new Date(Date.now() - DAY_MS).toISOString(),
      reason: 'fraudulent hours',
    });
    t.equal(problemOf(t, past).code, 'STAR_BAR_PERIOD_INVALID', 'a bar cannot end in the past');
    const tooLong = await w.post(`/v1/admin/volunteers/${barred}/star-bar`, w.admin, {
      until: new Date(Date.now() + 4 * 365 * DAY_MS).toISOString(),
      reason: 'fraudulent hours',
    });
    t.equal(problemOf(t, tooLong).code, 'STAR_BAR_PERIOD_INVALID', 'a bar lasts at most three years');
    const until = new Date(Date.now() + 400 * DAY_MS).toISOString();
    const bar = await w.post(`/v1/admin/volunteers/${barred}/star-bar`, w.admin, {
      until,
      reason: 'fraudulent hours at the canteen',
    });
    t.equal(bar.statusCode, 200, bar.body);
    t.match(bar.json(), { volunteerId: barred, barredUntil: until });
    t.match(await summary(w, barred), { eligibleStars: 1, starCertificationBarredUntil: until });
    const refused = await w.post(`/v1/volunteers/${barred}/star-applications`, w.desk, {});
    t.equal(problemOf(t, refused).code, 'STAR_CERTIFICATION_BARRED', 'no star while barred');
    t.equal(refused.statusCode, 422);

    offsetMs = 401 * DAY_MS;
    t.match(await summary(w, barred), { starCertificationBarredUntil: null }, 'the bar has ended');
    const applied = await w.post(`/v1/volunteers/${barred}/star-applications`, w.desk, {});
    t.equal(applied.statusCode, 201, applied.body);
    t.match(applied.json(), { level: 1 });

    const verified = spawnSync(
      'pnpm',
      ['--silent', 'ledger', 'verify', '--quiet', '--data-dir', w.directory],
      {
        cwd: repositoryRoot,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    t.equal(
      verified.status,
      0,
      `pnpm ledger verify passes with star review events\n${verified.stdout}${verified.stderr}`,
    );
    t.match(verified.stdout, /^OK: \d+ events/m);
  },
);
