/**
 * The printable A4 report of the area profile (issue 5): a `#profile-report` block built from the
 * profile on screen — title, the figures (the panel's own tables, so suppressed cells stay
 * suppressed), its charts redrawn off screen by Chart.js and kept as images, a snapshot of the
 * map (its canvas keeps its drawing buffer), and a footer with method, radius, bands, k, sources
 * and the date. The print stylesheet (profile.css, `@media print`) shows only this block while
 * `body.print-profile` is set; "Rapport afdrukken" builds it and opens the browser's print
 * dialog, and so does the browser's own Print while a profile is shown.
 */
import { t, formatNumber, formatShare, language } from '../i18n/i18n.js';
import { bandLabels, DEFAULT_EDGES_PCT } from '../bands.js';
import { indexChart, trendChart } from '../charts.js';
import { el } from '../dom.js';

/** Draw a chart off screen at a print size and return it as a PNG data URL. */
function chartImage(make, spec, widthPx = 720, heightPx = 280) {
  const holder = el('div');
  holder.style.cssText = `position:fixed;left:-20000px;top:0;width:${widthPx}px;height:${heightPx}px;`;
  const canvas = el('canvas');
  holder.append(canvas);
  document.body.append(holder);
  try {
    const chart = make(canvas, spec);
    chart.options.devicePixelRatio = 2;
    chart.resize(widthPx, heightPx);
    const url = canvas.toDataURL('image/png');
    chart.destroy();
    return url;
  } finally {
    holder.remove();
  }
}

/** The map as an image, or null (no canvas, or a canvas that cannot be read). */
function mapImage() {
  const canvas = document.querySelector('#map canvas');
  if (!canvas || !canvas.width) return null;
  try {
    return canvas.toDataURL('image/png');
  } catch {
    return null;
  }
}

/**
 * @param {any} app the page's app context (main.js)
 * @param {{ current: () => any, sources: Record<string, string> }} deps
 */
export function createReport(app, { current, sources }) {
  let specs = { index: () => null, trend: () => null };
  let root = null;

  function dateText() {
    return new Intl.DateTimeFormat(language() === 'en' ? 'en-GB' : 'nl-NL', { dateStyle: 'long', timeStyle: 'short' }).format(new Date());
  }

  function build() {
    const c = current();
    if (!c) return false;
    const panel = document.getElementById('profile');
    const s = c.spec.settings;
    const p = c.profile;
    const date = dateText();
    root ??= Object.assign(el('div', 'profile-report'), { id: 'profile-report' });
    if (!root.isConnected) document.body.append(root);
    root.setAttribute('aria-hidden', 'true');

    const head = el('header', 'report-head');
    head.append(el('h1', '', t('report.title', { id: c.id })));
    const sub = [`${t('profile.layer')}: ${c.layer.name}`];
    if (c.buurt.code) sub.push(`${t('profile.buurt')}: ${c.buurt.code}${c.buurt.name ? ` ${c.buurt.name}` : ''}`);
    head.append(el('p', 'report-sub', sub.join(' · ')), el('p', 'report-sub', t('report.made', { date })));

    const top = el('section', 'report-top');
    const facts = el('div', 'report-facts');
    const shareLabel = p.scope === 'radius' ? t('profile.corporation', { radius: s.radiusM }) : t('profile.corporationOwn');
    const shareText = p.corporationShare !== null
      ? formatShare(p.corporationShare)
      : p.corporationShareSuppressed ? t('profile.suppressed', { k: s.suppressBelow }) : t('profile.noShare');
    const share = el('p', 'report-share');
    share.dataset.value = String(p.corporationShare ?? NaN);
    share.append(el('span', '', `${shareLabel}: `), el('strong', '', shareText));
    facts.append(share);
    if (p.band) {
      facts.append(el('p', '', `${t('profile.band')}: ${bandLabels(DEFAULT_EDGES_PCT, (v) => `${formatNumber(v)} %`)[p.band.index]}`));
    }
    if (p.locationsWithinRadius !== null) {
      facts.append(el('p', 'small', t('profile.locations', { count: p.locationsWithinRadius, radius: s.radiusM })));
    }
    const figures = panel?.querySelector('table[data-kind="figures"]');
    if (figures) facts.append(el('h2', '', t('profile.figures')), figures.cloneNode(true));
    top.append(facts);
    const map = mapImage();
    if (map) {
      const fig = el('figure', 'report-map');
      const img = el('img');
      img.src = map;
      img.alt = app.mapDescription()?.title || '';
      fig.append(img, el('figcaption', '', t('report.map', { title: app.mapDescription()?.title || '' })));
      top.append(fig);
    }

    const parts = [head, top];
    const groups = panel?.querySelector('table[data-kind="groups"]');
    if (groups) {
      const sec = el('section', 'report-block');
      sec.append(el('h2', '', t('profile.groups')), groups.cloneNode(true));
      const spec = specs.index();
      if (spec) {
        const img = el('img', 'report-chart');
        img.dataset.chart = 'index';
        img.alt = t('profile.indexChart');
        img.src = chartImage(indexChart, spec, 720, 220);
        sec.append(img);
      }
      parts.push(sec);
    }
    const trend = specs.trend();
    if (trend) {
      const sec = el('section', 'report-block');
      sec.append(el('h2', '', t('profile.trend')));
      const img = el('img', 'report-chart');
      img.dataset.chart = 'trend';
      img.alt = t('profile.trend');
      img.src = chartImage(trendChart, trend, 720, 260);
      sec.append(img);
      const lbm = panel?.querySelector('table[data-kind="lbm"]');
      if (lbm) sec.append(lbm.cloneNode(true));
      parts.push(sec);
    }

    const refs = c.spec.groups.some((g) => g.referenceSharePct !== null) ? t('report.refMixed') : t('profile.refArea');
    const srcList = [c.layer.fileName || c.layer.name];
    // The user's own buurt and Leefbaarometer files by name, else the bundled ones.
    const userBuurten = c.buurt.via === 'polygon' && c.buurt.buurtFile && c.buurt.buurtFile !== sources.bundledBuurtFile;
    if (c.buurt.code) srcList.push(userBuurten ? c.buurt.buurtFile : sources.buurten);
    if ((c.buurt.years || []).length) srcList.push(c.buurt.lbmBundled === false ? `Leefbaarometer: ${c.buurt.lbmFile}` : sources.lbm);
    const foot = el('footer', 'report-foot');
    foot.append(
      el('p', '', t('report.method', { radius: formatNumber(s.radiusM), reference: refs })),
      el('p', '', t('report.bands', { bands: bandLabels(DEFAULT_EDGES_PCT, (v) => `${formatNumber(v)} %`).join(', ') })),
      el('p', '', t('report.k', { k: s.suppressBelow })),
      el('p', '', t('report.sources', { sources: srcList.join('; ') })),
      el('p', '', t('report.date', { date })),
    );
    foot.dataset.radius = String(s.radiusM);
    foot.dataset.k = String(s.suppressBelow);
    parts.push(foot);
    root.replaceChildren(...parts);
    root.dataset.id = c.id;
    document.body.classList.add('print-profile');
    return true;
  }

  // The browser's own Print while a profile is shown prints the report too (fresh figures).
  let justBuilt = false;
  window.addEventListener('beforeprint', () => {
    if (!justBuilt && current()) build();
    justBuilt = false;
  });

  return {
    /** Build the report and open the print dialog. */
    print() {
      if (!build()) return;
      justBuilt = true;
      window.print();
      justBuilt = false;
    },
    build,
    /** No profile any more: normal printing again. */
    clear() {
      document.body.classList.remove('print-profile');
      root?.replaceChildren();
    },
    setSpecs(next) {
      specs = next;
    },
  };
}
