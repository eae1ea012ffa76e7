const GIB = 1024 ** 3

/**
 * The swap file for a server: as large as its memory, at least 1 GiB and at most 8 GiB, and never
 * more than a tenth of its disk (whole GiB). Builds and coding agents have memory spikes that
 * would otherwise end in the OOM killer; more swap than that only hides a server that is too small.
 * Hetzner reports memory and disk in GB (the catalog's memory/disk); returns bytes, 0 for none.
 */
export function swapBytesFor(memoryGb: number, diskGb: number): number {
  const wanted = Math.min(8, Math.max(1, Math.round(memoryGb)))
  const diskCap = Math.floor(diskGb / 10)
  return Math.max(0, Math.min(wanted, diskCap)) * GIB
}
