import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { defaultProvider } from '@aws-sdk/credential-provider-node'
import type { S3Settings } from './options.ts'

type Credentials = NonNullable<S3ClientConfig['credentials']>
type CredentialProvider = Extract<Credentials, (...args: never[]) => unknown>

/**
 * The secrets the client signed with, as they were found: kept only to strike them from messages, since a
 * store's error text or a provider's complaint could echo one.
 */
export interface Secrets {
  readonly known: () => ReadonlyArray<string>
}

export interface Connection {
  readonly client: S3Client
  readonly secrets: Secrets
}

/**
 * A client for one side. Requests time out and are retried with exponential backoff and full jitter on
 * 5xx, throttling and dropped connections (the SDK's standard strategy); sockets are bounded so that
 * `--transfers` bounds connections. Checksums are computed only where an operation requires them: many
 * S3-compatible stores refuse the trailing checksums the SDK would otherwise add to every upload.
 */
const ignore = (): void => undefined
const silent = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore }

export const connect = (settings: S3Settings, provider?: CredentialProvider): Connection => {
  const found = new Set<string>()
  const chain: CredentialProvider =
    provider ??
    defaultProvider({
      logger: silent,
      ...(settings.profile === undefined ? {} : { profile: settings.profile }),
    })
  const credentials: CredentialProvider = async (...args) => {
    const identity = await chain(...args)
    for (const secret of [identity.accessKeyId, identity.secretAccessKey, identity.sessionToken])
      if (secret !== undefined && secret.length >= 4) found.add(secret)
    return identity
  }
  const client = new S3Client({
    // The SDK would print some warnings with console.warn; a library never writes to the console.
    logger: silent,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    // Stores other than AWS mostly ignore the region, but the SDK needs one to sign.
    ...(settings.region !== undefined
      ? { region: settings.region }
      : settings.endpoint !== undefined
        ? { region: 'us-east-1' }
        : {}),
    forcePathStyle: settings.forcePathStyle,
    credentials,
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: settings.connectTimeoutMs,
      socketTimeout: settings.idleTimeoutMs,
      httpAgent: { keepAlive: true, maxSockets: settings.maxSockets, noDelay: true },
      httpsAgent: { keepAlive: true, maxSockets: settings.maxSockets, noDelay: true },
    },
  })
  return { client, secrets: { known: () => [...found] } }
}
