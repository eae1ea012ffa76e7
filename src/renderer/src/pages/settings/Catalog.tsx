import { useState } from 'react'
import type { HetznerCatalog } from '../../../../shared/domain/hetzner'
import { architectureLabel, cpuTypeLabel, serverTypesFor } from '../../lib/catalog'
import { countryName, formatGb } from '../../lib/format'
import { formatHourly, formatMonthly } from '../../lib/money'
import { useHetzner } from '../../state/hetzner'

function Locations({ catalog }: { catalog: HetznerCatalog }) {
  const location = useHetzner((s) => s.location)
  const setLocation = useHetzner((s) => s.setLocation)
  return (
    <div className="locations" data-testid="locations">
      <h3 className="subheading" id="locations-heading">
        Locations
      </h3>
      <div className="location-grid" role="radiogroup" aria-labelledby="locations-heading">
        {catalog.locations.map((l) => (
          <label key={l.name} className="location-card" data-location={l.name}>
            <input
              type="radio"
              name="hetzner-location"
              value={l.name}
              checked={location === l.name}
              onChange={() => setLocation(l.name)}
            />
            <span className="location-city">{l.city}</span>
            <span className="location-meta">
              <span className="location-country">{countryName(l.country)}</span>
              <span className="location-name">{l.name}</span>
            </span>
          </label>
        ))}
      </div>
    </div>
  )
}

function ServerTypes({ catalog }: { catalog: HetznerCatalog }) {
  const location = useHetzner((s) => s.location)
  const [showDeprecated, setShowDeprecated] = useState(false)
  const view = serverTypesFor(catalog, location, showDeprecated)
  const city = catalog.locations.find((l) => l.name === location)?.city ?? location ?? ''
  return (
    <div className="server-types">
      <div className="subheading-row">
        <h3 className="subheading" id="server-types-heading">
          Server types in {city}
        </h3>
        {view.deprecatedCount > 0 ? (
          <label className="checkbox checkbox-small">
            <input
              type="checkbox"
              checked={showDeprecated}
              onChange={(e) => setShowDeprecated(e.target.checked)}
            />
            Show {view.deprecatedCount} deprecated
          </label>
        ) : null}
      </div>
      {view.rows.length === 0 ? (
        <p className="muted">Hetzner offers no server types in {city} right now.</p>
      ) : (
        <div className="table-wrap">
          <table
            className="table"
            aria-labelledby="server-types-heading"
            data-testid="server-types"
          >
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  vCPUs
                </th>
                <th scope="col" className="num">
                  Memory
                </th>
                <th scope="col" className="num">
                  Disk
                </th>
                <th scope="col">CPU</th>
                <th scope="col">Architecture</th>
                <th scope="col" className="num">
                  Hourly
                </th>
                <th scope="col" className="num">
                  Monthly
                </th>
              </tr>
            </thead>
            <tbody>
              {view.rows.map(({ type, price }) => (
                <tr
                  key={type.id}
                  data-server-type={type.name}
                  className={type.deprecated ? 'row-muted' : undefined}
                >
                  <th scope="row">
                    <span className="server-type-name">
                      <span className="mono">{type.name}</span>
                      {type.deprecated ? <span className="badge">Deprecated</span> : null}
                    </span>
                  </th>
                  <td className="num">{type.cores}</td>
                  <td className="num">{formatGb(type.memoryGb)}</td>
                  <td className="num">{formatGb(type.diskGb)}</td>
                  <td>{cpuTypeLabel(type.cpuType)}</td>
                  <td>{architectureLabel(type.architecture)}</td>
                  <td className="num" data-price="hourly">
                    {formatHourly(price.hourlyGross)}
                  </td>
                  <td className="num" data-price="monthly">
                    {formatMonthly(price.monthlyGross)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="footnote">
        Prices include VAT as Hetzner reports it, for servers in {city}. Hetzner bills by the hour
        up to the monthly price
        {view.unavailableCount > 0
          ? `; ${view.unavailableCount} more ${view.unavailableCount === 1 ? 'type is' : 'types are'} not offered here`
          : ''}
        .
      </p>
    </div>
  )
}

/** Where Cairn can create servers and what each size costs there. */
export function Catalog({ catalog }: { catalog: HetznerCatalog }) {
  if (catalog.locations.length === 0) {
    return <p className="muted">This Hetzner project sees no locations.</p>
  }
  return (
    <div className="catalog" data-testid="hetzner-catalog">
      <Locations catalog={catalog} />
      <ServerTypes catalog={catalog} />
    </div>
  )
}
