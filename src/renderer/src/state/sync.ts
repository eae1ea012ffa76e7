import { startNotificationFeed } from '../notifications/feed'
import { getApi } from './api'
import { useAppInfo } from './app-info'
import { startClock } from './clock'
import { followConnection } from './connection'
import { useHetzner } from './hetzner'
import { useIdle } from './idle'
import { useJobs } from './jobs'
import { useKeychain } from './keychain'
import { followNavigate } from './navigation'
import { useRestorePoints } from './restore-points'
import { useSettings } from './settings'
import { useWorkspaces } from './workspaces'

/** Everything the app shows on start; also run again after a reconnect, to catch up. */
export function loadAll(): void {
  void useAppInfo.getState().load()
  void useSettings.getState().load()
  void useKeychain.getState().load()
  void useJobs.getState().load()
  void useWorkspaces.getState().load()
  void useIdle.getState().load()
  // Restore points are loaded per workspace when its page opens; catch up on the ones loaded.
  for (const id of Object.keys(useRestorePoints.getState().byWorkspace))
    void useRestorePoints.getState().load(id)
}

/**
 * Connects the stores to the core once: initial loads, then events keep them current. Screens
 * never poll; they read the stores.
 */
export function startSync(): () => void {
  const api = getApi()
  const stops = [
    followConnection(loadAll),
    api.on('job.updated', (job) => useJobs.getState().upsert(job)),
    api.on('workspaces.changed', (change) => useWorkspaces.getState().applyChange(change)),
    api.on('workspaces.reconciled', (list) => useWorkspaces.getState().applyList(list)),
    api.on('idle.state', (state) => useIdle.getState().apply(state)),
    api.on('restorePoints.changed', (change) => useRestorePoints.getState().applyChanged(change)),
    api.on('restorePoints.removed', (change) => useRestorePoints.getState().applyRemoved(change)),
    api.on('restorePoints.pinsChanged', ({ workspaceId }) =>
      useRestorePoints.getState().reloadPins(workspaceId),
    ),
    api.on('app.navigate', followNavigate),
    startClock(),
    startNotificationFeed(api),
    api.on('settings.changed', (settings) => {
      const before = useSettings.getState().settings
      useSettings.getState().apply(settings)
      // A token or storage added or removed changes what the workspace list can show.
      if (
        before?.hasHetznerToken !== settings.hasHetznerToken ||
        JSON.stringify(before?.storage) !== JSON.stringify(settings.storage)
      )
        void useWorkspaces.getState().load()
      if (before?.hasHetznerToken && !settings.hasHetznerToken) useHetzner.getState().forget()
      else if (
        settings.hasHetznerToken &&
        before?.hetznerApiBase !== settings.hetznerApiBase &&
        useHetzner.getState().catalog.status !== 'idle'
      ) {
        void useHetzner.getState().loadCatalog()
      }
    }),
  ]
  loadAll()
  return () => {
    for (const stop of stops) stop()
  }
}
