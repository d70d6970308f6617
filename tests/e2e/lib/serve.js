// Starts the target node the same way the tests do (lib/node.js) and keeps it up until SIGTERM/SIGINT.
// Prints one line `URL <http-url> <ws-url>` once the node answers; used by tests/run-e2e.sh for Hardhat.
import { startNode } from './node.js';

const node = await startNode();
console.log(`URL ${node.url} ${node.wsUrl}`);
const stop = async () => {
  await node.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {
  if (node.proc && node.proc.exitCode !== null) {
    console.error(`node exited (${node.proc.exitCode}):\n${node.logTail()}`);
    process.exit(1);
  }
}, 1000);
