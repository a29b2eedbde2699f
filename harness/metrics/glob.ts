// A tiny glob for file names: `*` any run of characters except `/`, `**` any run including `/`,
// `?` one character, `[abc]` / `[a-z]` / `[!abc]` a class, `{zgy,vds}` alternatives, `\x` a
// literal x. A pattern without `/` is matched against the file's basename (`*.zgy` matches
// /data/vol/a.zgy); with a `/` it is matched against the whole absolute path. Case-sensitive.

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c
}

export function globToRegExp(glob: string): RegExp {
  let out = ''
  let braces = 0
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '\\' && i + 1 < glob.length) out += escape(glob[++i]!)
    else if (c === '*') {
      if (glob[i + 1] === '*') {
        i++
        if (glob[i + 1] === '/') {
          out += '(?:.*/)?' // `**/`: any directories, or none
          i++
        } else out += '.*'
      } else out += '[^/]*'
    } else if (c === '?') out += '[^/]'
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2)
      if (end < 0) out += '\\['
      else {
        let body = glob.slice(i + 1, end)
        if (body.startsWith('!')) body = '^' + body.slice(1)
        out += `[${body.replaceAll('\\', '\\\\')}]`
        i = end
      }
    } else if (c === '{') {
      braces++
      out += '(?:'
    } else if (c === '}' && braces > 0) {
      braces--
      out += ')'
    } else if (c === ',' && braces > 0) out += '|'
    else out += escape(c)
  }
  while (braces-- > 0) out += ')'
  return new RegExp(`^${out}$`)
}

/** A predicate on absolute paths for `glob` (see the file comment for the rules). */
export function pathMatcher(glob: string): (path: string) => boolean {
  const re = globToRegExp(glob)
  if (glob.includes('/')) return (path) => re.test(path)
  return (path) => re.test(path.slice(path.lastIndexOf('/') + 1))
}
