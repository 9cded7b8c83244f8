/**
 * `attest server`: serves the REST API for an installation until SIGINT/SIGTERM, then shuts down
 * gracefully (in-flight requests finish, a final audit checkpoint is signed, connections close).
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { AppError, isAppError } from '../../kernel/index.js';
import type { CliContext, CommonOptions } from '../context.js';

interface ServerOptions extends CommonOptions {
  port?: string;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  logLevel: string;
  /** False with --no-jobs: leave jobs to `attest worker`s. */
  jobs: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function registerServerCommands(program: Command, ctx: CliContext): void {
  program
    .command('server')
    .description('serve the REST API (127.0.0.1 by default; TLS 1.2+ with --tls-cert/--tls-key)')
    .option('--home <dir>', 'installation home (default $ATTEST_HOME or ./.attest)')
    .option('--port <port>', 'port (default $ATTEST_PORT or 8443; 0 picks a free one)')
    .option('--host <address>', 'address to bind (default 127.0.0.1)')
    .option('--tls-cert <file>', 'PEM certificate chain')
    .option('--tls-key <file>', 'PEM private key')
    .option('--tls-client-ca <file>', 'require client certificates signed by this CA')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .option('--no-jobs', 'do not run jobs in this process; `attest worker`s run them (also jobs.serverRunsJobs=false or ATTEST_SERVER_RUNS_JOBS=false)')
    .action(async (options: ServerOptions) => {
      const [{ openApp }, { loadConfig, resolveHome }, { buildServer }, { JobRunner }] = await Promise.all([import('../../app/index.js'), import('../../config/index.js'), import('../../server/index.js'), import('../../jobs/index.js')]);
      const config = loadConfig(resolveHome(options.home, ctx.env), ctx.env);
      if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new AppError('INVALID_INPUT', { message: '--tls-cert and --tls-key go together' });
      if (options.tlsClientCa && !options.tlsCert) throw new AppError('INVALID_INPUT', { message: '--tls-client-ca needs --tls-cert and --tls-key' });
      const port = options.port === undefined ? config.server.port : Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('INVALID_INPUT', { message: `--port must be a port number, not ${options.port}` });
      const host = options.host ?? config.server.host;
      const read = (file: string) => {
        try {
          return readFileSync(file);
        } catch (error) {
          throw new AppError('INVALID_INPUT', { message: `Cannot read ${file}: ${(error as Error).message}` });
        }
      };
      const tls = options.tlsCert && options.tlsKey ? { cert: read(options.tlsCert), key: read(options.tlsKey), ...(options.tlsClientCa ? { clientCa: read(options.tlsClientCa) } : {}) } : undefined;
      if (!tls && !LOOPBACK.has(host)) ctx.io.err(`attest: warning: serving on ${host} without TLS; bearer tokens would cross the network in clear`);
      const app = await openApp(config, { systemActor: { principal: 'system:attest' } });
      const server = await buildServer(app, { ...(tls ? { tls } : {}), logger: { level: options.logLevel } }).catch(async (error: unknown) => {
        await app.close();
        throw error;
      });
      await server.listen({ port, host });
      // The embedded execution engine: jobs submitted over the API run in child processes of the
      // server, unless configured off — then `attest worker`s on other machines run them.
      const runsJobs = options.jobs && config.jobs.serverRunsJobs;
      const runner = runsJobs ? new JobRunner({ app, env: ctx.env }) : undefined;
      runner?.start();
      // Pipeline executions started over the API are advanced here (their steps run as jobs, on this
      // server's runner or on workers).
      const { PipelineDriver, PipelineService } = await import('../../pipelines/index.js');
      const { pipelineRegistry } = await import('../../registry/index.js');
      const driver = new PipelineDriver(new PipelineService(app, { registry: pipelineRegistry(app) }));
      driver.start();
      const address = server.server.address() as AddressInfo;
      ctx.io.out(`attest server listening on ${tls ? 'https' : 'http'}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
      if (!runner) ctx.io.out(`attest server: jobs are queued (${config.jobs.queue}) and run by attest worker processes, not by this server`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server
            .close()
            .then(() => driver.stop())
            .then(() => runner?.stop())
            .then(() => app.checkpoint())
            .catch((error: Error) => ctx.io.err(`attest: error ${isAppError(error) ? error.code : 'INTERNAL'}: ${error.message}`))
            .finally(() => app.close().finally(resolve));
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
