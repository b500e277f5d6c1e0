import { i18n } from '#i18n';
import type { AddressEvidence, Verdict } from '../../lib/verdict';
import type { GroupMatch } from '../../lib/watchlist/model';
import { matchGroupName, noteShown } from '../lib-words';
import { confidenceWords } from './PopupWords';

/**
 * One plain sentence per watchlist match of each flagged address: "61.174.65.123 is on Chinanet
 * (AS4134), China Telecom's national network — China Telecom, high confidence." An address matched
 * only by low-confidence entries says, in words, that it may not be the carrier's; an AS on no list
 * whose registry name names a carrier reads "likely <carrier> (name match)". When every match is a
 * low-confidence one the headline already says "probably" and why, so the line is not repeated.
 */
export function AddressSentences({
  verdict,
  headlineSaysProbably = false,
}: {
  verdict: Verdict;
  headlineSaysProbably?: boolean;
}) {
  const flagged = verdict.addresses.filter((a) => a.matches.length > 0);
  if (flagged.length === 0) return null;
  return (
    <ul class="sentences">
      {flagged.flatMap((evidence) =>
        evidence.matches.map((match, i) => (
          <li key={`${evidence.ip}|${match.groupId}`} data-testid="sentence">
            {sentence(evidence, match)}
            {i === evidence.matches.length - 1 && !headlineSaysProbably && onlyLow(evidence) && (
              <>
                {' '}
                <strong class="low-confidence" data-testid="low-confidence">
                  {i18n.t('popup.sentence.lowOnly', {
                    carrier: [...new Set(evidence.matches.map(matchGroupName))].join(', '),
                  })}
                </strong>
              </>
            )}
          </li>
        )),
      )}
    </ul>
  );
}

/** Every match of the address rests on a low-confidence watchlist entry. */
function onlyLow(evidence: AddressEvidence): boolean {
  return evidence.matches.every((m) => m.confidence === 'low');
}

function sentence(evidence: AddressEvidence, match: GroupMatch): string {
  const { ip, lookup } = evidence;
  const carrier = matchGroupName(match);
  if (match.reason.kind === 'prefix') {
    return i18n.t('popup.sentence.prefix', { ip, prefix: match.reason.prefix, carrier });
  }
  const asn = String(match.reason.asn);
  const org = lookup.kind === 'routed' && lookup.asn === match.reason.asn ? lookup.org : '';
  const network = org || carrier;
  const confidence = confidenceWords(match.confidence);
  if (match.reason.kind === 'name') {
    return i18n.t('popup.sentence.nameMatch', { ip, network, asn, carrier, confidence });
  }
  // A built-in entry's note is English research text: an English page only (lib-words.ts).
  const note = noteShown(match.groupId, match.note);
  return note
    ? i18n.t('popup.sentence.asn', { ip, network, asn, note, carrier, confidence })
    : i18n.t('popup.sentence.asnNoNote', { ip, network, asn, carrier, confidence });
}
