import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common } from '../context.js';
import { printJson } from '../output.js';

export function registerQuickstartCommands(program: Command, ctx: CliContext): void {
  common(program.command('quickstart').description('run the whitepaper\'s credit-default lifecycle end to end on the embedded default')).action(
    async (options: CommonOptions) => {
      const [{ resolveHome }, { runQuickstart }] = await Promise.all([import('../../config/index.js'), import('../../quickstart/index.js')]);
      const home = resolveHome(options.home, ctx.env);
      const result = await runQuickstart({ home, env: ctx.env, operator: ctx.actor(), out: options.json ? () => undefined : (line) => ctx.io.out(line) });
      if (options.json) printJson(ctx.io, result);
    },
  );
}
