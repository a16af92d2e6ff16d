// Enqueues one sum job and waits for its result: FLOODGATE_URL and FLOODGATE_API_KEY say where and as whom.
const { FloodgateClient } = require('@floodgate/client');

async function main() {
  const client = new FloodgateClient({ baseUrl: process.env.FLOODGATE_URL ?? 'http://127.0.0.1:3000', apiKey: process.env.FLOODGATE_API_KEY });
  const job = await client.enqueueAndWait('sum', { numbers: [1, 2, 3, 4] }, { waitSeconds: 10 });
  console.log(JSON.stringify({ id: job.id, state: job.state, result: job.result }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
