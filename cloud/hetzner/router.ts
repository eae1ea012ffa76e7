import type { VmBackend } from '../vm/manager'
import type { Project } from './project'

export interface RequestContext {
  project: Project
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  vms: VmBackend
  /** Absolute URL of the request path (for Link headers). */
  url: string
  log: (message: string) => void
}

export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>

interface Route {
  method: string
  segments: string[]
  handler: Handler
}

/** A small path router: '/servers/:id/actions/:action' style patterns, exact segment counts. */
export class Router {
  private readonly routes: Route[] = []

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler })
    return this
  }

  match(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string> } | 'wrong-method' | undefined {
    const parts = path.split('/').filter(Boolean)
    let pathMatched = false
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue
      const params: Record<string, string> = {}
      const ok = route.segments.every((seg, i) => {
        const part = decodeURIComponent(parts[i] ?? '')
        if (seg.startsWith(':')) {
          params[seg.slice(1)] = part
          return true
        }
        return seg === part
      })
      if (!ok) continue
      pathMatched = true
      if (route.method === method) return { handler: route.handler, params }
    }
    return pathMatched ? 'wrong-method' : undefined
  }
}
