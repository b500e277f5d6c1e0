// Warn section (issue 21, "Bench: navigation overhead with warn on vs off, both browsers"): what
// Settings → "When a site is flagged: warn" costs a navigation to a site that is NOT flagged, and how
// soon a flagged one shows the warning page.
//
// Method:
// - Per browser (Chromium over the bare DevTools pipe, cdp.ts; Firefox ESR over WebDriver BiDi,
//   warn-firefox.ts) three browsers, one per arm: no extension; CarrierFlag with onFlagged 'nothing'
//   (the default: "off"); CarrierFlag with onFlagged 'warn'. The setting is saved through the
//   worker's own save-settings message from its options page and read back (the reply is the signal
//   that the worker has it). Same unbound DoH server and web server for all; in the bench's network
//   namespace the browser connects to each host's public address (network.ts; Firefox through an
//   /etc/hosts of its own).
// - Rounds (after two untimed warm-up rounds): each round visits, in each arm, the arm order
//   cycling through all six orders so that a change in machine load moves every arm alike: a clean
//   site with a host never seen before (`c0-r<round><arm>.<b>warn.test`, on 1.1.1.1: no DNS, DoH or
//   verdict cache can help) loading three scripts from three clean third-party hosts (the same per
//   arm, as a CDN is); the same page again (a repeat visit: everything cached); then a site on China
//   Telecom (`ct-…`, a new host each round) and the same one again. Between two visits the tab rests
//   on a loopback IP-literal page.
// - Crossover: halfway the two CarrierFlag browsers swap settings ('nothing' ↔ 'warn'), so that a
//   difference between the two browser instances themselves weighs on both arms alike.
// - Unflagged visits are timed by the page's own PerformanceNavigationTiming, startTime →
//   loadEventEnd, read after the driver saw the load event (Chromium: Page.navigate and
//   Page.loadEventFired; Firefox: puppeteer's goto). Also shown: the driver's navigate → load seen
//   (Node's clock; includes the driver's round trips, alike in every arm).
// - Flagged visits in the warn arm: an extension page running none of the extension's code (its
//   manifest.json) takes t0 = performance.now(), calls tabs.update(tab, { url }) and waits for
//   tabs.onUpdated (or a tabs.get polled every 2 ms) to show the tab's URL starting with
//   `<extension origin>/warning.html`: navigation start → warning page, on one clock. In the other arms the same site simply loads
//   (timed as the unflagged ones). A build without warning.html (the feature not merged) makes these
//   "not available", not a failure.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { startUnboundDoh, type UnboundDoh } from '../../tests/e2e/support/doh-server';
import { delay } from '../../tests/e2e/support/ports';
import { startWebServer, type WebServer } from '../../tests/e2e/support/web-server';
import { waitForFirstRunPage } from '../../tests/e2e/support/browsers/first-run';
import { CACHE_DIR } from '../paths';
import { int, ms, printTable, section } from '../report';
import { record } from '../results';
import { launchBare, openApiPage, tabIdShowing } from './bare';
import type { BareChromium, CdpPage } from './cdp';
import { percentile, sendFrom, type Evaluator } from './measure';
import { addressOf, type TestNetwork } from './network';
import { firefoxMissing, launchBenchFirefox, updateSettingsFirefox } from './warn-firefox';

/** Issue 21's ceilings (benchmark figures, not test assertions). */
export const TARGET_CHROMIUM_WARN_OVER_OFF = 1.03;
export const TARGET_FIREFOX_WARN_OVER_OFF = 1.1;
export const TARGET_FIREFOX_P95_ADDED_MS = 50;

const WARMUP_ROUNDS = 2;
const LOAD_TIMEOUT_MS = 30_000;
const WARNING_TIMEOUT_MS = 10_000;
/** Lets the previous navigation's events settle (every arm alike) before a timed one. */
const SETTLE_MS = 30;
/** A browser's run stops after this many failed visits. */
const MAX_FAILURES = 10;
/** Flagged visits stop being timed after this many that never showed the warning page. */
const MAX_WARNING_FAILURES = 3;
const WARNING_PAGE = 'warning.html';

export const WARN_BROWSERS = ['chromium', 'firefox'] as const;
export type WarnBrowser = (typeof WARN_BROWSERS)[number];
const BROWSER_LABEL: Record<WarnBrowser, string> = { chromium: 'Chromium', firefox: 'Firefox' };

export const WARN_ARMS = ['none', 'off', 'warn'] as const;
export type WarnArm = (typeof WARN_ARMS)[number];
const ARM_LABEL: Record<WarnArm, string> = {
  none: 'no extension',
  off: "CarrierFlag, onFlagged 'nothing'",
  warn: "CarrierFlag, onFlagged 'warn'",
};
const ARM_SETTING: Record<WarnArm, string | undefined> = {
  none: undefined,
  off: 'nothing',
  warn: 'warn',
};

/**
 * The arm orders, one per round in turn: all six, so each arm runs first, second and last equally
 * often and after each other arm (a plain rotation would always run 'warn' right after 'off').
 */
const ORDERS: readonly (readonly WarnArm[])[] = [
  ['none', 'off', 'warn'],
  ['warn', 'none', 'off'],
  ['off', 'warn', 'none'],
  ['none', 'warn', 'off'],
  ['off', 'none', 'warn'],
  ['warn', 'off', 'none'],
];

const KINDS = ['first', 'repeat', 'flagged', 'flaggedRepeat'] as const;
type Kind = (typeof KINDS)[number];
const KIND_LABEL: Record<Kind, string> = {
  first: 'clean site, first visit',
  repeat: 'clean site, repeat visit',
  flagged: 'China Telecom site, first visit',
  flaggedRepeat: 'China Telecom site, repeat visit',
};

export interface WarnOptions {
  /** Timed rounds: each visits every kind in every arm. */
  rounds: number;
  browsers: readonly WarnBrowser[];
  /** The built Chromium extension; the Firefox one is its sibling firefox-mv3. */
  extensionPath: string;
  firefoxExtensionPath: string;
  network: TestNetwork;
}

export const DEFAULT_WARN_OPTIONS = {
  rounds: 15,
  browsers: WARN_BROWSERS,
};

/** One timed page load. */
interface Load {
  /** PerformanceNavigationTiming startTime → loadEventEnd. */
  navMs: number;
  /** The driver's navigate → load event seen (Node's clock). */
  driverMs: number;
}

/** What one arm of one browser offers the rounds. */
interface ArmDriver {
  load(url: string): Promise<Load>;
  /** With CarrierFlag: saves onFlagged through the worker's messages and checks it read back. */
  setOnFlagged?(value: string): Promise<void>;
  /** Navigation start → the warning page (see the top); undefined without an extension page. */
  toWarning?(url: string): Promise<number>;
  /** With CarrierFlag: what it shows for the measured tab (see inspectTab). */
  inspect?(expectBadge: string | undefined, hosts: readonly string[]): Promise<Inspection>;
  close(): Promise<void>;
}

/** The probes an extension page of the arm runs: time to the warning page, and the tab's state. */
function addProbes(driver: ArmDriver, api: Evaluator, tabId: number, prefix: string): void {
  driver.toWarning = async (url) => {
    const result = await api.evaluate(timeToWarning, {
      tabId,
      url,
      prefix,
      timeoutMs: WARNING_TIMEOUT_MS,
    });
    if (!result.ok) throw new Error(result.error);
    return result.ms;
  };
  driver.inspect = (expectBadge, hosts) =>
    api.evaluate(inspectTab, {
      tabId,
      expectBadge,
      hosts: [...hosts],
      timeoutMs: WARNING_TIMEOUT_MS,
    });
}

interface Samples {
  nav: number[];
  driver: number[];
}

interface BrowserFigures {
  browser: WarnBrowser;
  /** Why the browser was not measured. */
  skipped?: string;
  rounds: number;
  /** Unflagged and (other arms') flagged loads, per arm and kind. */
  loads: Record<WarnArm, Record<Kind, Samples>>;
  /** Per round, per arm: the first visit's nav time, for paired ratios. */
  paired: { first: Partial<Record<WarnArm, number>>[]; repeat: Partial<Record<WarnArm, number>>[] };
  /** Warn arm: navigation start → warning page, first and repeat visit. */
  warning: { first: number[]; repeat: number[] };
  /** Why the warning page was not timed (no warning.html in the build). */
  warningUnavailable?: string;
  /** Whether the two CarrierFlag browsers swapped settings halfway (see runBrowser's crossOver). */
  crossedOver?: boolean;
  /** The set-up check in the 'nothing' arm (see runBrowser). */
  check?: { flaggedBadge: string; addresses: string[] };
  failures: string[];
  wallMs: number;
}

const emptySamples = (): Samples => ({ nav: [], driver: [] });

/** The hosts of one browser's run: letter `b` keeps the browsers' names apart in unbound's cache. */
function namesOf(b: string, arm: WarnArm, tag: string) {
  const a = arm[0];
  return {
    site: `c0-${tag}${a}.${b}warn.test`,
    flagged: `ct-${tag}${a}.${b}warn.test`,
    thirdParties: [
      `c1-cdn.${a}${b}warn.test`,
      `c2-img.${a}${b}warn.test`,
      `c3-api.${a}${b}warn.test`,
    ],
  };
}

/** The untimed round after the two CarrierFlag browsers swap settings (runBrowser's crossOver). */
const SWITCH_TAG = 's1';

const roundTags = (rounds: number) => [
  ...Array.from({ length: WARMUP_ROUNDS }, (_, i) => `w${i + 1}`),
  ...Array.from({ length: rounds }, (_, i) => `r${i + 1}`),
];

function allNames(rounds: number, browsers: readonly WarnBrowser[]): string[] {
  const names = new Set<string>();
  for (const browser of browsers) {
    for (const arm of WARN_ARMS) {
      for (const tag of [...roundTags(rounds), SWITCH_TAG]) {
        const n = namesOf(browser[0]!, arm, tag);
        names.add(n.site).add(n.flagged);
        for (const h of n.thirdParties) names.add(h);
      }
    }
  }
  return [...names];
}

function progress(message: string): void {
  process.stderr.write(`  warn: ${message} (load average ${loadavg()[0]!.toFixed(1)})\n`);
}

/** Read in the loaded page by the driver. */
const NAV_TIMING = `(() => {
  const [nav] = performance.getEntriesByType('navigation');
  return nav ? nav.loadEventEnd - nav.startTime : NaN;
})()`;

/**
 * Runs in an extension page that runs none of the extension's code (both browsers): navigates the
 * tab and polls its URL until it shows the warning page; ms from t0, or an error text.
 */
async function timeToWarning(arg: {
  tabId: number;
  url: string;
  prefix: string;
  timeoutMs: number;
}): Promise<{ ok: true; ms: number } | { ok: false; error: string }> {
  type Tab = { url?: string; status?: string };
  type Listener = (id: number, change: { url?: string }, tab: Tab) => void;
  type Tabs = {
    update(id: number, p: { url: string }): Promise<unknown>;
    get(id: number): Promise<Tab>;
    onUpdated: { addListener(l: Listener): void; removeListener(l: Listener): void };
  };
  const g = globalThis as unknown as { browser?: { tabs: Tabs }; chrome?: { tabs: Tabs } };
  const tabs = (g.browser ?? g.chrome)!.tabs;
  type Result = { ok: true; ms: number } | { ok: false; error: string };
  return new Promise<Result>((resolve) => {
    let done = false;
    const finish = (result: Result) => {
      if (done) return;
      done = true;
      tabs.onUpdated.removeListener(onUpdated);
      resolve(result);
    };
    // The event is the signal; the poll below catches a URL change the event did not carry.
    const onUpdated: Listener = (id, change, tab) => {
      if (id === arg.tabId && (change.url ?? tab.url ?? '').startsWith(arg.prefix)) {
        finish({ ok: true, ms: performance.now() - t0 });
      }
    };
    tabs.onUpdated.addListener(onUpdated);
    const t0 = performance.now();
    let updateError = '';
    tabs.update(arg.tabId, { url: arg.url }).catch((error: unknown) => {
      updateError = String(error);
    });
    void (async () => {
      let siteLoaded = false;
      while (!done) {
        const tab = await tabs.get(arg.tabId);
        const now = performance.now();
        if (tab.url?.startsWith(arg.prefix)) finish({ ok: true, ms: now - t0 });
        if (tab.url === arg.url && tab.status === 'complete') siteLoaded = true;
        if (now - t0 > arg.timeoutMs) {
          finish({
            ok: false,
            error: siteLoaded
              ? `the site loaded and no warning page came within ${arg.timeoutMs} ms`
              : `tab at ${tab.url ?? '?'} (${tab.status ?? '?'}) after ${arg.timeoutMs} ms${updateError ? `; tabs.update: ${updateError}` : ''}`,
          });
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
  });
}

/** The measured tab as CarrierFlag shows it: its badge and the connected address of each host. */
interface Inspection {
  badge: string;
  addresses: Record<string, string | null>;
}

/**
 * Runs in an extension page (both browsers): waits (at most `timeoutMs`) until the tab's badge reads
 * `expectBadge` (when given) and every one of `hosts` has a connected address in the tab's host
 * list (`hosts:<tabId>` in storage.session), then says what it found.
 */
async function inspectTab(arg: {
  tabId: number;
  expectBadge?: string;
  hosts: string[];
  timeoutMs: number;
}): Promise<Inspection> {
  type Ext = {
    action: { getBadgeText(d: { tabId: number }): Promise<string> };
    storage: { session: { get(key: string): Promise<Record<string, unknown>> } };
  };
  const g = globalThis as unknown as { browser?: Ext; chrome?: Ext };
  const ext = (g.browser ?? g.chrome)!;
  const t0 = performance.now();
  for (;;) {
    const key = `hosts:${arg.tabId}`;
    const badge = await ext.action.getBadgeText({ tabId: arg.tabId });
    const record = (await ext.storage.session.get(key))[key] as
      { hosts?: { hostname: string; browserAddress?: string }[] } | undefined;
    const addresses: Record<string, string | null> = {};
    for (const host of arg.hosts) {
      addresses[host] = record?.hosts?.find((h) => h.hostname === host)?.browserAddress ?? null;
    }
    const done =
      (arg.expectBadge === undefined || badge === arg.expectBadge) &&
      Object.values(addresses).every((a) => a !== null);
    if (done || performance.now() - t0 > arg.timeoutMs) return { badge, addresses };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// Chromium arms (bare DevTools pipe)

async function chromiumArm(
  arm: WarnArm,
  ctx: { web: WebServer; doh: UnboundDoh; network: TestNetwork; extensionPath: string },
  profiles: string[],
): Promise<ArmDriver> {
  const profile = await mkdtemp(join(tmpdir(), `carrierflag-bench-warn-${arm}-`));
  profiles.push(profile);
  const withExtension = arm !== 'none';
  const started = Date.now();
  const launched = await launchBare({
    userDataDir: profile,
    network: ctx.network,
    spkiHash: ctx.doh.spkiHash,
    extensionPath: withExtension ? ctx.extensionPath : undefined,
    waitReady: withExtension,
  });
  const browser: BareChromium = launched.browser;
  try {
    const neutralUrl = ctx.web.urlFor('127.0.0.1', '/neutral');
    let api: CdpPage | undefined;
    if (launched.extensionId) {
      const base = `chrome-extension://${launched.extensionId}/`;
      api = await openApiPage(browser, launched.extensionId);
      const apiPage = api;
      const firstRun = await waitForFirstRunPage(
        async () =>
          apiPage.evaluate(async () => {
            const { chrome } = globalThis as unknown as {
              chrome: { tabs: { query(q: object): Promise<{ url?: string }[]> } };
            };
            return (await chrome.tabs.query({})).flatMap((t) => (t.url ? [t.url] : []));
          }, null),
        base,
        started,
      );
      if (firstRun) {
        await apiPage.evaluate(async (url) => {
          const { chrome } = globalThis as unknown as {
            chrome: {
              tabs: {
                query(q: object): Promise<{ id?: number; url?: string }[]>;
                remove(id: number): Promise<void>;
              };
            };
          };
          for (const tab of await chrome.tabs.query({})) {
            if (tab.url === url && tab.id !== undefined) await chrome.tabs.remove(tab.id);
          }
        }, firstRun.url);
      }
      const saved = await updateSettingsChromium(browser, launched.extensionId, {
        resolver: { kind: 'custom', url: ctx.doh.url },
        onFlagged: ARM_SETTING[arm],
      });
      if (saved.onFlagged !== ARM_SETTING[arm]) {
        throw new Error(`onFlagged reads ${String(saved.onFlagged)} after saving`);
      }
    } else {
      await browser.newPage();
    }
    const page = await browser.newPage();
    await page.navigate(neutralUrl, LOAD_TIMEOUT_MS);
    await page.send('Page.bringToFront');
    const tabId = api ? await tabIdShowing(api, neutralUrl) : undefined;
    const prefix = `chrome-extension://${launched.extensionId}/${WARNING_PAGE}`;
    const driver: ArmDriver = {
      async load(url) {
        const t0 = performance.now();
        await page.navigate(url, LOAD_TIMEOUT_MS);
        const driverMs = performance.now() - t0;
        const navMs = await page.evaluateExpression<number>(NAV_TIMING);
        return { navMs, driverMs };
      },
      close: () => browser.close(),
    };
    if (launched.extensionId) {
      const extensionId = launched.extensionId;
      driver.setOnFlagged = async (value) => {
        const saved = await updateSettingsChromium(browser, extensionId, { onFlagged: value });
        if (saved.onFlagged !== value) {
          throw new Error(`onFlagged reads ${String(saved.onFlagged)} after saving ${value}`);
        }
      };
    }
    if (api && tabId !== undefined) addProbes(driver, api, tabId, prefix);
    return driver;
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** get-settings, then save-settings with `change`, from the options page; the settings read back. */
async function updateSettingsChromium(
  browser: BareChromium,
  extensionId: string,
  change: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const options = await browser.newPage();
  try {
    await options.navigate(`chrome-extension://${extensionId}/options.html`, LOAD_TIMEOUT_MS);
    const current = await sendFrom<{ settings: Record<string, unknown> }>(options, {
      type: 'get-settings',
    });
    const saved = await sendFrom<{ ok: boolean; reason?: string }>(options, {
      type: 'save-settings',
      settings: { ...current.settings, ...change },
    });
    if (!saved.ok) throw new Error(`save-settings refused: ${saved.reason ?? '?'}`);
    return (
      await sendFrom<{ settings: Record<string, unknown> }>(options, { type: 'get-settings' })
    ).settings;
  } finally {
    await options.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Firefox arms (WebDriver BiDi)

async function firefoxArm(
  arm: WarnArm,
  ctx: {
    web: WebServer;
    doh: UnboundDoh;
    extensionPath: string;
    hostsFile?: string;
    workDir: string;
  },
): Promise<ArmDriver> {
  const withExtension = arm !== 'none';
  const ff = await launchBenchFirefox({
    extensionPath: withExtension ? ctx.extensionPath : undefined,
    hostsFile: ctx.hostsFile,
    workDir: ctx.workDir,
  });
  try {
    const neutralUrl = ctx.web.urlFor('127.0.0.1', '/neutral');
    if (ff.extensionBase) {
      const saved = await updateSettingsFirefox(ff.browser, ff.extensionBase, {
        resolver: { kind: 'custom', url: ctx.doh.url },
        onFlagged: ARM_SETTING[arm],
      });
      if (saved.onFlagged !== ARM_SETTING[arm]) {
        throw new Error(`onFlagged reads ${String(saved.onFlagged)} after saving`);
      }
    }
    const page: Page = ff.page;
    await page.goto(neutralUrl, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
    await page.bringToFront();
    const driver: ArmDriver = {
      async load(url) {
        const t0 = performance.now();
        await page.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
        const driverMs = performance.now() - t0;
        const navMs = (await page.evaluate(NAV_TIMING)) as number;
        return { navMs, driverMs };
      },
      close: () => ff.browser.close(),
    };
    if (ff.extensionBase) {
      const base = ff.extensionBase;
      driver.setOnFlagged = async (value) => {
        const saved = await updateSettingsFirefox(ff.browser, base, { onFlagged: value });
        if (saved.onFlagged !== value) {
          throw new Error(`onFlagged reads ${String(saved.onFlagged)} after saving ${value}`);
        }
      };
    }
    if (ff.api && ff.extensionBase) {
      const api: Evaluator = {
        evaluate: (fn, arg) => ff.api!.evaluate(fn as (a: unknown) => unknown, arg) as never,
      };
      const tabId = await tabIdShowing(api, neutralUrl);
      const prefix = `${ff.extensionBase}${WARNING_PAGE}`;
      addProbes(driver, api, tabId, prefix);
    }
    return driver;
  } catch (error) {
    await ff.browser.close().catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Rounds

async function runBrowser(
  browser: WarnBrowser,
  options: WarnOptions,
  servers: { web: WebServer; doh: UnboundDoh; hostsFile?: string; workDir: string },
  profiles: string[],
  drivers: ArmDriver[],
): Promise<BrowserFigures> {
  const started = performance.now();
  const loads = Object.fromEntries(
    WARN_ARMS.map((arm) => [arm, Object.fromEntries(KINDS.map((k) => [k, emptySamples()]))]),
  ) as BrowserFigures['loads'];
  const figures: BrowserFigures = {
    browser,
    rounds: options.rounds,
    loads,
    paired: { first: [], repeat: [] },
    warning: { first: [], repeat: [] },
    failures: [],
    wallMs: 0,
  };
  const extensionPath =
    browser === 'chromium' ? options.extensionPath : options.firefoxExtensionPath;
  if (!existsSync(join(extensionPath, WARNING_PAGE))) {
    figures.warningUnavailable = `no ${WARNING_PAGE} in ${extensionPath} (warn not built)`;
  }
  const neutralUrl = servers.web.urlFor('127.0.0.1', '/neutral');
  /** The browser each arm runs in now: the two CarrierFlag browsers swap arms halfway. */
  const armDrivers = {} as Record<WarnArm, ArmDriver>;
  for (const arm of WARN_ARMS) {
    progress(`${BROWSER_LABEL[browser]}: launching (${ARM_LABEL[arm]})`);
    const driver =
      browser === 'chromium'
        ? await chromiumArm(arm, { ...servers, network: options.network, extensionPath }, profiles)
        : await firefoxArm(arm, { ...servers, extensionPath });
    drivers.push(driver);
    armDrivers[arm] = driver;
  }

  const b = browser[0]!;
  let warningFailures = 0;
  /** Every kind of visit in one arm, for round `tag`; timed into `into` unless warming up. */
  const visit = async (arm: WarnArm, tag: string, timed: boolean) => {
    const d = armDrivers[arm];
    const n = namesOf(b, arm, tag);
    const siteUrl = servers.web.urlFor(n.site, `/page-with?hosts=${n.thirdParties.join(',')}`);
    const flaggedUrl = servers.web.urlFor(n.flagged, '/');
    const result: Partial<Record<Kind, number>> = {};
    const rest = async () => {
      await d.load(neutralUrl);
      await delay(SETTLE_MS);
    };
    for (const kind of KINDS) {
      const label = `${BROWSER_LABEL[browser]} ${ARM_LABEL[arm]} ${tag} ${KIND_LABEL[kind]}`;
      try {
        await rest();
        const flagged = kind === 'flagged' || kind === 'flaggedRepeat';
        // Without a warning page the warn arm loads the site as the others do (the same work).
        if (flagged && arm === 'warn' && !figures.warningUnavailable && d.toWarning) {
          try {
            const msToWarning = await d.toWarning(flaggedUrl);
            if (timed) figures.warning[kind === 'flagged' ? 'first' : 'repeat'].push(msToWarning);
          } catch (error) {
            // Each costs WARNING_TIMEOUT_MS: a build whose warning page never shows stops trying.
            if (++warningFailures >= MAX_WARNING_FAILURES) {
              figures.warningUnavailable = `the warning page did not show ${MAX_WARNING_FAILURES} times; no more flagged visits timed`;
            }
            throw error;
          }
          continue;
        }
        const sample = await d.load(flagged ? flaggedUrl : siteUrl);
        if (!Number.isFinite(sample.navMs)) throw new Error('no navigation timing entry');
        if (timed) {
          loads[arm][kind].nav.push(sample.navMs);
          loads[arm][kind].driver.push(sample.driverMs);
          result[kind] = sample.navMs;
        }
      } catch (error) {
        figures.failures.push(`${label}: ${error instanceof Error ? error.message : error}`);
      }
    }
    return result;
  };

  try {
    await rounds();
  } catch (error) {
    // A browser that stopped answering: what was measured is still reported.
    figures.failures.push(`stopped: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const d of drivers.splice(0)) await d.close().catch(() => undefined);
  figures.wallMs = performance.now() - started;
  return figures;

  async function rounds(): Promise<void> {
    for (const tag of roundTags(0)) {
      progress(`${BROWSER_LABEL[browser]}: warm-up ${tag}`);
      for (const arm of WARN_ARMS) await visit(arm, tag, false);
    }
    // The set-up checked, untimed: in the 'nothing' arm CarrierFlag flags the China Telecom site and
    // sees the clean page's third-party hosts at their public addresses (in the namespace).
    const off = armDrivers.off;
    if (off.inspect) {
      const n = namesOf(b, 'off', 'w1');
      await off.load(servers.web.urlFor(n.site, `/page-with?hosts=${n.thirdParties.join(',')}`));
      const clean = await off.inspect(undefined, n.thirdParties);
      await off.load(servers.web.urlFor(n.flagged, '/'));
      const flagged = await off.inspect('CT', []);
      figures.check = {
        flaggedBadge: flagged.badge,
        addresses: Object.entries(clean.addresses).map(
          ([host, address]) => `${host} ${address ?? 'none'} (DoH ${addressOf(host)})`,
        ),
      };
    }
    const switchAfter = Math.ceil(options.rounds / 2);
    for (let r = 1; r <= options.rounds && figures.failures.length < MAX_FAILURES; r++) {
      if (r === switchAfter + 1) await crossOver();
      progress(`${BROWSER_LABEL[browser]}: round ${r} of ${options.rounds}`);
      const order = ORDERS[(r - 1) % ORDERS.length]!;
      const first: Partial<Record<WarnArm, number>> = {};
      const repeat: Partial<Record<WarnArm, number>> = {};
      for (const arm of order) {
        const got = await visit(arm, `r${r}`, true);
        first[arm] = got.first;
        repeat[arm] = got.repeat;
      }
      figures.paired.first.push(first);
      figures.paired.repeat.push(repeat);
    }
    if (figures.failures.length >= MAX_FAILURES) {
      figures.failures.push(`stopped after ${MAX_FAILURES} failed visits`);
    }
  }

  /**
   * Halfway, the 'nothing' browser becomes the 'warn' one and the other way round (each setting
   * saved and read back), then one untimed round: a difference between the two browsers themselves
   * (seen in Chromium: identical code, one instance ~20% slower for a whole run) then weighs on
   * both arms alike instead of on one.
   */
  async function crossOver(): Promise<void> {
    const { off, warn } = armDrivers;
    progress(`${BROWSER_LABEL[browser]}: the two CarrierFlag browsers swap settings`);
    await off.setOnFlagged!('warn');
    await warn.setOnFlagged!('nothing');
    armDrivers.off = warn;
    armDrivers.warn = off;
    figures.crossedOver = true;
    for (const arm of WARN_ARMS) await visit(arm, SWITCH_TAG, false);
  }
}

/** Runs the section; throws only when the benchmark itself cannot run. */
export async function benchWarn(options: WarnOptions): Promise<BrowserFigures[]> {
  const started = performance.now();
  section(
    'E2E warn: navigation overhead of "when a site is flagged: warn", no extension · ' +
      "onFlagged 'nothing' · 'warn', interleaved (lower is better)",
  );
  console.log(
    `  ${options.network.description}\n  load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const names = allNames(options.rounds, options.browsers);
  let doh: UnboundDoh | undefined;
  let web: WebServer | undefined;
  const drivers: ArmDriver[] = [];
  const profiles: string[] = [];
  const workDir = await mkdtemp(join(tmpdir(), 'carrierflag-bench-warn-'));
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      for (const d of drivers) await d.close().catch(() => undefined);
      await web?.stop().catch(() => undefined);
      await doh?.stop().catch(() => undefined);
      for (const dir of [...profiles, workDir]) {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`warn bench: ${signal}, stopping the browsers, unbound and the web server`);
    void cleanup().finally(() => process.exit(1));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    doh = await startUnboundDoh({
      records: names.map((name) => ({ name, type: 'A' as const, value: addressOf(name) })),
    });
    web = await startWebServer({ listenOn: options.network.listenOn });
    let hostsFile: string | undefined;
    if (options.network.kind === 'netns') {
      hostsFile = join(workDir, 'hosts');
      const lines = ['127.0.0.1 localhost', '::1 localhost'];
      for (const name of names) lines.push(`${addressOf(name)} ${name}`);
      await writeFile(hostsFile, `${lines.join('\n')}\n`);
    }
    const all: BrowserFigures[] = [];
    for (const browser of options.browsers) {
      const missing =
        browser === 'firefox' ? firefoxMissing(options.firefoxExtensionPath) : undefined;
      if (missing) {
        all.push({ ...skippedFigures(browser, options.rounds), skipped: `missing ${missing}` });
        continue;
      }
      try {
        all.push(
          await runBrowser(browser, options, { web, doh, hostsFile, workDir }, profiles, drivers),
        );
      } catch (error) {
        for (const d of drivers.splice(0)) await d.close().catch(() => undefined);
        const why = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.error(`warn bench, ${BROWSER_LABEL[browser]}: ${why}`);
        all.push({
          ...skippedFigures(browser, options.rounds),
          skipped: `could not run: ${String(error)}`,
        });
      }
    }
    for (const f of all) printBrowser(f);
    recordWarn(all);
    printTargets(all);
    // Every sample, in the order taken, for a closer look than percentiles give.
    await mkdir(CACHE_DIR, { recursive: true });
    const samplesPath = join(CACHE_DIR, 'warn-samples.json');
    await writeFile(samplesPath, `${JSON.stringify(all, null, 1)}\n`);
    console.log(`  every sample in ${samplesPath}`);
    console.log(
      "\n  Not measured: the warn arm's \"block\" sibling (onFlagged 'block'); a real network " +
        '(no latency here, so a hold that waits\n  for a DoH answer costs less than it would ' +
        'outside); a stopped background before the navigation; pages other than\n  a small one ' +
        'with three third-party scripts.',
    );
    console.log(
      `\nwarn bench finished in ${((performance.now() - started) / 1000).toFixed(0)} s (wall), ` +
        `load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    return all;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

function skippedFigures(browser: WarnBrowser, rounds: number): BrowserFigures {
  const loads = Object.fromEntries(
    WARN_ARMS.map((arm) => [arm, Object.fromEntries(KINDS.map((k) => [k, emptySamples()]))]),
  ) as BrowserFigures['loads'];
  return {
    browser,
    rounds,
    loads,
    paired: { first: [], repeat: [] },
    warning: { first: [], repeat: [] },
    failures: [],
    wallMs: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const p = (values: readonly number[], q: number) => (values.length ? percentile(values, q) : NaN);
const msOr = (n: number) => (Number.isFinite(n) ? ms(n) : '—');
const ratioText = (n: number) => (Number.isFinite(n) ? `${n.toFixed(3)}×` : '—');
const signedMs = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${ms(n)}` : '—');

function pairedRatio(
  rounds: readonly Partial<Record<WarnArm, number>>[],
  a: WarnArm,
  b: WarnArm,
): number {
  const ratios = rounds.flatMap((r) =>
    r[a] !== undefined && r[b] !== undefined ? [r[a] / r[b]] : [],
  );
  return ratios.length ? percentile(ratios, 50) : NaN;
}

function printBrowser(f: BrowserFigures): void {
  const name = BROWSER_LABEL[f.browser];
  console.log(`\n  ${name}`);
  if (f.skipped) {
    console.log(`  not measured: ${f.skipped}`);
    return;
  }
  console.log(
    `  ${f.rounds} rounds × 3 arms (after ${WARMUP_ROUNDS} warm-up rounds), the six arm orders in turn; ` +
      `${(f.wallMs / 1000).toFixed(0)} s wall. Navigation start → load event end ` +
      `(PerformanceNavigationTiming); p95 of ${f.rounds} samples is ` +
      `${f.rounds <= 20 ? 'the largest' : `the ${Math.ceil(0.95 * f.rounds)}th`}.` +
      (f.crossedOver
        ? `\n  The two CarrierFlag browsers swapped settings after round ${Math.ceil(f.rounds / 2)} ` +
          "(then one untimed round): each arm's samples come from both."
        : ''),
  );
  if (f.check) {
    console.log(
      `  Check (onFlagged 'nothing', untimed): the China Telecom site's badge read ` +
        `${JSON.stringify(f.check.flaggedBadge)}${f.check.flaggedBadge === 'CT' ? '' : ' (NOT CT: the flagged visits flag nothing)'}; ` +
        `connected addresses CarrierFlag saw for the clean page's hosts: ${f.check.addresses.join(', ')}.`,
    );
  }
  const rows: string[][] = [];
  for (const kind of KINDS) {
    for (const arm of WARN_ARMS) {
      const s = f.loads[arm][kind];
      if (s.nav.length === 0 && (kind === 'first' || kind === 'repeat')) continue;
      if (s.nav.length === 0) continue;
      rows.push([
        `${KIND_LABEL[kind]}: ${ARM_LABEL[arm]}`,
        int(s.nav.length),
        msOr(p(s.nav, 50)),
        msOr(p(s.nav, 95)),
        msOr(p(s.driver, 50)),
        msOr(p(s.driver, 95)),
      ]);
    }
  }
  printTable(['navigation → load', 'n', 'p50', 'p95', 'driver p50', 'driver p95'], rows);
  console.log(
    "  driver = the driver's navigate → load event seen, Node's clock (includes its round trips, " +
      'alike in every arm).',
  );
  const ratioRows: string[][] = [];
  for (const kind of ['first', 'repeat'] as const) {
    const nav = (arm: WarnArm, q: number) => p(f.loads[arm][kind].nav, q);
    ratioRows.push([
      KIND_LABEL[kind],
      ratioText(nav('warn', 50) / nav('off', 50)),
      ratioText(nav('warn', 95) / nav('off', 95)),
      signedMs(nav('warn', 50) - nav('off', 50)),
      signedMs(nav('warn', 95) - nav('off', 95)),
      ratioText(pairedRatio(f.paired[kind], 'warn', 'off')),
      ratioText(nav('off', 50) / nav('none', 50)),
      ratioText(pairedRatio(f.paired[kind], 'off', 'none')),
    ]);
  }
  printTable(
    [
      'same-run',
      'warn/off p50',
      'warn/off p95',
      'added p50',
      'added p95',
      'warn/off paired',
      'off/none p50',
      'off/none paired',
    ],
    ratioRows,
  );
  console.log(
    '  "paired" = median of the per-round ratios (each round\'s own pages against each other).',
  );
  if (f.warningUnavailable) {
    console.log(`  Flagged site → warning page: not available (${f.warningUnavailable}).`);
  } else {
    printTable(
      ['warn arm: navigation start → tab shows warning.html', 'n', 'p50', 'p95'],
      (['first', 'repeat'] as const).map((k) => [
        KIND_LABEL[k === 'first' ? 'flagged' : 'flaggedRepeat'],
        int(f.warning[k].length),
        msOr(p(f.warning[k], 50)),
        msOr(p(f.warning[k], 95)),
      ]),
    );
    console.log(
      '  Timed in an extension page: tabs.update → the first tabs.onUpdated, or tabs.get polled ' +
        'every 2 ms, showing warning.html (an upper bound).',
    );
  }
  for (const failure of f.failures) console.log(`  FAILED: ${failure}`);
}

interface WarnTarget {
  name: string;
  value: string;
  ours: number;
  /** 95% bootstrap interval of `ours` (see bootstrapInterval). */
  interval: [number, number];
  /** The goal's limit, in `unit`. */
  limit: number;
  unit: string;
  goal: string;
  pass: boolean;
}

const BOOTSTRAP_DRAWS = 2000;

/**
 * The 95% bootstrap interval of `stat(a, b)`: each list resampled with replacement, BOOTSTRAP_DRAWS
 * times, from a fixed seed (the same samples give the same interval). It says how far the figure
 * could move on the same machine in the same state: a limit inside it is not resolved by the run.
 */
function bootstrapInterval(
  a: readonly number[],
  b: readonly number[],
  stat: (a: number[], b: number[]) => number,
): [number, number] {
  if (a.length === 0 || b.length === 0) return [NaN, NaN];
  let seed = 0x2545f491;
  // mulberry32: small, seeded, good enough to resample with.
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const draw = (xs: readonly number[]) => xs.map(() => xs[Math.floor(random() * xs.length)]!);
  const stats = Array.from({ length: BOOTSTRAP_DRAWS }, () => stat(draw(a), draw(b)));
  stats.sort((x, y) => x - y);
  return [
    stats[Math.floor(0.025 * BOOTSTRAP_DRAWS)]!,
    stats[Math.ceil(0.975 * BOOTSTRAP_DRAWS) - 1]!,
  ];
}

function targetsOf(f: BrowserFigures): WarnTarget[] {
  const name = BROWSER_LABEL[f.browser];
  const targets: WarnTarget[] = [];
  for (const kind of ['first', 'repeat'] as const) {
    const warn = f.loads.warn[kind].nav;
    const off = f.loads.off[kind].nav;
    const ratio = p(warn, 50) / p(off, 50);
    const limit =
      f.browser === 'chromium' ? TARGET_CHROMIUM_WARN_OVER_OFF : TARGET_FIREFOX_WARN_OVER_OFF;
    targets.push({
      name: `${name}, ${KIND_LABEL[kind]}: navigation → load p50, warn / off`,
      value: f.skipped ? 'not measured' : `${msOr(p(warn, 50))} vs ${msOr(p(off, 50))}`,
      ours: f.skipped ? NaN : ratio,
      interval: bootstrapInterval(warn, off, (w, o) => p(w, 50) / p(o, 50)),
      limit,
      unit: 'ratio',
      goal: `≤ ${limit}×`,
      pass: ratio <= limit,
    });
    if (f.browser === 'firefox') {
      const added = p(warn, 95) - p(off, 95);
      targets.push({
        name: `${name}, ${KIND_LABEL[kind]}: navigation → load p95 added by warn`,
        value: f.skipped ? 'not measured' : `${msOr(p(warn, 95))} vs ${msOr(p(off, 95))}`,
        ours: f.skipped ? NaN : added,
        interval: bootstrapInterval(warn, off, (w, o) => p(w, 95) - p(o, 95)),
        limit: TARGET_FIREFOX_P95_ADDED_MS,
        unit: 'ms',
        goal: `≤ ${TARGET_FIREFOX_P95_ADDED_MS} ms`,
        pass: added <= TARGET_FIREFOX_P95_ADDED_MS,
      });
    }
  }
  return targets;
}

function printTargets(all: readonly BrowserFigures[]): void {
  section('E2E warn targets (issue 21; benchmark figures, not tests)');
  const figure = (t: WarnTarget, n: number) => (t.unit === 'ratio' ? ratioText(n) : signedMs(n));
  printTable(
    ['target', 'measured', 'figure', '95% interval', 'goal', 'result'],
    all.flatMap(targetsOf).map((t) => {
      const [lo, hi] = t.interval;
      const unresolved = lo <= t.limit && t.limit <= hi;
      return [
        t.name,
        t.value,
        figure(t, t.ours),
        Number.isFinite(lo) ? `${figure(t, lo)} … ${figure(t, hi)}` : '—',
        t.goal,
        !Number.isFinite(t.ours)
          ? 'NOT MEASURED'
          : `${t.pass ? 'PASS' : 'MISS'}${unresolved ? ' (limit within the interval)' : ''}`,
      ];
    }),
  );
  console.log(
    "  95% interval: bootstrap of the two arms' samples (each resampled, 2,000 draws); a limit " +
      'inside it is within\n  what the same run could have given by chance. In Chromium ' +
      "'nothing' and 'warn' run the same code for an unflagged\n  navigation (nothing is held): " +
      "their ratio there is the bench's own noise on this machine.",
  );
  for (const f of all) {
    if (f.skipped) continue;
    const what = f.warningUnavailable
      ? `not available (${f.warningUnavailable})`
      : `p50 ${msOr(p(f.warning.first, 50))} first visit, ${msOr(p(f.warning.repeat, 50))} repeat`;
    console.log(`  ${BROWSER_LABEL[f.browser]} flagged site → warning page: ${what}`);
  }
}

function recordWarn(all: readonly BrowserFigures[]): void {
  for (const f of all) {
    const name = BROWSER_LABEL[f.browser];
    for (const t of targetsOf(f)) {
      record({
        name: `warn: ${t.name}`,
        unit: t.unit,
        ours: t.ours,
        peer: null,
        ratio: null,
        target: t.goal,
        pass: t.pass,
      });
    }
    if (f.skipped) continue;
    for (const kind of KINDS) {
      for (const arm of WARN_ARMS) {
        const s = f.loads[arm][kind].nav;
        if (s.length === 0) continue;
        for (const q of [50, 95]) {
          record({
            name: `warn: ${name}, ${KIND_LABEL[kind]}, ${ARM_LABEL[arm]}: navigation → load p${q}`,
            unit: 'ms',
            ours: p(s, q),
            peer: null,
            ratio: null,
            target: null,
            pass: null,
          });
        }
      }
    }
    for (const k of ['first', 'repeat'] as const) {
      record({
        name: `warn: ${name}, ${KIND_LABEL[k === 'first' ? 'flagged' : 'flaggedRepeat']}: navigation start → warning page p50`,
        unit: 'ms',
        ours: f.warningUnavailable ? NaN : p(f.warning[k], 50),
        peer: null,
        ratio: null,
        target: null,
        pass: null,
      });
    }
  }
}
