// webpack loader for the wasm-bindgen glue (www/pkg/veerkracht.js): its unused default path
// (`new URL('veerkracht_bg.wasm', import.meta.url)`) would otherwise make webpack bake the build
// machine's file path into the bundle. We always call initSync with inlined bytes instead.
module.exports = function stripImportMeta(source) {
  return source.replace(/import\.meta\.url/g, 'self.location.href');
};
