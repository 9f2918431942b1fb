// The editor's light and dark themes, built from palette.json (which
// tests/test_editor_palette.py checks against WCAG AA contrast).
//
// Besides colours, the themes replace the lint package's SVG data: URLs
// (gutter markers, wavy underlines) with plain CSS, so a page whose CSP
// has `img-src 'self'` (no `data:`) shows them without violations.

import { EditorView } from "@codemirror/view";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";
import palette from "./palette.json";

function lintRules(p) {
  const rules = {
    ".cm-lint-marker": {
      display: "block",
      boxSizing: "border-box",
      margin: ".15em auto 0",
      width: ".8em",
      height: ".8em",
    },
    ".cm-lint-marker-error": { backgroundColor: p.severity.error, borderRadius: "50%" },
    ".cm-lint-marker-warning": {
      backgroundColor: p.severity.warning,
      clipPath: "polygon(50% 0, 100% 100%, 0 100%)",
    },
    ".cm-lint-marker-info": { backgroundColor: p.severity.info },
    ".cm-lint-marker-hint": {
      border: `2px solid ${p.severity.hint}`,
      borderRadius: "50%",
    },
    ".cm-lintRange": { paddingBottom: "0" },
    ".cm-lintRange-active": { backgroundColor: p.marks.lintActive },
    ".cm-panel.cm-panel-lint ul [aria-selected]": {
      backgroundColor: p.panel.selectedBackground,
      color: p.panel.text,
    },
  };
  for (const [severity, color] of Object.entries(p.severity)) {
    rules[`.cm-lint-marker-${severity}`].content = "normal";
    rules[`.cm-lintRange-${severity}`] = {
      backgroundImage: "none",
      textDecoration: `underline wavy ${color}`,
      textDecorationSkipInk: "none",
      textUnderlineOffset: "3px",
    };
    rules[`.cm-lintPoint-${severity}:after`] = { borderBottomColor: color };
    rules[`.cm-diagnostic-${severity}`] = { borderLeft: `5px solid ${color}` };
  }
  return rules;
}

function editorRules(p) {
  const selection = { backgroundColor: p.selection };
  return {
    "&": {
      color: p.text,
      backgroundColor: p.background,
      border: `1px solid ${p.gutter.border}`,
      minHeight: "12em",
      maxHeight: "80vh",
      fontSize: "0.95rem",
    },
    "&.cm-focused": { outline: `3px solid ${p.focusRing}`, outlineOffset: "1px" },
    ".cm-scroller": {
      fontFamily: "var(--font-mono, ui-monospace, monospace)",
      lineHeight: "1.5",
      overflow: "auto",
    },
    ".cm-content": { caretColor: p.cursor },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: p.cursor, borderLeftWidth: "2px" },
    ".cm-selectionBackground": selection,
    "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground": selection,
    ".cm-activeLine": { backgroundColor: p.activeLine },
    ".cm-specialChar": { color: p.tokens.invalid },
    ".cm-gutters": {
      backgroundColor: p.gutter.background,
      color: p.gutter.text,
      borderRight: `1px solid ${p.gutter.border}`,
    },
    ".cm-activeLineGutter": {
      backgroundColor: p.gutter.activeBackground,
      color: p.gutter.activeText,
    },
    ".cm-foldPlaceholder": {
      backgroundColor: p.panel.background,
      border: `1px solid ${p.panel.border}`,
      color: p.text,
    },
    ".cm-searchMatch": { backgroundColor: p.marks.searchMatch },
    ".cm-searchMatch.cm-searchMatch-selected": {
      backgroundColor: p.marks.searchMatchSelected,
      outline: `1px solid ${p.text}`,
    },
    ".cm-selectionMatch": { backgroundColor: p.marks.selectionMatch },
    "&.cm-focused .cm-matchingBracket": { backgroundColor: p.marks.matchingBracket },
    "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: p.marks.nonMatchingBracket },
    ".cm-panels": { backgroundColor: p.panel.background, color: p.panel.text },
    ".cm-panels-top": { borderBottom: `1px solid ${p.panel.border}` },
    ".cm-panels-bottom": { borderTop: `1px solid ${p.panel.border}` },
    ".cm-button": {
      backgroundImage: "none",
      backgroundColor: p.background,
      border: `1px solid ${p.panel.border}`,
      color: p.panel.text,
    },
    ".cm-textfield": {
      backgroundColor: p.background,
      border: `1px solid ${p.panel.border}`,
      color: p.text,
    },
    ".cm-panel :focus-visible": { outline: `2px solid ${p.focusRing}` },
    ".cm-tooltip": {
      backgroundColor: p.tooltip.background,
      color: p.tooltip.text,
      border: `1px solid ${p.tooltip.border}`,
    },
    ...lintRules(p),
  };
}

function highlighting(p, themeType) {
  const t = p.tokens;
  return HighlightStyle.define(
    [
      { tag: tags.definition(tags.propertyName), color: t.key },
      { tag: tags.string, color: t.string },
      { tag: tags.special(tags.string), color: t.special },
      { tag: [tags.comment, tags.lineComment], color: t.comment, fontStyle: "italic" },
      { tag: tags.keyword, color: t.keyword },
      { tag: tags.typeName, color: t.typeName },
      { tag: tags.labelName, color: t.label },
      { tag: tags.attributeValue, color: t.attribute },
      { tag: tags.meta, color: t.meta },
      { tag: tags.separator, color: t.separator },
      { tag: tags.invalid, color: t.invalid },
    ],
    { themeType },
  );
}

function buildTheme(name) {
  const dark = name === "dark";
  return [
    EditorView.theme(editorRules(palette[name]), { dark }),
    syntaxHighlighting(highlighting(palette[name], name)),
  ];
}

/** The two themes, each an extension: `themes.light`, `themes.dark`. */
export const themes = { light: buildTheme("light"), dark: buildTheme("dark") };
