// The harness page (harness.html): exposes the Playground API with the worker executor to browser
// tests and benchmarks, without the UI. `window.harness.createPlayground(options)` builds a
// playground whose nodes run in Web Workers when options.executor is 'worker'.

import { createPlayground, type PlaygroundOptions } from './index';
import { workerHostFactory, WorkerHost } from './workerHost';
import { IdbBackend } from '../storage/index';

const harness = {
  createPlayground: (options: PlaygroundOptions = {}) => createPlayground({ ...options, workerHostFactory: workerHostFactory() }),
  WorkerHost,
  IdbBackend,
  /** Deletes every IndexedDB database of the page (a clean slate between tests). */
  async clearDatabases(): Promise<number> {
    const dbs = await indexedDB.databases();
    await Promise.all(
      dbs.map(
        (d) =>
          new Promise<void>((resolve) => {
            const req = indexedDB.deleteDatabase(d.name!);
            req.onsuccess = req.onerror = req.onblocked = () => resolve();
          }),
      ),
    );
    return dbs.length;
  },
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}

window.harness = harness;
document.body.dataset['ready'] = 'true';
