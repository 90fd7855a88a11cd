/**
 * The honest privacy indicator and the opt-in online base map switch.
 * Default: "works offline — no data leaves this machine" (true: the page makes no request outside
 * its origin). With the PDOK base map on, the indicator changes and a one-line notice says that
 * the map provider sees which area is viewed. Nothing is remembered between visits.
 */
import { t, onLanguageChange } from './i18n/i18n.js';

/**
 * @param {{ toggle: HTMLInputElement, indicator: HTMLElement, text: HTMLElement,
 *           notice: HTMLElement, onBasemap: (on: boolean) => void }} parts
 */
export function setupPrivacy({ toggle, indicator, text, notice, onBasemap }) {
  function render() {
    const on = toggle.checked;
    indicator.dataset.state = on ? 'online' : 'local';
    text.textContent = on ? t('offline.basemap') : t('offline.ok');
    text.dataset.i18n = on ? 'offline.basemap' : 'offline.ok';
    notice.hidden = !on;
  }
  toggle.checked = false;
  toggle.addEventListener('change', () => {
    render();
    onBasemap(toggle.checked);
  });
  onLanguageChange(render);
  render();
}
