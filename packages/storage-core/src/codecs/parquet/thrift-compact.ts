import type { Sink } from './sink.js'

// Thrift compact protocol field types.
const T_TRUE = 1
const T_FALSE = 2
const T_BYTE = 3
const T_I32 = 5
const T_I64 = 6
const T_BINARY = 8
const T_LIST = 9
const T_STRUCT = 12

/** Writes Thrift compact protocol into a sink, tracking field-id deltas per struct. */
export class Thrift {
  private last = 0
  private readonly outer: number[] = []
  constructor(private readonly out: Sink) {}

  private field(id: number, type: number): void {
    const delta = id - this.last
    if (delta > 0 && delta <= 15) {
      this.out.byte((delta << 4) | type)
    } else {
      this.out.byte(type)
      this.zigzag(id)
    }
    this.last = id
  }

  private zigzag(value: number): void {
    this.out.varint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  int(id: number, value: number | undefined, type = T_I32): void {
    if (value === undefined) return
    this.field(id, type)
    this.zigzag(value)
  }

  long(id: number, value: number | undefined): void {
    this.int(id, value, T_I64)
  }

  /** An i8: one raw byte, not a varint. */
  i8(id: number, value: number): void {
    this.field(id, T_BYTE)
    this.out.byte(value & 0xff)
  }

  bool(id: number, value: boolean | undefined): void {
    if (value === undefined) return
    this.field(id, value ? T_TRUE : T_FALSE)
  }

  binary(id: number, value: Uint8Array | string | undefined): void {
    if (value === undefined) return
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
    this.field(id, T_BINARY)
    this.out.varint(bytes.length)
    this.out.append(bytes)
  }

  ints(id: number, values: readonly number[]): void {
    this.listHeader(id, T_I32, values.length)
    for (const value of values) this.zigzag(value)
  }

  longs(id: number, values: readonly number[]): void {
    this.listHeader(id, T_I64, values.length)
    for (const value of values) this.zigzag(value)
  }

  bools(id: number, values: readonly boolean[]): void {
    this.listHeader(id, T_TRUE, values.length)
    for (const value of values) this.out.byte(value ? T_TRUE : T_FALSE)
  }

  binaries(id: number, values: readonly (Uint8Array | string)[]): void {
    this.listHeader(id, T_BINARY, values.length)
    for (const value of values) {
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
      this.out.varint(bytes.length)
      this.out.append(bytes)
    }
  }

  struct(id: number, body: () => void): void {
    this.field(id, T_STRUCT)
    this.body(body)
  }

  /** A struct with no fields, such as a union's empty member. */
  empty(id: number): void {
    this.field(id, T_STRUCT)
    this.out.byte(0)
  }

  structs<T>(id: number, items: readonly T[], body: (item: T) => void): void {
    this.listHeader(id, T_STRUCT, items.length)
    for (const item of items) this.body(() => body(item))
  }

  /** A struct's fields and its stop byte; also a whole top-level message. */
  body(fields: () => void): void {
    this.outer.push(this.last)
    this.last = 0
    fields()
    this.out.byte(0)
    this.last = this.outer.pop()!
  }

  private listHeader(id: number, type: number, size: number): void {
    this.field(id, T_LIST)
    if (size < 15) {
      this.out.byte((size << 4) | type)
    } else {
      this.out.byte(0xf0 | type)
      this.out.varint(size)
    }
  }
}
