/**
 * FileDispute for missing hours names the body that organised the service. It must be one that
 * exists: a registered organisation (suspended too), the volunteer's own community, or a community
 * the hierarchy holds. An unregistered id was filed into a queue nobody acts for.
 */
import t from 'tap';
import { register, VOLUNTEER_ID } from './support/fixtures.js';
import { ADMIN, given, history, testContext } from './support/scenario.js';
import {
  deciderFor,
  type CommandInput,
  type DomainEvent,
  type HierarchyState,
  type OrganisationState,
} from '../src/index.js';

const missingHours = (organisationId: string): CommandInput => ({
  type: 'FileDispute',
  idempotencyKey: `dispute-${organisationId}`,
  actor: ADMIN,
  volunteerId: VOLUNTEER_ID,
  kind: 'missing_hours',
  organisationId,
  text: 'the Sunday clean-up was never recorded',
});

function organisationState(events: readonly DomainEvent[]): OrganisationState {
  const decider = deciderFor('organisation');
  return events.reduce(decider.evolve, decider.initialState());
}

function hierarchyState(events: readonly DomainEvent[]): HierarchyState {
  const decider = deciderFor('hierarchy');
  return events.reduce(decider.evolve, decider.initialState());
}

t.test('missing hours must name a registered organisation or a community', async (t) => {
  const registered = history(t, [register()]);
  const unregistered = organisationState([]);
  // An id nobody registered: refused, whether or not the context carries its (empty) stream.
  given(t, registered, testContext({ organisation: unregistered }))
    .when(missingHours('no-such-org'))
    .thenFails('ORGANISATION_NOT_FOUND', { organisationId: 'no-such-org' });
  given(t, registered).when(missingHours('no-such-org')).thenFails('ORGANISATION_NOT_FOUND');

  const orgEvents = history(t, [
    {
      type: 'RegisterOrganisation',
      idempotencyKey: 'org-1',
      actor: ADMIN,
      organisationId: 'org-1',
      name: 'Qiaoxi Social Work Station',
      community: 'Qiaoxi',
    },
  ]);
  given(t, registered, testContext({ organisation: organisationState(orgEvents) }))
    .when(missingHours('org-1'))
    .then([{ type: 'DisputeFiled', data: { kind: 'missing_hours', organisationId: 'org-1' } }]);
  const suspended = history(
    t,
    [
      {
        type: 'SuspendOrganisation',
        idempotencyKey: 'suspend-org-1',
        actor: ADMIN,
        organisationId: 'org-1',
        reason: 'licence under review',
      },
    ],
    undefined,
    orgEvents,
  );
  given(t, registered, testContext({ organisation: organisationState(suspended) }))
    .when(missingHours('org-1'))
    .then([{ type: 'DisputeFiled', data: { organisationId: 'org-1' } }]);

  // Service the desk of the volunteer's own community organised names the community id.
  given(t, registered, testContext({ organisation: unregistered }))
    .when(missingHours('Qiaoxi'))
    .then([{ type: 'DisputeFiled', data: { organisationId: 'Qiaoxi' } }]);

  // Another community counts once the hierarchy holds it.
  const tree = history(t, [
    {
      type: 'RegisterArea',
      idempotencyKey: 'a1',
      actor: ADMIN,
      level: 'city',
      areaId: 'sjz',
      name: '石家庄',
    },
    {
      type: 'RegisterArea',
      idempotencyKey: 'a2',
      actor: ADMIN,
      level: 'district',
      areaId: 'd1',
      parentId: 'sjz',
      name: '长安区',
    },
    {
      type: 'RegisterArea',
      idempotencyKey: 'a3',
      actor: ADMIN,
      level: 'street',
      areaId: 's1',
      parentId: 'd1',
      name: '建北街道',
    },
    {
      type: 'RegisterCommunity',
      idempotencyKey: 'a4',
      actor: ADMIN,
      communityId: 'Yuhua',
      streetId: 's1',
      name: '裕华社区',
      coordinatorId: 'coordinator-1',
      coordinatorName: 'Li Hua',
      coordinatorContact: '0311-5550001',
    },
  ]);
  const withTree = testContext({ organisation: unregistered, hierarchy: hierarchyState(tree) });
  given(t, registered, withTree)
    .when(missingHours('Yuhua'))
    .then([{ type: 'DisputeFiled', data: { organisationId: 'Yuhua' } }]);
  // A street is not an organising body.
  given(t, registered, withTree).when(missingHours('s1')).thenFails('ORGANISATION_NOT_FOUND');
});
