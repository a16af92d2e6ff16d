// Forms the local cluster of `npm start` with REDIS_TOPOLOGY=cluster, once: waits
// until every node answers, then runs `redis-cli --cluster create` unless the
// nodes already form a cluster (a restart finds it in each node's nodes.conf).
// Arguments: the nodes, host:port each; the first three become primaries.
const { execFileSync } = require('node:child_process');

const nodes = process.argv.slice(2);
const cli = (node, ...args) => {
  const [host, port] = node.split(':');
  return execFileSync('redis-cli', ['-h', host, '-p', port, ...args], { encoding: 'utf8', timeout: 30_000 });
};

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main() {
  const deadline = Date.now() + 60_000;
  for (const node of nodes) {
    for (;;) {
      try {
        if (cli(node, 'ping').trim() === 'PONG') break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${node} did not answer within 60 s`);
      await sleep(250);
    }
  }
  const known = Number(/cluster_known_nodes:(\d+)/.exec(cli(nodes[0], 'cluster', 'info'))?.[1] ?? 0);
  if (known > 1) {
    process.stdout.write(`local cluster already formed (${known} nodes known)\n`);
    return;
  }
  process.stdout.write(cli(nodes[0], '--cluster', 'create', ...nodes, '--cluster-replicas', '1', '--cluster-yes'));
}

main().catch((err) => {
  process.stderr.write(`could not form the local cluster: ${err.message}\n`);
  process.exit(1);
});
