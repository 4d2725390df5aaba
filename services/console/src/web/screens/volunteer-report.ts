/**
 * Reporting an error in one's record. Only a desk or an administrator may file a dispute
 * (`POST /v1/volunteers/:id/disputes`, docs/api.md): the desk checks who is asking before the
 * organisation is asked to verify. So this screen explains where to go and what to bring, and
 * shows how a correction will appear.
 */
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import type { Screen } from '../lib/screen.js';
import { failedScreen, readSummary, volunteerSession } from './volunteer-common.js';

export const volunteerReportScreen: Screen = async (context) => {
  const session = volunteerSession(context);
  try {
    const summary = await readSummary(session);
    return h(
      'section',
      { class: 'phone' },
      h('h2', {}, t('vReport.title')),
      h('p', { id: 'report-explained' }, t('vReport.intro', { community: summary.community })),
      h(
        'ol',
        {},
        h('li', {}, t('vReport.step1', { number: summary.volunteerNumber })),
        h('li', {}, t('vReport.step2')),
        h('li', {}, t('vReport.step3')),
      ),
      h('p', {}, h('a', { href: '#/volunteer/history' }, t('vReport.toHistory'))),
    );
  } catch (error) {
    return failedScreen('vReport.title', error);
  }
};
