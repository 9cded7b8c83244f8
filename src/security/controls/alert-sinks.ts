/**
 * @module security/controls/alert-sinks
 * Where alerts go: a webhook (JSON body signed with HMAC-SHA256 under a shared secret, retried with
 * exponential backoff) and the structured log. A receiver verifies
 * `X-Attest-Signature: sha256=<hex>` over the exact body bytes before trusting an alert.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** One fired alert. */
export interface Alert {
  readonly id: string;
  readonly rule: string;
  readonly severity: 'low' | 'medium' | 'high';
  readonly time: string;
  readonly summary: string;
  /** The principal the triggering events were grouped by, if any. */
  readonly principal: string | null;
  /** Sequence numbers of the audit entries that triggered the alert. */
  readonly events: readonly number[];
  /** Corrective actions taken, e.g. `lock-user user:alice`. */
  readonly actionsTaken: readonly string[];
}

export interface AlertSink {
  readonly name: string;
  send(alert: Alert): Promise<void>;
}

/** The signature header value for a body: `sha256=<hex HMAC-SHA256(secret, body)>`. */
export function signAlertBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Checks a webhook signature in constant time (for receivers and tests). */
export function verifyAlertSignature(body: string | Buffer, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signAlertBody(body, secret));
  const actual = Buffer.from(header);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface WebhookOptions {
  readonly url: string;
  /** The signing secret; when undefined every delivery fails (nothing is sent unsigned). */
  readonly secret: string | undefined;
  /** Where the secret was expected, named in the failure reason. */
  readonly secretEnv?: string;
  /** Attempts in all (first try + retries); default 5. */
  readonly attempts?: number;
  /** First backoff delay; doubles after each failure. Default 500 ms. */
  readonly baseDelayMs?: number;
  readonly timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts each alert as JSON; 2xx is delivery, anything else is retried with exponential backoff. */
export function webhookSink(options: WebhookOptions): AlertSink {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 500;
  return {
    name: `webhook ${new URL(options.url).origin}`,
    async send(alert) {
      if (!options.secret) {
        throw new Error(`webhook ${options.url}: no signing secret (set the environment variable ${options.secretEnv ?? 'named by secretEnv'}); the alert was not sent`);
      }
      const body = JSON.stringify(alert);
      const signature = signAlertBody(body, options.secret);
      let lastError = '';
      for (let attempt = 0; attempt < attempts; attempt++) {
        if (attempt > 0) await sleep(base * 2 ** (attempt - 1));
        try {
          const response = await fetch(options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-attest-signature': signature, 'x-attest-alert-id': alert.id, 'user-agent': 'attest-alerts/1' },
            body,
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
          await response.arrayBuffer().catch(() => undefined);
          if (response.ok) return;
          lastError = `HTTP ${response.status}`;
        } catch (error) {
          lastError = (error as Error).message;
        }
      }
      throw new Error(`webhook ${options.url} failed after ${attempts} attempts: ${lastError}`);
    },
  };
}

/** Minimal logger shape (pino's). */
export interface AlertLogger {
  warn(obj: object, msg: string): void;
}

/** Writes each alert to the structured log at warn level. */
export function logSink(logger: AlertLogger): AlertSink {
  return {
    name: 'log',
    async send(alert) {
      logger.warn({ alert }, `attest alert ${alert.rule}: ${alert.summary}`);
    },
  };
}
