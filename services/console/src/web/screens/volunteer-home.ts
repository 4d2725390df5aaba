/**
 * The volunteer's first screen, sized for a phone: points available and held, stars and how many
 * more hours reach the next one. Star thresholds are the policy's defaults
 * (100/300/600/1000/1500 hours, DOMAIN.md); the API decides eligibility, this only shows the way.
 */
import { DEFAULT_LEDGER_RULES } from '@timebank/domain';
import { h } from '../lib/dom.js';
import { formatHours, formatPoints, hoursNumber, personalText, t } from '../lib/i18n.js';
import { noticeOf, type Screen } from '../lib/screen.js';
import type { MessageKey } from '../messages/zh-cn.js';
import type { VolunteerSummary } from './volunteer-card.js';
import { failedScreen, readSummary, volunteerSession } from './volunteer-common.js';

function figure(key: MessageKey, value: string): HTMLElement {
  return h('div', { class: 'big-figure' }, h('dt', {}, t(key)), h('dd', { 'data-figure': key }, value));
}

function stars(count: number): HTMLElement {
  const levels = DEFAULT_LEDGER_RULES.starThresholdsHours.length;
  return h(
    'p',
    { class: 'stars', 'data-figure': 'vHome.stars' },
    h('span', { 'aria-hidden': 'true' }, '★'.repeat(count) + '☆'.repeat(Math.max(0, levels - count))),
    ' ',
    t('vHome.starCount', { stars: count }),
  );
}

/** Progress from the current eligible level's threshold to the next one's. */
function progress(summary: VolunteerSummary): HTMLElement {
  const thresholds = DEFAULT_LEDGER_RULES.starThresholdsHours;
  const next = thresholds[summary.eligibleStars];
  if (next === undefined) return h('p', { id: 'star-progress' }, t('vHome.topStar'));
  const from = (thresholds[summary.eligibleStars - 1] ?? 0) * 60;
  const to = next * 60;
  const done = Math.min(summary.confirmedMinutes, to) - from;
  const label = t('vHome.toNext', {
    hours: hoursNumber(to - summary.confirmedMinutes),
    stars: summary.eligibleStars + 1,
  });
  return h(
    'div',
    { id: 'star-progress' },
    h('progress', { max: to - from, value: Math.max(0, done), 'aria-label': label }),
    h('p', {}, label),
  );
}

export const volunteerHomeScreen: Screen = async (context) => {
  const session = volunteerSession(context);
  try {
    const summary = await readSummary(session);
    const canApply = summary.eligibleStars > summary.awardedStars;
    return h(
      'section',
      { class: 'phone' },
      h('h2', {}, t('vHome.title', { name: personalText(summary.name) })),
      noticeOf(context),
      h(
        'dl',
        { class: 'big-figures' },
        figure('vHome.available', formatPoints(summary.availableCentipoints)),
        figure('vHome.held', formatPoints(summary.heldCentipoints)),
        figure('vHome.usable', formatPoints(summary.usableCentipoints)),
      ),
      h('h3', {}, t('vHome.starsTitle')),
      stars(summary.effectiveStars),
      canApply ? h('p', { class: 'ok' }, t('vHome.canApply', { stars: summary.eligibleStars })) : null,
      h(
        'p',
        {},
        t('vHome.hours', {
          confirmed: formatHours(summary.confirmedMinutes),
          pending: formatHours(summary.pendingMinutes),
        }),
      ),
      progress(summary),
      h('p', { class: 'hint' }, t('vHome.number', { number: summary.volunteerNumber })),
    );
  } catch (error) {
    return failedScreen('vHome.titlePlain', error);
  }
};
