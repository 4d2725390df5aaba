/**
 * The fields the ledger seals are exactly the ones the domain's event schemas mark personal: a
 * schema's `personal()` field left out of `PERSONAL_FIELDS` was stored in plain text and outlived
 * the volunteer's erasure (dispute texts and the reasons given for star reviews and bars were).
 */
import t from 'tap';
import { EVENT_DATA_SCHEMAS, personalFieldPaths } from '@timebank/domain';
import { PERSONAL_FIELDS } from '../src/personal-data/personal-fields.js';

const key = (path: readonly string[]) => path.join('.');

t.test('PERSONAL_FIELDS lists every field the event schemas mark personal, and nothing else', async (t) => {
  const marked: Record<string, string[]> = {};
  for (const [type, schema] of Object.entries(EVENT_DATA_SCHEMAS)) {
    const paths = personalFieldPaths(schema).map(key).sort();
    if (paths.length > 0) marked[type] = paths;
  }
  const sealed = Object.fromEntries(
    Object.entries(PERSONAL_FIELDS).map(([type, paths]) => [type, paths.map(key).sort()]),
  );
  t.same(sealed, marked);
  t.ok(Object.keys(marked).length >= 14, `${Object.keys(marked).length} event types carry personal fields`);
  t.same(marked.VolunteerRegistered?.includes('guardian.name'), true, 'nested fields are found');
  t.same(marked.DisputeFiled, ['text']);
});
