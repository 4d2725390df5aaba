/**
 * The console's catalogues: every code docs/errors.md lists for the API (domain and HTTP-layer
 * codes) has a message in both languages, and the ID-number hint follows the domain's rule.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ERASED_TEXT, nationalIdCheckCharacter } from '@timebank/domain';
import { personalText } from '../src/web/lib/i18n.js';
import { ERROR_MESSAGES } from '../src/web/messages/errors.js';
import { en } from '../src/web/messages/en.js';
import { zhCN } from '../src/web/messages/zh-cn.js';
import { nationalIdFeedback } from '../src/web/screens/register.js';

const errorsDoc = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'errors.md'),
  'utf8',
);

/** The codes of one `## …` section's table. */
function codesOf(section: string): string[] {
  const start = errorsDoc.indexOf(`## ${section}`);
  if (start < 0) throw new Error(`docs/errors.md has no "## ${section}" section`);
  const end = errorsDoc.indexOf('\n## ', start + 1);
  const text = errorsDoc.slice(start, end < 0 ? undefined : end);
  return [...text.matchAll(/^\| `([A-Z_]+)`/gm)].map((match) => match[1]!);
}

t.test(
  'every API error code of docs/errors.md has a message in zh-CN and English, and no other',
  async (t) => {
    const documented = new Set([...codesOf('Domain error codes'), ...codesOf('HTTP-layer codes')]);
    t.ok(documented.size > 70, 'the two tables were found');
    t.same(Object.keys(ERROR_MESSAGES).sort(), [...documented].sort());
    for (const [code, [chinese, english]] of Object.entries(ERROR_MESSAGES)) {
      t.match(chinese, /[\u4e00-\u9fff]/, `${code}: the zh-CN message is Chinese`);
      t.match(english, /^[A-Z]/, `${code}: the English message is a sentence`);
      t.notMatch(`${chinese}${english}`, /[A-Z]{2,}_[A-Z]/, `${code}: no raw code inside a message`);
    }
  },
);

t.test('both catalogues have the same keys and placeholders', async (t) => {
  t.same(Object.keys(en).sort(), Object.keys(zhCN).sort());
  for (const [key, chinese] of Object.entries(zhCN)) {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    t.same(placeholders(en[key as keyof typeof zhCN]), placeholders(chinese), `${key}: same placeholders`);
  }
});

t.test('the ID-number hint checks as the clerk types, with the domain’s check character', async (t) => {
  const body = '11010519620308007';
  const valid = body + nationalIdCheckCharacter(body);
  const wrong = body + (valid.endsWith('1') ? '2' : '1');
  t.same(nationalIdFeedback(''), { valid: null, text: '18 位，最后一位可以是 X。' });
  t.same(nationalIdFeedback(valid.slice(0, 6)), { valid: null, text: '已输入 6/18 位' });
  t.same(nationalIdFeedback(valid), { valid: true, text: '身份证号码校验通过' });
  t.same(
    nationalIdFeedback(` ${valid.slice(0, 9)} ${valid.slice(9)} `),
    { valid: true, text: '身份证号码校验通过' },
    'spaces are ignored',
  );
  t.same(nationalIdFeedback(wrong), { valid: false, text: '身份证号码格式或校验码不正确' });
  t.same(
    nationalIdFeedback('1101-05'),
    { valid: false, text: '身份证号码格式或校验码不正确' },
    'a non-digit at once',
  );
  // One in eleven bodies has the check character X; the first such sequence number is found, not assumed.
  const sequence = Array.from({ length: 100 }, (_, index) => String(index).padStart(3, '0')).find(
    (candidate) => nationalIdCheckCharacter(`11010519620308${candidate}`) === 'X',
  );
  t.equal(nationalIdFeedback(`11010519620308${sequence}x`).valid, true, 'a lower-case x is accepted');
});

t.test(
  'a number whose check character is right but whose birth date is impossible or ahead is not passed',
  async (t) => {
    const withCheck = (body: string) => body + nationalIdCheckCharacter(body);
    const invalidDate = { valid: false, text: '身份证号码中的出生日期无效' };
    t.same(nationalIdFeedback(withCheck('11010119900230123'), '2026-12-05'), invalidDate, '30 February');
    t.same(nationalIdFeedback(withCheck('11010119901301123'), '2026-12-05'), invalidDate, 'month 13');
    t.same(nationalIdFeedback(withCheck('11010120300101123'), '2026-12-05'), invalidDate, 'born in 2030');
    t.same(nationalIdFeedback(withCheck('11010120261206123'), '2026-12-05'), invalidDate, 'born tomorrow');
    t.same(
      nationalIdFeedback(withCheck('11010120261205123'), '2026-12-05'),
      { valid: true, text: '身份证号码校验通过' },
      'born today is a real date (the API decides the age)',
    );
  },
);

t.test('the lockout message says how long, as the API locks (SIGN_IN_LOCKOUT_SECONDS)', async (t) => {
  const { SIGN_IN_LOCKOUT_SECONDS } = await import('../../ledger-api/src/auth/volunteer-credentials.js');
  const minutes = SIGN_IN_LOCKOUT_SECONDS / 60;
  const [chinese, english] = ERROR_MESSAGES.VOLUNTEER_SIGN_IN_LOCKED_OUT!;
  t.match(chinese, `${minutes} 分钟`);
  t.match(english, `${minutes} minutes`);
});

t.test('a field refused several times is named once', async (t) => {
  const { ApiError } = await import('../src/web/lib/api.js');
  const { describeError } = await import('../src/web/lib/screen.js');
  t.equal(
    describeError(new ApiError('VALIDATION_FAILED', 400, ['body.name', 'body.name', 'body.phone'])),
    '填写的内容有误，请检查。 字段：name 字段：phone',
  );
});

t.test('a field refused as too long, empty or without letters says so', async (t) => {
  const { ApiError } = await import('../src/web/lib/api.js');
  const { describeError } = await import('../src/web/lib/screen.js');
  const reasons = new Map([
    ['body.name', { kind: 'tooLong', lengthMax: 200 }],
    ['body.activity', { kind: 'empty' }],
  ] as const);
  t.equal(
    describeError(
      new ApiError('VALIDATION_FAILED', 400, ['body.name', 'body.activity', 'body.phone'], {
        fieldReasons: reasons,
      }),
    ),
    '填写的内容有误，请检查。 字段：name（最多 200 个字符） 字段：activity（不能为空） 字段：phone',
  );
});

t.test('a personal field erased by the API reads as words, never as its token', async (t) => {
  // zh-CN, the default language (switching needs the browser's storage and document).
  t.equal(personalText(ERASED_TEXT), '（个人信息已删除）');
  t.equal(personalText('张三'), '张三', 'a name stays as it is');
  t.equal(personalText('1101**********4514'), '1101**********4514');
  t.equal(en['personal.erased'], '(personal data erased)', 'and in English');
});
