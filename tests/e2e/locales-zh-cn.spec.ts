/** The popup and tooltip in Simplified Chinese (support/locale-popup.ts has the test). */
import { test } from './fixtures';
import { firstRunSpeaks } from './support/locale-first-run';
import { popupSpeaks } from './support/locale-popup';

test.use({ uiLocale: 'zh_CN' });
popupSpeaks('zh_CN', test);
firstRunSpeaks('zh_CN', test);
