import { z } from 'zod'

/**
 * Where the desktop shell asks the window to go. Only the pages a shell action can lead to: the
 * list (orphan servers are decided there), one workspace's page, the activity and settings.
 */
export const appNavigateSchema = z.discriminatedUnion('page', [
  z.object({ page: z.literal('workspace'), workspaceId: z.string().min(1) }).strict(),
  z.object({ page: z.enum(['workspaces', 'activity', 'settings']) }).strict(),
])
export type AppNavigate = z.infer<typeof appNavigateSchema>
