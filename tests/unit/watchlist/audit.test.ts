/**
 * The default watchlist audited against the routing data it ships with: every AS whose registry
 * name (or handle, where the data's org field holds one) names China Telecom, China Mobile or
 * China Unicom, a provincial company ("Yunnan Telecom"), a subsidiary ("CM International …",
 * "CT Global", "CU …") or a former name, must be in a built-in group or in EXCLUDED_LOOKALIKES
 * with a reason. The patterns are lib/watchlist/carrier-names.ts, shared with the classifier. A new upstream release that brings an unclassified one fails
 * here with its AS number and name; lib/watchlist/RULES.md says how to classify it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CARRIER_ASNS_PROVENANCE } from '../../../lib/watchlist/carrier-asns';
import {
  CARRIER_NAME_PATTERNS,
  carrierNamesIn,
  type CarrierName,
} from '../../../lib/watchlist/carrier-names';
import { DEFAULT_WATCHLIST, EXCLUDED_LOOKALIKES } from '../../../lib/watchlist/defaults';
import { CARRIER_GROUP_IDS } from '../../../lib/watchlist/name-match';
import { readRoutingOrgs, routingDataVersion, type AsInData } from './routing-orgs';

// Reading ~0.5 M rows takes a couple of seconds on an idle machine; the ceiling is for a loaded one.
const READ_CEILING_MS = 60_000;

const RESEARCH_PATH = resolve(__dirname, '../../../lib/watchlist/carriers-research.json');

interface ResearchAsn {
  asn: number;
  default_on: boolean;
  note?: string;
}
interface Research {
  groups: { carrier: string; asns: ResearchAsn[] }[];
}

const GROUP_OF_CARRIER: Readonly<Record<CarrierName, string>> = CARRIER_GROUP_IDS;

/** AS number → id of the built-in group that lists it. */
function groupIdByAsn(): Map<number, string> {
  const ids = new Map<number, string>();
  for (const g of DEFAULT_WATCHLIST.groups) for (const a of g.asns) ids.set(a.asn, g.id);
  return ids;
}

const excludedAsns = new Set(EXCLUDED_LOOKALIKES.map((e) => e.asn));

function describeAs(asn: number, seen: AsInData): string {
  const orgs = [...seen.orgs.keys()].map((o) => JSON.stringify(o)).join(' / ');
  return (
    `AS${asn} ${orgs} (${seen.ipv4Addresses} IPv4 addresses in ${seen.ipv4Ranges} ranges, ` +
    `${seen.ipv6Ranges} IPv6 ranges)`
  );
}

function carriersNamedBy(seen: AsInData): CarrierName[] {
  const found = new Set<CarrierName>();
  for (const org of seen.orgs.keys()) for (const c of carrierNamesIn(org)) found.add(c);
  return [...found];
}

/** The carrier-named ASNs in the data that neither a group (`groups`) nor an exclusion holds. */
function unclassified(data: Map<number, AsInData>, groups: Map<number, string>): string[] {
  const found: string[] = [];
  for (const [asn, seen] of data) {
    const carriers = carriersNamedBy(seen);
    if (carriers.length === 0 || groups.has(asn) || excludedAsns.has(asn)) continue;
    const how = CARRIER_NAME_PATTERNS.filter((p) =>
      [...seen.orgs.keys()].some((o) => p.pattern.test(o)),
    )
      .map((p) => p.names)
      .join('; ');
    found.push(`${describeAs(asn, seen)} names ${carriers.join(' and ')} (${how})`);
  }
  return found.sort();
}

describe('the default watchlist against the routing data', () => {
  let data: Map<number, AsInData>;
  beforeAll(() => {
    data = readRoutingOrgs();
  }, READ_CEILING_MS);

  it('classifies every carrier-named AS: in a built-in group, or excluded with a reason', () => {
    expect(
      unclassified(data, groupIdByAsn()),
      `Unclassified carrier-named ASNs in @ip-location-db/asn ${routingDataVersion()}. ` +
        'Research each and add it to a carrier group in lib/watchlist/carriers-research.json ' +
        '(then run scripts/gen-watchlist-defaults.mjs) or to EXCLUDED_LOOKALIKES with the reason; ' +
        'lib/watchlist/RULES.md says which',
    ).toEqual([]);
  });

  it('puts a carrier-named AS in the group of a carrier its name points at', () => {
    const misplaced: string[] = [];
    for (const g of DEFAULT_WATCHLIST.groups) {
      for (const a of g.asns) {
        const seen = data.get(a.asn);
        if (!seen) continue;
        const carriers = carriersNamedBy(seen);
        const fits =
          carriers.length === 0 ||
          !Object.values(GROUP_OF_CARRIER).includes(g.id) ||
          carriers.some((c) => GROUP_OF_CARRIER[c] === g.id);
        if (!fits) misplaced.push(`${describeAs(a.asn, seen)} is in ${g.id}`);
      }
    }
    expect(misplaced).toEqual([]);
  });

  it('names an AS that a group loses (the audit is not vacuous)', () => {
    const groups = groupIdByAsn();
    groups.delete(4134);
    expect(unclassified(data, groups)).toEqual([
      expect.stringMatching(
        /^AS4134 "Chinanet" \(\d+ IPv4 addresses.* names China Telecom \(Chinanet/,
      ),
    ]);
  });

  it('names the networks only the widened patterns see, when their group loses them', () => {
    const groups = groupIdByAsn();
    groups.delete(134421);
    groups.delete(270215);
    expect(unclassified(data, groups)).toEqual([
      expect.stringMatching(
        /^AS134421 "Yunnan Telecom" .* names China Telecom \("<Province> Telecom"/,
      ),
      expect.stringMatching(
        /^AS270215 "CM INTERNATIONAL MEXICO .* names China Mobile \(CM International/,
      ),
    ]);
  });

  it('holds what the widened audit found: Yunnan Telecom, CM International Mexico; CU lookalikes out', () => {
    const groups = groupIdByAsn();
    expect(groups.get(134421), 'AS134421 Yunnan Telecom').toBe('china-telecom');
    expect(groups.get(270215), 'AS270215 CM International Mexico').toBe('china-mobile');
    for (const asn of [19031, 266843]) {
      expect(excludedAsns.has(asn), `AS${asn} excluded`).toBe(true);
      expect(carriersNamedBy(data.get(asn)!), `AS${asn} is flagged by name`).toEqual([
        'China Unicom',
      ]);
    }
  });

  it('holds the networks the first audit found: CMPak, China Mobile Pakistan, in China Mobile', () => {
    const groups = groupIdByAsn();
    for (const asn of [59257, 138423]) {
      const seen = data.get(asn);
      expect(seen, `AS${asn} has ranges`).toBeDefined();
      expect([...seen!.orgs.keys()]).toContain('CMPak Limited');
      expect(seen!.ipv4Addresses, `AS${asn} holds IPv4 space`).toBeGreaterThan(0);
      expect(groups.get(asn), `AS${asn}`).toBe('china-mobile');
    }
  });
});

describe('lookalike names, one test each (RULES.md: names that merely resemble a carrier)', () => {
  const cases: { what: string; asn: number; org: string; reasonSays: RegExp }[] = [
    { what: 'a "CT…" hoster', asn: 152194, org: 'CTG Server Limited', reasonSays: /hosting/ },
    {
      what: '"China Union…"',
      asn: 139148,
      org: 'China UnionPay Co., Ltd',
      reasonSays: /UnionPay/,
    },
    { what: 'a non-Chinese "Railcom"', asn: 24320, org: 'RAILCOM', reasonSays: /Mongolian/ },
    {
      what: "CITIC's CTM",
      asn: 4609,
      org: 'Companhia de Telecomunicacoes de Macau',
      reasonSays: /CITIC/,
    },
  ];
  let data: Map<number, AsInData>;
  beforeAll(() => {
    data = readRoutingOrgs();
  }, READ_CEILING_MS);

  it.each(cases)(
    '$what (AS$asn) is flagged by name, excluded with its reason, and in no group',
    ({ asn, org, reasonSays }) => {
      expect([...(data.get(asn)?.orgs.keys() ?? [])]).toContain(org);
      expect(carrierNamesIn(org).length, `the audit flags "${org}"`).toBeGreaterThan(0);
      const excluded = EXCLUDED_LOOKALIKES.find((e) => e.asn === asn);
      expect(excluded?.orgInData).toBe(org);
      expect(excluded?.reason).toMatch(reasonSays);
      expect(groupIdByAsn().has(asn)).toBe(false);
    },
  );
});

describe('carrierNamesIn', () => {
  it('reads carrier names, subsidiaries, former names and handle forms', () => {
    expect(carrierNamesIn('Chinanet')).toEqual(['China Telecom']);
    expect(carrierNamesIn('ASN for TIANJIN Provincial Net of CT')).toEqual(['China Telecom']);
    expect(carrierNamesIn('CHINA TELECOM (AMERICAS) CORPORATION')).toEqual(['China Telecom']);
    expect(carrierNamesIn('China Telecom Next Generation Carrier Network')).toEqual([
      'China Telecom',
    ]);
    expect(carrierNamesIn('CMNET-V4SHANGHAI-AS-AP')).toEqual(['China Mobile']);
    expect(carrierNamesIn('China TieTong Telecommunications Corporation')).toEqual([
      'China Mobile',
    ]);
    expect(carrierNamesIn('CMPak Limited')).toEqual(['China Mobile']);
    expect(carrierNamesIn('CNCGROUP IP network of ShangHai IDC')).toEqual(['China Unicom']);
    expect(carrierNamesIn('China Unicom (Americas) Operations Ltd')).toEqual(['China Unicom']);
  });

  it.each([
    ['Guangdong Mobile', 'China Mobile'],
    ['GUANG DONG MOBILE COMMUNICATION CO', 'China Mobile'],
    ['Sichuan Telecom', 'China Telecom'],
    ['Yunnan Telecom', 'China Telecom'],
    ['Xizang Telecommunications', 'China Telecom'],
    ['Neimenggu Unicom', 'China Unicom'],
    ['Inner Mongolia Mobile', 'China Mobile'],
    ['Hei-Long-Jiang Unicom', 'China Unicom'],
    ['Shaanxi Provincial Telecom', 'China Telecom'],
    ['CHINATELECOM-SICHUAN-CHENGDU-IDC', 'China Telecom'],
    ['CHINAMOBILE-GD-AS-AP', 'China Mobile'],
    ['CHINAUNICOM-HENAN', 'China Unicom'],
    ['CM International Mexico Information Technology', 'China Mobile'],
    ['CMI Europe', 'China Mobile'],
    ['CT Global Ltd', 'China Telecom'],
    ['CTG Europe', 'China Telecom'],
    ['CU Global', 'China Unicom'],
    ['China Unicom (Singapore) Operations Pte Ltd', 'China Unicom'],
  ])('reads the provincial companies, handles and overseas short forms: %s', (name, carrier) => {
    expect(carrierNamesIn(name)).toEqual([carrier]);
  });

  it('leaves unrelated names alone', () => {
    for (const name of [
      'Beijing Baidu Netcom Science and Technology Co., Ltd.',
      'CERNET2 IX at South China University of Technology',
      'Railway Telecom, Ltd',
      'Zhang Zongyu',
      'Tecnologia da Informacao',
      'Hong Kong Broadband Network Limited',
      'Hong Kong Telecommunications (HKT) Limited',
      'HONG KONG KOWLOON TELECOMMUNICATIONS CO.,LIMITED',
      'VOLTEC SERVICO DE AUTOMACAO TELECOM',
      'BEIJING CBD TELECOM CO,.LTD',
      'CUHK Medical Centre Limited',
      'Mobile Telecom Guangdong Ltd',
    ]) {
      expect(carrierNamesIn(name), name).toEqual([]);
    }
  });
});

describe('the generated defaults against the research file', () => {
  const raw = readFileSync(RESEARCH_PATH, 'utf8');
  const research = JSON.parse(raw) as Research;
  const groups = groupIdByAsn();

  it('were generated from this research file (run scripts/gen-watchlist-defaults.mjs)', () => {
    expect(CARRIER_ASNS_PROVENANCE.researchSha256).toBe(
      createHash('sha256').update(raw).digest('hex'),
    );
  });

  it.each(Object.entries(GROUP_OF_CARRIER))(
    'lists every %s candidate the research recommends, and excludes every other one',
    (carrier, groupId) => {
      const group = research.groups.find((g) => g.carrier === carrier);
      expect(group, carrier).toBeDefined();
      const missing: number[] = [];
      const undecided: number[] = [];
      for (const a of group!.asns) {
        if (a.default_on && groups.get(a.asn) !== groupId) missing.push(a.asn);
        if (!a.default_on && !excludedAsns.has(a.asn)) undecided.push(a.asn);
      }
      expect(missing, `${carrier} ASNs missing from ${groupId}`).toEqual([]);
      expect(undecided, `${carrier} candidates neither listed nor excluded`).toEqual([]);
    },
  );
});

describe('notes for people', () => {
  // What the options page shows beside each ASN must read as plain words: the research trail
  // (tools, repositories, commit hashes, data-set names) belongs in `sources`.
  const TRAIL = [
    /\b[0-9a-f]{7,40}\b/, // commit or file hashes
    /https?:|www\.|github|gitlab|\.(com|net|org|md|txt|csv|json|go|yaml)\b/i,
    /gaoyifan|xingpingcn|bgp\.he|bgp\.tools|peeringdb|ipverse|ip-location-db|db-?ip|routeviews/i,
    /\b(HEAD|commit|regex|scraped|snapshot|default_on)\b/,
    /^org "/, // the generator's old stand-in for a missing note
  ];

  it('every built-in ASN has a short plain note, distinct from its sources', () => {
    const bad: string[] = [];
    for (const g of DEFAULT_WATCHLIST.groups) {
      for (const a of g.asns) {
        const note = a.note ?? '';
        const why =
          note.trim() === ''
            ? 'no note'
            : note.length > 120
              ? 'longer than 120 characters'
              : TRAIL.find((t) => t.test(note))?.toString();
        if (why) bad.push(`AS${a.asn} (${why}): ${note}`);
        if (a.sources?.includes(note)) bad.push(`AS${a.asn}: note repeats a source`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the trail check catches what the old notes showed', () => {
    const oldNotes = [
      'CNIX "China Networks Inter-Exchange"; gaoyifan classifies it as chinanet; 3.5M IPv4 in data',
      'org "China Telecom (Group)"',
      'github.com/xingpingcn/china-mainland-asn asn_txt/chinanet.txt (HEAD c5cc3f4 2026-08-08)',
    ];
    for (const note of oldNotes)
      expect(
        TRAIL.some((t) => t.test(note)),
        note,
      ).toBe(true);
  });
});
