/**
 * The auditor browses the global event log a page at a time (`GET /v1/audit/events`) and opens
 * one stream with each event's hash, the links of its sha-256 chain (`GET /v1/audit/streams/:name`).
 * The pages are links (`#/audit/events/<after>`), so the browser's back button pages back.
 */
import { call } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { formatInstant, t } from '../lib/i18n.js';
import { requireSession, type Screen } from '../lib/screen.js';
import { failedScreen } from './partner-offers.js';

/** Events per page: a screenful; the API allows up to 1,000. */
const PAGE_SIZE = 20;

interface RecordedEvent {
  readonly position: string;
  readonly streamName: string;
  readonly revision: string;
  readonly type: string;
  readonly recordedAt: string;
  readonly hash: string;
}

function header(...keys: Parameters<typeof t>[0][]): HTMLElement {
  return h('thead', {}, h('tr', {}, ...keys.map((key) => h('th', { scope: 'col' }, t(key)))));
}

function streamLink(streamName: string): HTMLElement {
  return h('a', { href: `#/audit/streams/${encodeURIComponent(streamName)}` }, streamName);
}

export const auditEventsScreen: Screen = async (context) => {
  const session = requireSession(context);
  const after = /^\d+$/.test(context.params[0] ?? '') ? (context.params[0] ?? '0') : '0';
  let page: { events: RecordedEvent[]; nextAfter: string | null; headPosition: string };
  try {
    page = await call(session, `/v1/audit/events?after=${after}&limit=${PAGE_SIZE}`);
  } catch (error) {
    return failedScreen(t('audit.log.title'), error);
  }
  const first = page.events[0]?.position ?? after;
  const last = page.events.at(-1)?.position ?? after;
  return h(
    'section',
    {},
    h('h2', {}, t('audit.log.title')),
    h('p', { id: 'log-range' }, t('audit.log.range', { first, last, head: page.headPosition })),
    h(
      'table',
      { id: 'event-log' },
      h('caption', {}, t('audit.log.caption')),
      header(
        'audit.log.position',
        'audit.log.stream',
        'audit.log.revision',
        'audit.log.type',
        'audit.log.recordedAt',
      ),
      h(
        'tbody',
        {},
        ...page.events.map((event) =>
          h(
            'tr',
            {},
            h('td', { class: 'number' }, event.position),
            h('td', {}, streamLink(event.streamName)),
            h('td', { class: 'number' }, event.revision),
            h('td', {}, event.type),
            h('td', {}, formatInstant(event.recordedAt)),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'actions' },
      after === '0' ? null : h('a', { href: `#/audit/events` }, t('audit.log.firstPage')),
      page.nextAfter === null
        ? h('span', {}, t('audit.log.end'))
        : h('a', { href: `#/audit/events/${page.nextAfter}`, id: 'next-page' }, t('audit.log.nextPage')),
    ),
  );
};

export const auditStreamScreen: Screen = async (context) => {
  const session = requireSession(context);
  const streamName = decodeURIComponent(context.params[0] ?? '');
  let stream: { streamName: string; events: RecordedEvent[] };
  try {
    // One page of up to 1,000 events: a volunteer's or a partner's stream fits in it for years.
    stream = await call(session, `/v1/audit/streams/${encodeURIComponent(streamName)}?limit=1000`);
  } catch (error) {
    return failedScreen(t('audit.stream.title', { stream: streamName }), error);
  }
  return h(
    'section',
    {},
    h('h2', {}, t('audit.stream.title', { stream: streamName })),
    h('p', {}, t('audit.stream.intro')),
    h(
      'table',
      { id: 'stream-events' },
      h('caption', {}, t('audit.stream.caption', { count: stream.events.length })),
      header(
        'audit.log.revision',
        'audit.log.type',
        'audit.log.position',
        'audit.log.recordedAt',
        'audit.stream.hash',
      ),
      h(
        'tbody',
        {},
        ...stream.events.map((event) =>
          h(
            'tr',
            {},
            h('td', { class: 'number' }, event.revision),
            h('td', {}, event.type),
            h('td', { class: 'number' }, event.position),
            h('td', {}, formatInstant(event.recordedAt)),
            h('td', { class: 'hash' }, event.hash),
          ),
        ),
      ),
    ),
    h('p', {}, h('a', { href: '#/audit/events' }, t('audit.stream.back'))),
  );
};
