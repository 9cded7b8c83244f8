/**
 * `attest review …`: the human review queue of endpoint decisions (list, show, decide). A
 * decision's label becomes ground truth for the decision's event id.
 */
import type { Command } from 'commander';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import { AppError } from '../../kernel/index.js';
import type { ReviewTask } from '../../serving/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, projectIdByName } from '../context.js';
import { printJson, printTable } from '../output.js';

interface ProjectOptions extends CommonOptions {
  project?: string;
}

export function registerReviewCommands(program: Command, ctx: CliContext): void {
  const review = program.command('review').description('human review of endpoint decisions (score band, adverse, sampled)');
  const project = (c: Command) => common(c).option('--project <name>', 'project', DEFAULT_PROJECT);
  const withQueue = <T>(o: ProjectOptions, fn: (q: import('../../serving/index.js').ReviewQueue, actor: Parameters<Parameters<CliContext['withApp']>[1]>[1], pid: string) => Promise<T>) =>
    ctx.withApp(o, async (app, actor) => {
      const { ReviewQueue } = await import('../../serving/index.js');
      return fn(new ReviewQueue(app), actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT));
    });
  const show = (t: ReviewTask) => {
    ctx.io.out(`${t.taskId} ${t.status} endpoint ${t.endpoint} v${t.configVersion} event ${t.eventId} (request ${t.requestId}): score ${t.score.toFixed(4)}, ${t.reason}`);
    for (const r of t.reasons) ctx.io.out(`  ${r.rank}. ${r.sentence}`);
    if (t.decision) ctx.io.out(`  decided ${t.decision} (label ${t.label ?? '-'}) by ${t.reviewer} at ${t.decidedAt}${t.note ? `: ${t.note}` : ''}`);
  };

  project(review.command('list').description('the queue, oldest first'))
    .option('--status <status>', 'Pending or Decided', 'Pending')
    .option('--endpoint <name>', 'one endpoint only')
    .action(async (o: ProjectOptions & { status: string; endpoint?: string }) => {
      if (o.status !== 'Pending' && o.status !== 'Decided') throw new AppError('INVALID_INPUT', { message: `--status is Pending or Decided, not ${o.status}` });
      const status = o.status;
      const tasks = await withQueue(o, (q, _a, pid) => q.list(pid, { status, ...(o.endpoint ? { endpoint: o.endpoint } : {}) }));
      if (o.json) printJson(ctx.io, tasks);
      else
        printTable(ctx.io, tasks, [
          { header: 'TASK', value: (t) => t.taskId },
          { header: 'ENDPOINT', value: (t) => t.endpoint },
          { header: 'SCORE', value: (t) => t.score.toFixed(4) },
          { header: 'REASON', value: (t) => t.reason },
          { header: 'EVENT', value: (t) => t.eventId },
          { header: 'CREATED', value: (t) => t.createdAt },
        ]);
    });

  project(review.command('show <task>').description('input, score and reason codes of a decision')).action(async (task: string, o: ProjectOptions) => {
    const t = await withQueue(o, (q, _a, pid) => q.describe(pid, task));
    if (o.json) printJson(ctx.io, t);
    else {
      show(t);
      ctx.io.out(`  input: ${Object.entries(t.input).map(([k, v]) => `${k}=${v ?? 'missing'}`).join(', ')}`);
    }
  });

  project(review.command('decide <task>').description('record your decision; its label becomes ground truth'))
    .requiredOption('--decision <d>', 'approve, decline or refer')
    .option('--label <label>', 'the ground-truth label it implies (e.g. 1 = would default); required unless refer')
    .option('--note <text>', 'why')
    .action(async (task: string, o: ProjectOptions & { decision: string; label?: string; note?: string }) => {
      if (!['approve', 'decline', 'refer'].includes(o.decision)) throw new AppError('INVALID_INPUT', { message: `--decision is approve, decline or refer, not ${o.decision}` });
      const decision = o.decision as 'approve' | 'decline' | 'refer';
      const t = await withQueue(o, (q, actor, pid) => q.decide(actor, pid, task, { decision, ...(o.label !== undefined ? { label: o.label } : {}), ...(o.note ? { note: o.note } : {}) }));
      if (o.json) printJson(ctx.io, t);
      else show(t);
    });
}
