/**
 * What the organiser's queues share (pending service records, open disputes): the organisation's
 * list read at the position of the organiser's last decision (`minPosition` from the route), so a
 * decided item never shows again, page after page up to `QUEUE_ROWS_MAX` rows (the bound said on
 * screen when reached); an error in place of the list; an empty note or a table whose rows carry
 * their own decision controls and report into one status area.
 */
import { call } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import {
  describeError,
  noticeOf,
  requireSession,
  statusArea,
  type Screen,
  type ScreenContext,
} from './screen.js';
import type { Session } from './session.js';
import type { MessageKey } from '../messages/zh-cn.js';
import { rowsUpTo, type Paged } from './pages.js';
import { dataTable } from './table.js';

/**
 * Rows a queue shows at most: 2,000, two of the API's largest pages (1,000), many times an
 * organisation's pending records in a busy month, and few enough controls (an input and two
 * buttons each) for an old office PC to draw at once. A queue longer than that would hang the page
 * rather than help anyone; its first rows are shown, the bound said, and deciding them brings the
 * rest up.
 */
export const QUEUE_ROWS_MAX = 2000;

export type StatusArea = ReturnType<typeof statusArea>;

export interface OrganisationQueue<Item> {
  /** The list below `/v1/organisations/:id/`, with its query string. */
  readonly path: string;
  /** The answer's field that holds the list. */
  readonly field: string;
  /** The id of the table, and with `-empty` of the note shown when there is nothing to decide. */
  readonly id: string;
  readonly title: MessageKey;
  /** Read with `{ count }`. */
  readonly caption: MessageKey;
  readonly empty: MessageKey;
  /** A paragraph under the title, if any. */
  readonly intro?: MessageKey;
  readonly columns: readonly MessageKey[];
  /** The row builder for this screen: its controls report into `status` and navigate on success. */
  rows(
    session: Session,
    context: ScreenContext,
    status: StatusArea,
  ): (item: Item, index: number) => HTMLElement;
}

export function organisationQueueScreen<Item>(queue: OrganisationQueue<Item>): Screen {
  return async (context) => {
    const session = requireSession(context);
    const organisation = encodeURIComponent(session.scopeId ?? '');
    const minPosition = /^\d+$/.test(context.params[0] ?? '') ? `&minPosition=${context.params[0]}` : '';
    const title = h('h2', {}, t(queue.title));
    let items: readonly Item[];
    let more: boolean;
    try {
      ({ rows: items, more } = await rowsUpTo(
        (path) => call<Paged & Record<string, Item[]>>(session, path),
        `/v1/organisations/${organisation}/${queue.path}${minPosition}`,
        (page) => page[queue.field] ?? [],
        QUEUE_ROWS_MAX,
      ));
    } catch (error) {
      return h('section', {}, title, h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
    const status = statusArea();
    const row = queue.rows(session, context, status);
    const table =
      items.length === 0
        ? h('p', { id: `${queue.id}-empty` }, t(queue.empty))
        : dataTable(
            queue.id,
            more ? t('queue.more', { max: QUEUE_ROWS_MAX }) : t(queue.caption, { count: items.length }),
            queue.columns,
            items.map(row),
          );
    return h(
      'section',
      {},
      title,
      queue.intro === undefined ? null : h('p', {}, t(queue.intro)),
      noticeOf(context),
      status.element,
      table,
    );
  };
}
