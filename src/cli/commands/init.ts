import type { Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { common } from '../context.js';
import { printJson } from '../output.js';

export function registerInitCommands(program: Command, ctx: CliContext): void {
  common(program.command('init').description('create an embedded installation: database, artifact store, keyring, keys')).action(
    async (options: CommonOptions) => {
      const [{ initHome }, { resolveHome }] = await Promise.all([import('../../app/index.js'), import('../../config/index.js')]);
      const home = resolveHome(options.home, ctx.env);
      const result = await initHome(home, ctx.actor(), ctx.env);
      if (options.json) {
        printJson(ctx.io, { home, defaultKeyId: result.defaultKeyId, auditKeyId: result.auditKeyId, defaultProjectId: result.defaultProjectId, adminUser: result.adminUser, adminPasswordFile: result.adminPasswordFile, database: result.config.databaseUrl.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@'), store: result.config.storeUrl });
        return;
      }
      ctx.io.out(`Initialised Attest in ${home}`);
      ctx.io.out(`  keyring:   ${result.config.keyringPath} (mode 0600; back it up: without it nothing can be decrypted)`);
      ctx.io.out(`  default key: ${result.defaultKeyId} (alias/attest-default)`);
      ctx.io.out(`  audit signing key: ${result.auditKeyId} (alias/attest-audit-signing)`);
      ctx.io.out(`  administrator: ${result.adminUser}; generated password in ${result.adminPasswordFile} (mode 0600; change it after the first login, then delete the file)`);
    },
  );
}
