import type { RunProgress, SliceKey, SliceProgress } from '../progress.ts';
import { dim, green, type Output, red, table, yellow } from '../render.ts';

const REDRAW_MS = 200;

/**
 * Shows a run while it goes: on a terminal, a per-category table redrawn in place (done / in flight /
 * retried / failed for collect and load); otherwise one plain line per slice outcome and retry.
 */
export class LiveDisplay {
  private readonly output: Output;
  private readonly progress: RunProgress;
  private readonly title: string;
  private readonly quiet: boolean;
  private timer: NodeJS.Timeout | undefined;
  private drawnLines = 0;

  constructor(output: Output, progress: RunProgress, options: { title: string; json: boolean }) {
    this.output = output;
    this.progress = progress;
    this.title = options.title;
    this.quiet = options.json;
  }

  start(): void {
    if (this.quiet) return;
    this.output.write(`${this.title}\n`);
    if (this.output.isTTY) {
      this.timer = setInterval(() => this.redraw(), REDRAW_MS);
      this.redraw();
    } else {
      this.progress.onChange((key, slice) => this.line(key, slice));
    }
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.redraw();
    }
    if (!this.quiet) this.output.write('\n');
  }

  private line(key: SliceKey, slice: SliceProgress): void {
    if (slice.state === 'running' || slice.state === 'pending') return;
    const detail =
      slice.state === 'retried'
        ? `retrying (attempt ${slice.attempt})`
        : slice.state === 'failed'
          ? `FAILED ${slice.error ?? ''}`
          : `${slice.state.toUpperCase()} rows=${slice.rows}${slice.attempt > 1 ? ` after ${slice.attempt} attempts` : ''}`;
    this.output.write(`${key.phase.padEnd(7)} ${key.accountId} ${key.category.padEnd(18)} ${detail}\n`);
  }

  private redraw(): void {
    const rows = [...this.progress.tally()].map(([category, phases]) => [
      category,
      cell(phases.collect),
      cell(phases.load),
    ]);
    const text = table(['category', 'collect', 'load'], rows);
    const lines = text.split('\n');
    if (this.drawnLines > 0) this.output.write(`\u001b[${this.drawnLines}A`);
    this.output.write(`${lines.map((l) => `\u001b[2K${l}`).join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}

function cell(counts: Record<string, number>): string {
  const done = (counts.succeeded ?? 0) + (counts.partial ?? 0) + (counts.skipped ?? 0);
  const parts = [green(`✓${done}`)];
  const active = (counts.running ?? 0) + (counts.retried ?? 0);
  if (active) parts.push(yellow(`…${active}`));
  if (counts.retried) parts.push(yellow(`↻${counts.retried}`));
  if (counts.failed) parts.push(red(`✗${counts.failed}`));
  if (counts.pending) parts.push(dim(`·${counts.pending}`));
  return parts.join(' ');
}
