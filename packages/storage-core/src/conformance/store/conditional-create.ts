import { expect } from '@jest/globals'
import { StorageError } from '../../errors.js'
import type { ObjectStore } from '../../store/object-store.js'
import { expectCode, rejection, type StoreCaseGroup, text, utf8 } from './case.js'

/** Writers racing to create one key, as concurrent commits of the next table version do. */
export const RACING_CREATORS = 8

const KEY = 'create/00000000000000000001.json'

/** Without the capability the store must refuse to promise create-only, so the engine can choose. */
async function refusesCreateOnly(store: ObjectStore): Promise<void> {
  expectCode(
    await rejection(store.put(KEY, utf8('first'), { ifNoneMatch: '*' }), "put with ifNoneMatch '*' of an absent key"),
    'NOT_SUPPORTED',
    "put with ifNoneMatch '*' on a store without conditionalPut",
  )
  expectCode(await rejection(store.head(KEY), 'head after a refused create'), 'NOT_FOUND', 'head after a refused create')
  await store.put(KEY, utf8('plain'))
  expectCode(
    await rejection(store.put(KEY, utf8('second'), { ifNoneMatch: '*' }), "put with ifNoneMatch '*' of an existing key"),
    'NOT_SUPPORTED',
    "put with ifNoneMatch '*' of an existing key on a store without conditionalPut",
  )
  expect(text(await store.get(KEY))).toBe('plain')
}

export const conditionalCreateGroup: StoreCaseGroup = {
  name: 'conditional create',
  cases: [
    {
      name: "creates an absent key with ifNoneMatch '*'; a second create fails with CONFLICT and keeps the first bytes",
      capability: 'conditionalPut',
      async run(store) {
        await store.put(KEY, utf8('first'), { ifNoneMatch: '*' })
        expect(text(await store.get(KEY))).toBe('first')
        expectCode(
          await rejection(store.put(KEY, utf8('second'), { ifNoneMatch: '*' }), 'a second create of one key'),
          'CONFLICT',
          'a second create of one key',
        )
        expect(text(await store.get(KEY))).toBe('first')
        expect((await store.head(KEY)).size).toBe(5)
        // Create-only guards creation alone: a plain put still replaces, and a deleted key can be created again.
        await store.put(KEY, utf8('replaced'))
        expect(text(await store.get(KEY))).toBe('replaced')
        await store.delete([KEY])
        await store.put(KEY, utf8('again'), { ifNoneMatch: '*' })
        expect(text(await store.get(KEY))).toBe('again')
      },
      without: {
        name: "without conditional put, put with ifNoneMatch '*' fails with NOT_SUPPORTED and writes nothing",
        run: refusesCreateOnly,
      },
    },
    {
      name: `${RACING_CREATORS} concurrent creates of one key: exactly one wins, the rest fail with CONFLICT, the winner's bytes are stored`,
      capability: 'conditionalPut',
      async run(store) {
        const bodies = Array.from({ length: RACING_CREATORS }, (_, i) => `writer ${i} ${'x'.repeat(i * 100)}`)
        const outcomes = await Promise.allSettled(bodies.map((body) => store.put(KEY, utf8(body), { ifNoneMatch: '*' })))
        const winners = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []))
        expect(winners).toHaveLength(1)
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(StorageError)
            expect((outcome.reason as StorageError).code).toBe('CONFLICT')
          }
        }
        const winner = bodies[winners[0]!]!
        expect(text(await store.get(KEY))).toBe(winner)
        expect((await store.head(KEY)).size).toBe(utf8(winner).byteLength)
      },
      without: {
        name: `without conditional put, ${RACING_CREATORS} concurrent creates all fail with NOT_SUPPORTED and none is written`,
        async run(store) {
          const outcomes = await Promise.allSettled(
            Array.from({ length: RACING_CREATORS }, (_, i) => store.put(KEY, utf8(`writer ${i}`), { ifNoneMatch: '*' })),
          )
          for (const outcome of outcomes) {
            expect(outcome.status).toBe('rejected')
            if (outcome.status === 'rejected') expectCode(outcome.reason, 'NOT_SUPPORTED', 'a racing create')
          }
          expectCode(await rejection(store.head(KEY), 'head after refused creates'), 'NOT_FOUND', 'head after refused creates')
        },
      },
    },
  ],
}
