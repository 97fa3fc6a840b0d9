import type { ObjectStore } from '@cfb/storage-core'

/** A store whose writes can be stopped: writes started before finish, later ones are refused. */
export interface DrainingStore {
  store: ObjectStore
  /** Refuses new writes and resolves once the writes in flight have landed or failed. */
  drain(): Promise<void>
}

/**
 * Wraps `store` so that an interrupted transfer can stop between objects: a process that exits
 * while a write is in flight leaves that write's temporary file behind (the local store writes a
 * temp file and renames it), so Ctrl-C lets the writes in flight finish first.
 */
export function drainingStore(store: ObjectStore): DrainingStore {
  const inFlight = new Set<Promise<void>>()
  let stopped = false
  const put: ObjectStore['put'] = (key, bytes, options) => {
    if (stopped) return Promise.reject(new Error('interrupted'))
    const write = store.put(key, bytes, options)
    inFlight.add(write)
    const forget = () => inFlight.delete(write)
    write.then(forget, forget)
    return write
  }
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (property === 'put') return put
      const value = Reflect.get(target, property, target)
      // Methods run on the store itself: its private fields are not on the proxy.
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return {
    store: wrapped,
    async drain() {
      stopped = true
      await Promise.allSettled([...inFlight])
    },
  }
}
