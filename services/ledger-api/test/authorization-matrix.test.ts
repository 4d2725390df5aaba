/**
 * Every /v1 route × every role × in-scope / out-of-scope key, each cell asserted: a role the
 * route does not allow gets 403 FORBIDDEN; an allowed role with a key scoped elsewhere gets 403
 * FORBIDDEN; an allowed role in scope gets the route's success status. Coordinator keys (street s1
 * in scope, s2 out) read only the hierarchy's statistics. Project routes are scoped to the
 * project's organisation; the group-points "uses" route refuses every allowed role with 409
 * GROUP_POINTS_DONATION_ONLY, in scope or not. Auditor and admin keys are unscoped, so
 * they have one cell per route. A signed-in volunteer is in scope on their own record and out of
 * scope on anyone else's. The test fails if a route exists that it does not cover.
 */
import t from 'tap';
import type { Role } from '../src/auth/principal.js';
import { DOUBLED_RATE_TERMS, hoursAgo, nationalIdNumber, startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';

interface Request {
  readonly url: string;
  readonly payload?: Record<string, unknown>;
}

interface RouteCase {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly success: number;
  /** Read by every allowed role whatever its key's scope: a key scoped elsewhere succeeds too. */
  readonly everyScope?: true;
  /** What an allowed role scoped elsewhere gets, when not 403 FORBIDDEN (the lookup answers as if nobody were found). */
  readonly outOfScope?: { readonly status: number; readonly code: string };
  /** Builds a fresh request whose target lives in community c1 / organisation org1 / partner p1. */
  make(w: World, role: Role, willSucceed: boolean): Promise<Request>;
}

let seed = 1000;
let fresh = 0;
const next = () => (fresh += 1);

async function volunteer(w: World): Promise<string> {
  seed += 1;
  return w.registerVolunteer(seed);
}

/** 9 × 12 h confirmed, a star awarded, then the first record voided: the award is flagged for review. */
async function flaggedStar(w: World, id: string): Promise<void> {
  const recordIds: string[] = [];
  for (let day = 0; day < 9; day += 1) recordIds.push(await w.earn(id, 12, 24 * day + 1));
  const applied = await w.post(`/v1/volunteers/${id}/star-applications`, w.admin, {});
  if (applied.statusCode !== 201) throw new Error(`star application failed: ${applied.body}`);
  const voided = await w.post(`/v1/volunteers/${id}/service-records/${recordIds[0]}/void`, w.admin, {
    reasonCode: 'duplicate_record',
  });
  if (voided.statusCode !== 200) throw new Error(`void failed: ${voided.body}`);
}

async function volunteerWithPoints(w: World): Promise<string> {
  const id = await volunteer(w);
  await w.earn(id, 1, 30);
  return id;
}

/** A volunteer with points who consents (a standing mandate) to partner p1's holds. */
async function volunteerWithMandate(w: World): Promise<string> {
  const id = await volunteerWithPoints(w);
  await w.grantMandate(id);
  return id;
}

/** A fresh beneficiary of the donation pool in category `matrix` (allowance 1 centipoint a month). */
async function poolBeneficiary(w: World): Promise<string> {
  await w.post('/v1/admin/beneficiary-categories', w.admin, {
    categoryId: 'matrix',
    title: 'Matrix',
    priority: 1,
    monthlyAllowanceCentipoints: 1,
  });
  const beneficiaryId = `b-${next()}`;
  const registered = await w.post('/v1/admin/beneficiaries', w.admin, {
    beneficiaryId,
    categoryId: 'matrix',
    community: 'c1',
    name: 'Zhao Guifen',
    contact: '0311-5559876',
  });
  if (registered.statusCode !== 201) throw new Error(`beneficiary failed: ${registered.body}`);
  return beneficiaryId;
}

async function pendingRecord(w: World): Promise<{ volunteerId: string; recordId: string }> {
  const volunteerId = await volunteer(w);
  const response = await w.post(`/v1/volunteers/${volunteerId}/service-records`, w.admin, {
    activity: 'Tutoring',
    organisationId: 'org1',
    startAt: hoursAgo(10),
    endAt: hoursAgo(9),
  });
  return { volunteerId, recordId: response.json<{ recordId: string }>().recordId };
}

async function hold(w: World): Promise<{ volunteerId: string; holdId: string }> {
  const volunteerId = await volunteerWithMandate(w);
  const response = await w.post('/v1/partners/p1/holds', w.admin, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  return { volunteerId, holdId: response.json<{ holdId: string }>().holdId };
}

async function partner(w: World, suspended: boolean): Promise<string> {
  const partnerId = `px${next()}`;
  await w.post('/v1/admin/partners', w.admin, { partnerId, name: 'Fresh partner', community: 'c1' });
  if (suspended) await w.post(`/v1/admin/partners/${partnerId}/suspend`, w.admin, { reason: 'test' });
  return partnerId;
}

async function organisation(w: World, suspended: boolean): Promise<string> {
  const organisationId = `ox${next()}`;
  await w.post('/v1/admin/organisations', w.admin, {
    organisationId,
    name: 'Fresh station',
    community: 'c1',
  });
  if (suspended)
    await w.post(`/v1/admin/organisations/${organisationId}/suspend`, w.admin, { reason: 'test' });
  return organisationId;
}

const ISSUER = {
  organisationName: 'Qiaoxi Volunteer Service Station',
  personInCharge: 'Zhang Min',
  handler: 'Wang Fang',
  contact: '0311-5550000',
};

const service = (organisationId: string) => ({
  activity: 'Tutoring',
  organisationId,
  startAt: hoursAgo(6),
  endAt: hoursAgo(5),
});

/** A community registered on street s1, ready to move. */
async function communityOnS1(w: World): Promise<string> {
  const communityId = `cx${next()}`;
  await w.post('/v1/admin/communities', w.admin, {
    communityId,
    streetId: 's1',
    name: 'Fresh community',
    coordinatorId: `coordinator-${communityId}`,
    coordinatorName: 'Zhao Lei',
    coordinatorContact: '0311-5550002',
  });
  return communityId;
}

/** A fresh project of org1 with one team; with `groupPoints`, the team has earned some by a group activity. */
async function projectWithTeam(
  w: World,
  groupPoints = false,
): Promise<{ projectId: string; teamId: string }> {
  const projectId = `prx${next()}`;
  const teamId = 't1';
  await w.post('/v1/projects', w.admin, {
    projectId,
    organisationId: 'org1',
    name: 'Fresh project',
    leaderId: 'sw-1',
    leaderName: 'Zhang Min',
    leaderContact: '0311-5550123',
  });
  await w.post(`/v1/projects/${projectId}/teams`, w.admin, { teamId, name: 'Fresh team' });
  if (groupPoints) {
    await w.post(`/v1/projects/${projectId}/teams/${teamId}/group-activities`, w.admin, {
      activityId: 'a1',
      activity: 'Cleaning together',
      startAt: hoursAgo(4),
      endAt: hoursAgo(2),
    });
  }
  return { projectId, teamId };
}

const PROJECT_CASES: RouteCase[] = [
  {
    method: 'POST',
    url: '/v1/projects',
    success: 201,
    make: async () => ({
      url: '/v1/projects',
      payload: {
        projectId: `pry${next()}`,
        organisationId: 'org1',
        name: 'Fresh project',
        leaderId: 'sw-2',
        leaderName: 'Zhang Min',
        leaderContact: '0311-5550123',
      },
    }),
  },
  {
    method: 'POST',
    url: '/v1/projects/:projectId/teams',
    success: 201,
    make: async (w) => {
      const { projectId } = await projectWithTeam(w);
      return { url: `/v1/projects/${projectId}/teams`, payload: { teamId: 't2', name: 'Second team' } };
    },
  },
  {
    method: 'POST',
    url: '/v1/projects/:projectId/teams/:teamId/members',
    success: 201,
    make: async (w) => {
      const { projectId, teamId } = await projectWithTeam(w);
      const volunteerId = await volunteer(w);
      return { url: `/v1/projects/${projectId}/teams/${teamId}/members`, payload: { volunteerId } };
    },
  },
  {
    method: 'POST',
    url: '/v1/projects/:projectId/teams/:teamId/group-activities',
    success: 201,
    make: async (w) => {
      const { projectId, teamId } = await projectWithTeam(w);
      return {
        url: `/v1/projects/${projectId}/teams/${teamId}/group-activities`,
        payload: {
          activityId: 'a1',
          activity: 'Cleaning together',
          startAt: hoursAgo(4),
          endAt: hoursAgo(2),
        },
      };
    },
  },
  {
    method: 'POST',
    url: '/v1/projects/:projectId/teams/:teamId/group-points/donations',
    success: 201,
    make: async (w) => {
      const { projectId, teamId } = await projectWithTeam(w, true);
      return {
        url: `/v1/projects/${projectId}/teams/${teamId}/group-points/donations`,
        payload: { donationId: 'd1', centipoints: 100 },
      };
    },
  },
  {
    // Refused for every role allowed to ask, in scope or not: group points can only be donated.
    method: 'POST',
    url: '/v1/projects/:projectId/teams/:teamId/group-points/uses',
    success: 409,
    outOfScope: { status: 409, code: 'GROUP_POINTS_DONATION_ONLY' },
    make: async (w) => {
      const { projectId, teamId } = await projectWithTeam(w, true);
      return {
        url: `/v1/projects/${projectId}/teams/${teamId}/group-points/uses`,
        payload: { use: 'redeem', centipoints: 100 },
      };
    },
  },
  {
    method: 'GET',
    url: '/v1/projects/:projectId',
    success: 200,
    make: async (w) => ({ url: `/v1/projects/${(await projectWithTeam(w)).projectId}` }),
  },
  {
    method: 'GET',
    url: '/v1/projects/:projectId/statistics',
    success: 200,
    make: async (w) => ({
      url: `/v1/projects/${(await projectWithTeam(w)).projectId}/statistics?minPosition=${await w.store.headPosition()}`,
    }),
  },
  {
    method: 'GET',
    url: '/v1/organisations/:organisationId/statistics',
    success: 200,
    make: async (w) => ({
      url: `/v1/organisations/org1/statistics?minPosition=${await w.store.headPosition()}`,
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/coordinators/:coordinatorId/erasure',
    success: 200,
    make: async (w) => ({
      url: `/v1/admin/coordinators/coordinator-${await communityOnS1(w)}/erasure`,
      payload: { reason: 'purpose_met' },
    }),
  },
];

const CASES: RouteCase[] = [
  ...PROJECT_CASES,
  {
    method: 'POST',
    url: '/v1/admin/areas',
    success: 201,
    make: async () => ({
      url: '/v1/admin/areas',
      payload: { level: 'street', areaId: `sx${next()}`, parentId: 'd1', name: 'Fresh street' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/communities',
    success: 201,
    make: async () => {
      const communityId = `cy${next()}`;
      return {
        url: '/v1/admin/communities',
        payload: {
          communityId,
          streetId: 's1',
          name: 'Fresh community',
          coordinatorId: `coordinator-${communityId}`,
          coordinatorName: 'Zhao Lei',
          coordinatorContact: '0311-5550002',
        },
      };
    },
  },
  {
    method: 'POST',
    url: '/v1/admin/communities/:communityId/move',
    success: 200,
    make: async (w) => ({
      url: `/v1/admin/communities/${await communityOnS1(w)}/move`,
      payload: { toStreetId: 's2' },
    }),
  },
  {
    method: 'GET',
    url: '/v1/units/:unitId/statistics',
    success: 200,
    make: async (w) => ({ url: `/v1/units/c1/statistics?minPosition=${await w.store.headPosition()}` }),
  },
  {
    method: 'GET',
    url: '/v1/units/:unitId/volunteers',
    success: 200,
    make: async (w) => ({ url: `/v1/units/s1/volunteers?minPosition=${await w.store.headPosition()}` }),
  },
  {
    method: 'GET',
    url: '/v1/volunteers/by-number/:volunteerNumber',
    success: 200,
    outOfScope: { status: 404, code: 'VOLUNTEER_NOT_FOUND' },
    make: async (w) => {
      const id = await volunteer(w);
      const { volunteerNumber } = (await w.get(`/v1/volunteers/${id}`, w.admin)).json<{
        volunteerNumber: string;
      }>();
      return {
        url: `/v1/volunteers/by-number/${volunteerNumber}?minPosition=${await w.store.headPosition()}`,
      };
    },
  },
  {
    method: 'GET',
    url: '/v1/partners/:partnerId/statement',
    success: 200,
    make: async () => ({ url: '/v1/partners/p1/statement' }),
  },
  {
    method: 'GET',
    url: '/v1/organisations/:organisationId/service-records',
    success: 200,
    make: async () => ({ url: '/v1/organisations/org1/service-records?status=pending' }),
  },
  {
    method: 'GET',
    url: '/v1/communities/:community/statistics',
    success: 200,
    make: async () => ({ url: '/v1/communities/c1/statistics' }),
  },
  {
    method: 'GET',
    url: '/v1/audit/balances',
    success: 200,
    make: async () => ({ url: '/v1/audit/balances' }),
  },
  {
    method: 'GET',
    url: '/v1/audit/volunteers/:volunteerId/as-of',
    success: 200,
    make: async (w) => ({
      url: `/v1/audit/volunteers/${await volunteer(w)}/as-of?at=${new Date().toISOString()}`,
    }),
  },
  {
    method: 'GET',
    url: '/v1/audit/volunteers/by-number/:volunteerNumber/as-of',
    success: 200,
    make: async (w) => {
      const id = await volunteer(w);
      const { volunteerNumber } = (await w.get(`/v1/volunteers/${id}`, w.admin)).json<{
        volunteerNumber: string;
      }>();
      return {
        url: `/v1/audit/volunteers/by-number/${volunteerNumber}/as-of?at=${new Date().toISOString()}`,
      };
    },
  },
  {
    method: 'POST',
    url: '/v1/volunteers',
    success: 201,
    make: async () => {
      seed += 1;
      return {
        url: '/v1/volunteers',
        payload: {
          name: 'New',
          nationalIdNumber: nationalIdNumber(seed),
          phone: '13800000000',
          community: 'c1',
        },
      };
    },
  },
  {
    method: 'POST',
    url: '/v1/volunteers/lookup',
    success: 200,
    outOfScope: { status: 404, code: 'VOLUNTEER_NOT_FOUND' },
    make: async (w) => {
      const id = await volunteer(w);
      void id;
      return { url: '/v1/volunteers/lookup', payload: { nationalIdNumber: nationalIdNumber(seed) } };
    },
  },
  {
    method: 'GET',
    url: '/v1/volunteers/:volunteerId',
    success: 200,
    make: async (w) => ({ url: `/v1/volunteers/${await volunteer(w)}` }),
  },
  {
    method: 'GET',
    url: '/v1/volunteers/:volunteerId/history',
    success: 200,
    make: async (w) => ({ url: `/v1/volunteers/${await volunteer(w)}/history` }),
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/service-records',
    success: 201,
    // A desk records service its community organised; an organiser, its organisation's.
    make: async (w, role) => ({
      url: `/v1/volunteers/${await volunteer(w)}/service-records`,
      payload: service(role === 'desk' ? 'c1' : 'org1'),
    }),
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/star-applications',
    success: 201,
    make: async (w, _role, willSucceed) => {
      const id = await volunteer(w);
      // 9 × 12 h on separate days: 108 confirmed hours, eligible for one star.
      if (willSucceed) for (let day = 0; day < 9; day += 1) await w.earn(id, 12, 24 * day + 1);
      return { url: `/v1/volunteers/${id}/star-applications`, payload: {} };
    },
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/certificates',
    success: 201,
    make: async (w) => ({
      url: `/v1/volunteers/${await volunteerWithPoints(w)}/certificates`,
      payload: { issuer: ISSUER },
    }),
  },
  {
    method: 'GET',
    url: '/v1/volunteers/:volunteerId/certificates',
    success: 200,
    make: async (w) => ({ url: `/v1/volunteers/${await volunteer(w)}/certificates` }),
  },
  {
    method: 'GET',
    url: '/v1/volunteers/:volunteerId/certificates/:certificateNumber',
    success: 200,
    make: async (w) => {
      const id = await volunteerWithPoints(w);
      const issued = await w.post(`/v1/volunteers/${id}/certificates`, w.admin, { issuer: ISSUER });
      const { certificateNumber } = issued.json<{ certificateNumber: string }>();
      return { url: `/v1/volunteers/${id}/certificates/${certificateNumber}` };
    },
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/trainings',
    success: 201,
    make: async (w) => ({
      url: `/v1/volunteers/${await volunteer(w)}/trainings`,
      payload: {
        title: '急救知识培训',
        provider: '红十字会',
        completedOn: '2026-11-10',
        durationMinutes: 90,
      },
    }),
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/commendations',
    success: 201,
    make: async (w) => ({
      url: `/v1/volunteers/${await volunteer(w)}/commendations`,
      payload: { title: '优秀志愿者', awardedBy: '长安区民政局', awardedOn: '2026-11-20' },
    }),
  },
  {
    method: 'GET',
    url: '/v1/volunteers/:volunteerId/records',
    success: 200,
    make: async (w) => ({ url: `/v1/volunteers/${await volunteer(w)}/records` }),
  },
  {
    method: 'GET',
    url: '/v1/volunteers/:volunteerId/certificates/:certificateNumber.pdf',
    success: 200,
    make: async (w) => {
      const id = await volunteerWithPoints(w);
      const issued = await w.post(`/v1/volunteers/${id}/certificates`, w.admin, { issuer: ISSUER });
      const { certificateNumber } = issued.json<{ certificateNumber: string }>();
      return { url: `/v1/volunteers/${id}/certificates/${certificateNumber}.pdf` };
    },
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/transfers',
    success: 201,
    make: async (w) => ({
      url: `/v1/volunteers/${await volunteerWithPoints(w)}/transfers`,
      payload: { toVolunteerId: await volunteer(w), centipoints: 50 },
    }),
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/donations',
    success: 201,
    make: async (w) => ({
      url: `/v1/volunteers/${await volunteerWithPoints(w)}/donations`,
      payload: { centipoints: 50 },
    }),
  },
  ...(['confirm', 'reject'] as const).map((action): RouteCase => ({
    method: 'POST',
    url: `/v1/volunteers/:volunteerId/service-records/:recordId/${action}`,
    success: 200,
    make: async (w) => {
      const { volunteerId, recordId } = await pendingRecord(w);
      return {
        url: `/v1/volunteers/${volunteerId}/service-records/${recordId}/${action}`,
        payload: action === 'reject' ? { reason: 'Not attended' } : {},
      };
    },
  })),
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/service-records/:recordId/correct',
    success: 200,
    make: async (w) => {
      const id = await volunteer(w);
      const recordId = await w.earn(id, 1, 30);
      return {
        url: `/v1/volunteers/${id}/service-records/${recordId}/correct`,
        payload: { reasonCode: 'wrong_time', startAt: hoursAgo(31), endAt: hoursAgo(30.5) },
      };
    },
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/service-records/:recordId/void',
    success: 200,
    make: async (w) => {
      const id = await volunteer(w);
      const recordId = await w.earn(id, 1, 30);
      return {
        url: `/v1/volunteers/${id}/service-records/${recordId}/void`,
        payload: { reasonCode: 'duplicate_record' },
      };
    },
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/disputes',
    success: 201,
    make: async (w) => {
      const id = await volunteer(w);
      const recordId = await w.earn(id, 1, 30);
      return {
        url: `/v1/volunteers/${id}/disputes`,
        payload: { kind: 'wrong_times', recordId, text: 'I stayed two hours' },
      };
    },
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/disputes/:disputeId/resolve',
    success: 200,
    make: async (w) => {
      const id = await volunteer(w);
      const recordId = await w.earn(id, 1, 30);
      const filed = await w.post(`/v1/volunteers/${id}/disputes`, w.admin, {
        kind: 'not_mine',
        recordId,
        text: 'not me',
      });
      return {
        url: `/v1/volunteers/${id}/disputes/${filed.json<{ disputeId: string }>().disputeId}/resolve`,
        payload: { outcome: 'dismissed', reason: 'the sheet shows the volunteer' },
      };
    },
  },
  {
    method: 'GET',
    url: '/v1/organisations/:organisationId/disputes',
    success: 200,
    make: async () => ({ url: '/v1/organisations/org1/disputes' }),
  },
  {
    method: 'POST',
    url: '/v1/activities',
    success: 201,
    make: async (w) => ({
      url: '/v1/activities',
      payload: { ...service('org1'), volunteerIds: [await volunteer(w)] },
    }),
  },
  {
    method: 'GET',
    url: '/v1/partners/:partnerId/offers',
    success: 200,
    make: async () => ({ url: '/v1/partners/p1/offers' }),
  },
  {
    method: 'POST',
    url: '/v1/partners/:partnerId/offers',
    success: 201,
    make: async () => ({
      url: '/v1/partners/p1/offers',
      payload: { offerId: `o${next()}`, title: 'Tea', priceCentipoints: 50 },
    }),
  },
  {
    method: 'GET',
    url: '/v1/partners/:partnerId/volunteers/:volunteerId/redeemable-points',
    success: 200,
    make: async (w) => ({
      url: `/v1/partners/p1/volunteers/${await volunteerWithMandate(w)}/redeemable-points`,
    }),
  },
  {
    method: 'POST',
    url: '/v1/partners/:partnerId/holds',
    success: 201,
    make: async (w) => ({
      url: '/v1/partners/p1/holds',
      payload: { volunteerId: await volunteerWithMandate(w), offerId: 'meal', centipoints: 100 },
    }),
  },
  ...(['capture', 'release'] as const).map((action): RouteCase => ({
    method: 'POST',
    url: `/v1/partners/:partnerId/holds/:holdId/${action}`,
    success: 200,
    make: async (w) => {
      const held = await hold(w);
      return {
        url: `/v1/partners/p1/holds/${held.holdId}/${action}`,
        payload: { volunteerId: held.volunteerId },
      };
    },
  })),
  {
    method: 'POST',
    url: '/v1/partners/:partnerId/redemptions',
    success: 201,
    make: async (w) => ({
      url: '/v1/partners/p1/redemptions',
      payload: { volunteerId: await volunteerWithMandate(w), offerId: 'meal', centipoints: 100 },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/volunteers/:volunteerId/erasure',
    success: 200,
    make: async (w) => ({
      url: `/v1/admin/volunteers/${await volunteer(w)}/erasure`,
      payload: { reason: 'consent_withdrawn' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/volunteers/:volunteerId/star-review',
    success: 200,
    make: async (w, _role, willSucceed) => {
      const id = await volunteer(w);
      // 108 confirmed hours, one star, then a void drops them below 100: the award is flagged.
      if (willSucceed) await flaggedStar(w, id);
      return {
        url: `/v1/admin/volunteers/${id}/star-review`,
        payload: { decision: 'keep', reason: 'hours checked on paper' },
      };
    },
  },
  {
    method: 'POST',
    url: '/v1/admin/volunteers/:volunteerId/star-bar',
    success: 200,
    make: async (w) => ({
      url: `/v1/admin/volunteers/${await volunteer(w)}/star-bar`,
      payload: { until: new Date(Date.now() + 400 * 86_400_000).toISOString(), reason: 'fraudulent hours' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/deactivate',
    success: 200,
    make: async (w) => ({
      url: `/v1/volunteers/${await volunteer(w)}/deactivate`,
      payload: { reason: 'moved away' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/spend-codes',
    success: 201,
    make: async (w) => ({
      url: `/v1/volunteers/${await volunteer(w)}/spend-codes`,
      payload: { partnerId: 'p1' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/mandates',
    success: 201,
    make: async (w) => ({
      url: `/v1/volunteers/${await volunteer(w)}/mandates`,
      payload: { partnerId: 'p1', monthlyCapCentipoints: 500 },
    }),
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/mandates/:partnerId/revoke',
    success: 200,
    make: async (w) => {
      const volunteerId = await volunteer(w);
      await w.grantMandate(volunteerId);
      return { url: `/v1/volunteers/${volunteerId}/mandates/p1/revoke`, payload: {} };
    },
  },
  {
    method: 'POST',
    url: '/v1/volunteers/:volunteerId/activation-codes',
    success: 201,
    make: async (w) => ({ url: `/v1/volunteers/${await volunteer(w)}/activation-codes`, payload: {} }),
  },
  {
    method: 'GET',
    url: '/v1/volunteers/:volunteerId/holds',
    success: 200,
    make: async (w) => ({ url: `/v1/volunteers/${(await hold(w)).volunteerId}/holds` }),
  },
  {
    method: 'POST',
    url: '/v1/admin/organisations',
    success: 201,
    make: async () => ({
      url: '/v1/admin/organisations',
      payload: { organisationId: `og${next()}`, name: 'Org', community: 'c1' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/partners',
    success: 201,
    make: async () => ({
      url: '/v1/admin/partners',
      payload: { partnerId: `pn${next()}`, name: 'Partner', community: 'c1' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/partners/:partnerId/suspend',
    success: 200,
    make: async (w) => ({
      url: `/v1/admin/partners/${await partner(w, false)}/suspend`,
      payload: { reason: 'audit' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/partners/:partnerId/reinstate',
    success: 200,
    make: async (w) => ({ url: `/v1/admin/partners/${await partner(w, true)}/reinstate`, payload: {} }),
  },
  {
    method: 'POST',
    url: '/v1/admin/organisations/:organisationId/suspend',
    success: 200,
    make: async (w) => ({
      url: `/v1/admin/organisations/${await organisation(w, false)}/suspend`,
      payload: { reason: 'test' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/organisations/:organisationId/reinstate',
    success: 200,
    make: async (w) => ({
      url: `/v1/admin/organisations/${await organisation(w, true)}/reinstate`,
      payload: {},
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/beneficiary-categories',
    success: 200,
    make: async () => ({
      url: '/v1/admin/beneficiary-categories',
      payload: {
        categoryId: `cat${next()}`,
        title: 'Hardship',
        priority: 2,
        monthlyAllowanceCentipoints: 500,
      },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/beneficiaries',
    success: 201,
    make: async (w) => {
      await poolBeneficiary(w);
      return {
        url: '/v1/admin/beneficiaries',
        payload: {
          beneficiaryId: `b-${next()}`,
          categoryId: 'matrix',
          community: 'c1',
          name: 'Qian Wei',
          contact: '0311-5550002',
        },
      };
    },
  },
  {
    method: 'POST',
    url: '/v1/admin/donation-pool/allocations',
    success: 201,
    make: async (w, _role, willSucceed) => {
      if (willSucceed) {
        // A beneficiary below their allowance and a point in the pool: the run pays someone.
        await poolBeneficiary(w);
        await w.post(`/v1/volunteers/${await volunteerWithPoints(w)}/donations`, w.admin, { centipoints: 1 });
      }
      return { url: '/v1/admin/donation-pool/allocations', payload: {} };
    },
  },
  {
    method: 'GET',
    url: '/v1/admin/donation-pool',
    success: 200,
    make: async () => ({ url: '/v1/admin/donation-pool' }),
  },
  {
    method: 'GET',
    url: '/v1/admin/beneficiaries/:beneficiaryId/points',
    success: 200,
    make: async (w) => ({ url: `/v1/admin/beneficiaries/${await poolBeneficiary(w)}/points` }),
  },
  {
    method: 'POST',
    url: '/v1/admin/beneficiaries/:beneficiaryId/erasure',
    success: 200,
    make: async (w) => ({
      url: `/v1/admin/beneficiaries/${await poolBeneficiary(w)}/erasure`,
      payload: { reason: 'purpose_met' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/points-policy',
    success: 201,
    make: async () => ({
      url: '/v1/admin/points-policy',
      payload: {
        effectiveFrom: new Date(Date.now() + 86_400_000 * next()).toISOString(),
        terms: {
          ratePerHourCentipoints: 100,
          qualityMultiplierPercent: { poor: 50, standard: 100, good: 120, excellent: 150 },
          balanceCapCentipoints: 150_000,
          dailyEarningCapCentipoints: null,
          minStarToRedeem: 0,
          expiryDays: null,
        },
      },
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/points-policy/:version/withdraw',
    success: 200,
    make: async (w) => {
      const published = await w.post('/v1/admin/points-policy', w.admin, {
        effectiveFrom: new Date(Date.now() + 86_400_000 * next()).toISOString(),
        terms: DOUBLED_RATE_TERMS,
      });
      if (published.statusCode !== 201) throw new Error(`publishing failed: ${published.body}`);
      const { version } = published.json<{ version: number }>();
      return {
        url: `/v1/admin/points-policy/${version}/withdraw`,
        payload: { reason: 'typed the wrong cap' },
      };
    },
  },
  {
    method: 'GET',
    url: '/v1/admin/points-policy',
    success: 200,
    make: async () => ({ url: '/v1/admin/points-policy' }),
  },
  {
    method: 'GET',
    url: '/v1/admin/partners',
    success: 200,
    make: async () => ({ url: '/v1/admin/partners' }),
  },
  {
    method: 'GET',
    url: '/v1/admin/organisations',
    success: 200,
    // Desks of every community pick from it the organisation of a missing-hours dispute.
    everyScope: true,
    make: async () => ({ url: '/v1/admin/organisations' }),
  },
  {
    method: 'GET',
    url: '/v1/admin/hierarchy',
    success: 200,
    make: async () => ({ url: '/v1/admin/hierarchy' }),
  },
  {
    method: 'POST',
    url: '/v1/admin/api-keys',
    success: 201,
    make: async () => ({
      url: '/v1/admin/api-keys',
      payload: { role: 'auditor', scope: { kind: 'all' }, label: 'Auditor' },
    }),
  },
  {
    method: 'GET',
    url: '/v1/admin/api-keys',
    success: 200,
    make: async () => ({ url: '/v1/admin/api-keys' }),
  },
  {
    method: 'POST',
    url: '/v1/admin/api-keys/:keyId/revoke',
    success: 200,
    make: async (w) => {
      const issued = await w.context.keys.issue({
        role: 'auditor',
        scope: { kind: 'all' },
        label: 'to revoke',
        issuedBy: 'test',
        idempotencyKey: `revoke-${next()}`,
      });
      return { url: `/v1/admin/api-keys/${issued.record.keyId}/revoke`, payload: { reason: 'rotated' } };
    },
  },
  { method: 'GET', url: '/v1/audit/events', success: 200, make: async () => ({ url: '/v1/audit/events' }) },
  {
    method: 'GET',
    url: '/v1/audit/streams/:streamName',
    success: 200,
    make: async () => ({ url: '/v1/audit/streams/partner-p1' }),
  },
  {
    method: 'GET',
    url: '/v1/audit/verify',
    success: 200,
    make: async () => ({ url: '/v1/audit/verify?streamName=partner-p1' }),
  },
];

type CellName = 'in scope' | 'out of scope' | 'unscoped';

/** The volunteer a request targets, from its URL: a signed-in volunteer's own record is in scope. */
function targetVolunteer(url: string): string | undefined {
  const id = /^\/v1\/volunteers\/([^/?]+)/.exec(url)?.[1];
  return id === undefined || id === 'by-number' || id === 'lookup' ? undefined : id;
}

t.test('authorization matrix', async (t) => {
  const w = await startWorld(t, { RATE_LIMIT_REQUESTS_MAX: '1000000' });
  const cells: Array<{ role: Role; cell: CellName; key: string }> = [
    { role: 'desk', cell: 'in scope', key: w.desk },
    { role: 'desk', cell: 'out of scope', key: w.otherDesk },
    { role: 'organiser', cell: 'in scope', key: w.organiser },
    { role: 'organiser', cell: 'out of scope', key: w.otherOrganiser },
    { role: 'partner', cell: 'in scope', key: w.partner },
    { role: 'partner', cell: 'out of scope', key: w.otherPartner },
    { role: 'coordinator', cell: 'in scope', key: w.coordinator },
    { role: 'coordinator', cell: 'out of scope', key: w.otherCoordinator },
    { role: 'auditor', cell: 'unscoped', key: w.auditor },
    { role: 'admin', cell: 'unscoped', key: w.admin },
    // A signed-in volunteer: in scope is the volunteer the request targets (signed in per
    // request, below); out of scope is another volunteer of the same community.
    { role: 'volunteer', cell: 'in scope', key: '' },
    { role: 'volunteer', cell: 'out of scope', key: await w.signIn(await w.registerVolunteer(990)) },
  ];
  // Community c1 is on street s1 (the coordinator's), c2 on s2 (the other coordinator's).
  await w.registerHierarchy();

  const covered = new Set(CASES.map((route) => `${route.method} ${route.url}`));
  const registered = w.routes
    .filter((route) => route.roles !== 'public')
    .map((route) => `${route.method} ${route.url}`);
  t.same(
    [...covered].sort(),
    [...new Set(registered)].sort(),
    'the matrix covers exactly the registered /v1 routes',
  );

  for (const route of CASES) {
    const entry = w.routes.find(
      (candidate) => candidate.method === route.method && candidate.url === route.url,
    );
    if (entry === undefined || entry.roles === 'public') continue;
    const allowed = entry.roles;
    for (const { role, cell, key } of cells) {
      const permitted = allowed.includes(role);
      const willSucceed = permitted && (cell !== 'out of scope' || route.everyScope === true);
      const label = `${route.method} ${route.url} as ${role} (${cell})`;
      const request = await route.make(w, role, willSucceed);
      const own = targetVolunteer(request.url);
      const credential =
        role === 'volunteer' && cell === 'in scope'
          ? permitted && own !== undefined
            ? await w.signIn(own)
            : cells.at(-1)!.key
          : key;
      const response = await w.app.inject({
        method: route.method,
        url: request.url,
        headers: w.headers(credential, `matrix-${next()}`),
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      });
      if (willSucceed) {
        t.equal(response.statusCode, route.success, `${label} → ${route.success}`, { body: response.body });
      } else if (permitted && route.outOfScope !== undefined) {
        const expected = route.outOfScope;
        t.equal(response.statusCode, expected.status, `${label} → ${expected.status}`, {
          body: response.body,
        });
        t.equal(problemOf(t, response).code, expected.code);
      } else {
        t.equal(response.statusCode, 403, `${label} → 403`, { body: response.body });
        if (response.statusCode === 403) t.equal(problemOf(t, response).code, 'FORBIDDEN');
      }
    }
  }
});

t.test(
  'a partner key without the volunteer’s consent: 403 on hold, redeem and redeemable points; nothing appended',
  async (t) => {
    const w = await startWorld(t);
    const volunteerId = await volunteerWithPoints(w);
    const stream = `volunteer-${volunteerId}`;
    const before = await w.get(`/v1/audit/streams/${stream}`, w.auditor);
    for (const url of ['/v1/partners/p1/holds', '/v1/partners/p1/redemptions']) {
      for (const key of [w.partner, w.admin]) {
        const refused = await w.post(url, key, { volunteerId, offerId: 'meal', centipoints: 100 });
        t.equal(refused.statusCode, 403, `${url} without consent → 403`);
        t.equal(problemOf(t, refused).code, 'CONSENT_REQUIRED');
      }
    }
    for (const key of [w.partner, w.admin]) {
      const points = await w.get(`/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`, key);
      t.equal(points.statusCode, 403, 'redeemable points without consent → 403');
      t.equal(problemOf(t, points).code, 'CONSENT_REQUIRED');
    }
    const after = await w.get(`/v1/audit/streams/${stream}`, w.auditor);
    t.same(after.json(), before.json(), "nothing was appended to the volunteer's stream");
  },
);
