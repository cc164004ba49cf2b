/**
 * Typed access to regular-expression match groups. Under `noUncheckedIndexedAccess` every group
 * reads as `string | undefined`; a group that is not optional in its pattern always took part in
 * a successful match, and `group` says so in the type instead of a `!`.
 */

/** The text of group `index` of a successful match; throws when the group did not take part. */
export function group(match: readonly (string | undefined)[], index: number): string {
  const text = match[index];
  if (text === undefined)
    throw new Error(`lib/regex: group ${index} did not take part in the match`);
  return text;
}
