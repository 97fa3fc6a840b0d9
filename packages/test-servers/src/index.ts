export {
  FAULT_KINDS,
  type FaultCounts,
  type FaultKind,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultRequest,
  startFaultProxy,
} from './fault-proxy.js'
export {
  type ProxyResponse,
  type RecordedRequest,
  type RecordingProxy,
  type RecordingProxyOptions,
  startRecordingProxy,
} from './recording-proxy.js'
export { type S3TestServer, SERVER_QUIRKS, type ServerKind, type ServerQuirks, startS3Server } from './s3-servers.js'
export { seededRandom } from './seeded-random.js'
export * from './concurrent-writes.js'
export * from './crash-log.js'
export * from './crash-plan.js'
export * from './crash-trials.js'
export * from './process-races.js'
export * from './writer-processes.js'
export { logVersions, type TableFiles, tableFiles } from './delta-log.js'
