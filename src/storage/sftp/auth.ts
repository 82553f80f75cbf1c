import { readFile } from 'node:fs/promises'
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, ParsedKey } from 'ssh2'
import ssh2 from 'ssh2'

/**
 * How to prove who we are, in OpenSSH's order: the agent's keys, then each identity file, then a password
 * (keyboard-interactive or password). Keys are read only when their turn comes; an encrypted key takes its
 * passphrase from the environment or a prompt, and is skipped without one. Secrets stay in this closure:
 * `tried` names methods and files, never what was in them.
 */
export interface Credentials {
  readonly user: string
  /** The agent's socket, or undefined for none. */
  readonly agent: string | undefined
  readonly identityFiles: ReadonlyArray<string>
  readonly password: () => Promise<string | undefined>
  readonly passphrase: (file: string) => Promise<string | undefined>
}

export interface Authenticator {
  readonly handler: AuthHandlerMiddleware
  /** What was tried, for the message when nothing worked (`agent`, `~/.ssh/id_ed25519`, `password`). */
  readonly tried: () => ReadonlyArray<string>
}

type Step = () => Promise<AnyAuthMethod | undefined>

const encrypted = (error: Error): boolean => /encrypted|passphrase/i.test(error.message)

const loadKey = async (
  file: string,
  passphrase: (file: string) => Promise<string | undefined>,
  note: (what: string) => void,
): Promise<ParsedKey | undefined> => {
  let data: Buffer
  try {
    data = await readFile(file)
  } catch {
    return undefined
  }
  const plain = ssh2.utils.parseKey(data)
  if (!(plain instanceof Error)) return plain
  if (!encrypted(plain)) {
    note(`${file} (unreadable key)`)
    return undefined
  }
  const secret = await passphrase(file)
  if (secret === undefined) {
    note(`${file} (encrypted, no passphrase given)`)
    return undefined
  }
  const opened = ssh2.utils.parseKey(data, secret)
  if (opened instanceof Error) {
    note(`${file} (wrong passphrase)`)
    return undefined
  }
  return opened
}

export const authenticator = (credentials: Credentials): Authenticator => {
  const tried: string[] = []
  const { user } = credentials
  const steps: Array<{ readonly method: AuthenticationType; readonly run: Step }> = []
  if (credentials.agent !== undefined) {
    const agent = credentials.agent
    steps.push({
      method: 'publickey',
      run: async () => {
        tried.push('agent')
        return { type: 'agent', username: user, agent }
      },
    })
  }
  for (const file of credentials.identityFiles)
    steps.push({
      method: 'publickey',
      run: async () => {
        const key = await loadKey(file, credentials.passphrase, (what) => tried.push(what))
        if (key === undefined) return undefined
        tried.push(file)
        return { type: 'publickey', username: user, key }
      },
    })
  // Asked for once, then offered both ways: servers take passwords by one method or the other.
  let password: Promise<string | undefined> | undefined
  const askPassword = (): Promise<string | undefined> => {
    password ??= credentials.password()
    return password
  }
  steps.push({
    method: 'keyboard-interactive',
    run: async () => {
      const secret = await askPassword()
      if (secret === undefined) return undefined
      tried.push('keyboard-interactive')
      return {
        type: 'keyboard-interactive',
        username: user,
        prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => secret)),
      }
    },
  })
  steps.push({
    method: 'password',
    run: async () => {
      const secret = await askPassword()
      if (secret === undefined) return undefined
      tried.push('password')
      return { type: 'password', username: user, password: secret }
    },
  })

  let next = 0
  const handler: AuthHandlerMiddleware = (methodsLeft, _partial, callback) => {
    const done = callback as (method: AnyAuthMethod | false) => void
    const advance = async (): Promise<AnyAuthMethod | false> => {
      while (next < steps.length) {
        const step = steps[next++]
        // The first call has no list: the server has not said what it takes yet.
        if (step === undefined || (methodsLeft !== null && !methodsLeft.includes(step.method))) continue
        const method = await step.run()
        if (method !== undefined) return method
      }
      return false
    }
    advance().then(done, () => done(false))
  }
  return { handler, tried: () => tried }
}
