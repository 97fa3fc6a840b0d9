import type { Sink } from './sink.js'

/** Definition levels (bit width 1) as the RLE / bit-packed hybrid: one run, or packed bits. */
export function writeLevels(out: Sink, defined: Uint8Array, from: number, to: number, nulls: number): void {
  const count = to - from
  if (nulls === 0 || nulls === count) {
    out.varint(count * 2)
    out.byte(nulls === 0 ? 1 : 0)
    return
  }
  const groups = Math.ceil(count / 8)
  out.varint(groups * 2 + 1)
  out.reserve(groups)
  const bytes = out.bytes
  let at = out.length
  for (let i = from; i < to; i += 8) {
    let byte = 0
    for (let bit = 0; bit < 8 && i + bit < to; bit++) byte |= defined[i + bit]! << bit
    bytes[at++] = byte
  }
  out.length = at
}

/** Dictionary indexes as the RLE / bit-packed hybrid: runs of 8 or more as runs, the rest packed. */
export function writeHybrid(out: Sink, values: Int32Array, bitWidth: number): void {
  const n = values.length
  const valueBytes = (bitWidth + 7) >> 3
  let pendingStart = 0
  let pendingGroups = 0
  let i = 0
  while (i < n) {
    const value = values[i]!
    let run = 1
    while (i + run < n && values[i + run] === value) run++
    if (run >= 8) {
      if (pendingGroups > 0) writePacked(out, values, pendingStart, pendingGroups, bitWidth)
      pendingGroups = 0
      out.varint(run * 2)
      out.reserve(valueBytes)
      for (let b = 0; b < valueBytes; b++) out.bytes[out.length++] = (value >>> (8 * b)) & 0xff
      i += run
    } else {
      if (pendingGroups === 0) pendingStart = i
      pendingGroups++
      i += 8
    }
  }
  if (pendingGroups > 0) writePacked(out, values, pendingStart, pendingGroups, bitWidth)
}

/** `groups` groups of 8 values from `start`, bit-packed (past the end, zeros). */
function writePacked(out: Sink, values: Int32Array, start: number, groups: number, bitWidth: number): void {
  out.varint(groups * 2 + 1)
  out.reserve(groups * bitWidth)
  const bytes = out.bytes
  let at = out.length
  let buffer = 0
  let bits = 0
  const end = start + groups * 8
  for (let i = start; i < end; i++) {
    buffer |= (i < values.length ? values[i]! : 0) << bits
    bits += bitWidth
    while (bits >= 8) {
      bytes[at++] = buffer & 0xff
      buffer >>>= 8
      bits -= 8
    }
  }
  out.length = at
}
