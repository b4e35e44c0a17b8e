/**
 * Runs a private webhookd from $WEBHOOKD_BIN for the tests that need one of
 * their own: API keys (the harness's webhookd must stay open) and restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

const START_TIMEOUT_MS = 15_000;

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}

/** One webhookd process on a fixed port and SQLite file, which survive restarts. */
export class WebhookdServer {
  readonly address: string;
  #process: ChildProcess | undefined;
  #starts = 0;

  private constructor(
    readonly workdir: string,
    readonly port: number,
  ) {
    this.address = `127.0.0.1:${port}`;
  }

  static async create(workdir: string, config: string): Promise<WebhookdServer> {
    writeFileSync(path.join(workdir, 'config.yaml'), config);
    return new WebhookdServer(workdir, await freePort());
  }

  /** Starts webhookd and waits until it serves. */
  async start(): Promise<void> {
    const binary = process.env.WEBHOOKD_BIN;
    if (!binary) {
      throw new Error('WEBHOOKD_BIN is not set');
    }
    this.#starts += 1;
    const logPath = path.join(this.workdir, `webhookd-${this.#starts}.log`);
    const log = openSync(logPath, 'w');
    const child = spawn(
      binary,
      [
        'serve',
        '--config', path.join(this.workdir, 'config.yaml'),
        '--database-url', `sqlite://${path.join(this.workdir, 'webhookd.db')}`,
        '--grpc-addr', this.address,
        '--http-addr', '127.0.0.1:0',
        '--log-format', 'json',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.#process = child;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!readFileSync(logPath, 'utf8').includes('"webhookd listening"')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await this.stop();
        throw new Error(`webhookd did not start:\n${readFileSync(logPath, 'utf8')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops webhookd (SIGTERM, SIGKILL after 10 s) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
}
