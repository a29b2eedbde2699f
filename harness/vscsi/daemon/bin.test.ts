// `npx vscsi-helper` works after `npm ci`: the workspace package packages/vscsi-helper puts the
// command in node_modules/.bin, and it runs under the project's own Node.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect, test } from 'vitest'

const repo = resolve(import.meta.dirname, '../../..')
const bin = join(repo, 'node_modules', '.bin', process.platform === 'win32' ? 'vscsi-helper.cmd' : 'vscsi-helper')

test('node_modules/.bin/vscsi-helper exists and prints its usage; a bad command is one line, exit 2', () => {
  expect(existsSync(bin), `${bin} (run npm ci)`).toBe(true)
  const env = { ...process.env, PATH: `${join(repo, 'node_modules', '.bin')}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH}` }
  const help = spawnSync(bin, ['--help'], { encoding: 'utf8', env, shell: process.platform === 'win32' })
  expect(help.status, help.stderr).toBe(0)
  expect(help.stdout).toMatch(/^usage: vscsi-helper <command>/)
  const bad = spawnSync(bin, ['frobnicate'], { encoding: 'utf8', env, shell: process.platform === 'win32' })
  expect(bad.status).toBe(2)
  expect(bad.stderr.trim().split('\n')).toHaveLength(1)
  expect(bad.stderr).toMatch(/frobnicate/)
})
