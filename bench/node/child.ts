// One Node benchmark metric per process, so that each starts with a clean heap and JIT state:
// `node --expose-gc --import tsx bench/node/child.ts <metric>` prints the metric's results.json
// entry as the last line of stdout, prefixed with RESULT.

import { NODE_METRICS } from './metrics';

const name = process.argv[2] ?? '';
const run = NODE_METRICS[name];
if (run === undefined) {
  console.error(`unknown node metric "${name}"; known: ${Object.keys(NODE_METRICS).join(', ')}`);
  process.exit(2);
}
const result = await run();
console.log(`RESULT ${JSON.stringify(result)}`);
// Clients abandoned in flight may keep promises pending; nothing else needs to finish.
process.exit(0);
