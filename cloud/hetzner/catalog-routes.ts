import { datacenters, images, locations, serverTypes } from './catalog'
import { notFound } from './errors'
import { parseLabelSelector } from './label-selector'
import { linkHeader, paginate, sortBy } from './pagination'
import type { Reply, RequestContext, Router } from './router'

/** A paginated list answer: `{ [key]: [...], meta: { pagination } }` plus the Link header. */
export function listReply<T>(
  ctx: RequestContext,
  key: string,
  items: T[],
  render: (item: T) => unknown,
): Reply {
  const { page, pagination } = paginate(items, ctx.query)
  return {
    status: 200,
    body: { [key]: page.map(render), meta: { pagination } },
    headers: { Link: linkHeader(ctx.url, ctx.query, pagination) },
  }
}

function byId<T extends { id: number }>(
  items: readonly T[],
  raw: string | undefined,
  what: string,
): T {
  const item = /^\d+$/.test(raw ?? '') ? items.find((i) => i.id === Number(raw)) : undefined
  if (!item) throw notFound(what)
  return item
}

const nameFilter = <T extends { name: string }>(ctx: RequestContext, items: T[]) => {
  const name = ctx.query.get('name')
  return name === null ? items : items.filter((i) => i.name === name)
}

export function addCatalogRoutes(router: Router): void {
  router
    .on('GET', '/locations', (ctx) =>
      listReply(
        ctx,
        'locations',
        sortBy(nameFilter(ctx, locations), ctx.query, ['id', 'name']),
        (l) => l,
      ),
    )
    .on('GET', '/locations/:id', (ctx) => ({
      status: 200,
      body: { location: byId(locations, ctx.params.id, 'location') },
    }))
    .on('GET', '/datacenters', (ctx) => {
      const reply = listReply(
        ctx,
        'datacenters',
        sortBy(nameFilter(ctx, datacenters), ctx.query, ['id', 'name']),
        (d) => d,
      )
      // Hetzner adds the recommended datacenter to this list.
      ;(reply.body as Record<string, unknown>).recommendation = datacenters[0]?.id
      return reply
    })
    .on('GET', '/datacenters/:id', (ctx) => ({
      status: 200,
      body: { datacenter: byId(datacenters, ctx.params.id, 'datacenter') },
    }))
    .on('GET', '/server_types', (ctx) =>
      listReply(ctx, 'server_types', nameFilter(ctx, serverTypes), (s) => s),
    )
    .on('GET', '/server_types/:id', (ctx) => ({
      status: 200,
      body: { server_type: byId(serverTypes, ctx.params.id, 'server type') },
    }))
    .on('GET', '/images', (ctx) => {
      let list = nameFilter(ctx, images)
      const types = ctx.query.getAll('type')
      if (types.length > 0) list = list.filter((i) => types.includes(i.type))
      const statuses = ctx.query.getAll('status')
      if (statuses.length > 0) list = list.filter((i) => statuses.includes(i.status))
      const arch = ctx.query.get('architecture')
      if (arch !== null) list = list.filter((i) => i.architecture === arch)
      if (ctx.query.get('include_deprecated') !== 'true')
        list = list.filter((i) => i.deprecated === null)
      const selector = ctx.query.get('label_selector')
      if (selector !== null) {
        const matches = parseLabelSelector(selector)
        list = list.filter((i) => matches(i.labels))
      }
      return listReply(ctx, 'images', sortBy(list, ctx.query, ['id', 'name', 'created']), (i) => i)
    })
    .on('GET', '/images/:id', (ctx) => ({
      status: 200,
      body: { image: byId(images, ctx.params.id, 'image') },
    }))
}
