/**
 * On a phone (styles.css, max-width 40rem) a table stacks each row as a card of its cells, each
 * cell under its column's name: a 360-px screen never scrolls sideways. The names come from the
 * table's header row and are put on every body and footer cell as `data-label`, which the
 * stylesheet shows before the value; tables a screen adds later (a verify report, a next page) are
 * labelled as they appear.
 */

/** Puts each header cell's text on the cells below it as `data-label`. */
export function labelTableCells(root: ParentNode): void {
  for (const table of root.querySelectorAll('table')) {
    const labels: string[] = [];
    for (const cell of table.querySelectorAll(':scope > thead > tr:first-child > th')) {
      const span = (cell as HTMLTableCellElement).colSpan || 1;
      for (let index = 0; index < span; index += 1) labels.push(cell.textContent?.trim() ?? '');
    }
    if (labels.length === 0) continue;
    for (const row of table.querySelectorAll(':scope > tbody > tr, :scope > tfoot > tr')) {
      let column = 0;
      for (const cell of row.children) {
        const label = labels[column];
        if (label !== undefined && label !== '' && cell.getAttribute('data-label') !== label)
          cell.setAttribute('data-label', label);
        column += (cell as HTMLTableCellElement).colSpan || 1;
      }
    }
  }
}

/** Labels the tables under `root` now and whenever nodes are added below it. */
export function keepTableCellsLabelled(root: Element): void {
  labelTableCells(root);
  // Setting attributes is no childList mutation: the observer does not wake itself.
  new MutationObserver(() => labelTableCells(root)).observe(root, { childList: true, subtree: true });
}
