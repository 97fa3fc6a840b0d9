import { MemoryObjectStore } from '../store/memory-object-store.js'
import { ObjectStorage } from './object-storage.js'

/** A complete in-memory backend: the reference for the conformance suite and for users' unit tests. */
export class MemoryStorage extends ObjectStorage {
  constructor() {
    super(new MemoryObjectStore())
  }
}
