/**
 * The console's entry: a hash router (`#/desk/find`, …) so the server serves one page, and the
 * frame around every screen (skip link, header with language and sign-out, the role's menu).
 */
import './styles.css';
import { h } from './lib/dom.js';
import { LOCALES, locale, setLocale, t } from './lib/i18n.js';
import type { MessageKey } from './messages/zh-cn.js';
import type { Screen } from './lib/screen.js';
import { auditScreen } from './screens/audit.js';
import { auditAsOfScreen } from './screens/audit-as-of.js';
import { auditChartsScreen } from './screens/audit-charts.js';
import { auditEventsScreen, auditStreamScreen } from './screens/audit-log.js';
import { auditSettlementsScreen } from './screens/audit-settlements.js';
import { adminHierarchyScreen } from './screens/admin-hierarchy.js';
import { adminKeysScreen } from './screens/admin-keys.js';
import { adminPolicyScreen } from './screens/admin-policy.js';
import { adminPoolScreen } from './screens/admin-pool.js';
import { adminOrganisationsScreen, adminPartnersScreen } from './screens/admin-registry.js';
import { findScreen } from './screens/find.js';
import { recordServiceScreen } from './screens/record-service.js';
import { registerScreen } from './screens/register.js';
import { organiserActivityScreen } from './screens/organiser-activity.js';
import { organiserQueueScreen } from './screens/organiser-queue.js';
import { organiserDisputesScreen } from './screens/organiser-disputes.js';
import { partnerOffersScreen } from './screens/partner-offers.js';
import { partnerRedeemScreen } from './screens/partner-redeem.js';
import { partnerStatementScreen } from './screens/partner-statement.js';
import { HOME, signInScreen } from './screens/sign-in.js';
import { volunteerCardScreen } from './screens/volunteer-card.js';
import { dropDraft, draftPathFor, restoreDraft, screenShown } from './lib/form-draft.js';
import { currentSession, signOut, takeExpired, type Role } from './lib/session.js';
// Volunteer screens (phone-sized), the public verification page and large-text mode.
import { applyLargeText, largeText, setLargeText } from './lib/large-text.js';
import { verifyScreen } from './screens/verify.js';
import { volunteerCertificatesScreen } from './screens/volunteer-certificates.js';
import { volunteerConsentsScreen } from './screens/volunteer-consents.js';
import { volunteerHistoryScreen } from './screens/volunteer-history.js';
import { volunteerHomeScreen } from './screens/volunteer-home.js';
import { volunteerReportScreen } from './screens/volunteer-report.js';
import {
  volunteerActivateScreen,
  volunteerSignInScreen,
  VOLUNTEER_HOME,
} from './screens/volunteer-sign-in.js';
import { volunteerSpendCodeScreen } from './screens/volunteer-spend-code.js';
import { keepTableCellsLabelled } from './lib/stacked-tables.js';

interface Route {
  readonly pattern: RegExp;
  /** null: no session needed. */
  readonly role: Role | null;
  readonly screen: Screen;
}

const ROUTES: readonly Route[] = [
  { pattern: /^\/sign-in$/, role: null, screen: signInScreen },
  { pattern: /^\/desk\/register$/, role: 'desk', screen: registerScreen },
  { pattern: /^\/desk\/find$/, role: 'desk', screen: findScreen },
  { pattern: /^\/desk\/volunteers\/([\w.:-]+)$/, role: 'desk', screen: volunteerCardScreen },
  { pattern: /^\/desk\/volunteers\/([\w.:-]+)\/service$/, role: 'desk', screen: recordServiceScreen },
  { pattern: /^\/organiser\/queue(?:\/(\d+))?$/, role: 'organiser', screen: organiserQueueScreen },
  { pattern: /^\/organiser\/activity$/, role: 'organiser', screen: organiserActivityScreen },
  { pattern: /^\/organiser\/disputes(?:\/(\d+))?$/, role: 'organiser', screen: organiserDisputesScreen },
  { pattern: /^\/partner\/redeem$/, role: 'partner', screen: partnerRedeemScreen },
  { pattern: /^\/partner\/offers$/, role: 'partner', screen: partnerOffersScreen },
  {
    pattern: /^\/partner\/statement(?:\/(\d{4}-\d{2})(?:\/(\d+))?)?$/,
    role: 'partner',
    screen: partnerStatementScreen,
  },
  { pattern: /^\/audit$/, role: 'auditor', screen: auditScreen },
  // Volunteers and the public verification page.
  { pattern: /^\/volunteer\/sign-in$/, role: null, screen: volunteerSignInScreen },
  { pattern: /^\/volunteer\/activate$/, role: null, screen: volunteerActivateScreen },
  { pattern: /^\/volunteer$/, role: 'volunteer', screen: volunteerHomeScreen },
  { pattern: /^\/volunteer\/history$/, role: 'volunteer', screen: volunteerHistoryScreen },
  { pattern: /^\/volunteer\/certificates$/, role: 'volunteer', screen: volunteerCertificatesScreen },
  { pattern: /^\/volunteer\/spend-code$/, role: 'volunteer', screen: volunteerSpendCodeScreen },
  { pattern: /^\/volunteer\/consents$/, role: 'volunteer', screen: volunteerConsentsScreen },
  { pattern: /^\/volunteer\/report$/, role: 'volunteer', screen: volunteerReportScreen },
  { pattern: /^\/verify(?:\/([^/]*))?$/, role: null, screen: verifyScreen },
  // The auditor's log, as-of and charts, and the administrator's screens.
  { pattern: /^\/audit\/events(?:\/(\d+))?$/, role: 'auditor', screen: auditEventsScreen },
  { pattern: /^\/audit\/streams\/([^/]+)$/, role: 'auditor', screen: auditStreamScreen },
  { pattern: /^\/audit\/as-of$/, role: 'auditor', screen: auditAsOfScreen },
  { pattern: /^\/audit\/charts$/, role: 'auditor', screen: auditChartsScreen },
  { pattern: /^\/audit\/settlements$/, role: 'auditor', screen: auditSettlementsScreen },
  { pattern: /^\/admin\/keys$/, role: 'admin', screen: adminKeysScreen },
  { pattern: /^\/admin\/organisations(?:\/(\d+))?$/, role: 'admin', screen: adminOrganisationsScreen },
  { pattern: /^\/admin\/partners(?:\/(\d+))?$/, role: 'admin', screen: adminPartnersScreen },
  { pattern: /^\/admin\/policy$/, role: 'admin', screen: adminPolicyScreen },
  { pattern: /^\/admin\/hierarchy$/, role: 'admin', screen: adminHierarchyScreen },
  { pattern: /^\/admin\/pool$/, role: 'admin', screen: adminPoolScreen },
];

const MENU: Record<Role, readonly [string, MessageKey][]> = {
  desk: [
    ['/desk/register', 'nav.register'],
    ['/desk/find', 'nav.find'],
  ],
  organiser: [
    ['/organiser/queue', 'nav.queue'],
    ['/organiser/disputes', 'nav.disputes'],
    ['/organiser/activity', 'nav.activity'],
  ],
  partner: [
    ['/partner/redeem', 'nav.redeem'],
    ['/partner/offers', 'nav.offers'],
    ['/partner/statement', 'nav.statement'],
  ],
  volunteer: [
    [VOLUNTEER_HOME, 'vNav.home'],
    ['/volunteer/spend-code', 'vNav.spendCode'],
    ['/volunteer/history', 'vNav.history'],
    ['/volunteer/certificates', 'vNav.certificates'],
    ['/volunteer/consents', 'vNav.consents'],
    ['/volunteer/report', 'vNav.report'],
  ],
  auditor: [
    ['/audit', 'nav.audit'],
    ['/audit/events', 'nav.audit.events'],
    ['/audit/as-of', 'nav.audit.asOf'],
    ['/audit/charts', 'nav.audit.charts'],
    ['/audit/settlements', 'nav.audit.settlements'],
  ],
  admin: [
    ['/admin/keys', 'nav.admin.keys'],
    ['/admin/organisations', 'nav.admin.organisations'],
    ['/admin/partners', 'nav.admin.partners'],
    ['/admin/policy', 'nav.admin.policy'],
    ['/admin/hierarchy', 'nav.admin.hierarchy'],
    ['/admin/pool', 'nav.admin.pool'],
  ],
};

/** Where each role starts. */
const HOME_OF: Record<Role, string> = { ...HOME, volunteer: VOLUNTEER_HOME };

/**
 * The certificate's QR opens `/console/verify/<number>` (a path, so the printed URL reads plainly);
 * the same page is served there, and the route comes from the path when there is no hash.
 */
function pathRoute(): string {
  const match = /^\/console\/verify\/([^/]+)$/.exec(location.pathname);
  return match === null ? '' : `/verify/${match[1] ?? ''}`;
}

/** A message for the next screen (e.g. "registered"), shown once. */
let notice: string | null = null;

function navigate(path: string, message?: string): void {
  notice = message ?? null;
  if (location.hash === `#${path}`) void render();
  else location.hash = path;
}

async function render(): Promise<void> {
  const root = document.getElementById('app');
  if (root === null) return;
  const session = currentSession();
  // The bare /console (a bookmark, a reload of the address) opens the signed-in role's home, not
  // the sign-in form under a header that says who is signed in.
  const path =
    location.hash.replace(/^#/, '') || pathRoute() || (session === null ? '/sign-in' : HOME_OF[session.role]);
  const ended = takeExpired();
  if (ended !== null) notice = t(ended === 'expired' ? 'session.expired' : 'session.keyRefused');
  // Signed in again after the session ended under a half-filled form: back to that form.
  const draftPath = session === null ? null : draftPathFor(session);
  if (session !== null && draftPath !== null && path === HOME_OF[session.role] && draftPath !== path)
    return navigate(draftPath, notice ?? undefined);
  const route = ROUTES.find((candidate) => candidate.pattern.test(path));
  if (route === undefined || (route.role !== null && session?.role !== route.role)) {
    const signInPath = route?.role === 'volunteer' ? '/volunteer/sign-in' : '/sign-in';
    return navigate(session === null ? signInPath : HOME_OF[session.role], notice ?? undefined);
  }
  const params = (route.pattern.exec(path)?.slice(1) ?? []).map((param) => param ?? '');
  const main = h('main', { id: 'main', tabindex: -1 });
  keepTableCellsLabelled(main);
  const shown = notice;
  notice = null;
  root.replaceChildren(frame(main));
  const content = await route.screen({ session, params, navigate, notice: shown });
  main.replaceChildren(content);
  screenShown(path);
  const restored = restoreDraft(main, path);
  if (restored > 0) {
    const note = h(
      'p',
      { class: 'ok', role: 'status', id: 'draft-restored' },
      t('draft.restored', { count: String(restored) }),
    );
    (content.querySelector('h2') ?? content).after(note);
  }
  const heading = content.querySelector('h2');
  document.title = `${heading?.textContent ?? ''} · ${t('app.title')}`;
  main.focus();
}

function frame(main: HTMLElement): DocumentFragment {
  const session = currentSession();
  const language = h(
    'select',
    {
      id: 'language',
      onchange: (event) => {
        setLocale((event.target as HTMLSelectElement).value as 'zh-CN' | 'en');
        void render();
      },
    },
    ...LOCALES.map((option) =>
      h('option', { value: option, selected: option === locale() }, option === 'en' ? 'English' : '简体中文'),
    ),
  );
  const header = h(
    'header',
    {},
    h('h1', {}, t('app.title')),
    h('div', { class: 'tools' }, h('label', { for: 'language' }, t('language.label')), language),
    largeTextToggle(),
    session === null
      ? null
      : h(
          'div',
          { class: 'tools' },
          h('span', {}, t('session.signedInAs', { role: t(`role.${session.role}`) })),
          h(
            'button',
            {
              type: 'button',
              id: 'sign-out',
              onclick: () => {
                // A volunteer's token is ended on the server too (it would otherwise live 60 min).
                if (session.role === 'volunteer') void endVolunteerSession(session.key);
                signOut();
                dropDraft();
                navigate(session.role === 'volunteer' ? '/volunteer/sign-in' : '/sign-in');
              },
            },
            t('session.signOut'),
          ),
        ),
  );
  const menu =
    session === null
      ? null
      : h(
          'nav',
          { 'aria-label': t('nav.label') },
          h(
            'ul',
            {},
            ...MENU[session.role].map(([path, key]) => h('li', {}, h('a', { href: `#${path}` }, t(key)))),
          ),
        );
  const fragment = document.createDocumentFragment();
  fragment.append(
    h('a', { class: 'skip', href: '#main', onclick: skipToMain }, t('app.skip')),
    header,
    menu ?? '',
    main,
  );
  return fragment;
}

/** Large-text mode: a toggle button (aria-pressed) in the header, remembered in localStorage. */
function largeTextToggle(): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      id: 'large-text',
      class: 'secondary',
      'aria-pressed': largeText() ? 'true' : 'false',
      onclick: () => {
        setLargeText(!largeText());
        void render();
      },
    },
    t('largeText.toggle'),
  );
}

async function endVolunteerSession(token: string): Promise<void> {
  try {
    await fetch('/v1/volunteer-sessions/sign-out', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: '{}',
    });
  } catch {
    // Signed out here regardless; the token also ends on its own within 60 minutes.
  }
}

/** The skip link moves focus without changing the route. */
function skipToMain(event: Event): void {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

/**
 * A button acts on the first click of a double-click only. Many people double-click every button,
 * and a decision redraws its list at once: the second click then landed on whatever slid under
 * the pointer (a double-clicked 退回 confirmed the next volunteer's record in the organiser's
 * queue). Keyboard presses have `detail` 0 and are never dropped.
 */
document.addEventListener(
  'click',
  (event) => {
    if (event.detail > 1 && event.target instanceof Element && event.target.closest('button') !== null) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  { capture: true },
);

document.documentElement.lang = locale();
applyLargeText();
window.addEventListener('hashchange', () => void render());
void render();
