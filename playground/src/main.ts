/**
 * The playground page: wires the editor, the controls and the output panel to the service.
 * Loads a shared snippet when opened at /s/:id, otherwise the first example.
 */

import {
  API_KEY_STORAGE,
  AuthError,
  compile,
  type Execution,
  execute,
  fetchTypes,
  type Language,
  loadSnippet,
  shareSnippet,
} from "./api";
import { parseDeclarations, runtimeCompletions } from "./completions";
import { createEditor } from "./editor";
import { EXAMPLES, type Example } from "./examples";
import { createOutput } from "./output";

/** How long typing must pause before the code is checked. */
const COMPILE_DEBOUNCE_MS = 400;

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}.`);
  return found as T;
}

const exampleSelect = byId<HTMLSelectElement>("example");
const languageSelect = byId<HTMLSelectElement>("language");
const runButton = byId<HTMLButtonElement>("run");
const shareButton = byId<HTMLButtonElement>("share");
const apiKeyInput = byId<HTMLInputElement>("api-key");
const argsInput = byId<HTMLTextAreaElement>("args");
const argsError = byId<HTMLElement>("args-error");
const timeoutInput = byId<HTMLInputElement>("timeout");
const shareResult = byId<HTMLElement>("share-result");

const output = createOutput(
  {
    status: byId("status"),
    logs: byId("logs"),
    result: byId("result"),
    timings: byId("timings"),
  },
  (error) => error.line && editor.goTo(error.line, error.column),
);

let compileTimer: ReturnType<typeof setTimeout> | undefined;
/** Only the latest /compile answer is applied; older ones arrive stale. */
let compileSequence = 0;

const editor = createEditor({
  parent: byId("editor"),
  doc: "",
  onRun: () => void run(),
  onChange: scheduleCompile,
});

function language(): Language {
  return languageSelect.value === "javascript" ? "javascript" : "typescript";
}

function scheduleCompile(): void {
  clearTimeout(compileTimer);
  const sequence = ++compileSequence;
  compileTimer = setTimeout(async () => {
    try {
      const answer = await compile(editor.code(), language());
      if (sequence === compileSequence) editor.showCompileDiagnostics(answer.diagnostics);
    } catch {
      // Live checks are a convenience: a failure here shows when the code is run.
    }
  }, COMPILE_DEBOUNCE_MS);
}

/** The args box as JSON, or `undefined` after showing why it is not. */
function readArgs(): { value: unknown } | undefined {
  const text = argsInput.value.trim();
  if (!text) return { value: null };
  try {
    const value: unknown = JSON.parse(text);
    argsError.textContent = "";
    argsInput.removeAttribute("aria-invalid");
    return { value };
  } catch (error) {
    argsError.textContent = `Args must be JSON: ${(error as Error).message}. Nothing was sent.`;
    argsInput.setAttribute("aria-invalid", "true");
    return undefined;
  }
}

function readTimeout(): number | undefined {
  const value = Number(timeoutInput.value);
  return timeoutInput.value.trim() && Number.isInteger(value) && value > 0 ? value : undefined;
}

let running: AbortController | undefined;

async function run(): Promise<void> {
  const args = readArgs();
  if (!args) {
    argsInput.focus();
    return;
  }
  running?.abort();
  const controller = new AbortController();
  running = controller;
  editor.showRunError(undefined);
  output.start();
  runButton.setAttribute("aria-busy", "true");
  try {
    const execution: Execution = await execute(
      { code: editor.code(), language: language(), args: args.value, timeoutMs: readTimeout() },
      (log) => output.log(log),
      controller.signal,
    );
    output.finish(execution);
    editor.showRunError(execution.error);
  } catch (error) {
    if (controller.signal.aborted) return;
    output.notice(describe(error));
    if (error instanceof AuthError) apiKeyInput.focus();
  } finally {
    if (running === controller) runButton.removeAttribute("aria-busy");
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function load(example: Pick<Example, "code" | "language" | "args" | "timeoutMs">): void {
  languageSelect.value = example.language;
  editor.setLanguage(example.language);
  editor.setCode(example.code);
  argsInput.value = formatArgs(example.args);
  argsError.textContent = "";
  timeoutInput.value = example.timeoutMs ? String(example.timeoutMs) : "";
}

/** Short args on one line, longer ones pretty-printed; none as an empty box. */
function formatArgs(args: unknown): string {
  if (args === null || args === undefined) return "";
  const compact = JSON.stringify(args);
  return compact.length <= 60 ? compact : JSON.stringify(args, null, 2);
}

async function share(): Promise<void> {
  const args = readArgs();
  if (!args) return;
  shareResult.hidden = false;
  shareResult.textContent = "Sharing…";
  try {
    const { id, url } = await shareSnippet({ code: editor.code(), language: language(), args: args.value });
    history.pushState(null, "", `/s/${id}`);
    const copied = await navigator.clipboard?.writeText(url).then(
      () => true,
      () => false,
    );
    const link = document.createElement("a");
    link.href = url;
    link.id = "share-link";
    link.textContent = url;
    shareResult.replaceChildren(copied ? "Link copied: " : "Link: ", link);
  } catch (error) {
    shareResult.textContent = describe(error);
    if (error instanceof AuthError) apiKeyInput.focus();
  }
}

async function start(): Promise<void> {
  if (/Mac|iPhone|iPad/.test(navigator.userAgent)) {
    byId("run-shortcut").textContent = "⌘ ↵";
    runButton.setAttribute("aria-keyshortcuts", "Meta+Enter");
  }
  for (const [index, example] of EXAMPLES.entries()) exampleSelect.add(new Option(example.title, String(index)));
  apiKeyInput.value = localStorage.getItem(API_KEY_STORAGE) ?? "";
  apiKeyInput.addEventListener("change", () => {
    const key = apiKeyInput.value.trim();
    if (key) localStorage.setItem(API_KEY_STORAGE, key);
    else localStorage.removeItem(API_KEY_STORAGE);
  });
  exampleSelect.addEventListener("change", () => {
    const example = EXAMPLES[Number(exampleSelect.value)];
    if (example) load(example);
  });
  languageSelect.addEventListener("change", () => {
    editor.setLanguage(language());
    scheduleCompile();
  });
  argsInput.addEventListener("input", () => {
    argsError.textContent = "";
    argsInput.removeAttribute("aria-invalid");
  });
  runButton.addEventListener("click", () => void run());
  shareButton.addEventListener("click", () => void share());
  // Mod-Enter from anywhere on the page (the editor handles its own).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !editor.view.hasFocus) {
      event.preventDefault();
      void run();
    }
  });

  const first = EXAMPLES[0];
  const shared = /^\/s\/([^/]+)$/.exec(location.pathname)?.[1];
  if (shared) {
    try {
      load(await loadSnippet(shared));
    } catch (error) {
      if (first) load(first);
      output.notice(`Could not open the shared snippet: ${describe(error)} Showing an example instead.`);
    }
  } else if (first) {
    load(first);
  }
  document.body.dataset.ready = "true";

  fetchTypes()
    .then((text) => editor.setCompletions(runtimeCompletions(parseDeclarations(text))))
    .catch(() => {
      // Without /types the editor still works, only without `$` completions.
    });
}

void start();
