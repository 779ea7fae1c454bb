/** Terminal output helpers: plain when not a TTY or NO_COLOR is set. */
export interface Output {
  readonly isTTY: boolean;
  write(text: string): void;
  error(text: string): void;
}

export const processOutput: Output = {
  isTTY: Boolean(process.stdout.isTTY),
  write: (text) => process.stdout.write(text),
  error: (text) => process.stderr.write(text),
};

const useColor = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

function paint(code: number) {
  return (text: string) => (useColor() ? `\u001b[${code}m${text}\u001b[0m` : text);
}

export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const dim = paint(2);
export const bold = paint(1);

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

/** A left-aligned text table; numbers right-aligned. */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => visibleLength(row[i] ?? ''))),
  );
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell)));
        return numeric[i] ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => bold(h))), ...cells.map(line)].join('\n');
}

export function statusWord(status: string | null | undefined): string {
  switch (status) {
    case 'SUCCEEDED':
      return green(status);
    case 'FAILED':
      return red(status);
    case 'PARTIAL':
    case 'RUNNING':
      return yellow(status);
    case 'SKIPPED':
      return dim(status);
    default:
      return status ?? dim('-');
  }
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
