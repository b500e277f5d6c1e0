import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  createHistoryRecorder,
  createHistoryStore,
  historyRecordingAllowed,
  visitFromJudged,
  type HistoryStore,
} from '../../../lib/history';
import { defaultSettings, type Settings } from '../../../lib/settings';
import { openDatabase } from '../../../lib/storage/database';
import type { ThirdPartySummary } from '../../../lib/tabs/page-hosts';
import type { TabReport } from '../../../lib/tabs/types';
import type { AddressEvidence, Verdict } from '../../../lib/verdict';

const CT = { id: 'china-telecom', name: 'China Telecom', code: 'CT' };
const CM = { id: 'china-mobile', name: 'China Mobile', code: 'CM' };

function flaggedAddress(ip: string, asn: number, org: string): AddressEvidence {
  return {
    ip,
    origins: ['doh'],
    lookup: { kind: 'routed', asn, org, rangeStart: ip, rangeEnd: ip },
    matches: [{ groupId: CT.id, groupName: CT.name, code: CT.code, reason: 'asn' as never }],
  };
}

function report(more: Partial<TabReport> = {}, verdict: Partial<Verdict> = {}): TabReport {
  return {
    tabId: 4,
    url: 'https://telecom.test/private/path?token=secret',
    hostname: 'telecom.test',
    navigationId: 'nav-1',
    committed: true,
    doh: { state: 'pending' },
    final: true,
    updatedAt: 0,
    verdict: {
      hostname: 'telecom.test',
      status: 'flagged',
      groups: [CT],
      addresses: [
        flaggedAddress('1.48.0.1', 4134, 'Chinanet'),
        {
          ip: '1.1.1.1',
          origins: ['doh'],
          lookup: { kind: 'routed', asn: 13335, org: 'Cloudflare', rangeStart: '', rangeEnd: '' },
          matches: [],
        },
      ],
      ...verdict,
    },
    ...more,
  };
}

function hosts(...flagged: ThirdPartySummary['flagged']): ThirdPartySummary {
  return { siteHostname: 'telecom.test', total: flagged.length + 1, checking: 0, flagged };
}

describe('what a visit records', () => {
  it('a flagged site: its host name only, its groups and watched networks, keyed by tab and page', () => {
    expect(visitFromJudged(report(), null, 1000)).toEqual({
      id: '4:nav-1',
      site: 'telecom.test',
      at: 1000,
      carriers: [{ id: 'china-telecom', name: 'China Telecom' }],
      networks: [{ asn: 4134, org: 'Chinanet' }],
      flaggedHosts: [],
      action: 'shown',
    });
  });

  it('a clean site with a flagged host is recorded with that host; a clean page is not', () => {
    const clean = report({}, { status: 'clean', groups: [], addresses: [] });
    expect(visitFromJudged(clean, hosts(), 1)).toBeNull();
    const visit = visitFromJudged(
      clean,
      hosts({ hostname: 'cdn.test', groups: [CM], networks: [{ asn: 9808, org: 'CMNET' }] }),
      1,
    );
    expect(visit).toMatchObject({
      carriers: [{ id: 'china-mobile', name: 'China Mobile' }],
      networks: [{ asn: 9808, org: 'CMNET' }],
      flaggedHosts: ['cdn.test'],
    });
  });

  it('never an uncommitted navigation, nor a page that is not on the web', () => {
    expect(visitFromJudged(report({ committed: false }), null, 1)).toBeNull();
    expect(visitFromJudged(report({ url: 'file:///tmp/x.html' }), null, 1)).toBeNull();
  });

  it('off when the history is off, and in privacy mode unless switched on there', () => {
    const base = defaultSettings();
    const with_ = (s: Partial<Settings>, h: Partial<Settings['history']> = {}) => ({
      ...base,
      ...s,
      history: { ...base.history, ...h },
    });
    expect(historyRecordingAllowed(base)).toBe(true);
    expect(historyRecordingAllowed(with_({}, { enabled: false }))).toBe(false);
    expect(historyRecordingAllowed(with_({ privacyMode: true }))).toBe(false);
    expect(historyRecordingAllowed(with_({ privacyMode: true }, { inPrivacyMode: true }))).toBe(
      true,
    );
    expect(
      historyRecordingAllowed(
        with_({ privacyMode: true }, { enabled: false, inPrivacyMode: true }),
      ),
    ).toBe(false);
  });
});

describe('the recorder', () => {
  async function setUp(privateTabs: number[] = []) {
    const store = createHistoryStore(await openDatabase(new IDBFactory()), () => 1000);
    let writes = 0;
    const counting: HistoryStore = {
      ...store,
      recordVisit: (...args) => ((writes += 1), store.recordVisit(...args)),
    };
    const state = { settings: defaultSettings() };
    const recorder = createHistoryRecorder({
      store: async () => counting,
      settings: () => state.settings,
      isPrivateTab: async (tabId) => privateTabs.includes(tabId),
      now: () => 1000,
      log: () => undefined,
    });
    return { store, recorder, state, writes: () => writes };
  }

  it('one row per page however often it is judged; new flagged hosts are added to it', async () => {
    const t = await setUp();
    t.recorder.judged(report(), null);
    t.recorder.judged(report(), null);
    t.recorder.judged(report(), hosts({ hostname: 'a.test', groups: [CT] }));
    t.recorder.judged(report(), hosts({ hostname: 'a.test', groups: [CT] }));
    t.recorder.judged(report({ navigationId: 'nav-2' }), null);
    const rows = await t.recorder.afterWrites(() => t.store.list());
    expect(rows.map((r) => [r.id, r.flaggedHosts])).toEqual([
      ['4:nav-2', []],
      ['4:nav-1', ['a.test']],
    ]);
    expect(t.writes()).toBe(3);
  });

  it('nothing from a private window, nothing with the history off', async () => {
    const t = await setUp([5]);
    t.recorder.judged(report({ tabId: 5 }), null);
    expect(
      await t.recorder.recordAction({ tabId: 5, site: 'telecom.test', action: 'warned' }),
    ).toBe(null);
    t.state.settings = {
      ...t.state.settings,
      history: { ...t.state.settings.history, enabled: false },
    };
    t.recorder.judged(report({ tabId: 6 }), null);
    expect(await t.recorder.afterWrites(() => t.store.list())).toEqual([]);
  });
});
