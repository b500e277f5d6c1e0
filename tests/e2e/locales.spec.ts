/** The popup and tooltip in German (support/locale-popup.ts, support/no-english.ts have the tests). */
import { test } from './fixtures';
import { firstRunSpeaks } from './support/locale-first-run';
import { popupSpeaks } from './support/locale-popup';
import { NO_ENGLISH_RECORDS, popupHasNoEnglish, settingsHaveNoEnglish } from './support/no-english';

// An array value must be wrapped: Playwright reads a bare array as [value, fixture options].
test.use({ uiLocale: 'de', dohRecords: [NO_ENGLISH_RECORDS, { scope: 'worker' }] });
popupSpeaks('de', test);
popupHasNoEnglish('de', test);
settingsHaveNoEnglish('de', test);
firstRunSpeaks('de', test);
