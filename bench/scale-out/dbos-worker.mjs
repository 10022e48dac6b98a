// One DBOS process of the scale-out bench: the same four 5 ms steps as Keel's `steps` flow, as a
// workflow dequeued from one DBOS queue shared by every process on the same system database.
//
//   node bench/scale-out/dbos-worker.mjs <system database URL> <worker concurrency>
import { DBOS } from '@dbos-inc/dbos-sdk';

const [url, concurrency] = process.argv.slice(2);

DBOS.registerWorkflow(
  async (workMs) => {
    for (let step = 1; step <= 4; step++) {
      await DBOS.runStep(
        async () => {
          await new Promise((resolve) => setTimeout(resolve, workMs));
          return { step, note: 'x'.repeat(200) };
        },
        { name: 'step' },
      );
    }
    return 'done';
  },
  { name: 'bench-scale-steps' },
);

DBOS.setConfig({ name: 'keel-bench-scale', systemDatabaseUrl: url, logLevel: 'error' });
await DBOS.launch();
// DBOS's dispatcher polls the queue; its default interval is 1 s. 10 ms gives it its best here.
await DBOS.registerQueue('bench-scale', { workerConcurrency: Number(concurrency), minPollingIntervalMs: 10, onConflict: 'always_update' });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void DBOS.shutdown().finally(() => process.exit(0)));
