/**
 * The output panel: a status line, logs as they arrive (level colour, time since the run began),
 * the result as pretty JSON or the error (clickable when it has a line), and the timings.
 */

import type { Execution, ExecutionError, LogEntry } from "./api";

export interface OutputElements {
  status: HTMLElement;
  logs: HTMLOListElement;
  result: HTMLElement;
  timings: HTMLElement;
}

export interface Output {
  start(): void;
  log(entry: LogEntry): void;
  finish(execution: Execution): void;
  /** A message about the page or the request rather than the code (bad args, 401, network). */
  notice(message: string, tone?: "info" | "error"): void;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function createOutput(elements: OutputElements, onErrorClick: (error: ExecutionError) => void): Output {
  const { status, logs, result, timings } = elements;
  let shown = 0;

  function setStatus(text: string, tone: string): void {
    status.textContent = text;
    status.dataset.tone = tone;
  }

  function log(entry: LogEntry): void {
    const item = element("li", `log log-${entry.level}`);
    item.append(
      element("span", "log-ms", `+${entry.ms} ms`),
      element("span", "log-level", entry.level),
      element("span", "log-message", entry.message),
    );
    logs.append(item);
    shown++;
    logs.hidden = false;
    item.scrollIntoView({ block: "nearest" });
  }

  function showError(error: ExecutionError): void {
    const box = element(error.line ? "button" : "div", "error");
    box.append(element("span", "error-kind", error.kind), element("strong", "error-name", error.name));
    if (error.line) box.append(element("span", "error-where", ` at line ${error.line}:${error.column ?? 1}`));
    box.append(element("p", "error-message", error.message));
    if (error.hint) box.append(element("p", "error-hint", error.hint));
    if (box instanceof HTMLButtonElement) {
      box.type = "button";
      box.title = "Show this line in the editor";
      box.addEventListener("click", () => onErrorClick(error));
    }
    result.replaceChildren(box);
  }

  return {
    start() {
      shown = 0;
      logs.replaceChildren();
      logs.hidden = true;
      result.replaceChildren();
      timings.replaceChildren();
      setStatus("Running…", "running");
    },
    log,
    finish(execution) {
      // The final answer repeats every log; show the ones the stream did not deliver.
      for (const entry of execution.logs.slice(shown)) log(entry);
      if (execution.ok) {
        setStatus("Result", "ok");
        result.replaceChildren(element("pre", "result-json", JSON.stringify(execution.result, null, 2) ?? "undefined"));
      } else if (execution.error) {
        setStatus(execution.error.kind === "timeout" ? "Timed out" : "Error", "error");
        showError(execution.error);
      }
      const { compileMs, runMs, totalMs } = execution.timings;
      timings.replaceChildren(
        element("span", "timing", `compile ${compileMs} ms`),
        element("span", "timing", `run ${runMs} ms`),
        element("span", "timing", `total ${totalMs} ms`),
      );
      if (execution.cached) timings.append(element("span", "badge", "cached"));
    },
    notice(message, tone = "error") {
      setStatus(message, tone);
    },
  };
}
