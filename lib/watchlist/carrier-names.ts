/**
 * How a registry name (or handle) can name China Telecom, China Mobile or China Unicom: the one
 * place the patterns live. Two readers use them:
 * - the audit (tests/unit/watchlist/audit.test.ts) uses every pattern, broad on purpose: it would
 *   rather flag a lookalike that then needs an exclusion than miss a carrier network;
 * - the name-match classifier (name-match.ts) uses only the patterns marked `likely`, the full
 *   names, handles and provincial company names, and never a name that matches a lookalike
 *   pattern. The short forms (CT, CTG, CMI, CU, CNC …) are audit-only: most of the lookalikes
 *   in EXCLUDED_LOOKALIKES are short-form hits ("CTG Server Limited", "CU*Answers, Inc.").
 */

/** Which carrier a registry name points at. */
export type CarrierName = 'China Telecom' | 'China Mobile' | 'China Unicom';

/** A way a registry name or handle can name a carrier, a subsidiary or a former name of one. */
export interface CarrierNamePattern {
  carrier: CarrierName;
  pattern: RegExp;
  /** What the pattern stands for, for people reading a failed audit. */
  names: string;
  /**
   * Specific enough that an unlisted AS with this name is "likely (name match)" the carrier's at
   * lookup time; false for short forms that unrelated companies share.
   */
  likely: boolean;
}

/**
 * Mainland provinces, autonomous regions and municipalities in pinyin, syllables apart so that
 * "Guangdong", "Guang Dong" and "GUANG-DONG" all match. Hong Kong and Macau are left out on
 * purpose: "Hong Kong Telecommunications" is HKT (PCCW), "Macau Telecom" CITIC's CTM.
 */
const PROVINCES = [
  'an hui',
  'bei jing',
  'chong qing',
  'fu jian',
  'gan su',
  'guang dong',
  'guang xi',
  'gui zhou',
  'hai nan',
  'he bei',
  'hei long jiang',
  'he nan',
  'hu bei',
  'hu nan',
  'jiang su',
  'jiang xi',
  'ji lin',
  'liao ning',
  'inner mongolia',
  'nei meng gu',
  'nei mongol',
  'ning xia',
  'qing hai',
  'shaan xi',
  'shan dong',
  'shang hai',
  'shan xi',
  'si chuan',
  'tian jin',
  'ti bet',
  'xi zang',
  'xin jiang',
  'yun nan',
  'zhe jiang',
];

const PROVINCE = `\\b(?:${PROVINCES.map((p) => p.split(' ').join('[\\s_-]?')).join('|')})`;

/** "<Province> Telecom" and the like: a provincial operating company named by place and carrier. */
function provincial(carrier: CarrierName, word: string, tail = ''): CarrierNamePattern {
  return {
    carrier,
    pattern: new RegExp(`${PROVINCE}(?:[\\s,._-]+provincial)?[\\s,._-]*${word}${tail}\\b`, 'i'),
    names: `"<Province> ${word[0]!.toUpperCase()}${word.slice(1)}" (a provincial company)`,
    likely: true,
  };
}

/**
 * Names and registry handles of the carriers, their subsidiaries and their former names, as they
 * appear in the organisation field of the routing data (which sometimes holds the handle, e.g.
 * "IDNIC-LCMNETWORKS-ID - LCM NETWORKS" or "CHINATELECOM Jiangsu Suqian IDC network").
 */
export const CARRIER_NAME_PATTERNS: readonly CarrierNamePattern[] = [
  {
    carrier: 'China Telecom',
    pattern: /china[\s_-]*tele(com|communications)/i,
    names: 'China Telecom, CHINATELECOM-* handles',
    likely: true,
  },
  {
    carrier: 'China Telecom',
    pattern: /chinanet/i,
    names: 'Chinanet, CHINANET-* handles',
    likely: true,
  },
  provincial('China Telecom', 'telecom', '(?:munications?)?'),
  { carrier: 'China Telecom', pattern: /\bCN2\b/i, names: 'CN2', likely: false },
  {
    carrier: 'China Telecom',
    pattern: /next generation carrier network/i,
    names: 'CN2 ("China Telecom Next Generation Carrier Network")',
    likely: false,
  },
  {
    carrier: 'China Telecom',
    pattern: /\bCTG/i,
    names: 'CTG, CTGNet (China Telecom Global)',
    likely: false,
  },
  {
    carrier: 'China Telecom',
    pattern: /\bCT[\s_-]*Global\b/i,
    names: 'CT Global (China Telecom Global)',
    likely: false,
  },
  {
    carrier: 'China Telecom',
    pattern: /\bCT\b/,
    names: '"CT" ("Provincial Net of CT", CT-* handles)',
    likely: false,
  },
  { carrier: 'China Telecom', pattern: /ctcloud|ctyun/i, names: 'CTCloud, CTYun', likely: false },
  {
    carrier: 'China Telecom',
    pattern: /\bCTM\b|telecomunica[cç][oõ]es de maca[uo]/i,
    names: 'CTM, Macau (China Telecom Macau has a namesake)',
    likely: false,
  },
  {
    carrier: 'China Mobile',
    pattern: /china[\s_-]*mobile/i,
    names: 'China Mobile, CHINAMOBILE-* handles',
    likely: true,
  },
  provincial('China Mobile', 'mobile'),
  { carrier: 'China Mobile', pattern: /cmnet/i, names: 'CMNET', likely: false },
  {
    carrier: 'China Mobile',
    pattern: /\bCMI\b/,
    names: 'CMI (China Mobile International)',
    likely: false,
  },
  {
    carrier: 'China Mobile',
    pattern: /\bCM[\s_-]*International\b/i,
    names: 'CM International (China Mobile International)',
    likely: false,
  },
  {
    carrier: 'China Mobile',
    pattern: /\bCMHK\b/i,
    names: 'CMHK (China Mobile Hong Kong)',
    likely: false,
  },
  { carrier: 'China Mobile', pattern: /tie\s*tong/i, names: 'China Tietong', likely: true },
  {
    carrier: 'China Mobile',
    pattern: /\bCTTNET\b/i,
    names: 'CTTNET (China Tietong)',
    likely: false,
  },
  {
    carrier: 'China Mobile',
    pattern: /railcom|china\s*railway\s*(telecom|communication)/i,
    names: 'China Railcom (now China Tietong)',
    likely: false,
  },
  {
    carrier: 'China Mobile',
    pattern: /\bcm-?pak\b|\bzong\b/i,
    names: 'CMPak, Zong',
    likely: false,
  },
  {
    carrier: 'China Unicom',
    pattern: /china[\s_-]*unicom/i,
    names: 'China Unicom, China Unicom (…), CHINAUNICOM-* handles',
    likely: true,
  },
  provincial('China Unicom', 'unicom'),
  { carrier: 'China Unicom', pattern: /unicom/i, names: 'Unicom, UNICOM-* handles', likely: false },
  {
    carrier: 'China Unicom',
    pattern: /china\s*union/i,
    names: 'China Union… (lookalikes)',
    likely: false,
  },
  {
    carrier: 'China Unicom',
    pattern: /china\s*united\s*network/i,
    names: 'China United Network',
    likely: true,
  },
  {
    carrier: 'China Unicom',
    pattern: /china[\s_-]*netcom|cncgroup/i,
    names: 'China Netcom, CNCGROUP (now China Unicom)',
    likely: true,
  },
  {
    carrier: 'China Unicom',
    pattern: /cncnet|\bCNC\b/i,
    names: 'CNC, CNCNET (China Netcom, now China Unicom)',
    likely: false,
  },
  {
    carrier: 'China Unicom',
    pattern: /\bCU\b/,
    names: '"CU" (China Unicom\'s short form)',
    likely: false,
  },
  {
    carrier: 'China Unicom',
    pattern: /\bCUG\b/,
    names: 'CUG (China Unicom Global)',
    likely: false,
  },
  { carrier: 'China Unicom', pattern: /\bCUII\b/, names: 'CUII', likely: false },
  { carrier: 'China Unicom', pattern: /china\s*169/i, names: 'China169', likely: true },
];

/** A name that resembles a carrier's but belongs to a network the carrier does not run. */
export interface LookalikeNamePattern {
  pattern: RegExp;
  /** Why such a name is never taken as the carrier's, in plain words. */
  reason: string;
}

/**
 * Names the name-match classifier never promotes, whatever their AS number: the kinds of
 * lookalike EXCLUDED_LOOKALIKES holds, written as patterns so that a new AS of the same company
 * (or one named like it) is not taken for the carrier either.
 */
export const LOOKALIKE_NAME_PATTERNS: readonly LookalikeNamePattern[] = [
  {
    pattern: /ctg[\s_-]*server/i,
    reason: 'CTG Server, a Hong Kong hoster, not China Telecom Global',
  },
  { pattern: /unionpay/i, reason: 'China UnionPay, the bank-card network' },
  {
    pattern: /\bCTM\b|telecomunica[cç][oõ]es de maca[uo]|citic/i,
    reason: 'CITIC Telecom and its CTM in Macau, not China Telecom',
  },
  { pattern: /south\s+china\s+tele/i, reason: '"South China Telecommunications", unrelated' },
  { pattern: /linkchina/i, reason: '"LinkChina Telecom Global", unrelated' },
  { pattern: /colocation|colocated|customer/i, reason: "a customer in a carrier's data centre" },
  { pattern: /haplink/i, reason: 'Shanghai Telecom Haplink, a joint venture of unknown split' },
  { pattern: /\bPT\b.*china\s*mobile/i, reason: 'PT Indonesia China Mobile, not tied to CMI' },
  { pattern: /\bbaidu\b/i, reason: 'Baidu Netcom, a Baidu company' },
];

/** The carrier names a registry name matches (every pattern), in pattern order, each once. */
export function carrierNamesIn(name: string): CarrierName[] {
  const found: CarrierName[] = [];
  for (const p of CARRIER_NAME_PATTERNS) {
    if (!found.includes(p.carrier) && p.pattern.test(name)) found.push(p.carrier);
  }
  return found;
}

/**
 * The one carrier a registry name names specifically enough for a "likely (name match)": a
 * `likely` pattern matches, no lookalike pattern does, and no other carrier is named too. Null
 * otherwise. Pure and uncached; name-match.ts memoises it per AS.
 */
export function likelyCarrierIn(name: string): CarrierName | null {
  if (LOOKALIKE_NAME_PATTERNS.some((l) => l.pattern.test(name))) return null;
  let carrier: CarrierName | null = null;
  for (const p of CARRIER_NAME_PATTERNS) {
    if (!p.likely || !p.pattern.test(name)) continue;
    if (carrier !== null && carrier !== p.carrier) return null;
    carrier = p.carrier;
  }
  return carrier;
}
