// Entry point of static/vendor/codemirror/editor.min.js: one global, no other side effect.
// ARCHITECT_EDITOR_VERSIONS is replaced at build time (build.mjs) by the bundled versions.

import { attach } from "./attach.js";

window.ArchitectEditor = Object.freeze({
  attach,
  versions: ARCHITECT_EDITOR_VERSIONS, // eslint-disable-line no-undef
});
