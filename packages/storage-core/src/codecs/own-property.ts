/**
 * Sets a row's property as its own, whatever the name: `row['__proto__'] = v` would replace the
 * row's prototype (or do nothing) instead, so a column of that name would vanish or, worse, make
 * its value the row's inherited properties.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}
