// Problems from the server ({line, column?, severity, message}, 1-based)
// turned into CodeMirror diagnostics (document offsets).

const SEVERITIES = ["error", "warning", "info", "hint"];

function fail(index, reason) {
  throw new TypeError(`setDiagnostics: problem ${index}: ${reason}`);
}

function isPositiveInteger(value) {
  return Number.isInteger(value) && value >= 1;
}

/** Offset of 1-based `column` (in code points, as Python counts) in `line`. */
function columnOffset(line, column) {
  let offset = 0;
  let counted = 1;
  for (const character of line.text) {
    if (counted === column) break;
    offset += character.length;
    counted += 1;
  }
  return line.from + offset;
}

function toDiagnostic(doc, problem, index) {
  if (problem === null || typeof problem !== "object") fail(index, "expected an object");
  const { line, column, severity, message } = problem;
  if (!isPositiveInteger(line)) fail(index, `line must be an integer >= 1, got ${line}`);
  if (column != null && !isPositiveInteger(column)) {
    fail(index, `column must be an integer >= 1 when given, got ${column}`);
  }
  if (!SEVERITIES.includes(severity)) {
    fail(index, `severity must be one of ${SEVERITIES.join(", ")}, got ${severity}`);
  }
  if (typeof message !== "string") fail(index, "message must be a string");
  // The document may have shrunk since the server looked at it: clamp.
  const target = doc.line(Math.min(line, doc.lines));
  const from = column == null ? target.from : columnOffset(target, column);
  return { from, to: target.to, severity, message };
}

/** CodeMirror diagnostics for `problems`; a clear TypeError for malformed input. */
export function toDiagnostics(doc, problems) {
  if (!Array.isArray(problems)) {
    throw new TypeError("setDiagnostics expects an array of {line, column?, severity, message}");
  }
  return problems.map((problem, index) => toDiagnostic(doc, problem, index));
}
