import { useEffect, useId, useMemo, useRef, useState } from 'react'
import type { RestorePoint } from '../../../../shared/domain/backup'
import { formatBytes, formatDateTime } from '../../lib/format'
import { plural } from './restore-point-format'

const HEIGHT = 150
const PAD = { top: 12, right: 16, bottom: 26, left: 64 }
/** More points than pixels add nothing to a line: keep about one per two pixels. */
const maxSamples = (width: number) => Math.max(2, Math.floor(width / 2))

interface Sample {
  t: number
  stored: number
  size: number
}

function samples(points: RestorePoint[]): Sample[] {
  let stored = 0
  const all = points.map((p) => {
    stored += p.uploadedBytes
    return { t: Date.parse(p.time), stored, size: p.size }
  })
  return all.filter((s) => Number.isFinite(s.t))
}

function thin(all: Sample[], limit: number): Sample[] {
  if (all.length <= limit) return all
  const step = all.length / limit
  const out: Sample[] = []
  for (let i = 0; i < limit; i++) out.push(all[Math.floor(i * step)]!)
  out.push(all[all.length - 1]!)
  return out
}

/** A round axis maximum in the units formatBytes shows (1, 2, 4 or 5 times 10^n KiB, MiB...). */
function niceMax(value: number): number {
  if (value <= 0) return 1024
  let unit = 1
  while (value / unit >= 1024) unit *= 1024
  const v = value / unit
  const base = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 4, 5, 10]) if (m * base >= v) return m * base * unit
  return 10 * base * unit
}

const dateOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' })
const timeOnly = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

/** Axis labels as fine as the span needs: seconds within an hour, dates beyond two days. */
function tickLabel(t: number, span: number): string {
  if (span < 3_600_000) return timeOnly.format(new Date(t))
  if (span < 2 * 86_400_000) return formatDateTime(new Date(t).toISOString())
  return dateOnly.format(new Date(t))
}

/**
 * Storage over time: what the restore points have uploaded so far (cumulative, compressed and
 * encrypted: roughly what the storage holds before any forget and prune), with the workspace's
 * size at each point as a line for comparison.
 */
export function StorageChart({ points }: { points: RestorePoint[] }) {
  const box = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState(720)
  const id = useId()
  useEffect(() => {
    const el = box.current
    if (!el) return
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(240, Math.floor(entry.contentRect.width)))
    })
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  const all = useMemo(() => samples(points), [points])
  const data = useMemo(() => thin(all, maxSamples(width)), [all, width])
  const first = all[0]
  const last = all[all.length - 1]
  if (!first || !last) return null

  const innerW = width - PAD.left - PAD.right
  const innerH = HEIGHT - PAD.top - PAD.bottom
  const peak = Math.max(...data.map((s) => Math.max(s.stored, s.size)))
  const yMax = niceMax(peak)
  const t0 = first.t
  const span = last.t - first.t
  const x = (t: number) => PAD.left + (span > 0 ? ((t - t0) / span) * innerW : innerW / 2)
  const y = (v: number) => PAD.top + innerH - (v / yMax) * innerH
  const line = (pick: (s: Sample) => number) =>
    data
      .map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.t).toFixed(1)},${y(pick(s)).toFixed(1)}`)
      .join('')
  // Storage only grows between restore points: a step line says that honestly.
  const steps = data
    .map((s, i) => {
      const prev = data[i - 1]
      const px = x(s.t).toFixed(1)
      return i === 0
        ? `M${px},${y(s.stored).toFixed(1)}`
        : `L${px},${y(prev!.stored).toFixed(1)}L${px},${y(s.stored).toFixed(1)}`
    })
    .join('')
  const baseline = y(0).toFixed(1)
  const area =
    data.length === 1
      ? ''
      : `${steps}L${x(last.t).toFixed(1)},${baseline}L${x(first.t).toFixed(1)},${baseline}Z`
  const yTicks = [0, yMax / 2, yMax]
  const xTicks = span > 0 ? [first.t, first.t + span / 2, last.t] : [first.t]
  const description =
    `${plural(points.length, 'restore point')} from ${formatDateTime(new Date(first.t).toISOString())} ` +
    `to ${formatDateTime(new Date(last.t).toISOString())}. Uploaded in total: ${formatBytes(last.stored)}; ` +
    `the workspace's size went from ${formatBytes(first.size)} to ${formatBytes(last.size)}.`

  return (
    <figure className="wd-chart" data-testid="storage-chart">
      <div ref={box} className="wd-chart-box">
        <svg
          width={width}
          height={HEIGHT}
          viewBox={`0 0 ${width} ${HEIGHT}`}
          role="img"
          aria-labelledby={`${id}-title`}
          aria-describedby={`${id}-desc`}
        >
          <title id={`${id}-title`}>Storage over time</title>
          <desc id={`${id}-desc`}>{description}</desc>
          {yTicks.map((v) => (
            <g key={`y${v}`} className="wd-chart-grid">
              <line x1={PAD.left} x2={width - PAD.right} y1={y(v)} y2={y(v)} />
              <text x={PAD.left - 8} y={y(v)} dy="0.32em" textAnchor="end">
                {v === 0 ? '0' : formatBytes(v)}
              </text>
            </g>
          ))}
          {xTicks.map((t, i) => (
            <text
              key={`x${t}`}
              className="wd-chart-axis"
              x={x(t)}
              y={HEIGHT - 6}
              textAnchor={
                xTicks.length === 1 ? 'middle' : i === 0 ? 'start' : i === 2 ? 'end' : 'middle'
              }
            >
              {tickLabel(t, span)}
            </text>
          ))}
          {area ? <path className="wd-chart-area" d={area} /> : null}
          <path className="wd-chart-stored" d={steps} />
          <path className="wd-chart-size" d={line((s) => s.size)} />
          {data.length <= 60
            ? data.map((s) => (
                <circle
                  key={`p${s.t}-${s.stored}`}
                  className="wd-chart-point"
                  cx={x(s.t)}
                  cy={y(s.stored)}
                  r={3}
                />
              ))
            : null}
        </svg>
      </div>
      <figcaption className="wd-chart-legend">
        <span>
          <span className="wd-legend-swatch wd-legend-stored" aria-hidden="true" />
          Uploaded so far ({formatBytes(last.stored)})
        </span>
        <span>
          <span className="wd-legend-swatch wd-legend-size" aria-hidden="true" />
          Workspace size ({formatBytes(last.size)})
        </span>
      </figcaption>
    </figure>
  )
}
