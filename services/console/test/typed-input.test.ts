/** What people type, as the API expects it: full-width forms folded, spaces and case dropped. */
import t from 'tap';
import {
  typedNationalId,
  typedNumbers,
  typedActivationCode,
  typedPhone,
  typedVolunteerNumber,
} from '../src/web/lib/typed-input.js';

t.test('an ID number pasted in groups, or typed in full-width digits, is one spelling', async (t) => {
  t.equal(typedNationalId('1101 0519 6203 0800 1x'), '11010519620308001X');
  t.equal(typedNationalId('１１０１０５１９６２０３０８００１ｘ'), '11010519620308001X');
  t.equal(typedNationalId('110105\u300019620308001X'), '11010519620308001X', 'an ideographic space');
});

t.test('a volunteer number typed in lower case with spaces is the printed one', async (t) => {
  t.equal(typedVolunteerNumber(' tbvj 8z1r 402w c5 '), 'TBVJ8Z1R402WC5');
  t.equal(typedVolunteerNumber('ＴＢＶＪ８Ｚ１Ｒ４０２ＷＣ５'), 'TBVJ8Z1R402WC5');
});

t.test('a list of volunteer numbers is one a line, each keeping the line it was typed on', async (t) => {
  t.same(typedNumbers('tbvj 8z1r 402w c5\r\n\n  \nＴＢ００００ ００００ ００ＺＺ，tb1111 2222 3333、\n'), [
    { volunteerNumber: 'TBVJ8Z1R402WC5', line: 1 },
    { volunteerNumber: 'TB0000000000ZZ', line: 4 },
    { volunteerNumber: 'TB111122223333', line: 4 },
  ]);
  t.same(typedNumbers(''), []);
});

t.test('a telephone number loses the spaces that only group it', async (t) => {
  t.equal(typedPhone('138 0013 8000'), '13800138000');
  t.equal(typedPhone('+86-311 555 0000'), '+86-3115550000');
  t.equal(typedPhone('１３８００１３８０００'), '13800138000');
});

t.test('a spend code, points and yuan typed in full-width digits read as the ASCII ones', async (t) => {
  const { spendCodeDigits } = await import('../src/web/screens/partner-redeem.js');
  const { centipointsOf } = await import('../src/web/screens/partner-offers.js');
  const { fenOf } = await import('../src/web/lib/i18n.js');
  t.equal(spendCodeDigits('１２３４\u3000５６７８ ９０１２ ３４５６'), '1234567890123456');
  t.equal(spendCodeDigits('timebank-spend:1234567890123456'), '1234567890123456', 'a scanner’s payload');
  t.equal(
    spendCodeDigits(' TIMEBANK-SPEND:1234567890123456\n'),
    '1234567890123456',
    'a scanner typing with caps lock on, ending with Enter',
  );
  t.equal(centipointsOf('２'), 200);
  t.equal(centipointsOf('１．５'), 150, 'a full-width point');
  t.equal(centipointsOf(' 2.5 '), 250);
  t.ok(Number.isNaN(centipointsOf('abc')));
  t.ok(Number.isNaN(centipointsOf('-1')));
  t.equal(fenOf('１２．５'), 1250);
  t.equal(fenOf(''), 0);
  t.ok(Number.isNaN(fenOf('-5')));
});

t.test('a date no instant can hold is sent as typed, for the API to refuse by field', async (t) => {
  const { shanghaiInstant } = await import('../src/web/lib/i18n.js');
  t.equal(shanghaiInstant('2026-12-04', '09:00'), '2026-12-04T01:00:00.000Z');
  t.equal(shanghaiInstant('20000-01-01', '09:00'), '20000-01-01T09:00:00+08:00', 'no RangeError');
  t.equal(shanghaiInstant('', ''), 'T:00+08:00');
});

t.test('an activation code typed in full-width letters and digits is the printed one', async (t) => {
  t.equal(typedActivationCode('ｃｇ７ａ－ｔｅｖ５－８ｂｒｍ'), 'CG7A-TEV5-8BRM');
  t.equal(typedActivationCode(' cg7a tev5\u30008brm '), 'CG7A TEV5 8BRM', 'spaces are left for the API');
});
