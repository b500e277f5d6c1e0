/**
 * The popup and tooltip in Simplified Chinese (support/locale-popup.ts, support/no-english.ts have
 * the tests).
 */
import { test } from './fixtures';
import { firstRunSpeaks } from './support/locale-first-run';
import { popupSpeaks } from './support/locale-popup';
import { NO_ENGLISH_RECORDS, popupHasNoEnglish, settingsHaveNoEnglish } from './support/no-english';

// An array value must be wrapped: Playwright reads a bare array as [value, fixture options].
test.use({ uiLocale: 'zh_CN', dohRecords: [NO_ENGLISH_RECORDS, { scope: 'worker' }] });
popupSpeaks('zh_CN', test);
popupHasNoEnglish('zh_CN', test);
settingsHaveNoEnglish('zh_CN', test);
firstRunSpeaks('zh_CN', test);
