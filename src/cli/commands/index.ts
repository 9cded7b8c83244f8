import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerAccessCommands } from './access.js';
import { registerArtifactCommands } from './artifacts.js';
import { registerAuditCommands } from './audit.js';
import { registerBiasCommands } from './bias.js';
import { registerCaptureCommands } from './capture.js';
import { registerDataCommands } from './data.js';
import { registerExplainCommands } from './explain.js';
import { registerIdentityCommands } from './identity.js';
import { registerInitCommands } from './init.js';
import { registerJobCommands } from './jobs.js';
import { registerKeyCommands } from './keys.js';
import { registerLineageCommands } from './lineage.js';
import { registerModelCommands } from './models.js';
import { registerMonitoringCommands } from './monitoring.js';
import { registerQuickstartCommands } from './quickstart.js';
import { registerServerCommands } from './server.js';
import { registerSessionCommands } from './session.js';
import { registerTrackingCommands } from './tracking.js';

/** Registers every capability's commands on the program. One line per capability. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerQuickstartCommands(program, ctx);
  registerInitCommands(program, ctx);
  registerArtifactCommands(program, ctx);
  registerKeyCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerDataCommands(program, ctx);
  registerModelCommands(program, ctx);
  registerExplainCommands(program, ctx);
  registerBiasCommands(program, ctx);
  registerMonitoringCommands(program, ctx);
  registerCaptureCommands(program, ctx);
  registerTrackingCommands(program, ctx);
  registerLineageCommands(program, ctx);
  registerJobCommands(program, ctx);
  registerSessionCommands(program, ctx);
  registerIdentityCommands(program, ctx);
  registerAccessCommands(program, ctx);
  registerServerCommands(program, ctx);
}
