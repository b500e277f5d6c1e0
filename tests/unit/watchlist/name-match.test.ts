/**
 * "Likely (name match)": an AS the shipped list does not know, named like a carrier, is taken as
 * the carrier's at low confidence, and lookalikes never are. The data here is written for the
 * tests (invented AS numbers, real lookalike names); the last test reads the shipped routing data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { likelyCarrierIn } from '../../../lib/watchlist/carrier-names';
import { DEFAULT_WATCHLIST, EXCLUDED_LOOKALIKES } from '../../../lib/watchlist/defaults';
import { setGroupEnabled } from '../../../lib/watchlist/edit';
import { compileWatchlist } from '../../../lib/watchlist/match';
import {
  createNameClassifier,
  findUnlistedCarrierNetworks,
  likelyCarrierMatch,
  SHIPPED_LIST,
} from '../../../lib/watchlist/name-match';
import type { Watchlist } from '../../../lib/watchlist/model';
import { readRoutingOrgs, type AsInData } from './routing-orgs';

// Invented AS numbers, in no group and no exclusion (checked below).
const NEW_PROVINCIAL = 399_001;
const FRESH = [399_101, 399_102, 399_103, 399_104, 399_105, 399_106, 399_107, 399_108];

const compiledDefaults = compileWatchlist(DEFAULT_WATCHLIST);

function without(id: string): Watchlist {
  const result = setGroupEnabled(DEFAULT_WATCHLIST, id, false);
  if (!result.ok) throw new Error(result.reason);
  return result.watchlist;
}

describe('findUnlistedCarrierNetworks', () => {
  it('the invented AS numbers are unknown to the shipped list', () => {
    for (const asn of [NEW_PROVINCIAL, ...FRESH]) {
      expect(SHIPPED_LIST.listedAsns.has(asn), `AS${asn}`).toBe(false);
      expect(EXCLUDED_LOOKALIKES.some((e) => e.asn === asn)).toBe(false);
    }
  });

  it('reports a new provincial carrier network, once, with its carrier', () => {
    const rows = [
      { asn: NEW_PROVINCIAL, org: 'Guangdong Mobile' },
      { asn: 15169, org: 'Google LLC' },
      { asn: NEW_PROVINCIAL, org: 'Guangdong Mobile' },
    ];
    expect(findUnlistedCarrierNetworks(rows)).toEqual([
      { asn: NEW_PROVINCIAL, org: 'Guangdong Mobile', carrier: 'China Mobile' },
    ]);
  });

  it('reads provincial names in pinyin variants, handles and full names, in AS order', () => {
    const rows = [
      { asn: FRESH[3]!, org: 'CHINAUNICOM-HENAN-ZHENGZHOU' },
      { asn: FRESH[0]!, org: 'Sichuan Telecom' },
      { asn: FRESH[1]!, org: 'NEI MENG GU MOBILE' },
      { asn: FRESH[2]!, org: 'CHINATELECOM-GUANGDONG-SHENZHEN-IDC' },
      { asn: FRESH[4]!, org: 'China Unicom (Europe) Operations Limited' },
    ];
    expect(findUnlistedCarrierNetworks(rows)).toEqual([
      { asn: FRESH[0], org: 'Sichuan Telecom', carrier: 'China Telecom' },
      { asn: FRESH[1], org: 'NEI MENG GU MOBILE', carrier: 'China Mobile' },
      { asn: FRESH[2], org: 'CHINATELECOM-GUANGDONG-SHENZHEN-IDC', carrier: 'China Telecom' },
      { asn: FRESH[3], org: 'CHINAUNICOM-HENAN-ZHENGZHOU', carrier: 'China Unicom' },
      { asn: FRESH[4], org: 'China Unicom (Europe) Operations Limited', carrier: 'China Unicom' },
    ]);
  });

  it('leaves out what the shipped list knows: listed networks and excluded lookalikes', () => {
    const rows = [
      { asn: 4134, org: 'Chinanet' },
      { asn: 134421, org: 'Yunnan Telecom' },
      ...EXCLUDED_LOOKALIKES.map((e) => ({ asn: e.asn, org: e.orgInData })),
    ];
    expect(findUnlistedCarrierNetworks(rows)).toEqual([]);
  });

  // The four of RULES.md, each under its own number and under a fresh one (a new AS of the same
  // company), and variants of their names.
  it.each([
    { asn: 152194, org: 'CTG Server Limited', variant: 'CTG Server Ltd (HK)' },
    { asn: 139148, org: 'China UnionPay Co., Ltd', variant: 'China UnionPay Data Services' },
    { asn: 24320, org: 'RAILCOM', variant: 'Railcom LLC' },
    {
      asn: 4609,
      org: 'Companhia de Telecomunicacoes de Macau',
      variant: 'CTM - Companhia de Telecomunicacoes de Macau S.A.R.L.',
    },
  ])('never promotes the lookalike $org (AS$asn), whatever its number', ({ asn, org, variant }) => {
    const rows = [
      { asn, org },
      { asn: FRESH[5]!, org },
      { asn: FRESH[6]!, org: variant },
    ];
    expect(findUnlistedCarrierNetworks(rows)).toEqual([]);
    expect(likelyCarrierMatch(FRESH[5]!, org, compiledDefaults)).toBeNull();
  });

  it('never promotes any excluded lookalike name under a new AS number', () => {
    const rows = EXCLUDED_LOOKALIKES.map((e, i) => ({ asn: 398_000 + i, org: e.orgInData }));
    expect(findUnlistedCarrierNetworks(rows)).toEqual([]);
  });

  it('leaves the short forms to the audit: CT, CTG, CMI, CU and CNC name other companies too', () => {
    const rows = ['CTG Europe', 'CT Global Ltd', 'CMI Europe', 'CU Global', 'CNC Networks'].map(
      (org, i) => ({ asn: 397_000 + i, org }),
    );
    expect(findUnlistedCarrierNetworks(rows)).toEqual([]);
  });

  it('takes a name that names two carriers as neither', () => {
    expect(likelyCarrierIn('China Telecom and China Unicom joint lab')).toBeNull();
  });

  it('checks against the shipped list it is given', () => {
    const shipped = { listedAsns: new Set([NEW_PROVINCIAL]), excluded: [] };
    expect(
      findUnlistedCarrierNetworks([{ asn: NEW_PROVINCIAL, org: 'Guangdong Mobile' }], shipped),
    ).toEqual([]);
    expect(
      findUnlistedCarrierNetworks([{ asn: FRESH[7]!, org: 'Guangdong Mobile' }], shipped),
    ).toEqual([{ asn: FRESH[7], org: 'Guangdong Mobile', carrier: 'China Mobile' }]);
  });
});

describe('createNameClassifier', () => {
  it('remembers each AS, and looks again when its name changes', () => {
    const classifier = createNameClassifier({ listedAsns: new Set(), excluded: [] });
    expect(classifier.carrierOf(NEW_PROVINCIAL, 'Hubei Unicom')).toBe('China Unicom');
    expect(classifier.carrierOf(NEW_PROVINCIAL, 'Hubei Unicom')).toBe('China Unicom');
    expect(classifier.carrierOf(NEW_PROVINCIAL, 'Hubei Fibre Ltd')).toBeNull();
  });
});

describe('likelyCarrierMatch', () => {
  it("gives a low-confidence match in the carrier's group that says it is a name match", () => {
    expect(likelyCarrierMatch(NEW_PROVINCIAL, 'Guangdong Mobile', compiledDefaults)).toEqual({
      groupId: 'china-mobile',
      groupName: 'China Mobile',
      code: 'CM',
      reason: { kind: 'name', asn: NEW_PROVINCIAL },
      confidence: 'low',
      note: 'likely (name match): on no list, but its registry name "Guangdong Mobile" names China Mobile',
    });
  });

  it("gives none while the carrier's built-in group is off", () => {
    const off = compileWatchlist(without('china-mobile'));
    expect(likelyCarrierMatch(NEW_PROVINCIAL, 'Guangdong Mobile', off)).toBeNull();
    expect(likelyCarrierMatch(NEW_PROVINCIAL, 'Sichuan Telecom', off)?.groupId).toBe(
      'china-telecom',
    );
  });

  it('gives none for a listed network (its own entry speaks) or an unrelated one', () => {
    expect(likelyCarrierMatch(4134, 'Chinanet', compiledDefaults)).toBeNull();
    expect(likelyCarrierMatch(15169, 'Google LLC', compiledDefaults)).toBeNull();
  });

  it("gives none through a group of the user's own that merely shares the carrier's id", () => {
    const custom: Watchlist = {
      groups: [
        {
          id: 'china-mobile',
          name: 'Mine',
          code: 'MI',
          enabled: true,
          builtin: false,
          asns: [],
          prefixes: [],
        },
      ],
    };
    expect(
      likelyCarrierMatch(NEW_PROVINCIAL, 'Guangdong Mobile', compileWatchlist(custom)),
    ).toBeNull();
  });
});

describe('the shipped routing data', () => {
  let data: Map<number, AsInData>;
  beforeAll(() => {
    data = readRoutingOrgs();
  }, 60_000);

  it('holds no unlisted carrier network today (the audit classified them all)', () => {
    const pairs = [...data].flatMap(([asn, seen]) =>
      [...seen.orgs.keys()].map((org) => ({ asn, org })),
    );
    expect(findUnlistedCarrierNetworks(pairs)).toEqual([]);
  });
});
