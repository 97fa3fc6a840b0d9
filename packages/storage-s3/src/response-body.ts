import type { GetObjectCommandOutput } from '@aws-sdk/client-s3'

/**
 * The whole body, or an error when it broke off or fewer bytes came than `Content-Length` said.
 * Node's parser already fails a body closed short of its length; the count also holds for any
 * other request handler given in `clientConfig`, so a cut body never passes for a short object.
 */
export async function readWholeBody(response: GetObjectCommandOutput): Promise<Uint8Array> {
  let bytes: Uint8Array
  try {
    bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0)
  } catch (cause) {
    throw incompleteBody(`the connection broke (${(cause as Error).message})`, cause)
  }
  const expected = response.ContentLength
  if (expected !== undefined && bytes.length !== expected) {
    throw incompleteBody(`${bytes.length} of ${expected} bytes arrived`)
  }
  return bytes
}

function incompleteBody(detail: string, cause?: unknown): Error {
  const error = new Error(`the response body was cut short: ${detail}`, { cause })
  error.name = 'IncompleteBody'
  return error
}
