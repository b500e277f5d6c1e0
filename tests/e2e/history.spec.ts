/**
 * The local history of flagged visits, end to end in Chromium and Firefox: real visits to the
 * local web server's made-up sites (the unbound DoH server puts telecom.test and mobile.test on
 * carrier networks, cloudflare.test on Cloudflare's), the settings page's table, its CSV and JSON
 * exports read back from the links the page made, and Clear.
 */
import type { VisitRow } from '../../lib/history';
import { expect, test, type Ext, type UiPage } from './fixtures';
import { waitUntil } from './support/wait';

/** The worker's rows, asked the way the settings page asks (an extension page's message). */
async function historyRows(ext: Ext): Promise<VisitRow[]> {
  const reply = (await ext.callApi(
    (api) => api.runtime.sendMessage({ type: 'history-list', filter: {} }),
    undefined,
  )) as { rows: VisitRow[] };
  return reply.rows;
}

/** Empties the history: rows other spec files' visits left in this browser's profile. */
async function clearHistory(ext: Ext): Promise<void> {
  await ext.callApi((api) => api.runtime.sendMessage({ type: 'history-clear' }), undefined);
}

/** The text of a file the page made, read from its link's blob URL inside the page. */
async function madeFile(page: UiPage, testId: string): Promise<string> {
  const href = await waitUntil(() => page.attribute(testId, 'href').then((h) => h ?? undefined), {
    what: `the link to the ${testId} file`,
  });
  return page.page.evaluate(async (url) => (await fetch(url)).text(), href);
}

/** The rows of a CSV (RFC 4180: quoted cells, CRLF line ends), without the byte-order mark. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && body[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

test.describe('history of flagged visits', () => {
  test('three flagged visits: three rows, exported exactly as CSV and JSON; Clear empties it', async ({
    ext,
    web,
  }) => {
    await clearHistory(ext);
    // A clean visit first: it must not be recorded.
    const clean = await ext.open(web.urlFor('cloudflare.test', '/?q=clean'));
    await ext.waitForBadge(clean.id, (b) => /not on a watched network/.test(b.title));
    const telecom = await ext.open(web.urlFor('telecom.test', '/secret/path?token=abc'));
    await ext.waitForBadge(telecom.id, 'CT');
    const mobile = await ext.open(web.urlFor('mobile.test', '/'));
    await ext.waitForBadge(mobile.id, 'CM');
    // A clean site loading from a China Unicom host: recorded for that host.
    const third = await ext.open(web.urlFor('cloudflare.test', '/page-with?hosts=unicom.test'));
    await ext.waitForBadge(third.id, '1');

    const rows = await waitUntil(
      async () => {
        const found = await historyRows(ext);
        const done = found.length === 3 && found.some((r) => r.flaggedHosts.length > 0);
        return done ? found : undefined;
      },
      { what: 'three rows in the history' },
    );
    const bySite = new Map(rows.map((r) => [r.site, r]));
    expect([...bySite.keys()].sort()).toEqual(['cloudflare.test', 'mobile.test', 'telecom.test']);
    expect(bySite.get('telecom.test')).toMatchObject({
      carriers: [{ id: 'china-telecom' }],
      networks: [{ asn: 4134 }],
      flaggedHosts: [],
      action: 'shown',
    });
    expect(bySite.get('mobile.test')?.carriers.map((c) => c.id)).toEqual(['china-mobile']);
    expect(bySite.get('cloudflare.test')).toMatchObject({
      carriers: [{ id: 'china-unicom' }],
      networks: [{ asn: 4837 }],
      flaggedHosts: ['unicom.test'],
    });
    // Host names only: never a path or a query.
    expect(JSON.stringify(rows)).not.toMatch(/secret|token|page-with|q=clean/);

    const page = await ext.options();
    await page.waitForAny('history-row', /./);
    const sites = await page.attributesOf('[data-testid="history-row"]', 'data-site');
    expect([...sites].sort()).toEqual(['cloudflare.test', 'mobile.test', 'telecom.test']);
    const cells = await page.textsOf('[data-testid="history-row"][data-site="telecom.test"] td');
    expect(cells[0]).toBe('telecom.test');
    expect(cells[2]).toBe('China Telecom');
    expect(cells[3]).toMatch(/^AS4134 /);
    expect(cells[5]).toBe('Shown');

    // CSV: a header and exactly the three rows (the newest first, as the table shows them).
    await page.click('Export CSV');
    await page.waitForText('history-status', /^3 visits exported to carrierflag-history\.csv\.$/);
    const csv = csvRows(await madeFile(page, 'history-csv-link'));
    expect(csv[0]).toEqual([
      'time',
      'site',
      'carriers',
      'networks',
      'flagged_hosts',
      'action',
      'id',
    ]);
    expect(csv.slice(1).map((r) => r[1])).toEqual(rows.map((r) => r.site));
    expect(csv.slice(1).map((r) => r[6])).toEqual(rows.map((r) => r.id));
    expect(csv.find((r) => r[1] === 'cloudflare.test')?.[4]).toBe('unicom.test');

    // JSON: the same rows, field for field.
    await page.click('Export JSON');
    await page.waitForText('history-status', /^3 visits exported to carrierflag-history\.json\.$/);
    const file = JSON.parse(await madeFile(page, 'history-json-link')) as {
      format: string;
      version: number;
      rows: VisitRow[];
    };
    expect(file.format).toBe('carrierflag-history');
    expect(file.version).toBe(1);
    expect(file.rows).toEqual(rows);

    // The filter: by carrier, then by date (a range starting tomorrow holds nothing).
    await page.fill('Carrier', 'china-mobile');
    await waitUntil(
      async () =>
        (await page.attributesOf('[data-testid="history-row"]', 'data-site')).join() ===
        'mobile.test',
      { what: 'the table to show only the China Mobile visit' },
    );
    await page.fill('Carrier', '');
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day = (n: number) => String(n).padStart(2, '0');
    await page.fill(
      'From',
      `${tomorrow.getFullYear()}-${day(tomorrow.getMonth() + 1)}-${day(tomorrow.getDate())}`,
    );
    await page.waitForText('history-empty', 'No recorded visit matches the filter.');
    await page.fill('From', '');
    await waitUntil(
      async () =>
        (await page.attributesOf('[data-testid="history-row"]', 'data-site')).length === 3,
      { what: 'all three rows back without a filter' },
    );

    // Clear, after its confirm step: the table and the store are empty.
    await page.click('Clear history');
    await page.click('Delete all visits');
    await page.waitForText('history-status', 'History cleared (3 visits deleted).');
    await page.waitForText('history-empty', 'No flagged visits recorded.');
    expect(await historyRows(ext)).toEqual([]);

    // The export imports again: the same three rows are back.
    await page.upload('history-import-file', {
      name: 'carrierflag-history.json',
      content: JSON.stringify(file),
      type: 'application/json',
    });
    await page.waitForText('history-status', /^3 visits imported; the history now holds 3\.$/);
    expect(await historyRows(ext)).toEqual(rows);
    await page.close();
  });

  test('nothing is recorded while the history is off', async ({ ext, web }) => {
    await clearHistory(ext);
    await ext.updateSettings((s) => ({ ...s, history: { ...s.history, enabled: false } }));
    const off = await ext.open(web.urlFor('telecom.test', '/'));
    await ext.waitForBadge(off.id, 'CT');
    // Closed before the history is on again: a settings change judges every open tab again.
    await off.close();
    await ext.updateSettings((s) => ({ ...s, history: { ...s.history, enabled: true } }));
    const on = await ext.open(web.urlFor('mobile.test', '/'));
    await ext.waitForBadge(on.id, 'CM');
    // The later visit's row is the signal that the earlier one was handled (writes go in turn).
    const rows = await waitUntil(
      async () => {
        const found = await historyRows(ext);
        return found.length > 0 ? found : undefined;
      },
      { what: 'the visit with the history on to be recorded' },
    );
    expect(rows.map((r) => r.site)).toEqual(['mobile.test']);
  });
});
