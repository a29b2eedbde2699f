// Finds the YAML line of a data path (`['ssh', 'hosts', 0, 'password']`) and spells the path
// the way messages show it (`ssh.hosts[0].password`).
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml'

export type DataPath = readonly PropertyKey[]

export { fieldName } from '../errors.ts'

function lineAt(counter: LineCounter, node: { range?: [number, number, number] | null } | null | undefined): number | undefined {
  return node?.range ? counter.linePos(node.range[0]).line : undefined
}

/**
 * The 1-based line of the node at `path`: the line of its key (`azure:` for a section, the item's
 * first line for a list item). A path that goes past what the file holds (a missing key) gets the
 * line of the deepest part that exists; undefined only for an empty file.
 */
export function lineOf(doc: Document, counter: LineCounter, path: DataPath): number | undefined {
  let node: unknown = doc.contents
  let line = lineAt(counter, doc.contents)
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg))
      if (!pair) break
      line = lineAt(counter, pair.key as Node) ?? line
      node = pair.value
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg]
      line = lineAt(counter, node as Node) ?? line
    } else {
      break
    }
  }
  return line
}
