/** The console's data tables: a caption, one header row of translated column names, the rows. */
import { h } from './dom.js';
import { t } from './i18n.js';
import type { MessageKey } from '../messages/zh-cn.js';

export function dataTable(
  id: string,
  caption: string,
  columns: readonly MessageKey[],
  rows: readonly HTMLElement[],
): HTMLTableElement {
  return h(
    'table',
    { id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...columns.map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, ...rows),
  );
}
