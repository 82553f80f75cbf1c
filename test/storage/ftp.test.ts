import { describeFtpConformance } from '../support/ftp-conformance.ts'

describeFtpConformance([
  { name: 'ftp (MLSD)', flavour: 'ftp' },
  { name: 'ftp (LIST)', flavour: 'ftp', options: { listing: 'list' } },
])
