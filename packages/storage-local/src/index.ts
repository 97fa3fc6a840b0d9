export { LocalObjectStore, type LocalObjectStoreOptions } from './local-object-store.js'
export { LocalStorage, type LocalStorageOptions, createStorage } from './local-storage.js'
