// The placeholders of a system's args, env values, cwd, files and version command: {port} (the
// port chosen for it), {host} (127.0.0.1), {dir} (its private working directory) and {repo} (the
// benchgate checkout). Only these four names are replaced; any other brace text is left as it is,
// so an nginx.conf (`events { }`) or a JSON body needs no escaping. A word of the form {name} that
// is not one of the four is reported at load (scenario.ts), since it is almost always a typo.
export const PLACEHOLDERS = ['port', 'host', 'dir', 'repo'] as const
export type Placeholder = (typeof PLACEHOLDERS)[number]
export type TemplateVars = Record<Placeholder, string>

const KNOWN = new RegExp(`\\{(${PLACEHOLDERS.join('|')})\\}`, 'g')
const ANY = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** `text` with {port}, {host}, {dir} and {repo} replaced. */
export function expand(text: string, vars: TemplateVars): string {
  return text.replace(KNOWN, (_, name: Placeholder) => vars[name])
}

/** The {name} words of `text` that are not placeholders. */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(ANY)].map((m) => m[1]!).filter((n) => !(PLACEHOLDERS as readonly string[]).includes(n))
}
