import { describeFtpConformance } from '../support/ftp-conformance.ts'

describeFtpConformance([
  { name: 'ftp with AUTH TLS', flavour: 'ftp+tls' },
  { name: 'ftps (implicit TLS)', flavour: 'ftps' },
])
