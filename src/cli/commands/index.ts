import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerArtifactCommands } from './artifacts.js';
import { registerAuditCommands } from './audit.js';
import { registerInitCommands } from './init.js';
import { registerKeyCommands } from './keys.js';
import { registerLineageCommands } from './lineage.js';
import { registerTrackingCommands } from './tracking.js';

/** Registers every capability's commands on the program. One line per capability. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerInitCommands(program, ctx);
  registerArtifactCommands(program, ctx);
  registerKeyCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerTrackingCommands(program, ctx);
  registerLineageCommands(program, ctx);
}
