// The chunked copy of a .zgy volume in blob storage (layout modeled on OpenVDS, see
// ../volume/vds-layout.ts): uploaded with a write SAS, chunks first and the VolumeDataLayout
// object last, so a store that holds the layout holds every chunk. A store already holding the
// very same layout is left as it is (generated data is cached between runs, in Azure too).
import { createHash } from 'node:crypto'
import { getText, uploadBlobs } from '../azure/store.ts'
import { describeTarget, type BlobTarget } from '../azure/target.ts'
import { BYTES_PER_SAMPLE } from '../volume/coding.ts'
import { chunkBytes, chunkKind, chunkObject, layoutFromZgy, LAYOUT_OBJECT } from '../volume/vds-layout.ts'
import { openZgy } from '../volume/zgy.ts'

export interface StoredChunks {
  /** Objects of the stored (normal) chunks, in chunk index order. */
  chunks: string[]
  /** Bytes of one chunk. */
  chunkBytes: number
  /** SHA-256 of every stored chunk's bytes in index order, read from the .zgy. */
  chunksSha256: string
  /** Whether this call uploaded anything. */
  uploaded: boolean
}

/** Uploads the chunked copy of the .zgy unless the store already holds this very layout. */
export async function uploadVolume(zgyPath: string, key: string, write: BlobTarget, prefix: string, progress: (text: string) => void = () => {}): Promise<StoredChunks> {
  const zgy = openZgy(zgyPath)
  try {
    const layout = layoutFromZgy(zgy, { key })
    const indices: number[] = []
    const total = layout.chunkCounts[0] * layout.chunkCounts[1] * layout.chunkCounts[2]
    for (let i = 0; i < total; i++) if (chunkKind(layout, i).kind === 'normal') indices.push(i)
    const hash = createHash('sha256')
    for (const i of indices) hash.update(chunkBytes(zgy, layout, i))
    const chunks: StoredChunks = { chunks: indices.map((i) => chunkObject(prefix, i)), chunkBytes: zgy.brickSize[0] * zgy.brickSize[1] * zgy.brickSize[2] * BYTES_PER_SAMPLE[zgy.dataType], chunksSha256: hash.digest('hex'), uploaded: false }
    const text = JSON.stringify(layout, null, 1) + '\n'
    const layoutName = `${prefix}/${LAYOUT_OBJECT}`
    const existing = await getText(write, layoutName).catch(() => null)
    if (existing === text) {
      progress(`blob copy up to date at ${describeTarget(write)}/${prefix}`)
      return chunks
    }
    const t0 = performance.now()
    let last = 0
    await uploadBlobs(write, indices.map((i) => ({ name: chunkObject(prefix, i), bytes: () => chunkBytes(zgy, layout, i) })), {
      concurrency: 8,
      onProgress: ({ blobs: done }) => {
        const now = performance.now()
        if (now - last < 2000 && done < indices.length) return
        last = now
        const s = (now - t0) / 1000
        progress(`uploading chunks ${done}/${indices.length}, ${s.toFixed(0)} s elapsed, ETA ${((s / Math.max(1, done)) * (indices.length - done)).toFixed(0)} s`)
      },
    })
    // the layout goes last: a store holding it holds every chunk
    await uploadBlobs(write, [{ name: layoutName, bytes: Buffer.from(text), contentType: 'application/json' }], { concurrency: 1 })
    progress(`uploaded ${indices.length} chunks in ${((performance.now() - t0) / 1000).toFixed(1)} s to ${describeTarget(write)}/${prefix}`)
    return { ...chunks, uploaded: true }
  } finally {
    zgy.close()
  }
}

