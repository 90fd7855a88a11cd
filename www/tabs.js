/**
 * Accessible tabs (WAI-ARIA tab pattern): click or arrow keys switch, Home/End jump,
 * only the selected tab is in the tab order.
 * @param {HTMLElement} tablist element with role="tablist" holding role="tab" buttons whose
 *   aria-controls name their panels
 * @param {(id: string) => void} [onSwitch]
 */
export function setupTabs(tablist, onSwitch) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  function select(tab, focus) {
    for (const other of tabs) {
      const on = other === tab;
      other.setAttribute('aria-selected', String(on));
      other.tabIndex = on ? 0 : -1;
      document.getElementById(other.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    onSwitch?.(tab.id);
  }
  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', (ev) => {
      const i = tabs.indexOf(tab);
      let next = null;
      if (ev.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
      else if (ev.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
      else if (ev.key === 'Home') next = tabs[0];
      else if (ev.key === 'End') next = tabs[tabs.length - 1];
      if (next) {
        ev.preventDefault();
        select(next, true);
      }
    });
  }
  return { select: (id) => select(tabs.find((t) => t.id === id), false) };
}
