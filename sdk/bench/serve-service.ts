// The storage service under load, in its own process (started by bench/serve.ts): serveStore over the
// embedded store in argv[2], on a free loopback port. Prints `{ url }` once listening, then serves
// until killed. Idle connections (readers that stopped reading) are closed after 5 s.
import { serveStore } from '../src/node/serve-store/index.ts'
import { embeddedStore } from '../src/storage/node/embedded.ts'

const dir = process.argv[2]
if (!dir) throw new Error('usage: node bench/serve-service.ts <store dir>')
const service = await serveStore(embeddedStore({ dir }), {
  auth: { domain: 'bench.example', chainId: 31337, signInsPerMinute: 10_000 },
  quota: { bytesPerAddress: 1024 ** 4, requestsPerMinute: 100_000 },
  limits: { idleTimeout: 5000 },
})
console.log(JSON.stringify({ url: service.url }))
