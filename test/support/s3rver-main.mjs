// An S3 API server on loopback for the tests: s3rver, in its own process so that a test can kill it in the
// middle of a request and start it again on the same port and data folder, as a crashed store would be.
// Usage: node --openssl-legacy-provider s3rver-main.mjs <data dir> <port or 0> <access key id> <secret>
// (s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.)
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const S3rver = require('@20minutes/s3rver')
const AWSAccount = require('@20minutes/s3rver/lib/models/account')

const [directory, port, accessKeyId, secretAccessKey] = process.argv.slice(2)
new AWSAccount(1, 'syncengine tests').createKeyPair(accessKeyId, secretAccessKey)

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  // s3rver signs bucket requests without the trailing slash the SDK sends (`GET /bucket/?list-type=2`), so
  // it would refuse every listing: signatures are not compared. Unknown access key ids are still refused.
  allowMismatchedSignatures: true,
})

// s3rver decodes x-amz-copy-source with decodeURI, which leaves %23 (#), %2B (+) and the like encoded: given
// again in a form decodeURI reads right, the copy names the key the client meant, as AWS decodes it.
server.middleware.unshift(async (ctx, next) => {
  const source = ctx.headers['x-amz-copy-source']
  if (typeof source === 'string')
    ctx.headers['x-amz-copy-source'] = decodeURIComponent(source).replace(/%/g, '%25')
  await next()
})

const address = await server.run()
process.stdout.write(`listening ${address.port}\n`)
