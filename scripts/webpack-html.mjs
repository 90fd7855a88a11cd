// A small webpack plugin that turns www/index.html into the two pages of dist/:
//  - dist/index.html: the served site; www/index.html with the CSP meta tag set.
//  - dist/veerkracht.html: the single file; every <script src> and <link rel=stylesheet> of the
//    page inlined, and a CSP meta tag that allows exactly those inline blocks by sha256 hash.
// Both pages reference (or inline) the page bundle `main.js` and the extracted `main.css`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { servedCsp, singleFileCsp } from './csp.mjs';

const CSP_META = /<meta\s+http-equiv=["']Content-Security-Policy["'][^>]*>\s*/i;
const SCRIPT_SRC = /<script\b[^>]*\bsrc=["']([^"']+)["'][^>]*>\s*<\/script>\s*/gi;
const STYLESHEET = /<link\b[^>]*\brel=["']stylesheet["'][^>]*>\s*/gi;
const HREF = /\bhref=["']([^"']+)["']/i;

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('base64');
const escapeAttr = (text) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** Put the CSP meta right after <meta charset>, replacing any existing one. */
function withCsp(html, csp) {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">\n`;
  const stripped = html.replace(CSP_META, '');
  const charset = /<meta\s+charset=[^>]*>\s*/i.exec(stripped);
  if (!charset) return stripped.replace(/<head[^>]*>\s*/i, (head) => `${head}${meta}`);
  const at = charset.index + charset[0].length;
  return `${stripped.slice(0, at)}${meta}${stripped.slice(at)}`;
}

/** Inline JS must not close its own <script> element or open an HTML comment. */
function safeScript(code) {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function safeStyle(css) {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

export class VeerkrachtHtmlPlugin {
  /** @param {{ template: string, singleFile: string }} options */
  constructor(options) {
    this.options = options;
  }

  apply(compiler) {
    const { Compilation, sources } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('VeerkrachtHtmlPlugin', (compilation) => {
      compilation.fileDependencies.add(this.options.template);
      compilation.hooks.processAssets.tap(
        { name: 'VeerkrachtHtmlPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_REPORT },
        () => {
          const template = readFileSync(this.options.template, 'utf8');
          const asset = (name) => {
            const a = compilation.getAsset(name.replace(/^\.\//, '').split(/[?#]/)[0]);
            if (!a) throw new Error(`${this.options.template} refers to ${name}, which the build did not produce`);
            return a.source.source().toString();
          };

          const served = withCsp(template, servedCsp());
          compilation.emitAsset('index.html', new sources.RawSource(served), { minimized: true });

          const scriptHashes = [];
          const styleHashes = [];
          const scripts = [];
          let single = template.replace(SCRIPT_SRC, (_tag, src) => {
            const code = safeScript(asset(src));
            scriptHashes.push(sha256(code));
            scripts.push(`<script>${code}</script>\n`);
            return '';
          });
          single = single.replace(STYLESHEET, (tag) => {
            const href = HREF.exec(tag)?.[1];
            if (!href) return tag;
            const css = safeStyle(asset(href));
            styleHashes.push(sha256(css));
            return `<style>${css}</style>\n`;
          });
          // Inline scripts cannot be deferred: run them at the end of <body>, as `defer` would.
          single = single.replace(/<\/body>/i, `${scripts.join('')}</body>`);
          single = withCsp(single, singleFileCsp({ scriptHashes, styleHashes }));
          compilation.emitAsset(this.options.singleFile, new sources.RawSource(single), { minimized: true });
        },
      );
    });
  }
}
