import type { Command } from 'commander';
import type { DoctorCheck } from '../../app/index.js';
import { AppError } from '../../kernel/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common } from '../context.js';
import { printJson, printTable } from '../output.js';

/** `attest doctor`: read-only installation checks; exits non-zero when one fails. */
export function registerDoctorCommands(program: Command, ctx: CliContext): void {
  common(program.command('doctor').description('check the installation without changing it: permissions, database and migrations, temp files of killed puts, alert webhooks, audit ledger')).action(
    async (options: CommonOptions) => {
      const [{ diagnose }, { loadConfig, resolveHome }] = await Promise.all([import('../../app/index.js'), import('../../config/index.js')]);
      const report = await diagnose(loadConfig(resolveHome(options.home, ctx.env), ctx.env));
      if (options.json) printJson(ctx.io, report);
      else
        printTable<DoctorCheck>(ctx.io, [...report.checks], [
          { header: 'CHECK', value: (c) => c.name },
          { header: 'STATUS', value: (c) => c.status },
          { header: 'DETAIL', value: (c) => c.detail },
        ]);
      const failed = report.checks.filter((c) => c.status === 'fail');
      if (failed.length > 0) throw new AppError('DOCTOR_CHECKS_FAILED', { message: `${failed.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}` });
    },
  );
}
