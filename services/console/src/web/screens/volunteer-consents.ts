/**
 * The volunteer's standing consents (mandates: a partner may hold points up to a monthly cap
 * without a spend code) and the points partners hold now. There is no list route for mandates;
 * they are folded from the volunteer's own history, granted minus revoked, as the ledger does.
 * Revoking one applies at once (`POST …/mandates/:partnerId/revoke`).
 */
import { call } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { formatInstant, formatPoints, t } from '../lib/i18n.js';
import { noticeOf, statusArea, submitting, type Screen } from '../lib/screen.js';
import type { Session } from '../lib/session.js';
import type { HistoryEvent } from './volunteer-card.js';
import { failedScreen, readHistory, volunteerPath, volunteerSession } from './volunteer-common.js';

interface Mandate {
  readonly partnerId: string;
  readonly monthlyCapCentipoints: number;
  readonly endsAt: string | null;
  readonly grantedAt: string;
}

interface Hold {
  readonly holdId: string;
  readonly partnerId: string;
  readonly centipoints: number;
  readonly expiresAt: string;
}

/** Mandates in force: the last grant per partner, unless revoked after it or lapsed. */
export function mandatesOf(events: readonly HistoryEvent[], nowMs: number = Date.now()): Mandate[] {
  const mandates = new Map<string, Mandate>();
  for (const event of events) {
    const partnerId = typeof event.data.partnerId === 'string' ? event.data.partnerId : '';
    if (event.type === 'SpendMandateGranted') {
      const { monthlyCapCentipoints, endsAt, grantedAt } = event.data;
      mandates.set(partnerId, {
        partnerId,
        monthlyCapCentipoints: Number(monthlyCapCentipoints),
        endsAt: typeof endsAt === 'string' ? endsAt : null,
        grantedAt: typeof grantedAt === 'string' ? grantedAt : event.recordedAt,
      });
    } else if (event.type === 'SpendMandateRevoked') mandates.delete(partnerId);
  }
  return [...mandates.values()].filter(
    (mandate) => mandate.endsAt === null || Date.parse(mandate.endsAt) > nowMs,
  );
}

function mandateItem(session: Session, mandate: Mandate, reload: (notice: string) => void): HTMLElement {
  const status = statusArea();
  const revoke = h('button', { type: 'button', class: 'secondary' }, t('vConsents.revoke'));
  const idempotencyKey = crypto.randomUUID();
  revoke.addEventListener('click', () => {
    void submitting(revoke, status, async () => {
      await call(
        session,
        `${volunteerPath(session)}/mandates/${encodeURIComponent(mandate.partnerId)}/revoke`,
        {
          method: 'POST',
          body: {},
          idempotencyKey,
          retryReusesKey: true,
        },
      );
      reload(t('vConsents.revoked', { partner: mandate.partnerId }));
    });
  });
  return h(
    'li',
    { 'data-partner': mandate.partnerId },
    h('p', { class: 'what' }, t('vConsents.partner', { partner: mandate.partnerId })),
    h('p', {}, t('vConsents.cap', { points: formatPoints(mandate.monthlyCapCentipoints) })),
    h(
      'p',
      {},
      mandate.endsAt === null
        ? t('vConsents.untilRevoked')
        : t('vConsents.until', { time: formatInstant(mandate.endsAt) }),
    ),
    revoke,
    status.element,
  );
}

export const volunteerConsentsScreen: Screen = async (context) => {
  const session = volunteerSession(context);
  const reload = (notice: string): void => context.navigate('/volunteer/consents', notice);
  try {
    const [events, { holds }] = await Promise.all([
      readHistory(session),
      call<{ holds: Hold[] }>(session, `${volunteerPath(session)}/holds`),
    ]);
    const mandates = mandatesOf(events);
    return h(
      'section',
      { class: 'phone' },
      h('h2', {}, t('vConsents.title')),
      noticeOf(context),
      h('p', {}, t('vConsents.intro')),
      mandates.length === 0
        ? h('p', { id: 'no-mandates' }, t('vConsents.none'))
        : h(
            'ul',
            { id: 'mandates', class: 'timeline' },
            ...mandates.map((mandate) => mandateItem(session, mandate, reload)),
          ),
      h('h3', {}, t('vConsents.holds')),
      holds.length === 0
        ? h('p', {}, t('vConsents.noHolds'))
        : h(
            'ul',
            { id: 'holds', class: 'timeline' },
            ...holds.map((hold) =>
              h(
                'li',
                {},
                t('vConsents.hold', {
                  partner: hold.partnerId,
                  points: formatPoints(hold.centipoints),
                  time: formatInstant(hold.expiresAt),
                }),
              ),
            ),
          ),
    );
  } catch (error) {
    return failedScreen('vConsents.title', error);
  }
};
