import { main } from '../../functions/cli/main.ts';
import type { Output } from '../../functions/cli/render.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs the `a360` command in-process with the given environment, capturing what it prints. */
export async function a360(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const output: Output = {
    isTTY: false,
    write: (text) => {
      out += text;
    },
    error: (text) => {
      err += text;
    },
  };
  const code = await main(args, { output, env });
  return { code, out, err };
}
