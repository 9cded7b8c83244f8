import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/** Registers every capability's commands on the program. One line per capability. */
export function registerCommands(_program: Command, _io: CliIo): void {}
