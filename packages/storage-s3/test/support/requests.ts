import type { RecordedRequest } from '@cfb/test-servers'

/** A recorded request, classified as S3 sees it (path-style addressing). */
export interface S3Call {
  op: 'LIST' | 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE'
  /** Object key, or the listing's `prefix` parameter. */
  key: string
  bytes: number
  query: URLSearchParams
}

export function classify(request: RecordedRequest, bucket: string): S3Call {
  const url = new URL(request.url, 'http://proxy')
  const path = decodeURIComponent(url.pathname).replace(new RegExp(`^/${bucket}/?`), '')
  const query = url.searchParams
  if (request.method === 'GET' && query.get('list-type') === '2') {
    return { op: 'LIST', key: query.get('prefix') ?? '', bytes: request.bytes, query }
  }
  return { op: request.method as S3Call['op'], key: path, bytes: request.bytes, query }
}
