import { defineBackground } from 'wxt/utils/define-background';

export default defineBackground(() => {
  // placeholder: wired up in the extension issue
});
