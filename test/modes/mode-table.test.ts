import { describeModeTable } from '../support/mode-table.ts'
import { localPair, memoryPair } from '../support/sides.ts'

describeModeTable('memory storage', async () => memoryPair())
describeModeTable('local storage', localPair)
