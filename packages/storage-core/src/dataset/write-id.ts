import { randomBytes } from 'node:crypto'

/**
 * Write ids are ULIDs: 26 Crockford base-32 characters, the first 10 a millisecond timestamp, so
 * they sort by time as text. Within one process they are strictly increasing, even in the same ms.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
export const WRITE_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/

let lastTime = -1
let lastRandom: number[] = []

function encodeTime(time: number): string {
  let out = ''
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[time % 32]! + out
    time = Math.floor(time / 32)
  }
  return out
}

export function newWriteId(now: number = Date.now()): string {
  if (now <= lastTime) {
    // Same (or earlier, if the clock stepped back) millisecond: increment the random part.
    now = lastTime
    let i = lastRandom.length - 1
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0
    if (i < 0) throw new Error('write id space exhausted within one millisecond')
    lastRandom[i]! += 1
  } else {
    lastTime = now
    lastRandom = Array.from(randomBytes(16), (b) => b % 32)
  }
  return encodeTime(now) + lastRandom.map((d) => ALPHABET[d]).join('')
}

/** Milliseconds since the epoch at which a write id was made. */
export function writeIdTime(id: string): number {
  let time = 0
  for (const char of id.slice(0, 10)) time = time * 32 + ALPHABET.indexOf(char)
  return time
}
