// JSON.parse keeps the last of two equal keys without a word, while other safetensors loaders keep
// the first or refuse the file. Two readers seeing two different tensor tables is a parser
// differential an attacker can use, so duplicates are found here with a small scanner over text that
// JSON.parse has already accepted (so it only needs to track strings, objects and arrays).

export interface DuplicateKey {
  /** Dotted path of the object holding the key, `(root)` for the top level. */
  path: string;
  key: string;
}

/** Duplicate object keys in valid JSON text, at most `limit` of them. Linear time, no recursion. */
export function findDuplicateKeys(text: string, limit = 20): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  // One frame per open container: objects hold their seen keys, arrays hold null.
  const stack: Array<{ keys: Set<string> | null; name: string }> = [];
  let expectKey = false;
  let pendingName = '(root)';
  let i = 0;
  while (i < text.length && found.length < limit) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.keys && expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key)) found.push({ path: top.name, key });
        top.keys.add(key);
        pendingName = top.name === '(root)' ? key : `${top.name}.${key}`;
        expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === '{') {
      stack.push({ keys: new Set(), name: pendingName });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ keys: null, name: pendingName });
      pendingName = `${pendingName}[]`;
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      expectKey = top?.keys != null;
      if (top && !top.keys) pendingName = `${top.name}[]`;
    }
    i++;
  }
  return found;
}

/** Index just past the closing quote of the JSON string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return text.length;
}
