/**
 * The feature modules that hang off the page's `app` context (see main.js). Each lives in its own
 * folder, owns its DOM host in index.html and its texts (addTranslations), and is installed once.
 */
import { install as installProject } from './project/index.js';
import { install as installExport } from './export/index.js';
import { install as installProfile } from './profile/index.js';
import { install as installAnalysisMaps } from './analysis-maps/index.js';

export function installFeatures(app) {
  for (const install of [installProject, installExport, installProfile, installAnalysisMaps]) {
    install(app);
  }
}
