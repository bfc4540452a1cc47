/**
 * Turns a policy file's text into a value or into problems that point at a line and a column, so
 * every YAML or schema error is reported where a reviewer can fix it.
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { PolicyProblem } from './policy-problem.ts';

/** A parsed policy file: its value, or its problems; and a way to point at any part of it. */
export interface ParsedPolicyText<T> {
  value: T | undefined;
  problems: PolicyProblem[];
  /** The position of the node at `path` (or of its nearest existing parent). */
  locate(path: ReadonlyArray<PropertyKey>): { line: number; column: number };
}

/**
 * Parses YAML text and validates it against a schema, turning every YAML error and
 * schema issue into a problem with the line and column of the offending node. Pure.
 *
 * @example
 * ```ts
 * const parsed = parsePolicyText('rules: oops\n', 'policies/tools.yaml', toolsFileSchema);
 * parsed.problems[0]; // { file: 'policies/tools.yaml', line: 1, column: 8, message: 'rules must be a list' }
 * ```
 */
export function parsePolicyText<Schema extends z.ZodType>(
  text: string,
  file: string,
  schema: Schema,
): ParsedPolicyText<z.output<Schema>> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate = (path: ReadonlyArray<PropertyKey>) => position(offsetOf(document, path));

  const yamlProblems = document.errors.map((error) => ({
    file,
    ...position(error.pos[0]),
    message: `YAML: ${firstLine(error.message)}`,
  }));
  if (yamlProblems.length > 0) return { value: undefined, problems: yamlProblems, locate };

  const result = schema.safeParse(document.toJS() ?? {});
  if (result.success) return { value: result.data, problems: [], locate };

  // An object with an unknown key also fails its "exactly one kind" check; the unknown key is the real news.
  const unknownKeyPaths = new Set(
    result.error.issues.filter((issue) => issue.code === 'unrecognized_keys').map((issue) => issue.path.join('.')),
  );
  const issues = result.error.issues.filter(
    (issue) => issue.code !== 'custom' || !unknownKeyPaths.has(issue.path.join('.')),
  );
  const problems = issues.map((issue) => {
    const path = issue.path;
    const where =
      issue.code === 'unrecognized_keys'
        ? position(keyOffset(document, path, issue.keys[0]!) ?? offsetOf(document, path))
        : locate(path);
    return { file, ...where, message: issue.message };
  });
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { value: undefined, problems, locate };
}

/** The start offset of the deepest node on `path` that exists. */
function offsetOf(document: Document, path: ReadonlyArray<PropertyKey>): number {
  for (let length = path.length; length >= 0; length--) {
    const node = document.getIn(path.slice(0, length) as unknown[], true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node && typeof node === 'object' && node.range) return node.range[0];
  }
  return 0;
}

/** The offset of `key` itself inside the map at `path`, for "unknown key" problems. */
function keyOffset(document: Document, path: ReadonlyArray<PropertyKey>, key: string): number | undefined {
  const map = path.length === 0 ? document.contents : document.getIn(path as unknown[], true);
  if (!isMap(map)) return undefined;
  for (const pair of map.items) {
    if (isPair(pair) && isScalar(pair.key) && pair.key.value === key) return pair.key.range?.[0];
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}
