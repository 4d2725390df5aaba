/**
 * What the organiser's queues share (pending service records, open disputes): the organisation's
 * list read at the position of the organiser's last decision (`minPosition` from the route), so a
 * decided item never shows again; an error in place of the list; an empty note or a table whose
 * rows carry their own decision controls and report into one status area.
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
import { dataTable } from './table.js';

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
    try {
      const answer = await call<Record<string, Item[]>>(
        session,
        `/v1/organisations/${organisation}/${queue.path}${minPosition}`,
      );
      items = answer[queue.field] ?? [];
    } catch (error) {
      return h('section', {}, title, h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
    const status = statusArea();
    const row = queue.rows(session, context, status);
    const table =
      items.length === 0
        ? h('p', { id: `${queue.id}-empty` }, t(queue.empty))
        : dataTable(queue.id, t(queue.caption, { count: items.length }), queue.columns, items.map(row));
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
