/**
 * A tiny event hub for the page: main.js emits what happened (a map layer drawn, a location
 * selected, layers changed), feature modules listen. One job: deliver events in order.
 */
export function createEvents() {
  const listeners = new Map();
  return {
    /** Calls `fn(payload)` on every `name` event; returns an unsubscribe function. */
    on(name, fn) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(fn);
      return () => listeners.get(name).delete(fn);
    },
    emit(name, payload) {
      for (const fn of listeners.get(name) || []) {
        try {
          fn(payload);
        } catch (err) {
          console.error(`event '${name}':`, err);
        }
      }
    },
  };
}
