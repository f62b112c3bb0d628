/** Joins class names, skipping the falsy ones: `classNames('a', done && 'b')`. */
export function classNames(...names: Array<string | false | null | undefined>): string {
  return names.filter(Boolean).join(' ');
}
