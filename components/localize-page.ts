import { i18n } from '#i18n';

/**
 * Gives an extension page the browser's UI language and a localised title, so screen readers
 * pronounce it in the right language and the tab or window title reads like the page.
 */
export function localizePage(title: string): void {
  document.documentElement.lang = i18n.t('@@ui_locale').replace(/_/g, '-') || 'en';
  document.documentElement.dir = i18n.t('@@bidi_dir') || 'ltr';
  document.title = title;
}
