/**
 * The map as a PNG: the MapLibre frame as drawn (preserveDrawingBuffer is on), with a scale bar
 * and the source attribution drawn over its lower corners, a legend panel to its right (from the
 * page's map description) and a footer below stating method, radius, k, bands, sources and date.
 *
 *   ┌──────────────── map ────────────────┬── legend ──┐
 *   │                                     │ title      │
 *   │ ▭▭▭ 1 km              © CBS …       │ ■ 0–10 %   │
 *   ├─────────────────────────────────────┴────────────┤
 *   │ footer lines                                     │
 *   └──────────────────────────────────────────────────┘
 *
 * Returns the blob and the lines of text it drew, so a test (and a screen reader, via the status)
 * can see what is in the image.
 */

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
const INK = '#1d2327';
const MUTED = '#5f6b72';
const EARTH_CIRCUMFERENCE_M = 40075016.686;
/** MapLibre's tile size: zoom z shows the world 512·2^z CSS pixels wide. */
const TILE_PX = 512;

/** Metres per CSS pixel at a latitude and zoom (Web Mercator, MapLibre's 512 px tiles). */
export function metresPerPixel(latDeg, zoom) {
  return (EARTH_CIRCUMFERENCE_M * Math.cos((latDeg * Math.PI) / 180)) / (TILE_PX * 2 ** zoom);
}

/** A round length (1, 2 or 5 × 10^n m) not longer than `maxM`. */
export function niceLength(maxM) {
  const p = 10 ** Math.floor(Math.log10(maxM));
  for (const f of [5, 2, 1]) if (f * p <= maxM) return f * p;
  return p;
}

/** Wait until the map drew a complete frame (or give up waiting after `ms`). */
export function mapSettled(map, ms = 4000) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      map.off('idle', done);
      resolve();
    }
    map.once('idle', done);
    map.triggerRepaint();
  });
}

/** Split `text` into lines no wider than `width` at the context's current font. */
function wrap(ctx, text, width) {
  const words = String(text).split(/\s+/).filter(Boolean);
  const lines = [];
  let line = '';
  for (const w of words) {
    const next = line ? `${line} ${w}` : w;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = w;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * @param {{ map: any, description: import('../main.js').MapDescription|null,
 *           attribution: string[], footer: string[], scaleLabel: (m: number) => string }} spec
 * @returns {Promise<{ blob: Blob, lines: string[], width: number, height: number,
 *                     mapWidth: number, mapHeight: number, legendWidth: number,
 *                     scale: { metresPerPixel: number, lengthM: number, barPx: number } }>}
 *   (scale in CSS pixels)
 */
export async function renderMapPng({ map, description, attribution, footer, scaleLabel }) {
  await mapSettled(map);
  const source = map.getCanvas();
  const mapW = source.width;
  const mapH = source.height;
  // Canvas pixels per CSS pixel (device pixel ratio as the map used it).
  const u = mapW / (source.clientWidth || mapW) || 1;
  const pad = 14 * u;
  const fs = (px, weight = 400) => `${weight} ${Math.round(px * u)}px ${FONT}`;
  const lines = [];

  // Measure first (a scratch context), then size the canvas, then draw. The legend panel is
  // 260–400 CSS px wide: as wide as its longest item label needs, longer labels wrap.
  const scratch = document.createElement('canvas').getContext('2d');
  scratch.font = fs(12);
  const widest = Math.max(0, ...(description?.items || []).map((it) => scratch.measureText(it.label).width));
  const legendW = Math.round(Math.min(400 * u, Math.max(260 * u, widest + 2 * pad + 30 * u + 4 * u)));
  const width = mapW + legendW;
  scratch.font = fs(11);
  const footerText = footer.flatMap((f) => wrap(scratch, f, width - 2 * pad));
  const footerLineH = 15 * u;
  const footerH = Math.round(2 * pad + footerText.length * footerLineH);

  const legend = [];
  if (description) {
    scratch.font = fs(14, 650);
    for (const l of wrap(scratch, description.title, legendW - 2 * pad)) legend.push({ kind: 'title', text: l });
    scratch.font = fs(12);
    if (description.subtitle) for (const l of wrap(scratch, description.subtitle, legendW - 2 * pad)) legend.push({ kind: 'sub', text: l });
    legend.push({ kind: 'gap' });
    scratch.font = fs(12);
    for (const item of description.items || []) {
      wrap(scratch, item.label, legendW - 2 * pad - 30 * u).forEach((text, i) => {
        legend.push(i === 0 ? { kind: 'item', colour: item.colour, text } : { kind: 'itemMore', text });
      });
    }
    if (description.note) {
      legend.push({ kind: 'gap' });
      scratch.font = fs(11);
      for (const l of wrap(scratch, description.note, legendW - 2 * pad)) legend.push({ kind: 'note', text: l });
    }
  }
  const rowH = { title: 19 * u, sub: 16 * u, gap: 8 * u, item: 20 * u, itemMore: 16 * u, note: 15 * u };
  const legendH = 2 * pad + legend.reduce((h, r) => h + rowH[r.kind], 0);
  const height = Math.max(mapH, Math.round(legendH)) + footerH;

  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(source, 0, 0);
  ctx.textBaseline = 'alphabetic';

  // Scale bar, lower left of the map: a round length of at most ~120 CSS px at the map's centre.
  const centre = map.getCenter();
  const mpp = metresPerPixel(centre.lat, map.getZoom()); // per CSS pixel
  const lengthM = niceLength(mpp * 120);
  const barW = (lengthM / mpp) * u;
  const barX = pad;
  const barY = mapH - pad - 6 * u;
  const label = scaleLabel(lengthM);
  ctx.font = fs(11, 600);
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(barX - 6 * u, barY - 20 * u, Math.max(barW, ctx.measureText(label).width) + 12 * u, 30 * u);
  ctx.fillStyle = INK;
  ctx.fillRect(barX, barY, barW, 4 * u);
  ctx.fillRect(barX, barY - 6 * u, 2 * u, 10 * u);
  ctx.fillRect(barX + barW - 2 * u, barY - 6 * u, 2 * u, 10 * u);
  ctx.fillText(label, barX, barY - 8 * u);
  lines.push(label);

  // Attribution, lower right of the map.
  ctx.font = fs(11);
  const attrText = attribution.join(' · ');
  const attrW = ctx.measureText(attrText).width;
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(mapW - attrW - 2 * pad, mapH - 22 * u, attrW + 2 * pad, 22 * u);
  ctx.fillStyle = INK;
  ctx.textAlign = 'right';
  ctx.fillText(attrText, mapW - pad, mapH - 7 * u);
  ctx.textAlign = 'left';
  lines.push(attrText);

  // Legend panel, right of the map.
  ctx.fillStyle = '#f5f6f4';
  ctx.fillRect(mapW, 0, legendW, height - footerH);
  ctx.fillStyle = '#dde2e5';
  ctx.fillRect(mapW, 0, Math.max(1, u), height - footerH);
  let y = pad;
  const x = mapW + pad;
  for (const r of legend) {
    const h = rowH[r.kind];
    if (r.kind === 'title') {
      ctx.font = fs(14, 650);
      ctx.fillStyle = INK;
      ctx.fillText(r.text, x, y + 14 * u);
    } else if (r.kind === 'sub' || r.kind === 'note') {
      ctx.font = fs(r.kind === 'sub' ? 12 : 11);
      ctx.fillStyle = MUTED;
      ctx.fillText(r.text, x, y + (r.kind === 'sub' ? 12 : 11) * u);
    } else if (r.kind === 'item') {
      ctx.fillStyle = r.colour;
      ctx.fillRect(x, y + 2 * u, 22 * u, 14 * u);
      ctx.strokeStyle = '#8a949a';
      ctx.lineWidth = Math.max(1, u);
      ctx.strokeRect(x, y + 2 * u, 22 * u, 14 * u);
      ctx.font = fs(12);
      ctx.fillStyle = INK;
      ctx.fillText(r.text, x + 30 * u, y + 14 * u);
    } else if (r.kind === 'itemMore') {
      ctx.font = fs(12);
      ctx.fillStyle = INK;
      ctx.fillText(r.text, x + 30 * u, y + 10 * u);
    }
    if (r.text) lines.push(r.text);
    y += h;
  }

  // Footer, across the whole width.
  const footY = height - footerH;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, footY, width, footerH);
  ctx.fillStyle = '#dde2e5';
  ctx.fillRect(0, footY, width, Math.max(1, u));
  ctx.font = fs(11);
  ctx.fillStyle = INK;
  footerText.forEach((l, i) => ctx.fillText(l, pad, footY + pad + (i + 0.8) * footerLineH));
  lines.push(...footerText);

  const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/png'));
  return {
    blob, lines, width, height, mapWidth: mapW, mapHeight: mapH, legendWidth: legendW,
    scale: { metresPerPixel: mpp, lengthM, barPx: barW / u },
  };
}
