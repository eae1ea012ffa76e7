import type {
  WorkspaceCreateInput,
  WorkspacePreflight,
  WorkspacePreflightCheck,
} from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import {
  requireHetznerToken,
  requireMasterKey,
  requireOffers,
  requireStorage,
} from './provision-preflight'
import { findRestorePoint } from './restore-into-server'
import type { ServerOffer } from './server-offer'
import type { WorkspaceContext } from './workspace-context'

type CheckId = WorkspacePreflightCheck['id']

/** Hetzner's gross prices are long decimal strings ("0.0071400000000000"). */
function euros(gross: string | undefined, decimals: number): string {
  const value = Number(gross)
  return Number.isFinite(value) ? `€${value.toFixed(decimals)}` : 'an unknown price'
}

function messageOf(error: unknown): string {
  if (error instanceof CairnError) return error.message
  return 'The check failed for an unexpected reason. Try again; if it keeps failing, see the log.'
}

/**
 * workspaces.preflight: every check a create makes before money is spent, run one by one and
 * reported each (the create itself stops at the first failure). Nothing is bought or written.
 * Checks that need an earlier one (a price needs a valid token) say so instead of running.
 */
export async function createPreflight(
  ctx: WorkspaceContext,
  input: WorkspaceCreateInput,
): Promise<WorkspacePreflight> {
  const checks: WorkspacePreflightCheck[] = []
  async function check<T>(
    id: CheckId,
    label: string,
    run: () => Promise<T>,
    okMessage: (value: T) => string,
  ): Promise<T | null> {
    try {
      const value = await run()
      checks.push({ id, label, ok: true, message: okMessage(value) })
      return value
    } catch (error) {
      checks.push({ id, label, ok: false, message: messageOf(error) })
      return null
    }
  }
  const skip = (id: CheckId, label: string, message: string) =>
    checks.push({ id, label, ok: false, message })

  await check(
    'name',
    'Name is free',
    async () => {
      if (await ctx.registry.findByName(input.name)) {
        throw new CairnError(
          'conflict',
          `A workspace named ${input.name} already exists. Choose another name.`,
        )
      }
    },
    () => `No other workspace is called ${input.name}.`,
  )
  const token = await check(
    'token',
    'Hetzner token works',
    async () => {
      await requireHetznerToken(ctx)
      const hetzner = await ctx.hetzner()
      await hetzner.listLocations(AbortSignal.timeout(30_000))
      return true
    },
    () => 'Hetzner accepted the token.',
  )
  const storage = await check(
    'storage',
    'Storage is reachable',
    async () => {
      await requireStorage(ctx, AbortSignal.timeout(30_000))
      return true
    },
    () => 'The repository answered.',
  )
  const key = await check(
    'masterKey',
    'Master key is on this computer',
    async () => {
      await requireMasterKey(ctx)
      return true
    },
    () => 'Found in the keychain.',
  )
  let offer: ServerOffer | null = null
  if (token) {
    const offers = await check(
      'serverType',
      'Server type is offered here',
      () => requireOffers(ctx, input.serverType, [input.location, ...input.fallbackLocations]),
      (found) =>
        `${input.serverType} in ${input.location}: ${euros(found[0]?.priceHourly, 4)}/h, at most ${euros(found[0]?.priceMonthly, 2)}/month.`,
    )
    offer = offers?.[0] ?? null
  } else {
    skip('serverType', 'Server type is offered here', 'Needs a working Hetzner token first.')
  }
  let restorePoint: WorkspacePreflight['restorePoint'] = null
  const from = input.from
  if (from) {
    if (storage && key) {
      const id = await check(
        'restorePoint',
        'Restore point is readable',
        () =>
          findRestorePoint(ctx, from.workspaceId, from.restorePoint, AbortSignal.timeout(60_000)),
        (found) => `Restore point ${found.slice(0, 8)} opened and decrypted.`,
      )
      if (id) restorePoint = { workspaceId: from.workspaceId, id }
    } else {
      skip(
        'restorePoint',
        'Restore point is readable',
        'Needs the storage and the master key first.',
      )
    }
  }
  return {
    ok: checks.every((c) => c.ok),
    checks,
    offer: offer
      ? {
          location: offer.location,
          serverType: input.serverType,
          priceHourly: offer.priceHourly,
          priceMonthly: offer.priceMonthly,
        }
      : null,
    restorePoint,
  }
}
