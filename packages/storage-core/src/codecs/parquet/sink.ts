import { isWellFormedText } from '../../keys/keys.js'

/**
 * Text from this many characters on goes through Buffer's encoder: a call costs about as much as
 * a loop over 20 characters, and the encoder copies long text several times faster (200
 * characters: 82 against 435 ns).
 */
const ENCODER_FROM = 32

/** An auto-growing byte buffer. */
export class Sink {
  bytes: Buffer
  view: DataView
  length = 0

  constructor(capacity = 1 << 16) {
    this.bytes = Buffer.allocUnsafe(capacity)
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length)
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return
    let capacity = this.bytes.length * 2
    while (capacity < this.length + extra) capacity *= 2
    const next = Buffer.allocUnsafe(capacity)
    this.bytes.copy(next, 0, 0, this.length)
    this.bytes = next
    this.view = new DataView(next.buffer, next.byteOffset, next.length)
  }

  byte(value: number): void {
    this.reserve(1)
    this.bytes[this.length++] = value
  }

  /** Unsigned varint of a safe integer (file offsets may pass 2^32). */
  varint(value: number): void {
    this.reserve(10)
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80
      value = Math.floor(value / 0x80)
    }
    this.bytes[this.length++] = value
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length)
    this.bytes.set(bytes, this.length)
    this.length += bytes.length
  }

  /**
   * A UTF-8 string: short ASCII by a plain loop (most values), the rest by Buffer's encoder, which
   * would turn a lone surrogate into U+FFFD: such text is refused (-1) instead.
   */
  utf8(text: string): number {
    this.reserve(text.length * 3)
    const bytes = this.bytes
    const start = this.length
    if (text.length >= ENCODER_FROM) {
      // Text longer in bytes than in characters is not all ASCII, and may hold a lone surrogate.
      const written = bytes.write(text, start, 'utf8')
      if (written !== text.length && !isWellFormedText(text)) return -1
      this.length = start + written
      return written
    }
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code >= 0x80) {
        if (!isWellFormedText(text)) return -1
        this.length = start + i + bytes.write(text.slice(i), start + i, 'utf8')
        return this.length - start
      }
      bytes[start + i] = code
    }
    this.length = start + text.length
    return text.length
  }

  written(): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }
}
