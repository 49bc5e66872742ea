/** Shows a piece of user text in a message: quoted, escaped, and cut short so a hostile value
 *  (a megabyte-long key, a control character) cannot flood or garble a recorded reason. */
export function quote(text: string, max = 24): string {
  return JSON.stringify(truncate(text, max));
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text.slice(0, max * 2));
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : text;
}

/** ` (in the output of "t/b")`, for a reason about one element of a glob's values. */
export function inOutputOf(task: string | undefined): string {
  return task === undefined ? "" : ` (in the output of ${quote(task, 80)})`;
}
