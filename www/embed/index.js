// Entry of dist/veerkracht-embed.js: defines <veerkracht-map> and exposes the class as
// `window.Veerkracht.VeerkrachtMap` for pages that prefer to create it from script.
import { VeerkrachtMap, readConfig } from './veerkracht-map.js';

window.Veerkracht = Object.freeze({ VeerkrachtMap, readConfig });
