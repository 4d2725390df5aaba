import t from 'tap';
import type { CommandInput } from '../src/index.js';
import { ADMIN, given, history, PARTNER_USER } from './support/scenario.js';

const area = (level: string, areaId: string, parentId: string | null): CommandInput =>
  ({
    type: 'RegisterArea',
    idempotencyKey: `area-${areaId}`,
    actor: ADMIN,
    level,
    areaId,
    parentId,
  }) as never;
const named = (command: CommandInput, name: string): CommandInput => ({ ...command, name }) as CommandInput;
const city = named(area('city', 'sjz', null), '石家庄市');
const district = named(area('district', 'changan', 'sjz'), '长安区');
const street = named(area('street', 'jianbei', 'changan'), '建北街道');
const street2 = named(area('street', 'qingyuan', 'changan'), '青园街道');
const community: CommandInput = {
  type: 'RegisterCommunity',
  idempotencyKey: 'community-c1',
  actor: ADMIN,
  communityId: 'c1',
  streetId: 'jianbei',
  name: '建北社区',
  coordinatorId: 'coord-1',
  coordinatorName: 'Wang Fang',
  coordinatorContact: '0311-1234567',
};
const move: CommandInput = {
  type: 'MoveCommunity',
  idempotencyKey: 'move-c1',
  actor: ADMIN,
  communityId: 'c1',
  toStreetId: 'qingyuan',
};

t.test('hierarchy: each level registers under the level above', async (t) => {
  const withCity = given(t, [])
    .when(city)
    .then([{ type: 'AreaRegistered', data: { level: 'city', parentId: null } }]);
  given(t, withCity).when(city).then([]);
  given(t, withCity)
    .when({ ...city, idempotencyKey: 'again' })
    .thenFails('AREA_ALREADY_REGISTERED');
  given(t, [])
    .when({ ...city, actor: PARTNER_USER })
    .thenFails('ACTOR_NOT_PERMITTED');
  given(t, []).when(district).thenFails('AREA_NOT_FOUND');
  given(t, withCity)
    .when(named(area('city', 'other', 'sjz'), 'x'))
    .thenFails('AREA_PARENT_INVALID');
  given(t, withCity)
    .when(named(area('street', 's', 'sjz'), 'x'))
    .thenFails('AREA_PARENT_INVALID');
  given(t, withCity)
    .when(named(area('district', 'd', null), 'x'))
    .thenFails('AREA_PARENT_INVALID');
  const withDistrict = [
    ...withCity,
    ...given(t, withCity)
      .when(district)
      .then([{ type: 'AreaRegistered' }]),
  ];
  const withStreets = [
    ...withDistrict,
    ...given(t, withDistrict)
      .when(street)
      .then([{ type: 'AreaRegistered', data: { parentId: 'changan' } }]),
  ];
  given(t, withStreets)
    .when({ ...community, streetId: 'changan' })
    .thenFails('AREA_PARENT_INVALID');
  given(t, withStreets)
    .when({ ...community, streetId: 'nowhere' })
    .thenFails('AREA_NOT_FOUND');
  given(t, withStreets)
    .when(community)
    .then([
      {
        type: 'CommunityRegistered',
        data: { communityId: 'c1', streetId: 'jianbei', coordinatorName: 'Wang Fang' },
      },
    ]);
});

t.test('hierarchy: a community moves to another street, once per street', async (t) => {
  const events = history(t, [city, district, street, street2, community]);
  given(t, events)
    .when({ ...move, toStreetId: 'jianbei' })
    .thenFails('COMMUNITY_ALREADY_ON_STREET');
  given(t, events)
    .when({ ...move, communityId: 'nope' })
    .thenFails('COMMUNITY_NOT_REGISTERED');
  given(t, events)
    .when({ ...move, communityId: 'jianbei' })
    .thenFails('COMMUNITY_NOT_REGISTERED');
  given(t, events)
    .when({ ...move, toStreetId: 'changan' })
    .thenFails('AREA_PARENT_INVALID');
  const moved = given(t, events)
    .when(move)
    .then([{ type: 'CommunityMoved', data: { fromStreetId: 'jianbei', toStreetId: 'qingyuan' } }]);
  given(t, [...events, ...moved])
    .when({ ...move, idempotencyKey: 'back', toStreetId: 'jianbei' })
    .then([{ type: 'CommunityMoved', data: { fromStreetId: 'qingyuan', toStreetId: 'jianbei' } }]);
});

t.test('hierarchy: one coordinator serves several communities under the same name and contact', async (t) => {
  const events = history(t, [city, district, street, street2, community]);
  const second: CommandInput = {
    ...community,
    idempotencyKey: 'community-c2',
    communityId: 'c2',
    streetId: 'qingyuan',
    name: '青园社区',
  };
  given(t, events)
    .when(second)
    .then([{ type: 'CommunityRegistered', data: { communityId: 'c2', coordinatorId: 'coord-1' } }]);
  given(t, events)
    .when({ ...second, coordinatorName: 'Someone Else' })
    .thenFails('COORDINATOR_DETAILS_MISMATCH');
  given(t, events)
    .when({ ...second, coordinatorContact: '0311-7654321' })
    .thenFails('COORDINATOR_DETAILS_MISMATCH');
  given(t, events)
    .when({ ...second, coordinatorId: 'coord-2', coordinatorName: 'Someone Else' })
    .then([{ type: 'CommunityRegistered', data: { coordinatorId: 'coord-2' } }]);
});
