/**
 * Stage 1: take the code out of a Markdown fence, the way language models write it
 * ("Here you go:\n```ts\n...\n```\nThis returns ..."). Line endings are normalised to `\n`
 * first (CRLF and lone CR, which JavaScript also counts as line breaks), which keeps every
 * line and column of the submitted text.
 */

import { parse } from "acorn";

export interface Unfenced {
  code: string;
  /** Lines of submitted text before `code` begins (0 when there was no fence). */
  lineOffset: number;
  /** The fence's info string says TypeScript: read the code as TypeScript whatever was asked. */
  typescriptFence: boolean;
}

/** An opening fence line and its language. Linear: no two parts can match the same characters. */
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)(?:[ \t][^`\n]*)?$/;
const CODE_LANGUAGES = new Set([
  "",
  "js",
  "javascript",
  "jsx",
  "mjs",
  "cjs",
  "node",
  "ts",
  "typescript",
  "tsx",
  "mts",
  "cts",
]);
const TYPESCRIPT_LANGUAGES = new Set(["ts", "typescript", "tsx", "mts", "cts"]);

export function normalizeLineEndings(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

export function stripFence(text: string): Unfenced {
  const unchanged = { code: text, lineOffset: 0, typescriptFence: false };
  if (!text.includes("```") && !text.includes("~~~")) return unchanged;
  const lines = text.split("\n");
  const blocks = findBlocks(lines);
  if (blocks.length === 0) return unchanged;
  // A line of backticks is always Markdown: in code a raw backtick closes a template, and
  // "Sure:\n```ts\n...\n```" even parses as JavaScript (a label, then tagged templates). A ~~~
  // line can sit inside a template literal of valid code, so tilde fences yield to a parse.
  if (blocks.every((block) => block.marker.startsWith("~")) && parsesAsScript(text)) return unchanged;
  const block = blocks.find((candidate) => CODE_LANGUAGES.has(candidate.language)) ?? blocks[0];
  if (!block) return unchanged;
  return {
    code: lines.slice(block.first, block.end).join("\n"),
    lineOffset: block.first,
    typescriptFence: TYPESCRIPT_LANGUAGES.has(block.language),
  };
}

interface Block {
  marker: string;
  language: string;
  /** Index of the first line of code. */
  first: number;
  /** Index of the closing fence line (or the line count when the fence is never closed). */
  end: number;
}

function findBlocks(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE_OPEN.exec(lines[index] ?? "");
    if (!open) continue;
    const marker = open[1] ?? "```";
    const language = (open[2] ?? "").toLowerCase();
    let end = index + 1;
    while (end < lines.length && !closes(lines[end] ?? "", marker)) end++;
    blocks.push({ marker, language, first: index + 1, end });
    index = end;
  }
  return blocks;
}

function closes(line: string, marker: string): boolean {
  const trimmed = line.trim();
  const char = marker[0] ?? "`";
  return trimmed.length >= marker.length && [...trimmed].every((c) => c === char);
}

function parsesAsScript(text: string): boolean {
  try {
    parse(text, {
      ecmaVersion: "latest",
      sourceType: "module",
      allowReturnOutsideFunction: true,
      allowHashBang: true,
    });
    return true;
  } catch {
    return false;
  }
}
