// The last line of defence for secrets in the probe's output: every text it writes or prints
// passes through a Scrubber that knows every SAS the run used (their signatures in raw,
// percent-decoded and percent-encoded form, via ../azure/target.ts) and any other secret value
// (an account key), plus any `sig=…` parameter at all (../config/redact.ts).
import { scrubSecrets, type BlobTarget } from '../azure/target.ts'
import { REDACTED, redactText } from '../config/redact.ts'

export class Scrubber {
  readonly #targets: BlobTarget[] = []
  readonly #values = new Set<string>()

  addTarget(target: BlobTarget): void {
    this.#targets.push({ containerUrl: target.containerUrl, sas: target.sas })
  }

  /** A secret value (an account key); values shorter than 8 characters are ignored as too common. */
  addValue(value: string): void {
    if (value.length >= 8) {
      this.#values.add(value)
      this.#values.add(encodeURIComponent(value))
    }
  }

  scrub(text: string): string {
    let out = redactText(text, null) // any sig=… parameter, whoever's
    for (const t of this.#targets) out = scrubSecrets(out, t)
    for (const v of this.#values) out = out.split(v).join(REDACTED)
    return out
  }
}
