import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerAccessCommands } from './access.js';
import { registerArtifactCommands } from './artifacts.js';
import { registerAuditCommands } from './audit.js';
import { registerIdentityCommands } from './identity.js';
import { registerInitCommands } from './init.js';
import { registerKeyCommands } from './keys.js';
import { registerServerCommands } from './server.js';
import { registerSessionCommands } from './session.js';

/** Registers every capability's commands on the program. One line per capability. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerInitCommands(program, ctx);
  registerArtifactCommands(program, ctx);
  registerKeyCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerSessionCommands(program, ctx);
  registerIdentityCommands(program, ctx);
  registerAccessCommands(program, ctx);
  registerServerCommands(program, ctx);
}
