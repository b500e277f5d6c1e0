/** The popup and tooltip in German (support/locale-popup.ts has the test). */
import { test } from './fixtures';
import { firstRunSpeaks } from './support/locale-first-run';
import { popupSpeaks } from './support/locale-popup';

test.use({ uiLocale: 'de' });
popupSpeaks('de', test);
firstRunSpeaks('de', test);
