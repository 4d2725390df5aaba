/** Writes docs/events.md from the integration event catalogue, formatted as the repository's prettier does. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { renderEventsDoc } from '@timebank/kafka-relay';

export const EVENTS_DOC_PATH = fileURLToPath(new URL('../docs/events.md', import.meta.url));

/** The document exactly as committed: rendered, then formatted with the repository's prettier settings. */
export async function formattedEventsDoc(): Promise<string> {
  const options = await resolveConfig(EVENTS_DOC_PATH);
  return format(renderEventsDoc(), { ...options, filepath: EVENTS_DOC_PATH });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(EVENTS_DOC_PATH, await formattedEventsDoc());
  console.log(`wrote ${EVENTS_DOC_PATH}`);
}
