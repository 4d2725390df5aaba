/**
 * The soak's world, set up through the in-process API: an organisation, a partner with a
 * one-centipoint offer, keys, and volunteers who each earned enough points for the whole soak and
 * consented to the canteen's redemptions.
 */
import type { LightMyRequestResponse as Response } from 'fastify';
import type { WiredApi } from '../../../services/ledger-api/src/wiring.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const HOUR_MS = 3_600_000;
/** Hours in one service record: the per-record cap's default (12 h); longer service takes one record a day. */
const RECORD_HOURS_MAX = 12;
const DAY_MS = 24 * HOUR_MS;

/** A valid resident ID number (GB 11643 check character) from a seed below 10^7; never a real person's. */
export function nationalIdNumber(seed: number): string {
  const birthDate = new Date(Date.UTC(1960, 0, 1 + Math.floor(seed / 1000)));
  const yyyymmdd = birthDate.toISOString().slice(0, 10).replaceAll('-', '');
  const body = `130102${yyyymmdd}${String(seed % 1000).padStart(3, '0')}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * WEIGHTS[index]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

export interface SoakWorld {
  readonly volunteerIds: readonly string[];
  /** POSTs a one-centipoint redemption at partner p1 with the given Idempotency-Key. */
  redeem(volunteerId: string, idempotencyKey: string): Promise<Response>;
  /** GETs the volunteer's redeemable points as partner p1 sees them. */
  balance(volunteerId: string): Promise<Response>;
}

type Post = (url: string, authorization: string, payload: object, key?: string) => Promise<Response>;

function expectOk(response: Response, what: string): Response {
  if (response.statusCode >= 300) throw new Error(`${what}: ${response.statusCode} ${response.body}`);
  return response;
}

/** Registers a volunteer and has `earnedHours` of service recorded and confirmed; returns the id. */
async function earningVolunteer(
  post: Post,
  admin: string,
  seed: number,
  earnedHours: number,
): Promise<string> {
  const end = Math.floor((Date.now() - 2 * HOUR_MS) / 60_000) * 60_000;
  const registered = expectOk(
    await post('/v1/volunteers', admin, {
      name: `Volunteer ${seed}`,
      nationalIdNumber: nationalIdNumber(seed),
      phone: '+86-311-5550000',
      community: 'c1',
    }),
    'registration',
  );
  const { volunteerId } = registered.json<{ volunteerId: string }>();
  // One record a day, going back from today, so that no record or day exceeds its cap.
  for (let day = 0, left = earnedHours; left > 0; day += 1, left -= RECORD_HOURS_MAX) {
    const dayEnd = end - day * DAY_MS;
    const hours = Math.min(left, RECORD_HOURS_MAX);
    const recorded = expectOk(
      await post(`/v1/volunteers/${volunteerId}/service-records`, admin, {
        activity: 'Reading to elders',
        organisationId: 'org1',
        startAt: new Date(dayEnd - hours * HOUR_MS).toISOString(),
        endAt: new Date(dayEnd).toISOString(),
      }),
      'service record',
    );
    const { recordId } = recorded.json<{ recordId: string }>();
    const confirmUrl = `/v1/volunteers/${volunteerId}/service-records/${recordId}/confirm`;
    expectOk(await post(confirmUrl, admin, {}), 'confirmation');
  }
  // Partners spend only with consent: a standing mandate to the canteen, above what the soak spends.
  const mandate = { partnerId: 'p1', monthlyCapCentipoints: 1_000_000 };
  expectOk(await post(`/v1/volunteers/${volunteerId}/mandates`, admin, mandate), 'mandate');
  return volunteerId;
}

/**
 * The world for `volunteers` volunteers who each earn `earnedHours` (50 centipoints an hour under
 * the default policy; each soak redemption spends one).
 */
export async function soakWorld(api: WiredApi, volunteers: number, earnedHours: number): Promise<SoakWorld> {
  let keys = 0;
  const keyFor = async (role: 'admin' | 'partner', scope: object): Promise<string> => {
    keys += 1;
    const { key } = await api.context.keys.issue({
      role,
      scope: scope as never,
      label: `soak ${role}`,
      issuedBy: 'bench',
      idempotencyKey: `soak-key-${keys}`,
    });
    return `Bearer ${key}`;
  };
  let posts = 0;
  const post: Post = async (url, authorization, payload, key) => {
    posts += 1;
    return api.app.inject({
      method: 'POST',
      url,
      headers: { authorization, 'idempotency-key': key ?? `setup-${posts}` },
      payload: payload as Record<string, unknown>,
    });
  };
  const admin = await keyFor('admin', { kind: 'all' });
  const organisation = { organisationId: 'org1', name: 'Station', community: 'c1' };
  expectOk(await post('/v1/admin/organisations', admin, organisation), 'organisation');
  const canteen = { partnerId: 'p1', name: 'Canteen', community: 'c1' };
  expectOk(await post('/v1/admin/partners', admin, canteen), 'partner');
  const partner = await keyFor('partner', { kind: 'partner', id: 'p1' });
  const tea = { offerId: 'tea', title: 'Tea', priceCentipoints: 1 };
  expectOk(await post('/v1/partners/p1/offers', admin, tea), 'offer');
  const volunteerIds: string[] = [];
  for (let seed = 0; seed < volunteers; seed += 1)
    volunteerIds.push(await earningVolunteer(post, admin, seed, earnedHours));
  return {
    volunteerIds,
    redeem: (volunteerId, idempotencyKey) =>
      post(
        '/v1/partners/p1/redemptions',
        partner,
        { volunteerId, offerId: 'tea', centipoints: 1 },
        idempotencyKey,
      ),
    balance: (volunteerId) =>
      api.app.inject({
        method: 'GET',
        url: `/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`,
        headers: { authorization: partner },
      }),
  };
}
