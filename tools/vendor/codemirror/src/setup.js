// The editing features: CodeMirror's `basicSetup` (codemirror 6.0.x) without
// autocompletion (lesson plans have no completion source; it would add ~30 KB),
// plus Tab to indent (Escape then Tab leaves the editor), soft line wrapping
// and the lint gutter. Colours come from theme.js, not defaultHighlightStyle.

import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { bracketMatching, foldGutter, foldKeymap, indentOnInput } from "@codemirror/language";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { lintGutter, lintKeymap } from "@codemirror/lint";
import { yaml } from "@codemirror/lang-yaml";

/** The languages `attach` accepts, each a function returning its extension. */
export const languages = {
  yaml: () => yaml(),
  text: () => [],
};

/** Every extension but the language, the theme and the page's own settings. */
export function editorSetup() {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    foldGutter(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    lintGutter(),
    EditorView.lineWrapping,
    keymap.of([
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...foldKeymap,
      ...lintKeymap,
      // CodeMirror ignores Tab for two seconds after Escape, so Escape then
      // Tab (or Shift-Tab) moves focus out; Ctrl-M toggles that for good.
      indentWithTab,
    ]),
  ];
}
