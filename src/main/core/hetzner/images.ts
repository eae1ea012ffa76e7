import { CairnError } from '../../../shared/errors'
import { apiImageSchema } from './api-schemas'
import type { HetznerClient } from './hetzner-client'

export interface HetznerImage {
  id: number
  name: string
  description: string
  architecture: string
}

/** Cairn's default image: the current Ubuntu LTS. */
export const DEFAULT_IMAGE = 'ubuntu-24.04'

export class HetznerImages {
  constructor(private readonly client: HetznerClient) {}

  /**
   * The image called `name` (e.g. `ubuntu-24.04`) for a server type's architecture (`x86`, `arm`).
   * Hetzner has one image per name and architecture; a create with the name alone would pick the
   * x86 one, so Cairn creates servers with the id this returns.
   */
  async resolve(name: string, architecture: string, signal?: AbortSignal): Promise<HetznerImage> {
    const images = await this.client.listAll('/images', 'images', apiImageSchema, {
      query: { name, architecture },
      signal,
    })
    const image = images.find(
      (i) => i.name === name && i.architecture === architecture && i.status === 'available',
    )
    if (!image || image.name === null) {
      throw new CairnError(
        'not_found',
        `Hetzner has no image "${name}" for ${architecture} servers. Choose another image or server type.`,
        { image: name, architecture },
      )
    }
    return {
      id: image.id,
      name: image.name,
      description: image.description,
      architecture: image.architecture,
    }
  }
}
