// The plan editor (templates/authoring/edit.html): CodeMirror on the textarea, problems at
// their lines as one types, autosave with the draft's revision (a 409 is a conflict, shown,
// never overwritten), and a warning before leaving with unsaved changes.
(function () {
  "use strict";
  const area = document.getElementById("plan-yaml");
  if (!area) return;
  const form = area.form;
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const revision = document.getElementById("plan-revision");
  const status = document.getElementById("save-status");
  const list = document.getElementById("problems");
  const none = document.getElementById("no-problems");
  const notice = document.getElementById("editor-notice");
  const strings = JSON.parse(document.getElementById("editor-strings").textContent);
  const phrases = JSON.parse(document.getElementById("editor-phrases").textContent);
  const DELAY_MS = 700;
  const RETRY_MS = 5000;
  let saved = area.value;
  let timer = null;
  let inflight = false;
  let conflict = !notice.hidden;
  let submitting = false;

  const editor = window.ArchitectEditor
    ? window.ArchitectEditor.attach(area, { language: "yaml", phrases, onChange: changed })
    : null;
  if (!editor) area.addEventListener("input", changed);
  // The editable text is already a tab stop; saying so lets checkers (axe's
  // scrollable-region-focusable) see that the scrolling editor can be reached by keyboard.
  if (editor) editor.view.contentDOM.tabIndex = 0;

  function text() { return editor ? editor.getValue() : area.value; }
  function dirty() { return text() !== saved; }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name]));
  }
  function showStatus() {
    status.textContent = dirty() ? strings.unsaved : fill(strings.saved, { revision: revision.value });
  }

  function changed() {
    showStatus();
    clearTimeout(timer);
    timer = setTimeout(conflict ? lint : autosave, DELAY_MS);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
    return [response.status, await response.json()];
  }

  async function autosave() {
    if (inflight) { timer = setTimeout(autosave, DELAY_MS); return; }
    inflight = true;
    const sent = text();
    status.textContent = strings.saving;
    try {
      const [code, data] = await post(area.dataset.autosaveUrl, { text: sent, revision: Number(revision.value) });
      if (code === 409) {
        conflict = true;
        notice.textContent = data.error;
        notice.hidden = false;
        status.textContent = strings.unsaved;
        await lint();
        return;
      }
      if (code !== 200) { status.textContent = data.error || strings.failed; retry(); return; }
      revision.value = data.revision;
      saved = sent;
      showProblems(data.problems);
      showStatus();
    } catch (_error) {
      status.textContent = strings.failed;
      retry();
    } finally {
      inflight = false;
    }
  }

  function retry() {  // a refused or failed save is tried again, later
    clearTimeout(timer);
    timer = setTimeout(autosave, RETRY_MS);
  }

  async function lint() {
    try {
      const [code, data] = await post(area.dataset.lintUrl, { text: text() });
      if (code === 200) showProblems(data.problems);
    } catch (_error) { /* the next change tries again */ }
  }

  function showProblems(problems) {
    if (editor) {
      editor.setDiagnostics(problems.map((p) => ({
        line: p.line, severity: "error", message: p.where ? p.where + ": " + p.message : p.message,
      })));
    }
    list.replaceChildren(...problems.map((p) => {
      const item = document.createElement("li");
      item.dataset.line = p.line;
      const link = document.createElement("a");
      link.href = "#plan-yaml";
      link.className = "problem-line";
      link.dataset.line = p.line;
      link.textContent = fill(strings.line, { line: p.line });
      item.append(link, ": " + (p.where ? p.where + ": " : "") + p.message);
      return item;
    }));
    none.hidden = problems.length > 0;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.problem-line");
    if (!link || !editor) return;
    event.preventDefault();
    editor.goToLine(Number(link.dataset.line));
  });
  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    if (submitting || (!dirty() && !inflight)) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
