/** Python spellings of GraphQL names: snake_case members, PascalCase classes, CONSTANT_CASE documents. */

const PYTHON_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield', 'match', 'case',
]);

/** `idempotencyKey` -> `idempotency_key`; keywords get a trailing underscore (`from` -> `from_`). */
export function snakeCase(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
  return PYTHON_KEYWORDS.has(snake) ? `${snake}_` : snake;
}

/** `GenerateTrack` -> `GENERATE_TRACK`. */
export function constantCase(name: string): string {
  return snakeCase(name).replace(/_$/, '').toUpperCase();
}

/** `pageInfo` -> `PageInfo`. */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A Python string literal (JSON's escaping is valid Python for the text we emit). */
export function pyString(text: string): string {
  return JSON.stringify(text);
}

/** A docstring body from a schema description, or nothing. */
export function docstring(description: string | null | undefined, indent: string): string[] {
  if (!description) return [];
  const text = description.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"').trim();
  const lines = text.split('\n');
  if (lines.length === 1) return [`${indent}"""${text}"""`];
  return [`${indent}"""${lines[0]}`, ...lines.slice(1).map((l) => (l ? `${indent}${l}` : '')), `${indent}"""`];
}
