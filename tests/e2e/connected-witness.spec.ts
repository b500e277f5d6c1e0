/**
 * Third-party hosts judged by the address the browser connected to, end to end (issue 22 §3):
 * Chromium, the web server and unbound run inside a network namespace whose loopback carries public
 * addresses (support/netns.ts), so the browser connects to 1.1.1.1, 8.8.8.8 … and 1.48.0.1 and tells
 * the extension so, while no packet leaves the machine. Where that address is public and has a row
 * in the routing data, the extension must not ask DoH about the host (lib/tabs/page-hosts/judge.ts
 * `hostDoh`); where it is loopback (a local override) it must. unbound's own query log shows which
 * names were asked. Chromium only: Firefox has no host-resolver rules to point names at addresses.
 * Needs root (`ip netns add`), as CI runs.
 */
import type { StoredHost } from '../../lib/tabs/page-hosts';
import { BADGE_THIRD_PARTY_COLOR } from '../../lib/tabs/badge';
import { expect, test as base, type Ext } from './fixtures';
import type { DohRecord } from './support/doh-server';
import { hostRows } from './support/host-rows';
import { createNetns, netnsUnavailable, type Netns } from './support/netns';
import { startNetnsServers, type NetnsServers } from './support/netns-servers';
import { CHROMIUM } from './support/chromium';
import { waitUntil } from './support/wait';

/** AS4134 Chinanet (China Telecom): `node bin/carrierflag.mjs 1.48.0.1` flags it. */
const TELECOM = '1.48.0.1';
/**
 * Routed, on no watched network (`node bin/carrierflag.mjs <address>`: Cloudflare, Google, Quad9,
 * Cisco OpenDNS).
 */
const CLEAN = ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4', '9.9.9.9', '149.112.112.112'] as const;
/** The site's own address: AdGuard, not watched either. */
const SITE_ADDRESS = '94.140.14.14';

const SITE = 'www.clean-site.test';
const CLEAN_HOSTS = Array.from(
  { length: 20 },
  (_, i) => `tp${String(i + 1).padStart(2, '0')}.test`,
);
const TELECOM_HOSTS = ['ct1.test', 'ct2.test'];
const THIRD_PARTIES = [...CLEAN_HOSTS, ...TELECOM_HOSTS];
/**
 * A name a local override (an /etc/hosts line, say) sends to 127.0.0.1 in the browser, while DoH
 * answers its public address. The second page is the first with it in place of CLEAN_HOSTS[6]
 * (one browser serves both tests: host rules are fixed at launch).
 */
const OVERRIDDEN = 'overridden.test';
const OVERRIDDEN_PUBLIC = '8.8.4.4';

/** Where each name lives: DoH answers it and the browser connects there. */
const ADDRESS_OF = new Map<string, string>([
  [SITE, SITE_ADDRESS],
  ...CLEAN_HOSTS.map((host, i): [string, string] => [host, CLEAN[i % CLEAN.length]!]),
  ...TELECOM_HOSTS.map((host): [string, string] => [host, TELECOM]),
]);
const RECORDS: DohRecord[] = [
  ...[...ADDRESS_OF].map(([name, value]): DohRecord => ({ name, type: 'A', value })),
  { name: OVERRIDDEN, type: 'A', value: OVERRIDDEN_PUBLIC },
];
const pageWith = (hosts: readonly string[]) => `/page-with?hosts=${hosts.join(',')}`;

const test = base.extend<object, { netns: Netns; netnsServers: NetnsServers }>({
  netns: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructured first argument
    async ({}, use) => {
      const ns = createNetns([...new Set(ADDRESS_OF.values())]);
      try {
        await use(ns);
      } finally {
        ns.remove();
      }
    },
    { scope: 'worker' },
  ],
  netnsServers: [
    async ({ netns }, use) => {
      const servers = await startNetnsServers(netns, { records: RECORDS });
      try {
        await use(servers);
      } finally {
        await servers.stop();
      }
    },
    { scope: 'worker' },
  ],
  doh: [async ({ netnsServers }, use) => use(netnsServers.doh), { scope: 'worker' }],
  web: [async ({ netnsServers }, use) => use(netnsServers.web), { scope: 'worker' }],
  browserLaunch: [
    async ({ netns }, use) => {
      await use({
        executablePath: netns.launcher(CHROMIUM),
        siteAddresses: Object.fromEntries([...ADDRESS_OF, [OVERRIDDEN, '127.0.0.1']]),
        // A public page's request to a loopback address is refused until the person allows local
        // network access; this person has (a refused request reports no connected address at all).
        extraArgs: ['--disable-features=LocalNetworkAccessChecks'],
      });
    },
    { scope: 'worker' },
  ],
});

test.skip(({ browserKind }) => browserKind !== 'chromium', 'host-resolver rules are Chromium’s');
test.skip(
  netnsUnavailable() !== undefined,
  `needs a network namespace: ${netnsUnavailable() ?? ''}`,
);

/** The tab's stored hosts once all of `expected` are in and none waits for a lookup. */
async function settledHosts(
  ext: Ext,
  tabId: number,
  expected: readonly string[],
): Promise<StoredHost[]> {
  let last: StoredHost[] = [];
  const key = `hosts:${tabId}`;
  return waitUntil(
    async () => {
      const stored = (await ext.callApi(async (api, k) => api.storage.session.get(k), key))[key] as
        { hosts: StoredHost[] } | undefined;
      last = stored?.hosts ?? [];
      const names = last.map((h) => h.hostname).sort();
      const settled =
        JSON.stringify(names) === JSON.stringify([...expected].sort()) &&
        last.every((h) => h.doh.state !== 'pending');
      return settled ? last : undefined;
    },
    {
      what: `${expected.length} hosts stored with no lookup pending`,
      last: () => JSON.stringify(last.map((h) => [h.hostname, h.browserAddress, h.doh.state])),
    },
  );
}

/** The names unbound was asked, once each of `expected` has been answered. */
async function askedNames(doh: NetnsServers['doh'], expected: readonly string[]) {
  let names: string[] = [];
  await waitUntil(
    async () => {
      const queries = await doh.queries();
      names = [...new Set(queries.map((q) => q.name))].sort();
      return expected.every((name) =>
        queries.some((q) => q.name === name && q.rcode !== undefined),
      );
    },
    { what: `unbound to answer ${expected.join(', ')}`, last: () => names.join(', ') },
  );
  return names;
}

/** The badge (amber 2) and the popup: every host listed, the two on China Telecom first, flagged. */
async function expectTwoFlagged(ext: Ext, tabId: number, hosts: readonly string[]) {
  const badge = await ext.waitForBadge(tabId, '2');
  expect(badge.color).toBe(BADGE_THIRD_PARTY_COLOR);
  expect(badge.title).toContain(`${SITE} is not on a watched network`);
  const popup = await ext.popup(tabId);
  const rows = await hostRows(popup);
  expect([...rows.keys()].sort()).toEqual([...hosts].sort());
  expect([...rows.keys()].slice(0, 2).sort()).toEqual(TELECOM_HOSTS);
  for (const host of TELECOM_HOSTS) {
    expect(rows.get(host)).toMatch(/on China Telecom/);
    expect(rows.get(host)).toContain(TELECOM);
  }
  for (const host of hosts.filter((h) => !TELECOM_HOSTS.includes(h))) {
    expect(rows.get(host), host).toMatch(/not on a watched network/);
  }
  expect(await popup.text('page-hosts-summary')).toBe(
    `2 of ${hosts.length} hosts on watched networks`,
  );
  await popup.close();
}

test('hosts on public addresses are judged by the connected address: DoH is asked about the site only', async ({
  ext,
  web,
  doh,
}) => {
  const tab = await ext.open(web.urlFor(SITE, pageWith(THIRD_PARTIES)));
  const hosts = await settledHosts(ext, tab.id, THIRD_PARTIES);
  await expectTwoFlagged(ext, tab.id, THIRD_PARTIES);
  // Every host is stored with no lookup pending and the popup has been read: a lookup the
  // extension meant to make has been made, so its absence from the log is a real absence.
  expect(await askedNames(doh, [SITE]), 'the names asked of DoH').toEqual([SITE]);
  for (const host of hosts) {
    expect(host.browserAddress, host.hostname).toBe(ADDRESS_OF.get(host.hostname));
    expect(host.doh, host.hostname).toEqual({ state: 'skipped', why: 'connected' });
  }
});

test('the same page with one host overridden to 127.0.0.1: that host is asked of DoH, the others not', async ({
  ext,
  web,
  doh,
}) => {
  const replaced = CLEAN_HOSTS[6]!;
  const thirdParties = THIRD_PARTIES.map((host) => (host === replaced ? OVERRIDDEN : host));
  const tab = await ext.open(web.urlFor(SITE, pageWith(thirdParties)));
  const hosts = await settledHosts(ext, tab.id, thirdParties);
  await expectTwoFlagged(ext, tab.id, thirdParties);
  expect(await askedNames(doh, [SITE, OVERRIDDEN]), 'the names asked of DoH').toEqual(
    [OVERRIDDEN, SITE].sort(),
  );
  for (const host of hosts) {
    if (host.hostname === OVERRIDDEN) {
      // Connected, to loopback: the request was not refused, the address just says nothing.
      expect(host.browserAddress).toBe('127.0.0.1');
      expect(host.doh).toMatchObject({ state: 'done', addresses: [OVERRIDDEN_PUBLIC] });
    } else {
      expect(host.browserAddress, host.hostname).toBe(ADDRESS_OF.get(host.hostname));
      expect(host.doh, host.hostname).toEqual({ state: 'skipped', why: 'connected' });
    }
  }
});
