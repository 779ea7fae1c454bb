export interface SqlPiece {
  /** `code` is where `;` ends a statement and `:name` is a parameter; elsewhere they mean nothing. */
  readonly kind: 'code' | 'quoted' | 'line-comment' | 'block-comment';
  readonly text: string;
}

/**
 * Splits SQL text into code and what is not code: single-quoted strings, double-quoted identifiers,
 * dollar-quoted bodies (`$$`, `$tag$`) and comments.
 */
export function sqlPieces(text: string): SqlPiece[] {
  const pieces: SqlPiece[] = [];
  let code = '';
  const push = (kind: SqlPiece['kind'], from: number, to: number) => {
    if (code) pieces.push({ kind: 'code', text: code });
    code = '';
    pieces.push({ kind, text: text.slice(from, to) });
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < text.length && !(text[j] === ch && text[j + 1] !== ch)) j += text[j] === ch ? 2 : 1;
      push('quoted', i, j + 1);
      i = j + 1;
    } else if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      push('line-comment', i, stop);
      i = stop;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      push('block-comment', i, stop);
      i = stop;
    } else {
      const dollar = ch === '$' ? /^\$[A-Za-z_]*\$/.exec(text.slice(i, i + 64)) : null;
      if (dollar) {
        const end = text.indexOf(dollar[0], i + dollar[0].length);
        const stop = end === -1 ? text.length : end + dollar[0].length;
        push('quoted', i, stop);
        i = stop;
      } else {
        code += ch;
        i += 1;
      }
    }
  }
  if (code) pieces.push({ kind: 'code', text: code });
  return pieces;
}
