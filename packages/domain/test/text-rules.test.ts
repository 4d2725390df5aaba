/**
 * Text rules for every free-text field of every command: NFC, no control, bidi or other format
 * characters (the emoji zero-width joiner excepted), and a letter in names. Any script is valid.
 */
import t from 'tap';
import type { z } from 'zod';
import { commandSchema, nameFieldSchema, textRuleViolation } from '../src/index.js';
import { register, VOLUNTEER_ID } from './support/fixtures.js';
import { ADMIN, DESK, given, ORGANISER } from './support/scenario.js';

/** Text that must never be stored: each is a name today's trim-and-length rule lets through. */
const HOSTILE = {
  'zero-width spaces only': '\u200b\u200b\u200b',
  'a zero-width joiner only': '\u200d',
  'a right-to-left override': 'Li\u202eieW',
  'a left-to-right embedding': 'Li\u202aWei',
  'a first-strong isolate': 'Li\u2068Wei',
  'a NUL': 'Li\u0000Wei',
  'a newline': 'Li\nWei',
  'a trailing newline': 'Li Wei\n',
  'a carriage return': 'Li\rWei',
  'a tab': 'Li\tWei',
  'a byte-order mark inside': 'Li\ufeffWei',
  'a soft hyphen': 'Li\u00adWei',
  'a line separator': 'Li\u2028Wei',
  'a lone surrogate': 'Li\ud800Wei',
} as const;

t.test(
  'names with invisible, control or bidi characters fail INVALID_COMMAND naming the field',
  async (t) => {
    for (const [label, name] of Object.entries(HOSTILE)) {
      t.test(label, async (t) => {
        given(t, []).when(register({ name })).thenFails('INVALID_COMMAND', { path: 'name' });
      });
    }
  },
);

t.test('a name needs at least one letter', async (t) => {
  for (const name of ['12345', '---', '👍', '🏳️‍🌈']) {
    given(t, []).when(register({ name })).thenFails('INVALID_COMMAND', { path: 'name' });
  }
});

t.test('any script, combining marks and emoji sequences are valid names', async (t) => {
  for (const name of ['李伟', 'محمد علي', 'Ольга', 'Nguyễn Văn An', 'אברהם', 'Zoë', 'Li 👨‍👩‍👧', 'Ana 👍🏽']) {
    given(t, [])
      .when(register({ name }))
      .then([{ type: 'VolunteerRegistered', data: { name } }]);
  }
});

t.test('text is stored in NFC, so one name has one spelling', async (t) => {
  const decomposed = 'Zoe\u0308'; // e + combining diaeresis
  given(t, [])
    .when(register({ name: decomposed }))
    .then([{ type: 'VolunteerRegistered', data: { name: 'Zo\u00eb' } }]);
});

t.test('the same rules hold for activities, reasons, titles, notes and issuer fields', async (t) => {
  const hostile = 'ok\u202etxet';
  const cases: [string, Record<string, unknown>][] = [
    ['community', register({ community: hostile })],
    [
      'reason',
      {
        type: 'DeactivateVolunteer',
        idempotencyKey: 'k',
        actor: DESK,
        volunteerId: VOLUNTEER_ID,
        reason: hostile,
      },
    ],
    [
      'activity',
      {
        type: 'RecordServiceHours',
        idempotencyKey: 'k',
        actor: ORGANISER,
        volunteerId: VOLUNTEER_ID,
        activity: hostile,
        organisationId: 'org-1',
        startAt: '2026-03-09T01:00:00.000Z',
        endAt: '2026-03-09T02:00:00.000Z',
      },
    ],
    [
      'note',
      {
        type: 'VoidServiceRecord',
        idempotencyKey: 'k',
        actor: ORGANISER,
        volunteerId: VOLUNTEER_ID,
        recordId: 'r1',
        reasonCode: 'other',
        note: hostile,
      },
    ],
    [
      'issuer.handler',
      {
        type: 'IssueServiceCertificate',
        idempotencyKey: 'k',
        actor: DESK,
        volunteerId: VOLUNTEER_ID,
        issuer: {
          organisationName: 'Qiaoxi station',
          personInCharge: 'Wang Min',
          handler: hostile,
          contact: '0311-1234567',
        },
      },
    ],
    [
      'title',
      {
        type: 'PublishPartnerOffer',
        idempotencyKey: 'k',
        actor: ADMIN,
        partnerId: 'p1',
        offerId: 'o1',
        title: hostile,
        priceCentipoints: 100,
      },
    ],
    [
      'name',
      {
        type: 'RegisterOrganisation',
        idempotencyKey: 'k',
        actor: ADMIN,
        organisationId: 'o1',
        name: hostile,
        community: 'c1',
      },
    ],
  ];
  for (const [path, command] of cases) {
    given(t, [])
      .when(command as never)
      .thenFails('INVALID_COMMAND', { path });
  }
});

/** Every string leaf of a zod schema, with its path (optional, default and union wrappers unwrapped). */
function stringLeaves(schema: z.ZodType, path: string[] = []): { path: string; schema: z.ZodType }[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'string':
      return [{ path: path.join('.'), schema }];
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
        stringLeaves(child, [...path, key]),
      );
    case 'optional':
    case 'default':
    case 'nullable':
      return stringLeaves(def.innerType as z.ZodType, path);
    case 'union':
      return (def.options as z.ZodType[]).flatMap((option) => stringLeaves(option, path));
    case 'array':
      return stringLeaves(def.element as z.ZodType, [...path, '[]']);
    default:
      return [];
  }
}

/**
 * Strings that are not free text: opaque keys and a number the decider checks digit by digit.
 * Neither is shown to a person as text; both are refused by their own rules where it matters.
 */
const NOT_FREE_TEXT = new Set(['idempotencyKey', 'nationalIdNumber']);

t.test(
  'every string field of every command refuses hostile text, so a new field cannot forget the rules',
  async (t) => {
    const leaves = commandSchema.options.flatMap((option) =>
      stringLeaves(option as z.ZodType).map((leaf) => ({ ...leaf, command: option.shape.type.value })),
    );
    t.ok(leaves.length > 40, `${leaves.length} string fields found`);
    for (const leaf of leaves) {
      if (NOT_FREE_TEXT.has(leaf.path)) continue;
      for (const [label, text] of Object.entries(HOSTILE)) {
        t.notOk(leaf.schema.safeParse(text).success, `${leaf.command}.${leaf.path} refuses ${label}`);
      }
    }
  },
);

t.test('textRuleViolation names the code point, never the text', async (t) => {
  t.equal(
    textRuleViolation('secret\u202ename', { letterRequired: true }),
    'must not contain a bidirectional control character (U+202E)',
  );
  t.equal(
    textRuleViolation('a\u0000', { letterRequired: false }),
    'must not contain a control character or line break (U+0000)',
  );
  t.equal(
    textRuleViolation('\u200b', { letterRequired: false }),
    'must not contain an invisible format character (U+200B)',
  );
  t.equal(textRuleViolation('123', { letterRequired: true }), 'must contain at least one letter');
  t.equal(textRuleViolation('123', { letterRequired: false }), undefined, 'other text may be digits only');
  t.equal(
    textRuleViolation('x\u200dy', { letterRequired: true }),
    'must not contain an invisible format character (U+200D)',
    'a joiner between letters is not an emoji',
  );
  t.equal(nameFieldSchema.safeParse('  Li Wei  ').data, 'Li Wei', 'surrounding spaces are trimmed');
});

t.test('the placeholder of erased data is not a value anyone may type', async (t) => {
  for (const text of ['[erased]', ' [erased] ']) {
    const parsed = nameFieldSchema.safeParse(text);
    t.notOk(parsed.success, `${JSON.stringify(text)} is refused`);
    t.match(parsed.error?.issues[0]?.message, /marks personal data that was erased/);
  }
  t.ok(nameFieldSchema.safeParse('[erased] Li').success, 'a name merely containing it is still a name');
});
