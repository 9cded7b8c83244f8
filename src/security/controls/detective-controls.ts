/**
 * @module security/controls/detective-controls
 * Runs detection rules over new audit entries and takes their corrective actions: lock the user,
 * revoke the token named in the entry, send an alert to every sink. Each fired alert is itself an
 * audit entry (`alert:Fire`). Also runs `audit verify` on a schedule and records the outcome, so a
 * tampered ledger raises the `audit-verify-failed` alert.
 */
import { newId } from '../../kernel/index.js';
import type { Db } from '../../platform/db/index.js';
import type { AuditEntry, AuditLedger, VerifyReport } from '../audit/index.js';
import { recordOutcome } from '../audit/index.js';
import type { IdentityServices } from '../identity-store/index.js';
import { SYSTEM_ACTOR } from '../identity-store/index.js';
import type { Alert, AlertSink } from './alert-sinks.js';
import type { DetectionRule } from './detection-rules.js';
import { BUILT_IN_RULES, RuleWindow, ruleMatches } from './detection-rules.js';

export interface DetectiveControlsDeps {
  readonly db: Db;
  readonly ledger: AuditLedger;
  readonly identity: IdentityServices;
  readonly sinks: readonly AlertSink[];
  readonly verifyAudit: () => Promise<VerifyReport>;
  readonly rules?: readonly DetectionRule[];
  /** Reports delivery failures (a sink that is down must not stop detection). */
  readonly onError?: (error: Error) => void;
}

export class DetectiveControls {
  readonly #deps: DetectiveControlsDeps;
  readonly #window = new RuleWindow();
  readonly #rules: readonly DetectionRule[];
  #cursor = 0;
  #chain: Promise<void> = Promise.resolve();
  #deliveries = new Set<Promise<void>>();
  #timers: NodeJS.Timeout[] = [];
  #started = false;

  constructor(deps: DetectiveControlsDeps) {
    this.#deps = deps;
    this.#rules = deps.rules ?? BUILT_IN_RULES;
  }

  /** Starts watching from the current head (history is not replayed). */
  async start(options: { pollMs?: number; verifyEveryMs?: number } = {}): Promise<void> {
    this.#cursor = (await this.#deps.ledger.head()).seq;
    this.#started = true;
    const poll = setInterval(() => void this.trigger(), options.pollMs ?? 2000);
    poll.unref();
    this.#timers.push(poll);
    if (options.verifyEveryMs && options.verifyEveryMs > 0) {
      const verify = setInterval(() => void this.verifyNow().catch((e: Error) => this.#deps.onError?.(e)), options.verifyEveryMs);
      verify.unref();
      this.#timers.push(verify);
    }
  }

  /**
   * One scan of the entries after `afterSeq`, firing what the rules match and waiting at most
   * `graceMs` for deliveries: for a process that does not run the controls (the CLI) but must
   * alert on what it just recorded, such as a refused audit checkpoint.
   */
  async scanOnce(afterSeq: number, graceMs = 5000): Promise<void> {
    this.#cursor = afterSeq;
    this.#started = true;
    await this.stop(graceMs);
  }

  /** Schedules a scan of new entries after any scan in progress; resolves when it is done. */
  trigger(): Promise<void> {
    if (!this.#started) return Promise.resolve();
    this.#chain = this.#chain.then(() => this.#scan()).catch((e: Error) => this.#deps.onError?.(e));
    return this.#chain;
  }

  /** Resolves once pending scans and alert deliveries have finished. */
  async idle(): Promise<void> {
    await this.trigger();
    await Promise.allSettled([...this.#deliveries]);
  }

  /** Verifies the audit ledger now and records the result (`audit:Verify`, allowed or failed). */
  async verifyNow(): Promise<VerifyReport> {
    const report = await this.#deps.verifyAudit();
    await recordOutcome({ db: this.#deps.db, ledger: this.#deps.ledger }, SYSTEM_ACTOR, 'audit:Verify', 'attest::audit/ledger', report.ok ? 'allowed' : 'failed', {
      scheduled: true,
      entriesChecked: report.entriesChecked,
      ...(report.firstProblem ? { firstProblem: report.firstProblem } : {}),
    });
    await this.trigger();
    return report;
  }

  /** Stops the timers and waits for pending work, at most `graceMs` for alert deliveries still retrying. */
  async stop(graceMs = 5000): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      timer.unref();
    });
    await Promise.race([this.idle(), grace]);
    clearTimeout(timer);
    this.#started = false;
  }

  async #scan(): Promise<void> {
    for (;;) {
      const entries = await this.#deps.ledger.list({ afterSeq: this.#cursor, limit: 500 });
      for (const entry of entries) {
        this.#cursor = entry.seq;
        for (const rule of this.#rules) {
          if (!ruleMatches(rule, entry)) continue;
          const events = this.#window.observe(rule, entry);
          if (events) await this.#fire(rule, events);
        }
      }
      if (entries.length < 500) return;
    }
  }

  async #fire(rule: DetectionRule, events: AuditEntry[]): Promise<void> {
    const last = events[events.length - 1]!;
    const taken: string[] = [];
    for (const action of rule.actions) {
      if (action === 'lock-user') {
        const name = /^user:(.+)$/.exec(last.principal)?.[1];
        const row = name ? await this.#deps.identity.users.findRow(name) : undefined;
        if (row && row.status !== 'locked') await this.#deps.identity.users.lock(SYSTEM_ACTOR, row.name, null, `detection rule ${rule.name}`);
        if (row) taken.push(`lock-user ${last.principal}`);
      } else if (action === 'revoke-token') {
        const prefix = typeof last.details.tokenPrefix === 'string' ? last.details.tokenPrefix : undefined;
        const owner = /^(?:user|service):(.+)$/.exec(last.principal)?.[1];
        if (prefix && owner) {
          await this.#deps.identity.tokens.revoke(SYSTEM_ACTOR, owner, prefix, `detection rule ${rule.name}`);
          taken.push(`revoke-token ${prefix}`);
        }
      }
    }
    if (!rule.actions.includes('alert')) return;
    const alert: Alert = {
      id: newId('alr'),
      rule: rule.name,
      severity: rule.severity,
      time: new Date().toISOString(),
      summary: `${rule.description}: ${events.length} event(s) ${last.action} (${last.outcome}) by ${last.principal} on ${last.resource}`,
      principal: last.principal,
      events: events.map((e) => e.seq),
      actionsTaken: taken,
    };
    await recordOutcome({ db: this.#deps.db, ledger: this.#deps.ledger }, SYSTEM_ACTOR, 'alert:Fire', `attest::alert/${rule.name}`, 'allowed', { ...alert });
    for (const sink of this.#deps.sinks) {
      const delivery = sink.send(alert).catch(async (e: Error) => {
        this.#deps.onError?.(e);
        // The alert itself is already in the ledger; the failed delivery is recorded beside it so an
        // auditor sees that nobody was told, and why.
        await recordOutcome({ db: this.#deps.db, ledger: this.#deps.ledger }, SYSTEM_ACTOR, 'alert:Deliver', `attest::alert/${rule.name}`, 'failed', {
          alertId: alert.id,
          sink: sink.name,
          reason: e.message,
        }).catch((recordError: Error) => this.#deps.onError?.(recordError));
      });
      this.#deliveries.add(delivery);
      void delivery.finally(() => this.#deliveries.delete(delivery));
    }
  }
}
