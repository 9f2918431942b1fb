// ArchitectEditor.attach(textarea, options): a CodeMirror editor in place of a
// <textarea>, which stays in its form (hidden) and always holds the text, so the
// form submits the same field with or without this script. See docs/vendored.md.

import { Compartment, EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { setDiagnostics } from "@codemirror/lint";
import { editorSetup, languages } from "./setup.js";
import { themes } from "./theme.js";
import { toDiagnostics } from "./diagnostics.js";

const COLOR_SCHEMES = ["light", "dark", "system"];
const editors = new WeakMap();

/** The nonce for CodeMirror's <style> element: the option, else <meta name="csp-nonce">. */
function cspNonce(option) {
  if (option != null) return String(option);
  const meta = document.querySelector('meta[name="csp-nonce"]');
  // Browsers hide a nonce attribute's value from getAttribute; the property keeps it.
  return meta ? meta.nonce || meta.getAttribute("content") || "" : "";
}

/** "light", "dark" or "system": the option, else the textarea's CSS color-scheme. */
function colorScheme(textarea, option) {
  if (option != null) {
    if (!COLOR_SCHEMES.includes(option)) {
      throw new RangeError(`colorScheme must be one of ${COLOR_SCHEMES.join(", ")}`);
    }
    return option;
  }
  const declared = getComputedStyle(textarea).colorScheme || "";
  if (!declared.includes("dark")) return "light";
  return declared.includes("light") ? "system" : "dark";
}

/** aria-label and aria-describedby of the textarea, for the editable element. */
function accessibleName(textarea) {
  const labels = Array.from(textarea.labels || [], (label) => label.textContent.trim());
  const name = textarea.getAttribute("aria-label") || labels.join(" ");
  const described = textarea.getAttribute("aria-describedby");
  return {
    ...(name ? { "aria-label": name } : {}),
    ...(described ? { "aria-describedby": described } : {}),
  };
}

function checkOptions(textarea, options) {
  if (!(textarea instanceof HTMLTextAreaElement)) {
    throw new TypeError("ArchitectEditor.attach expects a <textarea> element");
  }
  const language = options.language ?? textarea.dataset.language ?? "yaml";
  if (!Object.prototype.hasOwnProperty.call(languages, language)) {
    throw new RangeError(`language must be one of ${Object.keys(languages).join(", ")}`);
  }
  if (options.onChange != null && typeof options.onChange !== "function") {
    throw new TypeError("onChange must be a function");
  }
  return language;
}

/** Follows the OS setting while the editor lives; returns the function that stops it. */
function followSystemScheme(view, compartment) {
  const query = window.matchMedia("(prefers-color-scheme: dark)");
  const apply = () =>
    view.dispatch({ effects: compartment.reconfigure(themes[query.matches ? "dark" : "light"]) });
  query.addEventListener("change", apply);
  return () => query.removeEventListener("change", apply);
}

function createView(textarea, options, language, onDocChange) {
  const scheme = colorScheme(textarea, options.colorScheme);
  const nonce = cspNonce(options.nonce);
  const compartment = new Compartment();
  const prefersDark = () => window.matchMedia("(prefers-color-scheme: dark)").matches;
  const initial = scheme === "system" ? (prefersDark() ? "dark" : "light") : scheme;
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        editorSetup(),
        languages[language](),
        compartment.of(themes[initial]),
        EditorState.readOnly.of(options.readOnly ?? textarea.readOnly),
        nonce ? EditorView.cspNonce.of(nonce) : [],
        options.phrases ? EditorState.phrases.of(options.phrases) : [],
        EditorView.contentAttributes.of(accessibleName(textarea)),
        EditorView.editorAttributes.of({ class: "architect-editor" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onDocChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  const unfollow = scheme === "system" ? followSystemScheme(view, compartment) : () => {};
  return { view, unfollow };
}

/** Replace `textarea` with an editor; attaching twice returns the same editor. */
export function attach(textarea, options = {}) {
  const language = checkOptions(textarea, options);
  if (editors.has(textarea)) return editors.get(textarea);
  const onDocChange = (text) => {
    textarea.value = text;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    if (options.onChange) options.onChange(text);
  };
  const { view, unfollow } = createView(textarea, options, language, onDocChange);
  const editor = makeEditor(textarea, view, unfollow);
  editors.set(textarea, editor);
  return editor;
}

function wirePage(textarea, editor) {
  const focus = () => editor.focus();
  const reset = () => setTimeout(() => editor.setValue(textarea.value));
  const labels = Array.from(textarea.labels || []);
  labels.forEach((label) => label.addEventListener("click", focus));
  textarea.form?.addEventListener("reset", reset);
  return () => {
    labels.forEach((label) => label.removeEventListener("click", focus));
    textarea.form?.removeEventListener("reset", reset);
  };
}

function makeEditor(textarea, view, unfollow) {
  const display = textarea.style.display;
  const editor = {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      if (typeof text !== "string") throw new TypeError("setValue expects a string");
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    goToLine(number) {
      if (!Number.isInteger(number)) throw new TypeError("goToLine expects an integer");
      const doc = view.state.doc;
      const line = doc.line(Math.min(Math.max(number, 1), doc.lines));
      view.dispatch({
        selection: { anchor: line.from },
        effects: EditorView.scrollIntoView(line.from, { y: "center" }),
      });
      view.focus();
    },
    setDiagnostics(problems) {
      const diagnostics = toDiagnostics(view.state.doc, problems);
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    destroy() {
      unwire();
      unfollow();
      view.destroy();
      textarea.style.display = display;
      editors.delete(textarea);
    },
  };
  const unwire = wirePage(textarea, editor);
  textarea.style.display = "none";
  textarea.after(view.dom);
  return Object.freeze(editor);
}
