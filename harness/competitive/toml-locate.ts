// Lines of a TOML document's data paths, for error messages: smol-toml returns plain data with no
// positions, so this small scanner walks the text once and records where each path is defined —
// table headers (`[preload]`, `[systems.files]`), array-of-tables items (`[[systems]]`, counted
// per parent, so the second one is `systems[1]`), keys (bare, quoted, dotted: `a.b = 1`), keys of
// inline tables (`ready = { kind = "http" }`) and items of arrays (`requests = [{…}, {…}]`, one
// line per item). Strings of every kind, multi-line ones included, and comments are skipped.
//
// It runs only on text smol-toml has already accepted, so it assumes valid TOML and never throws.
// lineOf(path) gives the line of the path, or of its deepest defined ancestor (a missing field
// points at its table), or undefined for an empty document.
export type TomlPath = readonly PropertyKey[]

const BARE_KEY = /[A-Za-z0-9_-]/

class Scanner {
  readonly lines = new Map<string, number>()
  #text: string
  #pos = 0
  #line = 1
  /** Array-of-tables paths (JSON of the path) → index of their last item. */
  #arrays = new Map<string, number>()

  constructor(text: string) {
    this.#text = text
  }

  #peek(offset = 0): string {
    return this.#text[this.#pos + offset] ?? ''
  }

  #advance(n = 1): void {
    for (let i = 0; i < n && this.#pos < this.#text.length; i++) {
      if (this.#text[this.#pos] === '\n') this.#line++
      this.#pos++
    }
  }

  #record(path: TomlPath): void {
    const key = JSON.stringify(path)
    if (!this.lines.has(key)) this.lines.set(key, this.#line)
  }

  /** Skips blanks; with `newlines` also line ends and comments. */
  #skip(newlines: boolean): void {
    for (;;) {
      const c = this.#peek()
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) this.#advance()
      else if (newlines && c === '#') while (this.#pos < this.#text.length && this.#peek() !== '\n') this.#advance()
      else return
    }
  }

  #skipLine(): void {
    while (this.#pos < this.#text.length && this.#peek() !== '\n') this.#advance()
  }

  /** Reads a string at the cursor (any of the four kinds) and returns its raw content. */
  #string(): string {
    const q = this.#peek()
    const multi = this.#peek(1) === q && this.#peek(2) === q
    const start = this.#pos + (multi ? 3 : 1)
    this.#advance(multi ? 3 : 1)
    for (;;) {
      if (this.#pos >= this.#text.length) return this.#text.slice(start)
      const c = this.#peek()
      if (c === '\\' && q === '"') {
        this.#advance(2)
      } else if (c === q && (!multi || (this.#peek(1) === q && this.#peek(2) === q))) {
        const end = this.#pos
        // a multi-line string may end with up to two extra quotes (`""""` closes after one quote)
        this.#advance(multi ? 3 : 1)
        while (multi && this.#peek() === q) this.#advance()
        return this.#text.slice(start, end)
      } else {
        this.#advance()
      }
    }
  }

  /** A key: bare or quoted parts joined by dots. */
  #key(): string[] {
    const parts: string[] = []
    for (;;) {
      this.#skip(false)
      const c = this.#peek()
      if (c === '"' || c === "'") {
        parts.push(unescapeBasic(this.#string(), c))
      } else {
        let part = ''
        while (BARE_KEY.test(this.#peek()) && this.#peek() !== '') {
          part += this.#peek()
          this.#advance()
        }
        parts.push(part)
      }
      this.#skip(false)
      if (this.#peek() !== '.') return parts
      this.#advance()
    }
  }

  /** Header key path with the current index of every array of tables on the way inserted. */
  #resolve(parts: readonly string[]): PropertyKey[] {
    const out: PropertyKey[] = []
    for (const part of parts) {
      out.push(part)
      const index = this.#arrays.get(JSON.stringify(out))
      if (index !== undefined) out.push(index)
    }
    return out
  }

  #value(path: TomlPath): void {
    const c = this.#peek()
    if (c === '"' || c === "'") {
      this.#string()
    } else if (c === '[') {
      this.#advance()
      for (let i = 0; ; i++) {
        this.#skip(true)
        if (this.#peek() === ']' || this.#peek() === '') break
        this.#record([...path, i])
        this.#value([...path, i])
        this.#skip(true)
        if (this.#peek() === ',') this.#advance()
      }
      this.#advance()
    } else if (c === '{') {
      this.#advance()
      for (;;) {
        this.#skip(true)
        if (this.#peek() === '}' || this.#peek() === '') break
        this.#pair(path)
        this.#skip(true)
        if (this.#peek() === ',') this.#advance()
      }
      this.#advance()
    } else {
      while (this.#pos < this.#text.length && !',]}\n#'.includes(this.#peek())) this.#advance()
    }
  }

  /** `key = value` inside `table`. */
  #pair(table: TomlPath): void {
    const parts = this.#key()
    for (let i = 1; i <= parts.length; i++) this.#record([...table, ...parts.slice(0, i)])
    this.#skip(false)
    if (this.#peek() === '=') this.#advance()
    this.#skip(false)
    this.#value([...table, ...parts])
  }

  scan(): void {
    let table: TomlPath = []
    for (;;) {
      this.#skip(true)
      if (this.#pos >= this.#text.length) return
      if (this.#peek() === '[') {
        const isArray = this.#peek(1) === '['
        this.#advance(isArray ? 2 : 1)
        const parts = this.#key()
        if (isArray) {
          const array = [...this.#resolve(parts.slice(0, -1)), parts.at(-1)!]
          const key = JSON.stringify(array)
          const index = (this.#arrays.get(key) ?? -1) + 1
          this.#arrays.set(key, index)
          this.#record(array)
          table = [...array, index]
        } else {
          table = this.#resolve(parts)
        }
        this.#record(table)
        this.#skipLine()
      } else {
        this.#pair(table)
        this.#skip(false)
        if (this.#peek() === '#') this.#skipLine()
      }
    }
  }
}

/** The escapes a quoted key may hold (\" \\ \t \n \uXXXX); literal strings are taken as they are. */
function unescapeBasic(raw: string, quote: string): string {
  if (quote === "'") return raw
  try {
    return JSON.parse(`"${raw.replace(/\\U([0-9A-Fa-f]{8})/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))}"`) as string
  } catch {
    return raw
  }
}

/** A function giving the 1-based line of a data path in `text` (see the header). */
export function tomlLocator(text: string): (path: TomlPath) => number | undefined {
  const scanner = new Scanner(text)
  scanner.scan()
  const { lines } = scanner
  const first = lines.values().next().value
  return (path) => {
    for (let n = path.length; n > 0; n--) {
      const line = lines.get(JSON.stringify(path.slice(0, n)))
      if (line !== undefined) return line
    }
    return first
  }
}
