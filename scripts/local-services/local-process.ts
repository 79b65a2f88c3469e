import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A process `npm start` runs and stops: an app, or a Postgres or Redis of its own. */
export class LocalProcess {
  private readonly exit: Promise<number>;
  private readonly lines: string[] = [];
  private readonly lineListeners = new Set<(line: string) => void>();

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    onLine: (line: string) => void,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        this.lines.push(line);
        onLine(line);
        for (const listener of this.lineListeners) listener(line);
      });
    }
  }

  /**
   * Starts `command` in a process group of its own, so that a Ctrl-C in the terminal reaches
   * `npm start` alone, which then stops the apps before the Postgres and Redis they use.
   * Every line it prints goes to `onLine`.
   */
  static start(name: string, command: string[], options: { env: NodeJS.ProcessEnv; onLine: (line: string) => void; ipc?: boolean }): LocalProcess {
    const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...(options.ipc ? ['ipc' as const] : [])];
    return new LocalProcess(name, spawn(command[0]!, command.slice(1), { env: options.env, detached: true, stdio }), options.onLine);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process printed so far, for an error message. */
  output(): string {
    return this.lines.join('\n');
  }

  /** Resolves true at the first line that `matches`, false if the process exits before one. */
  printed(matches: (line: string) => boolean): Promise<boolean> {
    if (this.lines.some(matches)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const listener = (line: string) => {
        if (!matches(line)) return;
        this.lineListeners.delete(listener);
        resolve(true);
      };
      this.lineListeners.add(listener);
      void this.exit.then(() => resolve(false));
    });
  }

  /** Resolves with the exit code once the process has exited (1 when a signal ended it). */
  exited(): Promise<number> {
    return this.exit;
  }

  /** SIGTERM, then waits for the exit: each process finishes its own work first (see the README). */
  async stop(): Promise<number> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exit;
  }
}

/** Prints a process's lines prefixed with its name: what `npm start` shows. */
export function printedAs(name: string): (line: string) => void {
  return (line) => console.log(`[${name}] ${readable(line)}`);
}

const PINO_LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * The apps log JSON for log collectors; in a terminal a line reads better as its level, its context
 * and its message, then whatever else it carries.
 */
function readable(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { level, time: _time, pid: _pid, hostname: _hostname, context, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `${(PINO_LEVELS[level as number] ?? String(level)).padEnd(5)} ${context ? `${String(context)}: ` : ''}${String(msg)}${extra}`;
  } catch {
    return line;
  }
}
