export {
  type ProxyResponse,
  type RecordedRequest,
  type RecordingProxy,
  type RecordingProxyOptions,
  startRecordingProxy,
} from './recording-proxy.js'
export { type S3TestServer, SERVER_QUIRKS, type ServerKind, type ServerQuirks, startS3Server } from './s3-servers.js'
