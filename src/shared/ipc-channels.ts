/**
 * IPC channel names used by the preload and the Electron shell. In a file of their own, free of
 * zod and the contract, so the sandboxed preload (which can require nothing but 'electron')
 * bundles to a few lines.
 */
export const IPC_CALL_CHANNEL = 'cairn:call'
export const IPC_EVENT_CHANNEL = 'cairn:event'
