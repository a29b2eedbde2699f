import { expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { expandTemplate, splitWords } from './template.ts'

const VARS = { src: '/data/my src', dst: '/tmp/dst' }

function userError(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    expect(isUserError(e)).toBe(true)
    return (e as Error).message
  }
  throw new Error('expected a UserError')
}

test('a template string is split on whitespace; quotes group; a value with blanks stays one argument', () => {
  expect(expandTemplate('rsync -a  --delete {src}/ {dst}/', VARS, 'f', ['src', 'dst'])).toEqual(['rsync', '-a', '--delete', '/data/my src/', '/tmp/dst/'])
  expect(expandTemplate(`tool --name="a b" 'c d'e "" --to={dst}`, VARS, 'f')).toEqual(['tool', '--name=a b', 'c de', '', '--to=/tmp/dst'])
  expect(splitWords('  a\tb\n c  ', 'f')).toEqual(['a', 'b', 'c'])
})

test('an array template is taken word for word, placeholders replaced', () => {
  expect(expandTemplate(['cp', '-r', '{src} x', '{dst}'], VARS, 'f', ['src', 'dst'])).toEqual(['cp', '-r', '/data/my src x', '/tmp/dst'])
})

test('a required placeholder missing is a UserError naming the field, with an example', () => {
  expect(userError(() => expandTemplate('blit-cli copy {src}', VARS, 'blitParity.candidate', ['src', 'dst'], 'rsync -a --delete {src}/ {dst}/'))).toBe(
    "blitParity.candidate: the template has no {dst}; expected a command with {src} and {dst}, e.g. 'rsync -a --delete {src}/ {dst}/'",
  )
  expect(userError(() => expandTemplate(['true'], VARS, 'g', ['src']))).toBe("g: the template has no {src}; expected a command with {src}, e.g. 'tool {src}'")
})

test('an unknown placeholder, an empty template and an unterminated quote are UserErrors naming the field', () => {
  expect(userError(() => expandTemplate('cp {src} {dest}', VARS, 'blitParity.candidate'))).toBe(
    'blitParity.candidate: the template has {dest}, which is not a placeholder it can use: cp {src} {dest}; expected only {src} and {dst}',
  )
  expect(userError(() => expandTemplate('   ', VARS, 'h'))).toMatch(/^h: the template is empty/)
  expect(userError(() => expandTemplate('cp "{src} {dst}', VARS, 'h'))).toMatch(/^h: the template has an unterminated " quote/)
})
