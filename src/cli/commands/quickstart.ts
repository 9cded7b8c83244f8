import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common } from '../context.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';

export function registerQuickstartCommands(program: Command, ctx: CliContext): void {
  common(program.command('quickstart').description('run the whitepaper\'s credit-default lifecycle end to end on the embedded default')).action(
    async (options: CommonOptions) => {
      const [{ resolveHome }, { runQuickstart }] = await Promise.all([import('../../config/index.js'), import('../../quickstart/index.js')]);
      const home = resolveHome(options.home, ctx.env);
      const progress = startProgress(ctx.io, 'quickstart', 'steps', { json: options.json === true });
      const result = await runQuickstart({
        home,
        env: ctx.env,
        operator: ctx.actor(),
        // A result line erases the status line first, so that the two never share a line.
        out: options.json ? () => undefined : (line) => {
          progress.finish();
          ctx.io.out(line);
        },
        progress: (done, total, detail) => progress.update(done, total, detail),
      }).finally(() => progress.finish());
      if (options.json) printJson(ctx.io, result);
    },
  );
}
