/**
 * The AWS SDK's packages, loaded with `require`. They are CommonJS, and Node imports a CommonJS
 * module into ESM only after lexing all of its source for export names: that made loading the S3
 * client take 76-100 ms instead of 50-53 (Node 20), a fifth of a small command's run.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

const clientS3 = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3')
export const { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, paginateListObjectsV2, PutObjectCommand, S3Client } = clientS3
export const { getEndpointFromInstructions } = require('@smithy/core/endpoints') as typeof import('@smithy/core/endpoints')
export const { HttpRequest } = require('@smithy/core/protocols') as typeof import('@smithy/core/protocols')
export const { NodeHttpHandler } = require('@smithy/node-http-handler') as typeof import('@smithy/node-http-handler')
