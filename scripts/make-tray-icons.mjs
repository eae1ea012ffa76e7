// Writes the tray icons (resources/tray/*.png): a cairn of three stones, one colour per state, at
// 16 px and 32 px (@2x). Plain zlib, no image library: `node scripts/make-tray-icons.mjs`.
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const colours = {
  idle: [110, 118, 129],
  working: [37, 99, 235],
  problem: [220, 38, 38],
}

// Stones as ellipses in a 16x16 box: centre x, centre y, radius x, radius y.
const stones = [
  [8, 12.6, 6.6, 2.6],
  [8, 7.9, 4.8, 2.2],
  [8, 3.6, 3, 1.9],
]

function coverage(x, y, scale) {
  // 4x4 samples per pixel for smooth edges.
  let hits = 0
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const px = (x + (i + 0.5) / 4) / scale
      const py = (y + (j + 0.5) / 4) / scale
      if (stones.some(([cx, cy, rx, ry]) => ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 <= 1))
        hits++
    }
  }
  return hits / 16
}

function png(size, [r, g, b]) {
  const scale = size / 16
  const rows = []
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4)
    for (let x = 0; x < size; x++) {
      const alpha = Math.round(coverage(x, y, scale) * 255)
      row.set([r, g, b, alpha], 1 + x * 4)
    }
    rows.push(row)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

function crc32(buffer) {
  let crc = 0xffffffff
  for (const byte of buffer) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

const dir = new URL('../resources/tray/', import.meta.url)
for (const [name, colour] of Object.entries(colours)) {
  writeFileSync(new URL(`${name}.png`, dir), png(16, colour))
  writeFileSync(new URL(`${name}@2x.png`, dir), png(32, colour))
}
