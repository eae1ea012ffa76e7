// What the fake API offers: locations, datacenters, server types (with prices as Hetzner sends
// them: decimal strings, net and gross with 19% VAT) and system images. Names, sizes and prices
// follow Hetzner's public offer closely enough for a price table or a type picker to look real.

export interface Location {
  id: number
  name: string
  description: string
  country: string
  city: string
  latitude: number
  longitude: number
  network_zone: string
}

export const locations: Location[] = [
  loc(1, 'fsn1', 'Falkenstein DC Park 1', 'DE', 'Falkenstein', 50.47612, 12.370071, 'eu-central'),
  loc(2, 'nbg1', 'Nuremberg DC Park 1', 'DE', 'Nuremberg', 49.452102, 11.076665, 'eu-central'),
  loc(3, 'hel1', 'Helsinki DC Park 1', 'FI', 'Helsinki', 60.169855, 24.938379, 'eu-central'),
  loc(4, 'ash', 'Ashburn, VA', 'US', 'Ashburn, VA', 39.045821, -77.487073, 'us-east'),
  loc(5, 'hil', 'Hillsboro, OR', 'US', 'Hillsboro, OR', 45.54222, -122.951924, 'us-west'),
  loc(6, 'sin', 'Singapore', 'SG', 'Singapore', 1.283333, 103.833333, 'ap-southeast'),
]

function loc(
  id: number,
  name: string,
  description: string,
  country: string,
  city: string,
  latitude: number,
  longitude: number,
  network_zone: string,
): Location {
  return { id, name, description, country, city, latitude, longitude, network_zone }
}

export const datacenterNames: Record<string, { id: number; name: string; description: string }> = {
  fsn1: { id: 4, name: 'fsn1-dc14', description: 'Falkenstein 1 virtual DC 14' },
  nbg1: { id: 2, name: 'nbg1-dc3', description: 'Nuremberg 1 virtual DC 3' },
  hel1: { id: 3, name: 'hel1-dc2', description: 'Helsinki 1 virtual DC 2' },
  ash: { id: 5, name: 'ash-dc1', description: 'Ashburn virtual DC 1' },
  hil: { id: 6, name: 'hil-dc1', description: 'Hillsboro virtual DC 1' },
  sin: { id: 7, name: 'sin-dc1', description: 'Singapore virtual DC 1' },
}

const EU = ['fsn1', 'nbg1', 'hel1']
const ALL = ['fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin']
const TB = 1024 ** 4

/** Exact decimal arithmetic on strings, so gross = net * 1.19 never shows float noise. */
function decimal(value: string, scale: number): string {
  const [int = '0', frac = ''] = value.split('.')
  const digits = BigInt(int + frac.padEnd(scale, '0').slice(0, scale))
  const s = digits.toString().padStart(scale + 1, '0')
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`
}

function grossOf(net: string): string {
  const [int = '0', frac = ''] = net.split('.')
  const scale = 16
  const netDigits = BigInt(int + frac.padEnd(scale - 2, '0').slice(0, scale - 2))
  const gross = (netDigits * 119n).toString().padStart(scale + 1, '0')
  return `${gross.slice(0, -scale)}.${gross.slice(-scale)}`
}

function price(net: string) {
  return { net: decimal(net, 10), gross: grossOf(net) }
}

interface TypeSpec {
  id: number
  name: string
  cores: number
  memory: number
  disk: number
  cpu_type: 'shared' | 'dedicated'
  architecture: 'x86' | 'arm'
  category: string
  /** [monthly net, hourly net] per location group. */
  eu: [string, string]
  us?: [string, string]
  sg?: [string, string]
  locations: string[]
  deprecation?: { announced: string; unavailable_after: string }
}

const typeSpecs: TypeSpec[] = [
  {
    id: 1,
    name: 'cx11',
    cores: 1,
    memory: 2,
    disk: 20,
    cpu_type: 'shared',
    architecture: 'x86',
    category: 'cost_optimized',
    eu: ['3.2900', '0.0053'],
    locations: EU,
    deprecation: {
      announced: '2024-06-06T09:00:00+00:00',
      unavailable_after: '2024-09-06T00:00:00+00:00',
    },
  },
  t(
    22,
    'cpx11',
    2,
    2,
    40,
    'shared',
    'x86',
    'regular_purpose',
    ['4.3500', '0.0070'],
    ALL,
    ['4.9900', '0.0080'],
    ['6.4900', '0.0104'],
  ),
  t(
    23,
    'cpx21',
    3,
    4,
    80,
    'shared',
    'x86',
    'regular_purpose',
    ['7.5500', '0.0121'],
    ALL,
    ['8.9900', '0.0144'],
    ['10.4900', '0.0168'],
  ),
  t(
    24,
    'cpx31',
    4,
    8,
    160,
    'shared',
    'x86',
    'regular_purpose',
    ['13.6000', '0.0218'],
    ALL,
    ['16.4900', '0.0264'],
    ['19.4900', '0.0312'],
  ),
  t(
    25,
    'cpx41',
    8,
    16,
    240,
    'shared',
    'x86',
    'regular_purpose',
    ['25.2000', '0.0403'],
    ALL,
    ['30.4900', '0.0489'],
    ['36.4900', '0.0585'],
  ),
  t(45, 'cax11', 2, 4, 40, 'shared', 'arm', 'cost_optimized', ['3.7900', '0.0061'], EU),
  t(93, 'cax21', 4, 8, 80, 'shared', 'arm', 'cost_optimized', ['6.4900', '0.0104'], EU),
  t(94, 'cax31', 8, 16, 160, 'shared', 'arm', 'cost_optimized', ['12.4900', '0.0200'], EU),
  t(
    96,
    'ccx13',
    2,
    8,
    80,
    'dedicated',
    'x86',
    'general_purpose',
    ['12.4900', '0.0200'],
    ALL,
    ['14.4900', '0.0232'],
    ['14.4900', '0.0232'],
  ),
  t(
    97,
    'ccx23',
    4,
    16,
    160,
    'dedicated',
    'x86',
    'general_purpose',
    ['24.4900', '0.0392'],
    ALL,
    ['28.4900', '0.0456'],
    ['28.4900', '0.0456'],
  ),
  t(104, 'cx22', 2, 4, 40, 'shared', 'x86', 'cost_optimized', ['3.7900', '0.0060'], EU),
  t(105, 'cx32', 4, 8, 80, 'shared', 'x86', 'cost_optimized', ['6.8000', '0.0109'], EU),
  t(106, 'cx42', 8, 16, 160, 'shared', 'x86', 'cost_optimized', ['16.4000', '0.0263'], EU),
  t(107, 'cx52', 16, 32, 320, 'shared', 'x86', 'cost_optimized', ['32.4000', '0.0519'], EU),
]

function t(
  id: number,
  name: string,
  cores: number,
  memory: number,
  disk: number,
  cpu_type: 'shared' | 'dedicated',
  architecture: 'x86' | 'arm',
  category: string,
  eu: [string, string],
  locationNames: string[],
  us?: [string, string],
  sg?: [string, string],
): TypeSpec {
  return {
    id,
    name,
    cores,
    memory,
    disk,
    cpu_type,
    architecture,
    category,
    eu,
    us,
    sg,
    locations: locationNames,
  }
}

export interface ServerType {
  id: number
  name: string
  description: string
  cores: number
  memory: number
  disk: number
  deprecated: boolean
  deprecation: { announced: string; unavailable_after: string } | null
  prices: {
    location: string
    price_hourly: { net: string; gross: string }
    price_monthly: { net: string; gross: string }
    included_traffic: number
    price_per_tb_traffic: { net: string; gross: string }
  }[]
  storage_type: 'local'
  cpu_type: 'shared' | 'dedicated'
  architecture: 'x86' | 'arm'
  category: string
  included_traffic: number
}

export const serverTypes: ServerType[] = typeSpecs.map((s) => ({
  id: s.id,
  name: s.name,
  description: s.name.toUpperCase(),
  cores: s.cores,
  memory: s.memory,
  disk: s.disk,
  deprecated: s.deprecation !== undefined,
  deprecation: s.deprecation ?? null,
  prices: s.locations.map((location) => {
    const zone = locations.find((l) => l.name === location)?.network_zone ?? 'eu-central'
    const [monthly, hourly] =
      zone === 'eu-central' ? s.eu : zone === 'ap-southeast' ? (s.sg ?? s.eu) : (s.us ?? s.eu)
    const traffic = zone === 'eu-central' ? 20 * TB : zone === 'ap-southeast' ? 0.5 * TB : TB
    return {
      location,
      price_hourly: price(hourly),
      price_monthly: price(monthly),
      included_traffic: traffic,
      price_per_tb_traffic: price('1.0000'),
    }
  }),
  storage_type: 'local',
  cpu_type: s.cpu_type,
  architecture: s.architecture,
  category: s.category,
  included_traffic: 20 * TB,
}))

/** Server types offered in a location (Hetzner's datacenter `server_types.available`). */
export function typesAvailableIn(location: string): ServerType[] {
  return serverTypes.filter(
    (st) => !st.deprecated && st.prices.some((p) => p.location === location),
  )
}

export function datacenterJson(location: Location) {
  const dc = datacenterNames[location.name] ?? {
    id: 100 + location.id,
    name: `${location.name}-dc1`,
    description: location.description,
  }
  const supported = serverTypes
    .filter((st) => st.prices.some((p) => p.location === location.name))
    .map((st) => st.id)
  const available = typesAvailableIn(location.name).map((st) => st.id)
  return {
    id: dc.id,
    name: dc.name,
    description: dc.description,
    location,
    server_types: { supported, available, available_for_migration: available },
  }
}

export const datacenters = locations.map(datacenterJson)

export interface Image {
  id: number
  type: 'system'
  status: 'available'
  name: string
  description: string
  image_size: null
  disk_size: number
  created: string
  created_from: null
  bound_to: null
  os_flavor: string
  os_version: string
  rapid_deploy: boolean
  protection: { delete: boolean }
  deprecated: string | null
  deleted: null
  labels: Record<string, string>
  architecture: 'x86' | 'arm'
}

function image(
  id: number,
  name: string,
  description: string,
  os_flavor: string,
  os_version: string,
  architecture: 'x86' | 'arm',
  created: string,
  deprecated: string | null = null,
): Image {
  return {
    id,
    type: 'system',
    status: 'available',
    name,
    description,
    image_size: null,
    disk_size: 5,
    created,
    created_from: null,
    bound_to: null,
    os_flavor,
    os_version,
    rapid_deploy: true,
    protection: { delete: false },
    deprecated,
    deleted: null,
    labels: {},
    architecture,
  }
}

export const images: Image[] = [
  image(
    45557056,
    'ubuntu-20.04',
    'Ubuntu 20.04',
    'ubuntu',
    '20.04',
    'x86',
    '2021-07-22T09:37:50+00:00',
    '2025-06-01T00:00:00+00:00',
  ),
  image(
    67794396,
    'ubuntu-22.04',
    'Ubuntu 22.04',
    'ubuntu',
    '22.04',
    'x86',
    '2022-04-21T13:32:38+00:00',
  ),
  image(
    103908130,
    'ubuntu-22.04',
    'Ubuntu 22.04',
    'ubuntu',
    '22.04',
    'arm',
    '2023-02-08T15:17:56+00:00',
  ),
  image(
    161547269,
    'ubuntu-24.04',
    'Ubuntu 24.04',
    'ubuntu',
    '24.04',
    'x86',
    '2024-04-25T13:27:30+00:00',
  ),
  image(
    161547270,
    'ubuntu-24.04',
    'Ubuntu 24.04',
    'ubuntu',
    '24.04',
    'arm',
    '2024-04-25T13:27:31+00:00',
  ),
  image(114690387, 'debian-12', 'Debian 12', 'debian', '12', 'x86', '2023-06-13T06:00:02+00:00'),
  image(114690389, 'debian-12', 'Debian 12', 'debian', '12', 'arm', '2023-06-13T06:00:03+00:00'),
  image(76766499, 'rocky-9', 'Rocky Linux 9', 'rocky', '9', 'x86', '2022-07-15T11:38:13+00:00'),
]

/** Finds by numeric id or by name (numbers may arrive as strings too). */
export function byIdOrName<T extends { id: number; name: string }>(
  items: readonly T[],
  idOrName: unknown,
): T | undefined {
  if (typeof idOrName === 'number') return items.find((i) => i.id === idOrName)
  if (typeof idOrName !== 'string') return undefined
  if (/^\d+$/.test(idOrName)) return items.find((i) => i.id === Number(idOrName))
  return items.find((i) => i.name === idOrName)
}
