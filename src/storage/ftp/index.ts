export { openFtp } from './open-ftp.ts'
export type { FtpOptions } from './options.ts'
export { PASSWORD_VARIABLE } from './options.ts'
