/**
 * The two DOM helpers every panel uses. Text is always set with textContent, never as HTML
 * (names from user files are shown as text).
 */

/** A new element with an optional class name and text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A `<select name>` with `options` ({ value, label }); `value` is chosen when it is one of them
 * (compared as text, as the DOM does).
 */
export function select(name, options, value) {
  const s = el('select');
  s.name = name;
  for (const o of options) {
    const opt = el('option', '', o.label);
    opt.value = o.value;
    s.append(opt);
  }
  if (value !== undefined && options.some((o) => String(o.value) === String(value))) s.value = String(value);
  return s;
}
