/**
 * Feature module www/analysis-maps/ — installed by main.js through features.js with the page's `app` context.
 * (Being built in this session; see .tmp/TEAM.md.)
 */
export function install(app) {
  void app;
}
