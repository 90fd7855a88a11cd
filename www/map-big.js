/**
 * Big layers (hundreds of thousands of locations) drawn straight from the geometry's typed arrays
 * with a MapLibre custom layer (WebGL2), instead of a GeoJSON source: a GeoJSON source of a
 * million features is copied to MapLibre's worker and tiled there, which takes gigabytes and
 * crashes the tab. Here: one vertex buffer per geometry (4 corners per square, or one position per
 * point, as float32 offsets from the layer's centre in Mercator units — precise to centimetres),
 * one class byte per location (class index + 1; 0 = none), drawn instanced (two triangles per
 * square, a round quad per point). Picking is a linear scan of the Mercator centres (~ms).
 */

const MAX_COLOURS = 64;
/** The layer's extent is cut in GRID × GRID cells; the buffers hold the locations cell by cell, so
 * a frame draws only the cells in view (a few ranges) instead of every location. */
const GRID = 64;

const SQUARE_VS = `#version 300 es
uniform mat4 u_matrix;
uniform vec4 u_colours[${MAX_COLOURS}];
uniform float u_opacity;
in vec4 a_c01;
in vec4 a_c23;
in float a_class;
out vec4 v_colour;
void main() {
  int k = gl_VertexID;
  int c = k < 3 ? k : (k == 3 ? 0 : k - 2);
  vec2 p = c == 0 ? a_c01.xy : (c == 1 ? a_c01.zw : (c == 2 ? a_c23.xy : a_c23.zw));
  gl_Position = u_matrix * vec4(p, 0.0, 1.0);
  vec4 col = u_colours[min(int(a_class + 0.5), ${MAX_COLOURS - 1})];
  float a = col.a * u_opacity;
  v_colour = vec4(col.rgb * a, a);
}`;

const POINT_VS = `#version 300 es
uniform mat4 u_matrix;
uniform vec4 u_colours[${MAX_COLOURS}];
uniform float u_radius;
in vec2 a_pos;
in float a_class;
out vec4 v_colour;
void main() {
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
  gl_PointSize = 2.0 * u_radius + 1.0;
  v_colour = u_colours[min(int(a_class + 0.5), ${MAX_COLOURS - 1})];
}`;

const FS = `#version 300 es
precision mediump float;
in vec4 v_colour;
out vec4 outColour;
void main() { outColour = v_colour; }`;

const POINT_FS = `#version 300 es
precision mediump float;
uniform float u_inside;
in vec4 v_colour;
out vec4 outColour;
void main() {
  vec2 d = gl_PointCoord * 2.0 - 1.0;
  if (dot(d, d) > u_inside) discard;
  outColour = vec4(v_colour.rgb * v_colour.a, v_colour.a);
}`;

function compile(gl, vs, fs) {
  const prog = gl.createProgram();
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const sh = gl.createShader(type);
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS)) throw new Error(`big map shader: ${gl.getShaderInfoLog(sh)}`);
    gl.attachShader(prog, sh);
  }
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(`big map program: ${gl.getProgramInfoLog(prog)}`);
  return prog;
}

const mercX = (lon) => (180 + lon) / 360;
const mercY = (lat) => (180 - (180 / Math.PI) * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360))) / 360;

let colourCtx = null;
/** Any CSS colour → [r, g, b, a] in 0..1. */
function parseColour(css) {
  colourCtx ??= document.createElement('canvas').getContext('2d');
  colourCtx.fillStyle = '#000000';
  colourCtx.fillStyle = css;
  const s = colourCtx.fillStyle;
  if (s.startsWith('#')) return [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16) / 255).concat(1);
  const m = s.match(/[\d.]+/g).map(Number);
  return [m[0] / 255, m[1] / 255, m[2] / 255, m[3] ?? 1];
}

/** Point radius in CSS pixels by zoom, as the GeoJSON path's circle-radius (8→1.5, 12→3, 16→7). */
export function pointRadius(zoom) {
  const stops = [[8, 1.5], [12, 3], [16, 7]];
  if (zoom <= stops[0][0]) return stops[0][1];
  for (let i = 1; i < stops.length; i++) {
    const [z1, r1] = stops[i];
    const [z0, r0] = stops[i - 1];
    if (zoom <= z1) return r0 + ((zoom - z0) / (z1 - z0)) * (r1 - r0);
  }
  return stops[stops.length - 1][1];
}

/**
 * Counting sort of the locations by grid cell (of their Mercator centres): `order[k]` = the
 * location at buffer position k, `slot[i]` = the buffer position of location i, `cellStart[c]` =
 * first buffer position of cell c (row-major, GRID × GRID, plus one end entry).
 */
function cells(centres, n) {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = centres[i * 2];
    const y = centres[i * 2 + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  const cw = Math.max(x1 - x0, 1e-12) / GRID;
  const ch = Math.max(y1 - y0, 1e-12) / GRID;
  const cellOf = new Uint16Array(n);
  const cellStart = new Uint32Array(GRID * GRID + 1);
  for (let i = 0; i < n; i++) {
    // (`| 0`: a location without coordinates, NaN, goes to cell 0; it is never drawn nor picked.)
    const cx = Math.max(0, Math.min(GRID - 1, Math.floor((centres[i * 2] - x0) / cw) | 0));
    const cy = Math.max(0, Math.min(GRID - 1, Math.floor((centres[i * 2 + 1] - y0) / ch) | 0));
    cellOf[i] = cy * GRID + cx;
    cellStart[cellOf[i] + 1]++;
  }
  for (let c = 0; c < GRID * GRID; c++) cellStart[c + 1] += cellStart[c];
  const next = cellStart.slice(0, GRID * GRID);
  const order = new Uint32Array(n);
  const slot = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = next[cellOf[i]]++;
    order[k] = i;
    slot[i] = k;
  }
  return { order, slot, cellStart, grid: { x0, y0, cw, ch } };
}

/**
 * The custom layer. `set(geometry, bands, colours)` shows a layer; `setClasses` recolours some
 * locations; `pick(lngLat, zoom)` finds the location under a point (or -1); `clear()` empties it.
 */
export function createBigLayer(id) {
  let map = null;
  let gl = null;
  let progSquare = null;
  let progPoint = null;
  let vao = null;
  let posBuf = null;
  let classBuf = null;
  let uploadedGeometry = null;
  let classesDirty = false;
  let state = null; // { geometry, n, origin:[x,y], centres: Float64Array, half: [hx, hy], classes: Uint8Array }
  const colours = new Float32Array(MAX_COLOURS * 4);
  let opacity = 0.88;

  function freeBuffers() {
    if (!gl) return;
    if (vao) gl.deleteVertexArray(vao);
    if (posBuf) gl.deleteBuffer(posBuf);
    if (classBuf) gl.deleteBuffer(classBuf);
    vao = posBuf = classBuf = null;
    uploadedGeometry = null;
  }

  function upload() {
    const { geometry, n, origin } = state;
    const [ox, oy] = origin;
    const { lon, lat } = geometry;
    const square = geometry.kind === 'square';
    const per = square ? 8 : 2;
    const pos = new Float32Array(n * per);
    const corners = square ? 4 : 1;
    const { order } = state;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      for (let c = 0; c < corners; c++) {
        pos[(k * corners + c) * 2] = mercX(lon[i * corners + c]) - ox;
        pos[(k * corners + c) * 2 + 1] = mercY(lat[i * corners + c]) - oy;
      }
    }
    freeBuffers();
    const prog = square ? progSquare : progPoint;
    vao = gl.createVertexArray();
    gl.bindVertexArray(vao);
    posBuf = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, posBuf);
    gl.bufferData(gl.ARRAY_BUFFER, pos, gl.STATIC_DRAW);
    const attrs = square ? [['a_c01', 4, 0], ['a_c23', 4, 16]] : [['a_pos', 2, 0]];
    for (const [name, size, offset] of attrs) {
      const loc = gl.getAttribLocation(prog, name);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, gl.FLOAT, false, per * 4, offset);
      gl.vertexAttribDivisor(loc, square ? 1 : 0);
    }
    classBuf = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, classBuf);
    gl.bufferData(gl.ARRAY_BUFFER, state.classes, gl.DYNAMIC_DRAW);
    const cl = gl.getAttribLocation(prog, 'a_class');
    gl.enableVertexAttribArray(cl);
    gl.vertexAttribPointer(cl, 1, gl.UNSIGNED_BYTE, false, 1, 0);
    gl.vertexAttribDivisor(cl, square ? 1 : 0);
    gl.bindVertexArray(null);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
    uploadedGeometry = geometry;
    classesDirty = false;
  }

  /** [start, count] buffer ranges of the cells in view (one cell of margin around it). */
  function visibleRanges() {
    const { grid, cellStart } = state;
    const b = map.getBounds();
    const vx0 = mercX(b.getWest());
    const vx1 = mercX(b.getEast());
    const vy0 = mercY(b.getNorth());
    const vy1 = mercY(b.getSouth());
    const clamp = (v) => Math.max(0, Math.min(GRID - 1, v));
    const cx0 = clamp(Math.floor((vx0 - grid.x0) / grid.cw) - 1);
    const cx1 = clamp(Math.floor((vx1 - grid.x0) / grid.cw) + 1);
    const cy0 = clamp(Math.floor((vy0 - grid.y0) / grid.ch) - 1);
    const cy1 = clamp(Math.floor((vy1 - grid.y0) / grid.ch) + 1);
    if (vx1 < grid.x0 - grid.cw || vx0 > grid.x0 + grid.cw * (GRID + 1)
      || vy1 < grid.y0 - grid.ch || vy0 > grid.y0 + grid.ch * (GRID + 1)) return [];
    const ranges = [];
    for (let cy = cy0; cy <= cy1; cy++) {
      const start = cellStart[cy * GRID + cx0];
      const end = cellStart[cy * GRID + cx1 + 1];
      if (end <= start) continue;
      const last = ranges[ranges.length - 1];
      if (last && last[0] + last[1] === start) last[1] += end - start;
      else ranges.push([start, end - start]);
    }
    return ranges;
  }

  const layer = {
    id,
    type: 'custom',
    renderingMode: '2d',
    onAdd(m, context) {
      map = m;
      gl = context;
      progSquare = compile(gl, SQUARE_VS, FS);
      progPoint = compile(gl, POINT_VS, POINT_FS);
    },
    onRemove() {
      freeBuffers();
    },
    render(context, args) {
      if (!state || !state.n) return;
      gl = context;
      if (uploadedGeometry !== state.geometry) upload();
      else if (classesDirty) {
        gl.bindBuffer(gl.ARRAY_BUFFER, classBuf);
        gl.bufferSubData(gl.ARRAY_BUFFER, 0, state.classes);
        gl.bindBuffer(gl.ARRAY_BUFFER, null);
        classesDirty = false;
      }
      const square = state.geometry.kind === 'square';
      const prog = square ? progSquare : progPoint;
      // The map's matrix (Mercator 0..1 → clip space) times a translation to the layer's origin,
      // in float64 here so the float32 offsets in the buffer stay precise.
      const M = args.defaultProjectionData?.mainMatrix ?? args.modelViewProjectionMatrix ?? args;
      const [ox, oy] = state.origin;
      const mat = new Float32Array(16);
      for (let i = 0; i < 12; i++) mat[i] = M[i];
      for (let r = 0; r < 4; r++) mat[12 + r] = M[r] * ox + M[4 + r] * oy + M[12 + r];
      gl.useProgram(prog);
      gl.uniformMatrix4fv(gl.getUniformLocation(prog, 'u_matrix'), false, mat);
      gl.uniform4fv(gl.getUniformLocation(prog, 'u_colours'), colours);
      if (square) gl.uniform1f(gl.getUniformLocation(prog, 'u_opacity'), opacity);
      else {
        const dpr = map.getPixelRatio ? map.getPixelRatio() : window.devicePixelRatio || 1;
        const r = pointRadius(map.getZoom()) * dpr;
        gl.uniform1f(gl.getUniformLocation(prog, 'u_radius'), r);
        gl.uniform1f(gl.getUniformLocation(prog, 'u_inside'), ((2 * r) / (2 * r + 1)) ** 2);
      }
      gl.disable(gl.DEPTH_TEST);
      gl.disable(gl.STENCIL_TEST);
      gl.disable(gl.CULL_FACE);
      gl.enable(gl.BLEND);
      gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      gl.bindVertexArray(vao);
      for (const [start, count] of visibleRanges()) {
        if (!square) {
          gl.drawArrays(gl.POINTS, start, count);
          continue;
        }
        // No base instance in WebGL2: point the per-location attributes at the range.
        gl.bindBuffer(gl.ARRAY_BUFFER, posBuf);
        gl.vertexAttribPointer(gl.getAttribLocation(prog, 'a_c01'), 4, gl.FLOAT, false, 32, start * 32);
        gl.vertexAttribPointer(gl.getAttribLocation(prog, 'a_c23'), 4, gl.FLOAT, false, 32, start * 32 + 16);
        gl.bindBuffer(gl.ARRAY_BUFFER, classBuf);
        gl.vertexAttribPointer(gl.getAttribLocation(prog, 'a_class'), 1, gl.UNSIGNED_BYTE, false, 1, start);
        gl.drawArraysInstanced(gl.TRIANGLES, 0, 6, count);
      }
      gl.bindBuffer(gl.ARRAY_BUFFER, null);
      gl.bindVertexArray(null);
    },
  };

  return {
    layer,
    get active() {
      return Boolean(state);
    },
    get geometry() {
      return state?.geometry ?? null;
    },
    setOpacity(o) {
      opacity = o;
      map?.triggerRepaint();
    },
    /** Show `geometry` coloured by `bands` (Int8Array, -1 = none) with `palette` (CSS colours). */
    set(geometry, bands, palette, noneColour) {
      const n = bands.length;
      if (!state || state.geometry !== geometry) {
        const square = geometry.kind === 'square';
        const { lon, lat, bounds } = geometry;
        const origin = [mercX((bounds[0] + bounds[2]) / 2), mercY((bounds[1] + bounds[3]) / 2)];
        const centres = new Float64Array(n * 2);
        let half = [0, 0];
        if (square) {
          for (let i = 0; i < n; i++) {
            const o = i * 4;
            centres[i * 2] = mercX((lon[o] + lon[o + 2]) / 2);
            centres[i * 2 + 1] = mercY((lat[o] + lat[o + 2]) / 2);
          }
          if (n) half = [Math.abs(mercX(lon[2]) - mercX(lon[0])) / 2, Math.abs(mercY(lat[2]) - mercY(lat[0])) / 2];
        } else {
          for (let i = 0; i < n; i++) {
            centres[i * 2] = mercX(lon[i]);
            centres[i * 2 + 1] = mercY(lat[i]);
          }
        }
        state = { geometry, n, origin, centres, half, classes: new Uint8Array(n), ...cells(centres, n) };
      }
      const { classes, slot } = state;
      for (let i = 0; i < n; i++) classes[slot[i]] = bands[i] < 0 ? 0 : bands[i] + 1;
      classesDirty = true;
      colours.fill(0);
      colours.set(parseColour(noneColour), 0);
      palette.slice(0, MAX_COLOURS - 1).forEach((c, i) => colours.set(parseColour(c), (i + 1) * 4));
      map?.triggerRepaint();
    },
    /** Class index `classes[k]` for location `indices[k]` (-1 = none). */
    setClasses(indices, classes) {
      if (!state) return;
      for (let k = 0; k < indices.length; k++) state.classes[state.slot[indices[k]]] = classes[k] < 0 ? 0 : classes[k] + 1;
      classesDirty = true;
      map?.triggerRepaint();
    },
    clear() {
      state = null;
      freeBuffers();
      map?.triggerRepaint();
    },
    /**
     * The location under `lngLat` at zoom `zoom` (world size `worldSize` px): the square that
     * contains it, or the nearest point within its drawn radius + 3 px; -1 for none.
     */
    pick(lngLat, worldSize, zoom) {
      if (!state) return -1;
      const x = mercX(lngLat.lng);
      const y = mercY(lngLat.lat);
      const { centres, n } = state;
      let best = -1;
      let bestD = Infinity;
      for (let i = 0; i < n; i++) {
        const dx = centres[i * 2] - x;
        const dy = centres[i * 2 + 1] - y;
        const d = dx * dx + dy * dy;
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
      if (best < 0) return -1;
      const px = 1 / worldSize;
      if (state.geometry.kind === 'square') {
        const dx = Math.abs(centres[best * 2] - x);
        const dy = Math.abs(centres[best * 2 + 1] - y);
        const tol = 2 * px;
        return dx <= state.half[0] + tol && dy <= state.half[1] + tol ? best : -1;
      }
      const r = (pointRadius(zoom) + 3) * px;
      return bestD <= r * r ? best : -1;
    },
  };
}
