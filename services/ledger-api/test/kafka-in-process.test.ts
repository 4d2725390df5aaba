/**
 * With KAFKA_BROKERS set, the ledger process runs the Kafka relay itself: a registration made
 * through the ledger reaches the real broker as a public integration event (read back with kcat,
 * a client other than ours), and the relay's series appear in /metrics.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { nationalIdCheckCharacter } from '@timebank/domain';
import { requireServerUrl } from '@timebank/event-store/testing';
import { startWorld } from './fixtures.js';
import { startHarness } from './harness.js';

const brokers = requireServerUrl('KAFKA_BROKERS');
const run = promisify(execFile);

const nationalId = (body17: string): string => body17 + nationalIdCheckCharacter(body17);

/**
 * Reads a topic from the beginning with kcat until it has `count` messages or the time is up.
 * Asynchronous on purpose: the relay under test runs in this very process.
 */
async function readTopic(topic: string, count: number, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { stdout } = await run(
        'kcat',
        ['-b', brokers!, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k|%h|%s\\n'],
        { encoding: 'utf8', timeout: 15_000 },
      );
      const lines = stdout.split('\n').filter((line) => line.length > 0);
      if (lines.length >= count || Date.now() > deadline) return lines;
    } catch {
      // The topic does not exist until the relay creates it before its first message.
      if (Date.now() > deadline) return [];
    }
    await sleep(500);
  }
}

t.test(
  'the in-process relay publishes a registration and reports itself in /metrics',
  { skip: brokers === undefined ? 'KAFKA_BROKERS is not set' : false },
  async (t) => {
    const prefix = `t${randomUUID().slice(0, 8)}.`;
    const harness = await startHarness(t, {
      environment: { KAFKA_BROKERS: brokers!, KAFKA_TOPIC_PREFIX: prefix },
    });
    t.ok(harness.kafkaRelay, 'the relay runs when KAFKA_BROKERS is set');
    const registered = await harness.ledger.execute({
      type: 'RegisterVolunteer',
      idempotencyKey: 'kafka-in-process-1',
      actor: { id: 'desk-1', role: 'registration_desk' },
      name: 'Wang Fang',
      nationalIdNumber: nationalId('13010219850505123'),
      phone: '13700000000',
      community: 'community-1',
    });
    const volunteerId = registered.streamName.slice('volunteer-'.length);
    const lines = await readTopic(`${prefix}timebank.volunteers.v1`, 1, 30_000);
    t.equal(lines.length, 1, 'one VolunteerRegistered integration event on the volunteers topic');
    const [key, headers, value] = (lines[0] ?? '||').split('|');
    t.equal(key, volunteerId, 'keyed by volunteer id');
    t.match(headers, /event-type=VolunteerRegistered/);
    t.match(headers, /global-position=\d+/);
    t.notMatch(value, /Wang Fang|13010219850505|13700000000/, 'no identity data leaves the ledger');

    const metrics = await harness.app.inject({ method: 'GET', url: '/metrics' });
    t.match(metrics.body, /^kafka_relay_published_total [1-9]\d*$/m);
    // No hold was made: no copy went to a partner's topic, and none was left without one.
    t.match(metrics.body, /^kafka_relay_partner_published_total 0$/m);
    t.match(metrics.body, /^kafka_relay_partner_skipped_total 0$/m);
    t.match(metrics.body, /^kafka_relay_running 1$/m);
    t.match(metrics.body, /^kafka_relay_lag_positions \d+$/m);
  },
);

t.test(
  "holds made over HTTP reach each partner's own topic, and no other partner's",
  { skip: brokers === undefined ? 'KAFKA_BROKERS is not set' : false },
  async (t) => {
    const prefix = `t${randomUUID().slice(0, 8)}.`;
    const w = await startWorld(t, { KAFKA_BROKERS: brokers!, KAFKA_TOPIC_PREFIX: prefix });
    const volunteerId = await w.registerVolunteer(7301);
    await w.earn(volunteerId, 10, 30);
    await w.grantMandate(volunteerId, 'p1');
    await w.grantMandate(volunteerId, 'p2');
    const redeemed = await w.post('/v1/partners/p1/redemptions', w.partner, {
      volunteerId,
      offerId: 'meal',
      centipoints: 100,
    });
    t.equal(redeemed.statusCode, 201, redeemed.body);
    const held = await w.post('/v1/partners/p2/holds', w.otherPartner, {
      volunteerId,
      offerId: 'haircut',
      centipoints: 100,
    });
    t.equal(held.statusCode, 201, held.body);
    const { holdId } = held.json<{ holdId: string }>();
    const released = await w.post(`/v1/partners/p2/holds/${holdId}/release`, w.otherPartner, { volunteerId });
    t.equal(released.statusCode, 200, released.body);

    const typesOn = async (partnerId: string, count: number): Promise<string[]> => {
      const lines = await readTopic(`${prefix}timebank.partner.${partnerId}.points.v1`, count, 30_000);
      return lines.map((line) => {
        const [key, , ...value] = line.split('|');
        t.equal(key, volunteerId, 'keyed by volunteer id');
        const parsed = JSON.parse(value.join('|')) as { type: string; data: { partnerId: string } };
        t.equal(parsed.data.partnerId, partnerId, `${partnerId}'s topic carries only ${partnerId}'s events`);
        return parsed.type;
      });
    };
    t.same(await typesOn('p1', 2), ['PointsHeld', 'PointsCaptured'], 'p1 sees its redemption');
    t.same(await typesOn('p2', 2), ['PointsHeld', 'PointsReleased'], 'p2 sees its hold and release');
    const shared = await readTopic(`${prefix}timebank.points.v1`, 5, 30_000);
    t.equal(
      shared.filter((line) => /"partnerId"/.test(line)).length,
      4,
      "the city's topic has both partners'",
    );
    const metrics = await w.app.inject({ method: 'GET', url: '/metrics' });
    t.match(metrics.body, /^kafka_relay_partner_published_total 4$/m);
  },
);

t.test('without KAFKA_BROKERS no relay runs', async (t) => {
  const harness = await startHarness(t);
  t.equal(harness.kafkaRelay, null);
  const metrics = await harness.app.inject({ method: 'GET', url: '/metrics' });
  t.notMatch(metrics.body, /kafka_relay_/);
});
