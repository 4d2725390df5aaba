/** Where a due job stands in the due index: items are ordered by (dueAt, key). */
export interface DueCursor {
  /** ISO-8601 UTC; compared as text, which orders UTC instants. */
  readonly dueAt: string;
  readonly key: string;
}

/**
 * Pages through the due items `page` returns and settles each with `settle`, `concurrencyMax` at
 * once so that their appends share group commits; returns the events stored.
 */
export async function sweepDuePages<Item extends DueCursor>(
  page: (limit: number, after?: DueCursor) => Promise<Item[]>,
  settle: (item: Item) => Promise<number>,
  pageItemsMax: number,
  concurrencyMax: number,
): Promise<number> {
  let effects = 0;
  let after: DueCursor | undefined;
  for (;;) {
    const items = await page(pageItemsMax, after);
    if (items.length === 0) return effects;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const item = items[next]!;
        next += 1;
        // Awaited first: `effects += await …` would read `effects` before the await and lose updates.
        const stored = await settle(item);
        effects += stored;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrencyMax, items.length) }, worker));
    after = items.at(-1);
    if (items.length < pageItemsMax) return effects;
  }
}
