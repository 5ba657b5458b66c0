/**
 * The web process of `npm run bench:api`, on its own: started by api.ts as a child process (so
 * the load generator does not share its event loop), on the config given as JSON in argv[2].
 * Tells its parent its URL over IPC, and stops on SIGTERM.
 */
import { silentLogger } from '@god/coord';
import { resolveConfig } from '@god/core';
import { startWebProcess } from '@god/web';

async function main(): Promise<void> {
  const sets = JSON.parse(process.argv[2] ?? '[]') as string[];
  const web = await startWebProcess(resolveConfig({ sets }), silentLogger);
  process.send?.({ url: web.url });
  process.once('SIGTERM', () => {
    void web.stop().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
