import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'

/**
 * An S3 API server on loopback, started by the tests themselves: s3rver (an npm devDependency) in a child
 * process, on a free port and a temporary data folder. `kill` stops it dead, mid-request if need be, and
 * `restart` brings it back on the same port and data, as a store that dropped its connections would be.
 */
export interface S3TestServer {
  readonly endpoint: string
  readonly credentials: {
    readonly accessKeyId: string
    readonly secretAccessKey: string
    readonly sessionToken: string
  }
  /** A raw client, for the edits a person makes with another tool. */
  readonly client: S3Client
  readonly bucket: (name?: string) => Promise<string>
  readonly kill: () => Promise<void>
  readonly restart: () => Promise<void>
  readonly stop: () => Promise<void>
}

const here = dirname(fileURLToPath(import.meta.url))

/** Whether s3rver is installed; in CI a missing server fails the tests instead of skipping them. */
export const s3ServerAvailable = (): boolean => {
  try {
    createRequire(import.meta.url).resolve('@20minutes/s3rver')
    return true
  } catch {
    if (process.env.CI !== undefined && process.env.CI !== '')
      throw new Error('the S3 test server (@20minutes/s3rver) is not installed: run npm ci')
    return false
  }
}

const launch = (dir: string, port: number, keys: S3TestServer['credentials']) =>
  new Promise<{ readonly child: ChildProcess; readonly port: number }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--openssl-legacy-provider',
        join(here, 's3rver-main.mjs'),
        dir,
        String(port),
        keys.accessKeyId,
        keys.secretAccessKey,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    let err = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const found = /listening (\d+)/.exec(out)
      if (found?.[1] !== undefined) resolve({ child, port: Number(found[1]) })
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    child.on('exit', (code) => reject(new Error(`the S3 test server exited (${code}): ${err}`)))
    child.on('error', reject)
  })

const stopped = (child: ChildProcess, signal: NodeJS.Signals): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
  })

export const startS3Server = async (): Promise<S3TestServer> => {
  // In memory where the machine has it: the server writes three files per object.
  const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'syncengine-s3-'))
  // Shaped like real AWS credentials, so a leak of any of them into a message or a file is found.
  const credentials = {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `FwoGZXIvYXdzE${randomBytes(24).toString('base64')}`,
  }
  let running = await launch(dir, 0, credentials)
  const port = running.port
  const endpoint = `http://127.0.0.1:${port}`
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Its warning about empty bodies (folder markers) would only clutter the test output.
    logger: { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  })
  let buckets = 0
  return {
    endpoint,
    credentials,
    client,
    bucket: async (name) => {
      const bucket = name ?? `bucket-${++buckets}-${randomBytes(3).toString('hex')}`
      await client.send(new CreateBucketCommand({ Bucket: bucket }))
      return bucket
    },
    kill: () => stopped(running.child, 'SIGKILL'),
    restart: async () => {
      await stopped(running.child, 'SIGKILL')
      running = await launch(dir, port, credentials)
    },
    stop: async () => {
      client.destroy()
      await stopped(running.child, 'SIGTERM')
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * The AWS SDK's default chain finds credentials in the environment first: the tests give them there, as
 * a user would, and never to the storage itself.
 */
export const credentialsInEnvironment = (credentials: S3TestServer['credentials']): void => {
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey
  process.env.AWS_SESSION_TOKEN = credentials.sessionToken
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
}
