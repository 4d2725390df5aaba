/**
 * What the console's browser tests share: the real server on a fresh data directory and Chromium,
 * API calls made as the set-up (not through the page), a volunteer's history seeded that way, and
 * the axe-core check that also saves a screenshot when CONSOLE_SCREENSHOT_DIR is set.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import type { Test } from 'tap';
import { nationalIdCheckCharacter } from '@timebank/domain';
import { startServer, stopServer, type ServerProcess } from '../../ledger-api/test/server-process.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Debian's zbar-tools: when present, a QR on screen or paper is scanned back. */
export const ZBARIMG = '/usr/bin/zbarimg';
const screenshotDirectory = process.env.CONSOLE_SCREENSHOT_DIR;

/** Without the browser a test skips, saying why; under CI it fails instead (CI installs it). */
export const chromiumMissing =
  !existsSync(CHROMIUM) && process.env.CI !== 'true'
    ? `${CHROMIUM} is missing; apt-get install chromium to run the console's browser test`
    : false;

export interface ConsoleWorld {
  readonly directory: string;
  readonly server: ServerProcess;
  /** The bootstrap administrator key the server wrote on its first run. */
  readonly adminKey: string;
  readonly browser: Browser;
}

/**
 * The real server on a fresh data directory, and Chromium; both ended, and the directory removed,
 * at the test's teardown. Undefined, with the test failed, when Chromium is missing (under CI).
 */
export async function startConsoleWorld(t: Test, name: string): Promise<ConsoleWorld | undefined> {
  if (!existsSync(CHROMIUM)) {
    t.fail(`${CHROMIUM} is missing: CI installs it (apt-get install chromium)`);
    return undefined;
  }
  const directory = mkdtempSync(join(tmpdir(), `${name}-`));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const server = await startServer({ LEDGER_DATA_DIR: directory });
  t.teardown(() => stopServer(server.child));
  const adminKey = readFileSync(join(directory, 'bootstrap-admin.key'), 'utf8').trim();
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  t.teardown(() => browser.close());
  return { directory, server, adminKey, browser };
}

/** A page of a new browser context: Chinese, 1100 × 800 unless `options` say otherwise, 15 s a step. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    locale: 'zh-CN',
    viewport: { width: 1100, height: 800 },
    ...options,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** A valid ID number of someone born 1962-03-08 (never a real person's). */
export function nationalIdNumber(sequence: number): string {
  const body = `11010519620308${String(sequence).padStart(3, '0')}`;
  return body + nationalIdCheckCharacter(body);
}

/** A request with a key as set-up; answers the parsed body, failing loudly on an unexpected status. */
export async function api<T>(
  url: string,
  key: string,
  path: string,
  body?: unknown,
  expectedStatus: number = body === undefined ? 200 : 201,
): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined
        ? {}
        : { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status !== expectedStatus)
    throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** `YYYY-MM-DD` in Asia/Shanghai at `epochMs`. */
export function shanghaiDate(epochMs: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(epochMs);
}

export interface SeededHistory {
  readonly volunteerId: string;
  /** The number the desk issued, which organisers know the volunteer by. */
  readonly volunteerNumber: string;
  /** One a record, in the order given. */
  readonly recordIds: readonly string[];
  /** Yesterday in Asia/Shanghai, the day of the records. */
  readonly day: string;
}

/**
 * The API calls that seed a history: volunteer 王秀英 of community qiaoxi (ID number `idSequence`),
 * registered with `registrarKey` (the administrator's unless given), and `records` yesterday at
 * organisation xinhua (which the caller registered), each recorded and confirmed by the
 * administrator. By default one record of 3 hours, 09:00 to 12:00.
 */
export async function seedHistory(options: {
  readonly url: string;
  readonly adminKey: string;
  readonly registrarKey?: string;
  readonly idSequence: number;
  readonly records?: readonly (readonly [activity: string, from: string, to: string])[];
}): Promise<SeededHistory> {
  const { url, adminKey, records = [['陪伴独居老人', '09:00', '12:00']] } = options;
  const { volunteerId, volunteerNumber } = await api<{ volunteerId: string; volunteerNumber: string }>(
    url,
    options.registrarKey ?? adminKey,
    '/v1/volunteers',
    {
      name: '王秀英',
      nationalIdNumber: nationalIdNumber(options.idSequence),
      phone: '+86-311-5550000',
      community: 'qiaoxi',
    },
  );
  const day = shanghaiDate(Date.now() - 86_400_000);
  const recordIds: string[] = [];
  for (const [activity, from, to] of records) {
    const { recordId } = await api<{ recordId: string }>(
      url,
      adminKey,
      `/v1/volunteers/${volunteerId}/service-records`,
      {
        activity,
        organisationId: 'xinhua',
        startAt: new Date(`${day}T${from}:00+08:00`).toISOString(),
        endAt: new Date(`${day}T${to}:00+08:00`).toISOString(),
      },
    );
    await api(url, adminKey, `/v1/volunteers/${volunteerId}/service-records/${recordId}/confirm`, {}, 200);
    recordIds.push(recordId);
  }
  return { volunteerId, volunteerNumber, recordIds, day };
}

/** axe-core in the page: no serious or critical violation on the screen as shown. */
export async function checkAccessibility(t: Test, page: Page, screen: string): Promise<void> {
  // Evaluated through the DevTools protocol: the page's own CSP (no inline scripts) stays on.
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document);
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
      );
  });
  t.same(violations, [], `${screen}: no serious or critical accessibility violations`);
  if (screenshotDirectory !== undefined)
    await page.screenshot({ path: join(screenshotDirectory, `console-${screen}.png`), fullPage: true });
}

/** Nothing wider than the viewport: a phone never scrolls sideways. */
export async function fitsWidth(t: Test, page: Page, screen: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  t.ok(scrollWidth <= innerWidth, `${screen}: ${scrollWidth}px of content in a ${innerWidth}px viewport`);
}

/** Who signs in on the staff sign-in screen, and the heading that shows they are in. */
export interface StaffSignIn {
  readonly role: string;
  readonly key: string;
  /** The scope's id (a community, organisation or partner); none for the administrator and the auditor. */
  readonly scope?: string;
  /** The scope field's label for the role (社区编号, 组织编号, 商户编号), checked when given. */
  readonly scopeLabel?: string;
  /** The heading of the screen the role lands on. */
  readonly heading: string;
}

/** Signs in on the staff sign-in screen as a person would: role, key, scope, then 登录. */
export async function signIn(page: Page, url: string, who: StaffSignIn): Promise<void> {
  await page.goto(`${url}/console#/sign-in`);
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await page.getByLabel('角色').selectOption(who.role);
  await page.getByLabel('API 密钥').fill(who.key);
  if (who.scope !== undefined)
    await (
      who.scopeLabel === undefined ? page.locator('#sign-in-scope') : page.getByLabel(who.scopeLabel)
    ).fill(who.scope);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('heading', { name: who.heading }).waitFor();
}

/** An API key issued by the administrator for `role` over the scope `kind`/`id`, as set-up. */
export async function issueKey(
  url: string,
  adminKey: string,
  role: string,
  scope: { readonly kind: string; readonly id?: string },
): Promise<string> {
  const label = `${role} ${scope.id ?? scope.kind}`;
  return (await api<{ key: string }>(url, adminKey, '/v1/admin/api-keys', { role, scope, label })).key;
}
