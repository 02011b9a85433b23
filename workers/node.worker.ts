// One playground node in a Web Worker: a MemberHost (an etcd member on its own IndexedDB
// database) exposed through comlink. The coordinator on the page drives it exactly as it drives an
// inline node; everything crossing postMessage is plain data.

import { expose } from 'comlink';
import { createWorkerNode } from '../src/playground/workerNode';

expose(createWorkerNode());
