import type { Command } from 'commander';
import type { App } from '../../app/index.js';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import { AppError } from '../../kernel/index.js';
import type { LineageNode } from '../../lineage/index.js';
// The node kinds name an option; their dependency-free module keeps declaring commands cheap.
import { NODE_KINDS } from '../../lineage/lineage-model.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, projectIdByName } from '../context.js';
import { printJson, printTable } from '../output.js';

interface LineageOptions extends CommonOptions {
  project?: string;
  depth?: string;
  type?: string[];
  association?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

/** A node id as is; any other reference (name[@version] of a dataset or artifact, dsv_…, art_…, sha256:…) resolved to its artifact. */
async function nodeId(app: App, ref: string, projectId: string): Promise<string> {
  const { resolveNodeId } = await import('../../references/index.js');
  return resolveNodeId(app, projectId, ref);
}

export function registerLineageCommands(program: Command, ctx: CliContext): void {
  const lineage = program.command('lineage').description('the lineage graph: what came from what');
  for (const direction of ['upstream', 'downstream'] as const) {
    common(
      lineage
        .command(`${direction} <id>`)
        .description(direction === 'upstream' ? 'everything ID came from (data, components, code)' : 'everything that used ID (components, trials, models) — empty when nothing did'),
    )
      .option('--project <name>', 'project', DEFAULT_PROJECT)
      .option('--depth <n>', 'follow at most this many edges')
      .option('--type <type>', `keep only these kinds (${NODE_KINDS.join(', ')}) or component types (training, processing, …); repeatable or comma-separated`, collect)
      .option('--association <type>', 'follow only these association types (ContributedTo, Produced, DerivedFrom, AssociatedWith, SameAs)', collect)
      .action(async (ref: string, o: LineageOptions) => {
        const depth = o.depth === undefined ? undefined : Number(o.depth);
        if (depth !== undefined && !Number.isInteger(depth)) throw new AppError('INVALID_INPUT', { message: `--depth must be a whole number, got ${o.depth}` });
        const { parseAssociationType } = await import('../../lineage/index.js');
        const associations = (o.association ?? []).map(parseAssociationType);
        const result = await ctx.withApp(o, async (app) => {
          const projectId = await projectIdByName(app, o.project ?? DEFAULT_PROJECT);
          const id = await nodeId(app, ref, projectId);
          const query = { visibleProjects: [projectId], ...(depth !== undefined ? { depth } : {}), ...(o.type ? { types: o.type } : {}), ...(associations.length ? { associations } : {}), includeEdges: o.json === true };
          return direction === 'upstream' ? app.lineage.upstream(id, query) : app.lineage.downstream(id, query);
        });
        if (o.json) printJson(ctx.io, result);
        else
          printTable<LineageNode>(ctx.io, result.nodes, [
            { header: 'DEPTH', value: (n) => n.depth },
            { header: 'KIND', value: (n) => n.kind },
            { header: 'TYPE', value: (n) => n.type },
            { header: 'NAME', value: (n) => n.name },
            { header: 'COMMIT', value: (n) => n.commit?.slice(0, 12) },
            { header: 'ID', value: (n) => n.id },
          ]);
      });
  }
  common(lineage.command('associate <source> <dest>').description('record a typed association SOURCE → DEST (e.g. a model DerivedFrom a dataset)'))
    .option('--project <name>', 'project', DEFAULT_PROJECT)
    .requiredOption('--type <type>', 'ContributedTo, Produced, DerivedFrom, AssociatedWith or SameAs')
    .action(async (source: string, dest: string, o: CommonOptions & { project?: string; type: string }) => {
      const { parseAssociationType } = await import('../../lineage/index.js');
      const type = parseAssociationType(o.type);
      const r = await ctx.withApp(o, async (app, actor) => {
        const projectId = await projectIdByName(app, o.project ?? DEFAULT_PROJECT);
        return app.lineage.associate(actor, { sourceId: await nodeId(app, source, projectId), destId: await nodeId(app, dest, projectId), type, projectId });
      });
      if (o.json) printJson(ctx.io, r);
      else ctx.io.out(r.added ? 'recorded' : 'already recorded');
    });
}
